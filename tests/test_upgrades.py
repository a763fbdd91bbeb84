"""One-time rebuilds after an upgrade: a warehouse built with old keys gets one full-refresh build.

Real embedded PostgreSQL, the sandbox over HTTP and a real `dbt build` through the CLI.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import cli_env, run_cli
from raw_fixtures import load_raw
from test_loaders_sandbox import query

from metric_pulse.sandbox.generate import generate
from metric_pulse.sandbox.server import SandboxServer
from metric_pulse.upgrades import REBUILDS, pending_rebuilds
from metric_pulse.warehouse import DbSettings


def execute(db: DbSettings, sql: str) -> None:
    conn = db.connect()
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


@contextmanager
def served_store(tmp_path: Path, db: DbSettings) -> Iterator[dict[str, str]]:
    """The CLI environment for runs against a small generated store on the sandbox (state in tmp_path)."""
    data = tmp_path / "store"
    if not data.exists():
        generate(data, seed=5, customers=30, orders=120)
    with SandboxServer(data, rate_limits="off") as sandbox:
        yield cli_env(METRIC_PULSE_DATA_DIR=str(tmp_path / "state"), **db.dbt_env(), **sandbox.env())


def run_ok(env: dict[str, str]) -> str:
    """`metric-pulse run`, which must succeed; its stderr (the log)."""
    run = run_cli("run", env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stderr


def run_details(db: DbSettings) -> list[dict]:
    """The `details` of every run's `run` step in etl_logs, oldest first."""
    return [
        json.loads(d) if isinstance(d, str) else d
        for (d,) in query(db, "select details from ops.etl_logs where step = 'run' order by started_at")
    ]


def test_a_new_warehouse_needs_no_rebuild_and_records_every_change(pg_db: DbSettings) -> None:
    assert pending_rebuilds(pg_db) == {}
    assert {name for (name,) in query(pg_db, "select name from ops.upgrades")} == set(REBUILDS)
    assert pending_rebuilds(pg_db) == {}


def test_marts_built_before_the_store_change_are_rebuilt_once(tmp_path: Path, pg_db: DbSettings) -> None:
    with served_store(tmp_path, pg_db) as env:
        run_ok(env)

        # What a warehouse built by the previous version looks like: no record of the change, and
        # an order under the old key (store 'default'), which an incremental build never revisits.
        orders = query(pg_db, "select count(*) from analytics.orders")[0][0]
        execute(pg_db, "delete from ops.upgrades")
        execute(
            pg_db,
            "insert into analytics.orders select * from analytics.orders where order_key = "
            "(select min(order_key) from analytics.orders)",
        )
        execute(
            pg_db,
            "update analytics.orders set store = 'default', order_key = platform || '|default|' || order_id "
            "where ctid = (select max(ctid) from analytics.orders)",
        )
        assert query(pg_db, "select count(*) from analytics.orders where store = 'default'")[0][0] == 1

        log = run_ok(env)

    assert "upgrade: rebuilding the dbt models once" in log
    assert query(pg_db, "select count(*) from analytics.orders where store = 'default'")[0][0] == 0
    assert query(pg_db, "select count(*) from analytics.orders")[0][0] == orders
    assert {name for (name,) in query(pg_db, "select name from ops.upgrades")} == set(REBUILDS)
    assert [d.get("upgrade_rebuilds") for d in run_details(pg_db)] == [None, list(REBUILDS)]
    assert pending_rebuilds(pg_db) == {}  # once: the next run builds incrementally again


# What the REST loader left in raw_shopify: numeric ids, REST field names, no legacy_resource_id.
REST_ORDER = {
    "id": 5_100_000_000_001,
    "name": "#1001",
    "financial_status": "paid",
    "currency": "USD",
    "total_price": "10.00",
    "created_at": "2025-01-01T10:00:00-05:00",
    "updated_at": "2025-01-01T10:00:00-05:00",
    "line_items": [{"id": 13_200_000_000_001, "price": "10.00", "quantity": 1}],
}


def test_a_shopify_store_loaded_by_the_rest_loader_is_reloaded_and_rebuilt_once(
    tmp_path: Path, pg_db: DbSettings
) -> None:
    with served_store(tmp_path, pg_db) as env:
        run_ok(env)
        (shopify_orders,) = query(pg_db, "select count(*) from analytics.orders where platform = 'shopify'")[
            0
        ]

        # A warehouse of the previous version: raw_shopify written by the REST loader (the run's own
        # cursors still point at today, so an incremental run would add nothing), marts built on it.
        execute(pg_db, "drop schema raw_shopify cascade; drop schema raw_shopify_staging cascade")
        load_raw(pg_db, {"shopify": {"orders": [REST_ORDER]}}, tmp_path / "dlt-rest")
        execute(pg_db, "delete from ops.upgrades where name = 'shopify-graphql'")

        log = run_ok(env)

    assert "upgrade: shopify: its raw data was loaded by the REST loader" in log
    assert "upgrade: rebuilding the dbt models once" in log
    ids = query(
        pg_db,
        "select data_type from information_schema.columns where table_schema = 'raw_shopify' "
        "and table_name = 'orders' and column_name = 'id'",
    )
    assert ids == [("text",)] or ids == [("character varying",)], ids
    raw = query(
        pg_db,
        "select count(*), count(*) filter (where id like 'gid://shopify/Order/%%') from raw_shopify.orders",
    )
    assert raw[0][0] == raw[0][1] > 1, "every REST row is gone and the store loaded again in full"
    assert query(pg_db, "select count(*) from analytics.orders where platform = 'shopify'") == [
        (shopify_orders,)
    ]
    assert query(
        pg_db, "select count(*) from analytics.orders where order_id = %s", str(REST_ORDER["id"])
    ) == [(0,)]
    assert "shopify-graphql" in {name for (name,) in query(pg_db, "select name from ops.upgrades")}
    details = run_details(pg_db)
    assert [d.get("upgrade_reloads") for d in details] == [None, ["shopify"]]
    assert [d.get("upgrade_rebuilds") for d in details] == [None, ["shopify-graphql"]]

    # once: the reloaded dataset is GraphQL-shaped, the next run loads incrementally
    with served_store(tmp_path, pg_db) as env:
        assert "upgrade:" not in run_ok(env)
    assert "upgrade_reloads" not in run_details(pg_db)[-1]
