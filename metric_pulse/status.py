"""`metric-pulse status`: the last runs from ops.etl_logs, and an exit code for monitoring.

Exit 0 when the last run succeeded and is recent enough, 1 when it failed, was
partial or was interrupted, 4 when the last successful run is older than the
allowed age (stale data), 5 when no run was ever recorded.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from metric_pulse.run_log import mark_interrupted
from metric_pulse.warehouse import DbSettings

EXIT_OK, EXIT_FAILED, EXIT_STALE, EXIT_NEVER = 0, 1, 4, 5

_QUERY = """
select r.run_id, r.started_at, r.finished_at, r.status, r.error_message,
       coalesce((select string_agg(substr(s.step, 6) || '=' || coalesce(s.records_loaded::text, '-'), ' '
                                   order by s.step)
                 from ops.etl_logs s where s.run_id = r.run_id and s.step like 'load:%%'), '')
from ops.etl_logs r
where r.step = 'run'
order by r.started_at desc
limit %s
"""


def _duration(start: datetime, end: datetime | None) -> str:
    if end is None:
        return "-"
    seconds = int((end - start).total_seconds())
    return f"{seconds // 60}m{seconds % 60:02d}s"


def report(db: DbSettings, *, limit: int = 10, max_age_hours: float = 26.0) -> tuple[str, int]:
    """The status table and the exit code monitoring should act on."""
    conn = db.connect()
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("select to_regclass('ops.etl_logs')")
            if cur.fetchone()[0] is None:
                return "no runs recorded yet (ops.etl_logs does not exist)", EXIT_NEVER
            mark_interrupted(cur)  # a `running` row whose process is gone was interrupted
            cur.execute(_QUERY, (limit,))
            rows = cur.fetchall()
            cur.execute("select max(finished_at) from ops.etl_logs where step = 'run' and status = 'success'")
            last_success = cur.fetchone()[0]
    finally:
        conn.close()
    if not rows:
        return "no runs recorded yet", EXIT_NEVER
    lines = [f"{'started (UTC)':<20} {'duration':>9} {'status':<12} {'rows loaded per store':<48} error"]
    for _run_id, started, finished, status, error, per_store in rows:
        started_utc = started.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        first_error = (error or "").splitlines()[0][:120] if error else ""
        lines.append(
            f"{started_utc:<20} {_duration(started, finished):>9} {status:<12} {per_store:<48} {first_error}"
        )
    last_status = rows[0][3]
    now = datetime.now(UTC)
    if last_status not in {"success", "running"}:
        lines.append(f"ALERT: the last run {last_status}")
        return "\n".join(lines), EXIT_FAILED
    if last_success is None or now - last_success > timedelta(hours=max_age_hours):
        age = "never" if last_success is None else f"{(now - last_success).total_seconds() / 3600:.1f}h ago"
        lines.append(f"ALERT: data is stale: last successful run finished {age} (allowed {max_age_hours:g}h)")
        return "\n".join(lines), EXIT_STALE
    return "\n".join(lines), EXIT_OK
