"""WooCommerce lifecycle end to end: sandbox HTTP into the embedded PostgreSQL.

Trash and untrash under the same cursor, permanent deletes found by the id
reconciliation (when it is due, and only then), refunds from `/orders/<id>/refunds`
fetched only for orders whose refunds changed, variations, query-string auth and the
hint for a host that strips `Authorization`, and a store too old for `modified_after`.
"""

# ruff: noqa: F811 (pytest fixtures imported from test_loaders_sandbox are parameters here)
from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

# the generated store and its per-test copy are test_loaders_sandbox's fixtures, used by name here
from test_loaders_sandbox import dataset, query, sandbox, settings_for, store  # noqa: F401

from loaders.errors import ConfigError
from loaders.reconcile import is_due
from loaders.settings import LoadOptions
from loaders.woocommerce.settings import settings_from_env
from metric_pulse.config import Settings
from metric_pulse.extract import StoreLoad, load_store
from metric_pulse.logging_setup import setup_logging
from metric_pulse.warehouse import DbSettings

PLATFORM = "woocommerce"


def read(store: Path, resource: str) -> list[dict]:
    return json.loads((store / PLATFORM / f"{resource}.json").read_text())


def write(store: Path, resource: str, records: list[dict]) -> None:
    path = store / PLATFORM / f"{resource}.json"
    path.write_text("[\n" + ",\n".join(json.dumps(r) for r in records) + "\n]\n")


def bump(record: dict, at: datetime) -> None:
    stamp = at.strftime("%Y-%m-%dT%H:%M:%S")
    record["date_modified"] = record["date_modified_gmt"] = stamp


def load(settings: Settings, db: DbSettings, pipelines: Path, **load_options: Any) -> StoreLoad:
    if load_options:
        settings = replace(settings, load=replace(settings.load, **load_options))
    result = load_store(settings.store(PLATFORM), settings, db, pipelines_dir=pipelines)
    assert result.error is None, result.error
    return result


@pytest.fixture
def pipelines(tmp_path: Path) -> Path:
    return tmp_path / "dlt"


def ids(db: DbSettings, sql: str) -> set[int]:
    return {int(row[0]) for row in query(db, sql)}


def test_trash_untrash_and_permanent_deletes(store: Path, pg_db: DbSettings, pipelines: Path) -> None:
    with sandbox(store) as server:
        settings = settings_for(server)
        first = load(settings, pg_db, pipelines)
        assert first.reconcile_requests == 0  # nothing in raw yet: nothing to compare
        orders = read(store, "orders")
        assert ids(pg_db, "select id from raw_woocommerce.orders") == {o["id"] for o in orders}

        now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
        trashed, deleted = orders[5], orders[7]
        trashed["status"] = "trash"
        bump(trashed, now)
        customers = read(store, "customers")
        gone_customer = customers.pop(3)
        write(store, "customers", customers)
        write(store, "orders", [o for o in orders if o is not deleted])

        # the reconciliation ran on the first run (state written): not due again for 7 days
        second = load(settings, pg_db, pipelines)
        assert second.reconcile_requests == 0
        assert query(pg_db, "select status from raw_woocommerce.orders where id = %s", trashed["id"]) == [
            ("trash",)
        ]
        assert query(pg_db, "select count(*) from raw_woocommerce.deleted_records") == [(0,)]

        third = load(settings, pg_db, pipelines, reconcile=True)
        order_pages = -(-(len(orders) - 1 - 1) // 100) + 1  # status=any pages, then the one trash page
        customer_pages = -(-len(customers) // 100)
        product_pages = -(-len(read(store, "products")) // 100)
        assert third.reconcile_requests == order_pages + customer_pages + product_pages + 3  # + confirmations
        rows = query(
            pg_db,
            "select resource, id, deleted_at is not null, detected_by from raw_woocommerce.deleted_records "
            "order by resource",
        )
        assert rows == [
            ("customers", str(gone_customer["id"]), True, "reconciliation"),
            ("orders", str(deleted["id"]), True, "reconciliation"),
        ]

        trashed["status"] = "completed"  # untrash
        bump(trashed, now + timedelta(seconds=30))
        write(store, "orders", orders)  # and the deleted order is back (a restore from a backup)
        load(settings, pg_db, pipelines, reconcile=True)
        assert query(pg_db, "select status from raw_woocommerce.orders where id = %s", trashed["id"]) == [
            ("completed",)
        ]
        assert query(
            pg_db,
            "select deleted_at is null from raw_woocommerce.deleted_records where id = %s",
            str(deleted["id"]),
        ) == [(True,)]


def test_reconciliation_is_due_after_reconcile_every_days(
    store: Path, pg_db: DbSettings, pipelines: Path
) -> None:
    with sandbox(store) as server:
        settings = settings_for(server, RECONCILE_EVERY_DAYS="0")
        load(settings, pg_db, pipelines)
        assert load(settings, pg_db, pipelines).reconcile_requests > 0


def test_a_listing_missing_most_ids_marks_nothing_deleted(
    store: Path, pg_db: DbSettings, pipelines: Path
) -> None:
    with sandbox(store) as server:
        settings = settings_for(server)
        load(settings, pg_db, pipelines)
        write(store, "orders", read(store, "orders")[:10])
        load(settings, pg_db, pipelines, reconcile=True)
        assert query(
            pg_db, "select count(*) from raw_woocommerce.deleted_records where resource = 'orders'"
        ) in (
            [(0,)],
            [],
        )


def test_refunds_come_dated_with_lines_and_only_for_orders_whose_refunds_changed(
    store: Path, pg_db: DbSettings, pipelines: Path
) -> None:
    refunds = read(store, "refunds")
    with sandbox(store) as server:
        settings = settings_for(server)
        first = load(settings, pg_db, pipelines)
        got = query(pg_db, "select id, order_id, date_created_gmt from raw_woocommerce.refunds")
        assert {(r[0], r[1]) for r in got} == {(r["id"], r["parent_id"]) for r in refunds}
        by_id = {r["id"]: r for r in refunds}
        assert all(r[2].strftime("%Y-%m-%dT%H:%M:%S") == by_id[r[0]]["date_created_gmt"] for r in got)
        lines = query(pg_db, "select count(*) from raw_woocommerce.refunds__line_items")[0][0]
        assert lines == sum(len(r["line_items"]) for r in refunds)
        assert first.requests >= len({r["parent_id"] for r in refunds})

        # edit one refunded order (no refund change) and refund another order: only the latter is asked
        orders = read(store, "orders")
        now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
        refunded = next(o for o in orders if o["refunds"])
        fresh = next(o for o in orders if not o["refunds"] and o["status"] == "completed")
        bump(refunded, now)
        bump(fresh, now)
        fresh["refunds"] = [{"id": 99_000_001, "reason": "", "total": "-1.00"}]
        write(store, "orders", orders)
        new_refund = {**refunds[0], "id": 99_000_001, "parent_id": fresh["id"], "amount": "1.00"}
        write(store, "refunds", [*refunds, new_refund])
        second = load(settings, pg_db, pipelines)
        # the store's identity, 2 order listings (any, trash), every customer page, 1 products page
        # (nothing changed) and the one refunds request of the order whose refunds changed
        customer_pages = -(-len(read(store, "customers")) // 100)
        assert second.requests == 1 + 2 + customer_pages + 1 + 1
        assert query(pg_db, "select order_id from raw_woocommerce.refunds where id = 99000001") == [
            (fresh["id"],)
        ]


def test_variations_are_loaded_with_their_product(store: Path, pg_db: DbSettings, pipelines: Path) -> None:
    with sandbox(store) as server:
        load(settings_for(server), pg_db, pipelines)
    got = set(query(pg_db, "select id, product_id from raw_woocommerce.variations"))
    assert got == {(v["id"], v["parent_id"]) for v in read(store, "variations")}
    items = query(
        pg_db,
        "select count(*) from raw_woocommerce.orders__line_items li "
        "left join raw_woocommerce.variations v on v.id = li.variation_id "
        "where li.variation_id <> 0 and v.id is null",
    )
    assert items == [(0,)]


def test_query_auth_and_the_hint_for_a_host_that_strips_authorization(
    store: Path, pg_db: DbSettings, pipelines: Path
) -> None:
    with sandbox(store, woocommerce_strip_authorization=True) as server:
        settings = settings_for(server)
        failed = load_store(settings.store(PLATFORM), settings, pg_db, pipelines_dir=pipelines)
        assert failed.error is not None
        assert "Consumer key is missing" in failed.error and "WOOCOMMERCE_AUTH=query" in failed.error
        key = settings.store(PLATFORM).config.consumer_secret
        assert key not in failed.error
        query_settings = settings_for(server, WOOCOMMERCE_AUTH="query")
        ok = load(query_settings, pg_db, pipelines)
        assert ok.rows.get("orders") == len(read(store, "orders"))


def test_a_store_ignoring_modified_after_is_named_with_the_version_needed(
    store: Path, pg_db: DbSettings, pipelines: Path
) -> None:
    with sandbox(store, woocommerce_ignores_modified_after=True) as server:
        settings = settings_for(server)
        result = load_store(settings.store(PLATFORM), settings, pg_db, pipelines_dir=pipelines)
    assert result.error is not None and "WooCommerce 5.8 or later" in result.error


def test_woocommerce_auth_must_be_known_and_query_needs_https() -> None:

    base = {
        "WOOCOMMERCE_URL": "https://shop.example",
        "WOOCOMMERCE_CONSUMER_KEY": "ck",
        "WOOCOMMERCE_CONSUMER_SECRET": "cs",
    }
    assert settings_from_env({**base, "WOOCOMMERCE_AUTH": "query"}, None).auth == "query"
    with pytest.raises(ConfigError, match="WOOCOMMERCE_AUTH"):
        settings_from_env({**base, "WOOCOMMERCE_AUTH": "bearer"}, None)


def test_query_auth_keeps_the_keys_out_of_errors_and_logs(
    store: Path, pg_db: DbSettings, pipelines: Path, tmp_path: Path
) -> None:
    """URLs carry the keys in query mode: debug logs (urllib3 prints every URL), the sandbox's request
    log and the error of a refused key must show neither."""
    logs = tmp_path / "logs"
    with sandbox(store, woocommerce_strip_authorization=True, log_requests=True) as server:
        good = settings_for(server, WOOCOMMERCE_AUTH="query")
        wrong = settings_for(
            server, WOOCOMMERCE_AUTH="query", WOOCOMMERCE_CONSUMER_SECRET="cs_wrong_0123456789"
        )
        setup_logging([*good.secrets(), *wrong.secrets()], log_dir=logs, verbose=True)
        try:
            assert load(good, pg_db, pipelines).requests > 0
            refused = load_store(wrong.store(PLATFORM), wrong, pg_db, pipelines_dir=tmp_path / "dlt2")
        finally:
            setup_logging(log_dir=logs)  # back to INFO
    assert refused.error is not None and "Consumer secret is invalid" in refused.error
    written = "".join(p.read_text() for p in logs.iterdir() if p.is_file())
    assert "consumer_key=***" in written  # the sandbox logged the requests, keys masked
    config = good.store(PLATFORM).config
    for secret in (config.consumer_key, config.consumer_secret, "cs_wrong_0123456789"):
        assert secret not in written and secret not in refused.error


def test_reconciliation_is_due_when_asked_never_done_or_old_enough() -> None:

    now = datetime(2026, 11, 10, tzinfo=UTC)
    weekly = LoadOptions()
    assert is_due({}, weekly, now)  # never done: the first run after an upgrade
    assert not is_due({"reconciled_at": "2026-11-04T00:00:01+00:00"}, weekly, now)
    assert is_due({"reconciled_at": "2026-11-03T00:00:00+00:00"}, weekly, now)
    assert is_due({"reconciled_at": "2026-11-09T23:00:00+00:00"}, replace(weekly, reconcile=True), now)
