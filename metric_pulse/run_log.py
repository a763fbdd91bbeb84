"""`ops.etl_logs`: one row per run and per step (platform load, dbt build), and the run lock.

PostgreSQL (`RunLog`): rows are written on their own autocommit connection so they
survive whatever the run's data transactions do. A run holds a session-level advisory
lock for its lifetime; if the process is killed, PostgreSQL drops the connection and
the lock, which is how the next run knows that a row still marked `running` was
interrupted.

Any other destination (`EngineRunLog`): the same table in the destination, written
through dlt, and the run lock a file lock on the orchestrating machine, which the kernel
drops when the process dies: the same two guarantees without PostgreSQL.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

from loaders.errors import MetricPulseError
from loaders.masking import mask
from metric_pulse.config import ensure_private_dir
from metric_pulse.warehouse import DbSettings, EngineWarehouse, Warehouse, try_file_lock

log = logging.getLogger(__name__)

STATUSES = ("running", "success", "failed", "partial", "interrupted")
_RUN_LOCK_KEY = 0x6D70_0001  # one run per warehouse at a time
INTERRUPTED = "the process stopped before finishing (killed or crashed)"

DDL = f"""
create schema if not exists ops;
create table if not exists ops.etl_logs (
    id                  bigserial primary key,
    run_id              text not null,
    step                text not null,
    platform            text,
    started_at          timestamptz not null default now(),
    finished_at         timestamptz,
    status              text not null check (status in ({", ".join(repr(s) for s in STATUSES)})),
    records_extracted   bigint,
    records_loaded      bigint,
    records_transformed bigint,
    records_rejected    bigint,
    warnings            bigint,
    requests            bigint,
    throttled_429       bigint,
    error_message       text,
    details             jsonb,
    host                text,
    pid                 integer,
    unique (run_id, step)
);
alter table ops.etl_logs add column if not exists warnings bigint;  -- warehouses created before it
create index if not exists etl_logs_started_at on ops.etl_logs (started_at desc);
comment on table ops.etl_logs is 'One row per metric-pulse run (step = ''run'') and per step of it (load:<store>, dbt:build; a store is named <platform> or <platform>/<label>).';
"""


class RunInProgress(MetricPulseError):
    """Another run holds the warehouse; running two at once would interleave merges."""

    exit_code = 3


def _run_key(run_id: str) -> int:
    return zlib.crc32(run_id.encode()) & 0x7FFF_FFFF


def mark_interrupted(cur: Any, exclude: str = "") -> int:
    """Mark the runs whose process died (their liveness lock is free) `interrupted`; how many there were.

    Shared by a starting run and by `metric-pulse status`, which would otherwise report
    a run killed with `kill -9` as `running` (and exit 0) until the next run started.
    `cur` belongs to an autocommit connection.
    """
    cur.execute(
        "select distinct run_id from ops.etl_logs where status = 'running' and run_id <> %s", (exclude,)
    )
    stale = []
    for (run_id,) in cur.fetchall():
        cur.execute("select pg_try_advisory_lock(%s)", (_run_key(run_id),))
        if cur.fetchone()[0]:
            cur.execute("select pg_advisory_unlock(%s)", (_run_key(run_id),))
            stale.append(run_id)
    if stale:
        cur.execute(
            """update ops.etl_logs set status = 'interrupted', finished_at = coalesce(finished_at, now()),
                      error_message = coalesce(error_message, %s)
               where status = 'running' and run_id = any(%s)""",
            (INTERRUPTED, stale),
        )
        log.warning("marked %d earlier run(s) as interrupted: %s", len(stale), ", ".join(stale))
    return len(stale)


def run_in_progress(db: DbSettings) -> bool:
    """Whether any metric-pulse run holds its run lock on this server (advisory locks show cluster-wide)."""
    conn = db.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(
                "select exists (select 1 from pg_locks where locktype = 'advisory' and granted "
                "and classid = %s and objid = %s and objsubid = 1)",
                (_RUN_LOCK_KEY >> 32, _RUN_LOCK_KEY & 0xFFFF_FFFF),
            )
            return bool(cur.fetchone()[0])
    finally:
        conn.close()


@dataclass
class StepCounts:
    """What a step did; None means not applicable to this step."""

    extracted: int | None = None
    loaded: int | None = None
    transformed: int | None = None
    rejected: int | None = None
    warnings: int | None = None
    """dbt tests of a store's own data that found rows (docs/analytics.md, "Data quality")."""
    requests: int | None = None
    throttled: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


class RunLog:
    """Writes and reads ops.etl_logs for one run; `secrets` are masked out of error messages."""

    def __init__(self, db: DbSettings, secrets: list[str]) -> None:
        self.db = db
        self.secrets = secrets
        self.run_id = uuid.uuid4().hex
        self._conn = db.connect()
        self._conn.autocommit = True
        with self._conn.cursor() as cur:
            cur.execute(DDL)

    def close(self) -> None:
        self._conn.close()

    def acquire(self) -> None:
        """Take the warehouse run lock and this run's liveness lock; mark dead runs interrupted."""
        with self._conn.cursor() as cur:
            cur.execute("select pg_try_advisory_lock(%s)", (_RUN_LOCK_KEY,))
            if not cur.fetchone()[0]:
                raise RunInProgress(
                    "another metric-pulse run is in progress on this warehouse; try again later"
                )
            cur.execute("select pg_advisory_lock(%s)", (_run_key(self.run_id),))
        self.mark_interrupted()

    def mark_interrupted(self) -> int:
        """Rows left `running` by a killed process (its liveness lock is free) become `interrupted`."""
        with self._conn.cursor() as cur:
            return mark_interrupted(cur, exclude=self.run_id)

    def start(self, step: str, platform: str | None = None) -> None:
        with self._conn.cursor() as cur:
            cur.execute(
                """insert into ops.etl_logs (run_id, step, platform, status, host, pid)
                   values (%s, %s, %s, 'running', %s, %s)""",
                (self.run_id, step, platform, socket.gethostname(), os.getpid()),
            )

    def finish(
        self, step: str, status: str, counts: StepCounts | None = None, error: str | None = None
    ) -> None:
        assert status in STATUSES
        counts = counts or StepCounts()
        with self._conn.cursor() as cur:
            cur.execute(
                """update ops.etl_logs set finished_at = now(), status = %s, records_extracted = %s,
                          records_loaded = %s, records_transformed = %s, records_rejected = %s, warnings = %s,
                          requests = %s, throttled_429 = %s, error_message = %s, details = %s
                   where run_id = %s and step = %s""",
                (
                    status,
                    counts.extracted,
                    counts.loaded,
                    counts.transformed,
                    counts.rejected,
                    counts.warnings,
                    counts.requests,
                    counts.throttled,
                    mask(error, self.secrets) if error else None,
                    json.dumps(counts.details, default=str) if counts.details else None,
                    self.run_id,
                    step,
                ),
            )


# Types of etl_logs for dlt, fixed from the first row on (a column NULL in it would get no type).
ENGINE_COLUMNS: dict[str, dict[str, Any]] = {
    **{
        name: {"data_type": "text"}
        for name in ("run_id", "step", "platform", "status", "error_message", "host")
    },
    **{name: {"data_type": "timestamp"} for name in ("started_at", "finished_at")},
    **{
        name: {"data_type": "bigint"}
        for name in (
            "records_extracted",
            "records_loaded",
            "records_transformed",
            "records_rejected",
            "warnings",
            "requests",
            "throttled_429",
            "pid",
        )
    },
    "details": {"data_type": "json"},
}
# status lines: (run_id, started_at, finished_at, status, error_message, "<store>=<rows> ...")
History = tuple[list[tuple], datetime | None]


class EngineRunLog:
    """ops.etl_logs in a destination other than PostgreSQL, and the run lock as a file lock.

    dlt writes the rows (a merge on run_id + step), so each engine gets the table in its
    own types. DuckDB lets one process at a time open its file, and dbt builds in it (a
    subprocess) while the run goes on: every write opens the destination and closes it.
    The lock (`EngineWarehouse.lock_file`, 0600 in the project's private state dir) is held
    for the whole run; while it is free, no run is alive, so a row still `running` was
    interrupted.
    """

    def __init__(self, warehouse: EngineWarehouse, secrets: list[str]) -> None:
        import dlt

        self.warehouse = warehouse
        self.secrets = secrets
        self.run_id = uuid.uuid4().hex
        self._lock: IO[bytes] | None = None
        self._rows: dict[str, dict[str, Any]] = {}
        self._mutex = threading.Lock()  # the loads finish their steps from their own threads
        self._pipeline = dlt.pipeline(
            pipeline_name="metric_pulse_ops",
            pipelines_dir=str(ensure_private_dir(warehouse.state_dir / "dlt")),
            destination=warehouse.dlt_destination(),
            dataset_name="ops",
        )

    def acquire(self) -> None:
        """Take the run lock (RunInProgress when another run holds it); mark dead runs interrupted."""
        self._lock = try_file_lock(self.warehouse.lock_file)
        if self._lock is None:
            raise RunInProgress(
                f"another metric-pulse run is in progress on this machine ({self.warehouse.lock_file} is "
                "locked); try again later"
            )
        self.mark_interrupted()

    def close(self) -> None:
        if self._lock is not None:
            self._lock.close()  # releases the flock
            self._lock = None

    def mark_interrupted(self) -> int:
        """Rows left `running` by a dead process become `interrupted`; call it holding the run lock."""
        stale = [row for row in self._select("status = 'running'") if row["run_id"] != self.run_id]
        if stale:
            now = datetime.now(UTC)
            self._write(
                *(
                    {**row, "status": "interrupted", "finished_at": now, "error_message": INTERRUPTED}
                    for row in stale
                )
            )
            runs = sorted({row["run_id"] for row in stale})
            log.warning("marked %d earlier run(s) as interrupted: %s", len(runs), ", ".join(runs))
        return len(stale)

    def start(self, step: str, platform: str | None = None) -> None:
        row = {
            "run_id": self.run_id,
            "step": step,
            "platform": platform,
            "started_at": datetime.now(UTC),
            "status": "running",
            "host": socket.gethostname(),
            "pid": os.getpid(),
        }
        self._rows[step] = row
        self._write(row)

    def finish(
        self, step: str, status: str, counts: StepCounts | None = None, error: str | None = None
    ) -> None:
        assert status in STATUSES
        counts = counts or StepCounts()
        row = {
            **self._rows[step],
            "finished_at": datetime.now(UTC),
            "status": status,
            "records_extracted": counts.extracted,
            "records_loaded": counts.loaded,
            "records_transformed": counts.transformed,
            "records_rejected": counts.rejected,
            "warnings": counts.warnings,
            "requests": counts.requests,
            "throttled_429": counts.throttled,
            "error_message": mask(error, self.secrets) if error else None,
            "details": counts.details or None,
        }
        self._rows[step] = row
        self._write(row)

    def history(self, limit: int) -> History:
        """The last `limit` runs for `metric-pulse status`, and when the last successful one finished."""
        runs = sorted(self._select("step = 'run'"), key=lambda r: r["started_at"], reverse=True)
        loads: dict[str, list[str]] = {}
        for row in sorted(self._select("step like 'load:%'"), key=lambda r: r["step"]):
            loaded = "-" if row["records_loaded"] is None else str(row["records_loaded"])
            loads.setdefault(row["run_id"], []).append(f"{row['step'][5:]}={loaded}")
        lines = [
            (
                r["run_id"],
                r["started_at"],
                r["finished_at"],
                r["status"],
                r["error_message"],
                " ".join(loads.get(r["run_id"], [])),
            )
            for r in runs[:limit]
        ]
        finished = [r["finished_at"] for r in runs if r["status"] == "success" and r["finished_at"]]
        return lines, max(finished, default=None)

    def _select(self, where: str) -> list[dict[str, Any]]:
        """Rows of etl_logs (the columns `start` writes and the counts) matching `where`; [] before the first."""
        from dlt.destinations.exceptions import DatabaseUndefinedRelation

        columns = [name for name in ENGINE_COLUMNS if name != "details"]
        with self._mutex, self._pipeline.sql_client() as client:
            sql = f"select {', '.join(columns)} from {client.make_qualified_table_name('etl_logs')} where {where}"
            try:
                rows = client.execute_sql(sql) or []
            except DatabaseUndefinedRelation:
                return []
        return [dict(zip(columns, row, strict=True)) for row in rows]

    def _write(self, *rows: dict[str, Any]) -> None:
        with self._mutex:
            self._pipeline.run(
                list(rows),
                table_name="etl_logs",
                write_disposition="merge",
                primary_key=("run_id", "step"),
                columns=ENGINE_COLUMNS,
            )


def open_run_log(db: Warehouse, secrets: list[str]) -> RunLog | EngineRunLog:
    """The run log (and lock) of the warehouse: PostgreSQL's own, or the destination table and file lock."""
    return RunLog(db, secrets) if isinstance(db, DbSettings) else EngineRunLog(db, secrets)
