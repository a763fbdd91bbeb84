"""Shopify against the sandbox's GraphQL Admin API, into the embedded PostgreSQL: what real stores do
to a loader today. Orders with 251-320 line items and products with 101-400 variants (more than one
page of their nested connections: the generator's large records), an app missing a scope, one without
read_all_orders, customer data withheld on a Basic plan, tokens that expire.

These runs use paginated queries (`SHOPIFY_BULK_AFTER_DAYS=off`): the bulk path's own tests are in
tests/test_shopify_bulk*.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from reliability_support import query

from loaders.shopify.objects import flatten
from metric_pulse.config import Settings, load_settings
from metric_pulse.extract import StoreLoad, load_store
from metric_pulse.sandbox.generator import generate
from metric_pulse.sandbox.server import SandboxServer
from metric_pulse.warehouse import DbSettings

PAGINATED = {"SHOPIFY_BULK_AFTER_DAYS": "off", "SHOPIFY_RATE_LIMIT": "50", "SHOPIFY_RATE_BURST": "50"}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated store with its large records (2 orders over 250 lines, 2 products over 100 variants)."""
    root = tmp_path_factory.mktemp("shopify-store")
    generate(root, customers=20, orders=40)
    return root


def truth(store: Path, resource: str) -> list[dict[str, Any]]:
    return [flatten(record) for record in json.loads((store / "shopify" / f"{resource}.json").read_text())]


@contextmanager
def sandbox(store: Path, **options: Any) -> Iterator[Settings]:
    with SandboxServer(store, rate_limits="off", shopify_plan="enterprise", **options) as server:
        yield load_settings({**server.env(), **PAGINATED})


def load(settings: Settings, db: DbSettings, tmp_path: Path) -> StoreLoad:
    return load_store(settings.store("shopify"), settings, db, pipelines_dir=tmp_path / "dlt")


def test_orders_with_300_line_items_and_products_with_400_variants_load_whole(
    store: Path, pg_db: DbSettings, tmp_path: Path
) -> None:
    orders, products = truth(store, "orders"), truth(store, "products")
    long_orders = {o["id"]: len(o["lineItems"]) for o in orders if len(o["lineItems"]) > 250}
    wide_products = {p["id"]: len(p["variants"]) for p in products if len(p["variants"]) > 100}
    assert len(long_orders) == 2 and len(wide_products) == 2  # the generator's large records
    with sandbox(store) as settings:
        loaded = load(settings, pg_db, tmp_path)
    assert loaded.error is None, loaded.error
    for table, child, wanted in (
        ("orders", "line_items", long_orders),
        ("products", "variants", wide_products),
    ):
        counts = query(
            pg_db,
            f"select p.id, count(c.id), count(distinct c.id) from raw_shopify.{table}__{child} c "
            f"join raw_shopify.{table} p on p._dlt_id = c._dlt_root_id where p.id = any(%s) group by p.id",
            list(wanted),
        )
        assert {i: (n, d) for i, n, d in counts} == {i: (n, n) for i, n in wanted.items()}, table
    assert loaded.rows["orders"] == len(orders) and loaded.rows["products"] == len(products)
    assert loaded.warnings == []


def test_a_missing_scope_skips_that_resource_with_a_warning(
    store: Path, pg_db: DbSettings, tmp_path: Path
) -> None:
    with sandbox(store, shopify_scopes="read_orders,read_all_orders,read_products") as settings:
        loaded = load(settings, pg_db, tmp_path)
    assert loaded.error is None, loaded.error
    assert (
        loaded.rows["orders"] == len(truth(store, "orders"))
        and loaded.rows["products"] > 0
        and "customers" not in loaded.rows
    )
    assert loaded.warnings == [
        "customers skipped: the app lacks the access scope read_customers (grant it and reinstall the app)"
    ]


def test_without_read_all_orders_a_backfill_warns_about_older_orders(
    store: Path, pg_db: DbSettings, tmp_path: Path
) -> None:
    with sandbox(store, shopify_scopes="read_orders,read_customers,read_products") as settings:
        loaded = load(settings, pg_db, tmp_path)
    assert loaded.error is None, loaded.error
    assert len(loaded.warnings) == 1 and "read_all_orders" in loaded.warnings[0]
    assert "only the orders of the last 60 days" in loaded.warnings[0]


def test_customers_without_protected_data_are_counted_and_still_load(
    store: Path, pg_db: DbSettings, tmp_path: Path
) -> None:
    with sandbox(store, shopify_protected_data=False) as settings:
        loaded = load(settings, pg_db, tmp_path)
    assert loaded.error is None, loaded.error
    customers = len(truth(store, "customers"))
    assert loaded.rows["customers"] == customers
    assert loaded.warnings == [
        f"{customers} customers came without e-mail and name (protected customer data not granted to the app, e.g. a "
        "custom app on a Basic plan): they are told apart by their Shopify customer id"
    ]
    assert query(pg_db, "select count(*), count(distinct id) from raw_shopify.customers") == [
        (customers, customers)
    ]


def test_a_token_that_expires_during_the_run_is_renewed(
    store: Path, pg_db: DbSettings, tmp_path: Path
) -> None:
    """Tokens living one second, a run of several seconds: renewed before expiry (and on a 401), no failure."""
    with sandbox(store, shopify_token_ttl=1.0) as settings:
        slow = load_settings(
            {**settings.env, "SHOPIFY_RATE_LIMIT": "8", "SHOPIFY_RATE_BURST": "1", "BATCH_SIZE": "10"}
        )
        loaded = load(slow, pg_db, tmp_path)
    assert loaded.error is None, loaded.error
    assert loaded.rows["orders"] == len(truth(store, "orders"))
    assert loaded.seconds > 2  # long enough for tokens to expire more than once
