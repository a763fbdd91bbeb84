"""Ground truth for deletes, end to end: sandbox HTTP, the loaders, `metric-pulse run`, the marts.

~1 % of the orders, customers and products of a generated store are deleted (removed from
the sandbox's files) and ~1 % of the WooCommerce orders trashed between two runs; after the
second run (`--reconcile`, so WooCommerce's permanent deletes are looked for now) the marts
equal those of a first run on a store that never had those records. Shopify finds its deletes
through GraphQL events, commercetools through Messages, WooCommerce by trash and the id
reconciliation.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import cli_env, run_cli

from metric_pulse.platforms import PLATFORMS
from metric_pulse.sandbox.generate import generate
from metric_pulse.sandbox.server import SandboxServer
from metric_pulse.warehouse import DbSettings, ensure_database
from tests.test_dbt_deletes import CLV_COLUMNS, LOAD_TIME_COLUMNS, mart_rows
from tests.test_dbt_models import MART_KEYS, rows


def read(store: Path, platform: str, resource: str) -> list[dict]:
    return json.loads((store / platform / f"{resource}.json").read_text())


def write(store: Path, platform: str, resource: str, records: list[dict]) -> None:
    path = store / platform / f"{resource}.json"
    path.write_text("[\n" + ",\n".join(json.dumps(r) for r in records) + "\n]\n")


def marts(db: DbSettings) -> dict[str, list[tuple]]:
    return {name: mart_rows(db, name, LOAD_TIME_COLUMNS | CLV_COLUMNS) for name in MART_KEYS}


def run(server: SandboxServer, db: DbSettings, state: Path, *args: str) -> None:
    env = cli_env(METRIC_PULSE_DATA_DIR=str(state), DBT_THREADS="2", **server.env())
    env.update(db.dbt_env())
    proc = run_cli("run", *args, env=env, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


@pytest.fixture
def second_db(pg_server: DbSettings) -> Iterator[DbSettings]:
    name = f"mp_truth_{uuid.uuid4().hex[:10]}"
    settings = pg_server.with_database(name)
    ensure_database(settings)
    yield settings
    conn = pg_server.connect()
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'drop database if exists "{name}" with (force)')
    conn.close()


@pytest.mark.slow  # three pipeline runs: several minutes
def test_after_deletes_and_trash_the_marts_equal_a_store_that_never_had_them(
    tmp_path: Path, pg_db: DbSettings, second_db: DbSettings
) -> None:
    store = tmp_path / "store"
    generate(store, seed=17, customers=150, orders=600)
    # one sandbox for both runs: it notices the removals (and records the events / Messages) while running
    with SandboxServer(store, rate_limits="off") as server:
        run(server, pg_db, tmp_path / "state")

        chooser = random.Random(17)
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        deleted_orders = {}
        for platform in PLATFORMS:
            for resource in ("orders", "customers", "products"):
                records = read(store, platform, resource)
                gone = set(chooser.sample(range(len(records)), max(1, round(len(records) / 100))))
                write(store, platform, resource, [r for i, r in enumerate(records) if i not in gone])
                if resource == "orders":
                    deleted_orders[platform] = len(gone)
        orders = read(store, "woocommerce", "orders")
        trashed = set(chooser.sample(range(len(orders)), max(1, round(len(orders) / 100))))
        for i in trashed:
            orders[i].update(status="trash", date_modified=now, date_modified_gmt=now)
        write(store, "woocommerce", "orders", orders)

        run(server, pg_db, tmp_path / "state", "--reconcile")

    # every platform's deletes and the trash were seen, each order once
    deleted = dict(
        rows(
            pg_db,
            "select platform, count(*) from intermediate.int_orders_unioned where is_deleted group by 1",
        )
    )
    deleted_orders["woocommerce"] += len(trashed)
    assert deleted == deleted_orders

    # the truth: a store that never had the deleted or trashed records, run once
    truth = tmp_path / "truth"
    generate(truth, seed=17, customers=150, orders=600)  # the same store...
    for platform in PLATFORMS:
        for resource in ("orders", "customers", "products"):
            write(truth, platform, resource, read(store, platform, resource))  # ...as it is now
    write(truth, "woocommerce", "orders", [o for i, o in enumerate(orders) if i not in trashed])
    with SandboxServer(truth, rate_limits="off") as server:
        run(server, second_db, tmp_path / "truth-state")

    got, want = marts(pg_db), marts(second_db)
    for name in MART_KEYS:
        assert got[name] == want[name], f"{name} differs from a store that never had the deleted records"
