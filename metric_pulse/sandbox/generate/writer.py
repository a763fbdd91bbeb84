"""Writes the three stores: catalog and population once, then each platform's files, orders first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

from metric_pulse.sandbox.generate.catalog import build_catalog
from metric_pulse.sandbox.generate.commercetools import CommercetoolsStore
from metric_pulse.sandbox.generate.output import JsonArrayWriter
from metric_pulse.sandbox.generate.population import build_population
from metric_pulse.sandbox.generate.shopify import ShopifyStore
from metric_pulse.sandbox.generate.woocommerce import WooStore

DEFAULT_SEED = 42
DEFAULT_CUSTOMERS = 600
DEFAULT_ORDERS = 3000
# Fixed, not "today": the output must not depend on when it is generated.
DEFAULT_END = date(2026, 10, 31)
DEFAULT_START = date(2024, 11, 1)
CATALOG_SIZE = 150
STORES = (ShopifyStore, WooStore, CommercetoolsStore)

Progress = Callable[[str, int, int], None]  # (platform, orders written, orders to write)


def _epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def generate(
    out_dir: Path,
    *,
    seed: int = DEFAULT_SEED,
    customers: int = DEFAULT_CUSTOMERS,
    orders: int = DEFAULT_ORDERS,
    start: date = DEFAULT_START,
    end: date = DEFAULT_END,
    progress: Progress | None = None,
) -> dict[str, dict[str, int]]:
    """Write the three stores under `out_dir`; return {platform: {entity: count}}.

    `customers` is the number of people (some shop on two platforms, some only as
    guests); `orders` the total across platforms (45 % Shopify, 30 % WooCommerce,
    25 % commercetools). Orders fall between `start` 00:00 UTC and `end` 24:00 UTC,
    and nothing (updates, refunds) happens after `end`.
    """
    if customers < 3:
        raise ValueError("--customers must be at least 3")
    if orders < 0:
        raise ValueError("--orders must not be negative")
    if end < start:
        raise ValueError("--end must not be before --start")
    start_ts, end_ts = _epoch(start), _epoch(end + timedelta(days=1))
    catalog_seq, population_seq = np.random.SeedSequence(seed).spawn(2)
    products = build_catalog(np.random.default_rng(catalog_seq), CATALOG_SIZE, start_ts, end_ts)
    population = build_population(np.random.default_rng(population_seq), customers, orders, start_ts, end_ts)
    out_dir = Path(out_dir)
    counts: dict[str, dict[str, int]] = {}
    for store_class in STORES:
        store = store_class(population, products, seed)
        folder = out_dir / store.platform
        folder.mkdir(parents=True, exist_ok=True)
        total = int(population.orders[store.platform][0].size)
        # orders first: customer totals (Shopify orders_count/total_spent, Woo is_paying_customer)
        # and Woo product total_sales are accumulated while the orders stream out
        with JsonArrayWriter(folder / "orders.json") as out:
            for order in store.orders():
                out.write(order)
                if progress and out.count % 20_000 == 0:
                    progress(store.platform, out.count, total)
        with JsonArrayWriter(folder / "customers.json") as customers_out:
            for customer in store.customers():
                customers_out.write(customer)
        with JsonArrayWriter(folder / "products.json") as products_out:
            for product in store.products():
                products_out.write(product)
        counts[store.platform] = {
            "customers": customers_out.count,
            "products": products_out.count,
            "orders": out.count,
        }
    return counts
