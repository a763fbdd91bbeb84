"""One-time steps an upgrade needs, taken by the first run that finds them missing.

Some releases change what the dbt models' keys are made of; incremental models built
before would then hold rows under old keys next to the same rows under new ones. The
run cannot see that from the data, so each such change is named here, and a warehouse
that has marts but has not recorded the change gets one `dbt build --full-refresh`
(raw data and cursors are kept). A new warehouse (no marts yet) records every change
as applied: its first build already uses the current keys.
"""

from __future__ import annotations

import logging

from metric_pulse.warehouse import DbSettings, Warehouse

log = logging.getLogger(__name__)

# name -> why the incremental models must be rebuilt once (said in the log and etl_logs)
REBUILDS: dict[str, str] = {
    "store-from-data": (
        "the store in every row and surrogate key now comes from the store itself "
        "(shop domain, site host, project key) instead of the <platform>_store dbt vars"
    ),
}

DDL = """
create schema if not exists ops;
create table if not exists ops.upgrades (
    name       text primary key,
    applied_at timestamptz not null default now()
);
comment on table ops.upgrades is 'One-time rebuilds a metric-pulse upgrade needed, and when a run applied them.';
"""

# Any incremental mart: if it exists, models were built before and may carry old keys.
_BUILT_MARKER = "analytics.orders"


def pending_rebuilds(db: Warehouse) -> dict[str, str]:
    """The rebuilds this warehouse still needs (name -> reason); records them all on a new warehouse.

    Only PostgreSQL warehouses predate the changes listed: the other destinations came after
    them, so their first build already used the current keys.
    """
    if not isinstance(db, DbSettings):
        return {}
    conn = db.connect()
    try:
        with conn, conn.cursor() as cur:
            cur.execute(DDL)
            cur.execute("select name from ops.upgrades")
            applied = {name for (name,) in cur.fetchall()}
            missing = {name: why for name, why in REBUILDS.items() if name not in applied}
            cur.execute("select to_regclass(%s) is not null", (_BUILT_MARKER,))
            (built,) = cur.fetchone()
            if missing and not built:
                _record(cur, missing)
                return {}
            return missing
    finally:
        conn.close()


def record_rebuilds(db: Warehouse, names: dict[str, str]) -> None:
    """Note that a successful full-refresh build applied `names`."""
    if not names:
        return
    conn = db.connect()
    try:
        with conn, conn.cursor() as cur:
            _record(cur, names)
    finally:
        conn.close()


def _record(cur, names: dict[str, str]) -> None:  # noqa: ANN001 (a psycopg2 cursor)
    cur.executemany(
        "insert into ops.upgrades (name) values (%s) on conflict (name) do nothing", [(n,) for n in names]
    )
