"""`metric-pulse status`: the last runs from ops.etl_logs, and an exit code for monitoring.

On PostgreSQL the table is read with one query; on another destination through the
run log's dlt client (metric_pulse.run_log.EngineRunLog), the run lock being a file lock.

Exit 0 when the last run succeeded and is recent enough, 1 when it failed, was
partial or was interrupted, 4 when the last successful run is older than the
allowed age (stale data), 5 when no run was ever recorded.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from metric_pulse.run_log import EngineRunLog, History, mark_interrupted
from metric_pulse.warehouse import DbSettings, EngineWarehouse, Warehouse, try_file_lock

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


def _postgres_history(db: DbSettings, limit: int) -> History | None:
    """The runs in ops.etl_logs on PostgreSQL; None when the table does not exist."""
    conn = db.connect()
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("select to_regclass('ops.etl_logs')")
            if cur.fetchone()[0] is None:
                return None
            mark_interrupted(cur)  # a `running` row whose process is gone was interrupted
            cur.execute(_QUERY, (limit,))
            rows = cur.fetchall()
            cur.execute("select max(finished_at) from ops.etl_logs where step = 'run' and status = 'success'")
            return rows, cur.fetchone()[0]
    finally:
        conn.close()


class DestinationBusy(Exception):
    """A live run holds the DuckDB file, which DuckDB lets one process open at a time."""


def _engine_history(warehouse: EngineWarehouse, limit: int) -> History | None:
    """The runs in the destination's etl_logs; None when no run was recorded (no DuckDB file yet)."""
    if warehouse.duckdb_path is not None and not warehouse.duckdb_path.exists():
        return None
    run_log = EngineRunLog(warehouse, [])
    lock = try_file_lock(warehouse.lock_file)  # free: no run is alive, so `running` rows were interrupted
    try:
        if lock is not None:
            run_log.mark_interrupted()
        return run_log.history(limit)
    except Exception as exc:  # whatever dlt wraps DuckDB's "could not set lock" in
        if lock is not None or warehouse.duckdb_path is None:
            raise
        raise DestinationBusy(
            f"a run is in progress and has {warehouse.duckdb_path} open (DuckDB lets one process at a "
            "time open it); its status shows when it ends"
        ) from exc
    finally:
        if lock is not None:
            lock.close()


def report(db: Warehouse, *, limit: int = 10, max_age_hours: float = 26.0) -> tuple[str, int]:
    """The status table and the exit code monitoring should act on."""
    try:
        history = _postgres_history(db, limit) if isinstance(db, DbSettings) else _engine_history(db, limit)
    except DestinationBusy as busy:
        return str(busy), EXIT_OK
    if history is None:
        return "no runs recorded yet (ops.etl_logs does not exist)", EXIT_NEVER
    rows, last_success = history
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
