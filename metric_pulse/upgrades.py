"""One-time steps an upgrade needs, taken by the first run that finds them missing.

Some releases change what the dbt models' keys are made of; incremental models built
before would then hold rows under old keys next to the same rows under new ones. The
run cannot see that from the data, so each such change is named here, and a warehouse
that has marts but has not recorded the change gets one `dbt build --full-refresh`
(raw data and cursors are kept). A new warehouse (no marts yet) records every change
as applied: its first build already uses the current keys.

Some releases change the raw data itself so that new loads cannot merge into old ones
(Shopify's REST objects keyed by numeric ids became GraphQL objects keyed by GIDs). That
the run can see in the raw dataset: such a store is reloaded from scratch (a full
refresh of that store only), and its rebuild is named in REBUILDS like any other.
"""

from __future__ import annotations

import logging

from metric_pulse.config import Store
from metric_pulse.extract import dataset_name
from metric_pulse.warehouse import DbSettings, Warehouse

log = logging.getLogger(__name__)

# name -> why the incremental models must be rebuilt once (said in the log and etl_logs)
REBUILDS: dict[str, str] = {
    "store-from-data": (
        "the store in every row and surrogate key now comes from the store itself "
        "(shop domain, site host, project key) instead of the <platform>_store dbt vars"
    ),
    "shopify-graphql": "Shopify's raw data now holds GraphQL Admin objects (GIDs) instead of REST ones",
}

# platform -> SQL that is true when a store's raw dataset (%s) was written in a shape this
# version's loader cannot merge into, and why (said in the log and etl_logs)
RELOADS: dict[str, tuple[str, str]] = {
    "shopify": (
        # the REST loader's ids were numbers; the GraphQL loader's are GID text
        "select exists (select from information_schema.columns where table_schema = %s"
        " and table_name in ('orders', 'customers', 'products') and column_name = 'id'"
        " and data_type in ('bigint', 'integer', 'numeric', 'double precision'))",
        "its raw data was loaded by the REST loader (numeric ids); the GraphQL loader reloads it",
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


def stores_to_reload(db: Warehouse, stores: list[Store]) -> dict[str, str]:
    """{store name: why} of the `stores` whose raw dataset must be reloaded from scratch (RELOADS).

    Only PostgreSQL warehouses hold raw data of the older loaders (as for `pending_rebuilds`).
    """
    if not isinstance(db, DbSettings):
        return {}
    checks = [(store, *RELOADS[store.platform]) for store in stores if store.platform in RELOADS]
    if not checks:
        return {}
    found: dict[str, str] = {}
    conn = db.connect()
    try:
        with conn, conn.cursor() as cur:
            for store, sql, why in checks:
                cur.execute(sql, (dataset_name(store),))
                if cur.fetchone()[0]:
                    found[store.name] = why
    finally:
        conn.close()
    return found


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
