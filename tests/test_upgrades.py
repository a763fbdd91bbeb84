"""One-time rebuilds after an upgrade: a warehouse built with old keys gets one full-refresh build.

Real embedded PostgreSQL, the sandbox over HTTP and a real `dbt build` through the CLI.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import cli_env, run_cli
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


def test_a_new_warehouse_needs_no_rebuild_and_records_every_change(pg_db: DbSettings) -> None:
    assert pending_rebuilds(pg_db) == {}
    assert {name for (name,) in query(pg_db, "select name from ops.upgrades")} == set(REBUILDS)
    assert pending_rebuilds(pg_db) == {}


def test_marts_built_before_the_store_change_are_rebuilt_once(tmp_path: Path, pg_db: DbSettings) -> None:
    data = tmp_path / "store"
    generate(data, seed=5, customers=30, orders=120)
    with SandboxServer(data, rate_limits="off") as sandbox:
        env = cli_env(METRIC_PULSE_DATA_DIR=str(tmp_path / "state"), **pg_db.dbt_env(), **sandbox.env())
        first = run_cli("run", env=env)
        assert first.returncode == 0, first.stdout + first.stderr

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

        second = run_cli("run", env=env)

    assert second.returncode == 0, second.stdout + second.stderr
    assert "upgrade: rebuilding the dbt models once" in second.stderr
    assert query(pg_db, "select count(*) from analytics.orders where store = 'default'")[0][0] == 0
    assert query(pg_db, "select count(*) from analytics.orders")[0][0] == orders
    assert {name for (name,) in query(pg_db, "select name from ops.upgrades")} == set(REBUILDS)
    details = [
        json.loads(d) if isinstance(d, str) else d
        for (d,) in query(pg_db, "select details from ops.etl_logs where step = 'run' order by started_at")
    ]
    assert [d.get("upgrade_rebuilds") for d in details] == [None, list(REBUILDS)]
    assert pending_rebuilds(pg_db) == {}  # once: the next run builds incrementally again
