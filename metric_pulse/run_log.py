"""`ops.etl_logs`: one row per run and per step (platform load, dbt build).

Rows are written on their own autocommit connection so they survive whatever the
run's data transactions do. A run holds a session-level advisory lock for its
lifetime; if the process is killed, PostgreSQL drops the connection and the lock,
which is how the next run knows that a row still marked `running` was interrupted.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import uuid
import zlib
from dataclasses import dataclass, field
from typing import Any

from loaders.errors import MetricPulseError
from loaders.masking import mask
from metric_pulse.warehouse import DbSettings

log = logging.getLogger(__name__)

STATUSES = ("running", "success", "failed", "partial", "interrupted")
_RUN_LOCK_KEY = 0x6D70_0001  # one run per warehouse at a time

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
            ("the process stopped before finishing (killed or crashed)", stale),
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
