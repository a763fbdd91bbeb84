"""The delete model in dbt (docs/analytics.md, "Deletes"), built for real on the embedded PostgreSQL.

Ground truth: ~1 % of the orders, customers and products of a generated store are deleted
after a first build (the loaders' `deleted_records` rows, as the Shopify events, commercetools
Messages and the id reconciliation write them); the next incremental run gives the marts a
build from a store that never had those records gives. A restore brings them back.
"""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

import dlt
import pytest

from metric_pulse.warehouse import DbSettings
from tests import test_dbt_models
from tests.raw_fixtures import load_raw, woo_line, woo_order
from tests.test_dbt_models import MART_KEYS, assert_ok, dbt, empty, rows, value

# the database, target directory and generated store of the dbt model tests
dbt_database = test_dbt_models.dbt_database
db = test_dbt_models.db
target_dir = test_dbt_models.target_dir
generated = test_dbt_models.generated

# the marts compared (by their keys, MART_KEYS); columns that only say when a row was loaded or a model
# fitted are left out
LOAD_TIME_COLUMNS = {"loaded_at", "last_loaded_at"}
# customer_predictions comes from clv_model_fits, a history fitted on the first build (kept within the
# refit window by design), so the CLV columns are compared after a refit, not after the delete run
CLV_COLUMNS = {"predicted_clv", "churn_probability", "clv_status"}


def mart_rows(db: DbSettings, name: str, leave_out: set[str]) -> list[tuple]:
    columns = [
        c
        for (c,) in rows(
            db,
            "select column_name from information_schema.columns where table_schema = 'analytics'"
            " and table_name = %s order by ordinal_position",
            (name,),
        )
        if c not in leave_out
    ]
    return rows(db, f"select {', '.join(columns)} from analytics.{name} order by {MART_KEYS[name]}")


def pick_deletes(data: dict, share: float = 0.01) -> dict[str, dict[str, set[str]]]:
    """{platform: {resource: ids}}: ~share of every resource (at least one), chosen reproducibly."""
    chooser = random.Random(17)
    picked: dict[str, dict[str, set[str]]] = {}
    for platform, resources in data.items():
        for resource in ("orders", "customers", "products"):
            ids = sorted(str(row["id"]) for row in resources.get(resource, []))
            count = max(1, round(len(ids) * share))
            picked.setdefault(platform, {})[resource] = set(chooser.sample(ids, count))
    return picked


def numeric_id(record_id: str) -> str:
    """The id the models key on: a Shopify GID's number (deleted_records hold the GID, as the raw rows)."""
    return record_id.rsplit("/", 1)[-1] if record_id.startswith("gid://") else record_id


def without(data: dict, deletes: dict[str, dict[str, set[str]]]) -> dict:
    return {
        platform: {
            resource: [row for row in rows_ if str(row["id"]) not in deletes[platform].get(resource, set())]
            for resource, rows_ in resources.items()
        }
        for platform, resources in data.items()
    }


def load_deleted_records(
    db: DbSettings, deletes: dict[str, dict[str, set[str]]], pipelines_dir: Path, *, restored: bool = False
) -> None:
    """Merge `deleted_records` rows into raw_<platform>, as the loaders write them."""
    for platform, resources in deletes.items():
        records = [
            {
                "resource": resource,
                "id": record_id,
                "deleted_at": None if restored else "2026-10-31T12:00:00Z",
                "detected_by": "reconciliation",
                "evidence": '{"test": "deleted between runs"}',
                "checked_at": "2026-10-31T12:00:00Z",
            }
            for resource, ids in resources.items()
            for record_id in sorted(ids)
        ]
        pipeline = dlt.pipeline(
            pipeline_name=f"test_{platform}",
            destination=dlt.destinations.postgres(credentials=db.url(with_password=True)),
            dataset_name=f"raw_{platform}",
            pipelines_dir=str(pipelines_dir),
        )
        resource = dlt.resource(
            records,
            name="deleted_records",
            primary_key=("resource", "id"),
            write_disposition="merge",
            columns={"deleted_at": {"data_type": "timestamp", "nullable": True}},
        )
        pipeline.run(resource)


@pytest.mark.slow  # four builds: ~90 s
def test_deleted_records_leave_the_marts_as_if_the_store_never_had_them(
    db: DbSettings, target_dir: Path, tmp_path: Path, generated: dict
) -> None:
    deletes = pick_deletes(generated)
    marts = list(MART_KEYS)

    # the truth: a store that never had the deleted records, built from scratch
    load_raw(db, without(generated, deletes), tmp_path / "dlt-truth")
    assert_ok(dbt(db, target_dir, "build", "--exclude-resource-type", "test"))
    truth = {name: mart_rows(db, name, LOAD_TIME_COLUMNS | CLV_COLUMNS) for name in marts}
    truth_clv = mart_rows(db, "customer_metrics", LOAD_TIME_COLUMNS)
    empty(db)

    # the store as loaded before the deletes, then the deletes as the next run's loaders record them
    load_raw(db, generated, tmp_path / "dlt")
    assert_ok(dbt(db, target_dir, "build", "--exclude-resource-type", "test"))
    deleted_orders = {numeric_id(i) for i in deletes["shopify"]["orders"]}
    assert value(
        db,
        "select count(*) from analytics.orders where platform = 'shopify' and order_id = any(%s)",
        (list(deleted_orders),),
    ) == len(deleted_orders)
    load_deleted_records(db, deletes, tmp_path / "dlt")
    assert_ok(dbt(db, target_dir, "run"))

    for name in marts:
        assert mart_rows(db, name, LOAD_TIME_COLUMNS | CLV_COLUMNS) == truth[name], (
            f"{name} still has deletes"
        )
    # marked, not erased: the intermediate models keep the deleted orders, flagged
    flagged = rows(db, "select platform, order_id from intermediate.int_orders_unioned where is_deleted")
    assert {(p, o) for p, o in flagged} == {
        (platform, numeric_id(order_id)) for platform, r in deletes.items() for order_id in r["orders"]
    }

    # CLV: a refit (as on the refit day) fits on the remaining purchases only
    assert_ok(dbt(db, target_dir, "run", "--full-refresh", "--select", "clv_model_fits+"))
    assert mart_rows(db, "customer_metrics", LOAD_TIME_COLUMNS) == truth_clv

    # a restore (the record seen again: deleted_at NULL) brings everything back
    before_delete = value(db, "select count(*) from intermediate.int_orders_unioned where not is_test")
    load_deleted_records(db, deletes, tmp_path / "dlt", restored=True)
    assert_ok(dbt(db, target_dir, "run"))
    assert value(db, "select count(*) from intermediate.int_orders_unioned where is_deleted") == 0
    assert value(db, "select count(*) from analytics.orders") == before_delete


@pytest.mark.slow  # three builds: ~80 s
def test_a_trashed_woocommerce_order_leaves_the_marts_and_an_untrashed_one_comes_back(
    db: DbSettings, target_dir: Path, tmp_path: Path
) -> None:
    kept = woo_order(
        1, "2026-10-01T10:00:00", [woo_line(1, 20.0, 1)], email="ann@example.com", currency="USD"
    )
    trashed = woo_order(
        2, "2026-10-02T10:00:00", [woo_line(2, 30.0, 1)], email="ann@example.com", currency="USD"
    )
    load_raw(db, {"woocommerce": {"orders": [kept, trashed]}}, tmp_path / "dlt")
    assert_ok(dbt(db, target_dir, "build", "--exclude-resource-type", "test"))
    assert value(db, "select sum(revenue) from analytics.daily_metrics") == 50

    # trashed in the admin: read again with status=trash, its modification date the trash date
    trashed.update(status="trash", date_modified_gmt="2026-10-20T09:00:00")
    load_raw(db, {"woocommerce": {"orders": [trashed]}}, tmp_path / "dlt")
    assert_ok(dbt(db, target_dir, "run"))
    assert rows(db, "select order_id from analytics.orders") == [("1",)]
    assert value(db, "select sum(revenue) from analytics.daily_metrics") == 20
    assert rows(
        db, "select is_deleted, deleted_at from intermediate.int_orders_unioned where order_id = '2'"
    ) == [(True, datetime(2026, 10, 20, 9, 0))]

    # untrashed: back with its status, back in the marts
    trashed.update(status="completed", date_modified_gmt="2026-10-21T09:00:00")
    load_raw(db, {"woocommerce": {"orders": [trashed]}}, tmp_path / "dlt")
    assert_ok(dbt(db, target_dir, "run"))
    assert rows(db, "select order_id from analytics.orders order by order_id") == [("1",), ("2",)]
    assert value(db, "select sum(revenue) from analytics.daily_metrics") == 50
