"""Writes the stores: catalog and population once, then each platform's files, orders first.

The platforms are the registry's data generators (`Platform.generator`), in the
registry's order: the random draws follow that order, so it is what keeps the
output byte for byte the same. An extra store (`extra_stores`) is its platform's
files from a whole run with its own seed (`extra_seed`), written to
`<platform>__<label>/`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

# The module, not its PLATFORMS: the registry imports the generators of this package, so it may
# still be initialising when this module is imported; PLATFORMS is read when `generate` runs.
from metric_pulse import platforms as registry
from metric_pulse.sandbox.emulator import store_folder, store_labels
from metric_pulse.sandbox.generate.catalog import build_catalog
from metric_pulse.sandbox.generate.output import JsonArrayWriter
from metric_pulse.sandbox.generate.population import Profile, build_population

DEFAULT_SEED = 42
DEFAULT_CUSTOMERS = 600
DEFAULT_ORDERS = 3000
# Fixed, not "today": the output must not depend on when it is generated.
DEFAULT_END = date(2026, 10, 31)
DEFAULT_START = date(2024, 11, 1)
CATALOG_SIZE = 150

Progress = Callable[[str, int, int], None]  # (store folder, orders written, orders to write)


def _epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def extra_seed(seed: int, platform: str, label: str) -> int:
    """An extra store's seed: from the run's seed and the store's name, so every extra store differs."""
    digest = hashlib.sha256(f"{seed}:{platform}:{label}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def generate(
    out_dir: Path,
    *,
    seed: int = DEFAULT_SEED,
    customers: int = DEFAULT_CUSTOMERS,
    orders: int = DEFAULT_ORDERS,
    start: date = DEFAULT_START,
    end: date = DEFAULT_END,
    extra_stores: Sequence[tuple[str, str]] = (),
    progress: Progress | None = None,
    options: Mapping[str, Any] | None = None,
) -> dict[str, dict[str, int]]:
    """Write every platform's store under `out_dir`; return {store folder: {entity: count}}.

    `customers` is the number of people (some shop on two platforms, some only as
    guests); `orders` the total across platforms (45 % Shopify, 30 % WooCommerce,
    25 % commercetools). Orders fall between `start` 00:00 UTC and `end` 24:00 UTC,
    and nothing (updates, refunds) happens after `end`. `extra_stores` are
    (platform, label) pairs: each gets a store of the same size drawn with its own seed.
    `options` are the generators' own settings (each generator's `generator_options` names
    them, e.g. `shopify_large`); a name no generator knows is a ValueError.
    """
    profiles: list[Profile] = [p.generator for p in registry.PLATFORMS.values()]
    if customers < len(profiles):
        raise ValueError(f"--customers must be at least {len(profiles)}")
    if orders < 0:
        raise ValueError("--orders must not be negative")
    if end < start:
        raise ValueError("--end must not be before --start")
    store_labels((p.platform for p in profiles), extra_stores)  # a clear error for a bad one
    options = dict(options or {})
    known = {name for p in profiles for name in getattr(p, "generator_options", {})}
    if set(options) - known:
        raise ValueError(f"unknown generator options {sorted(set(options) - known)} (known: {sorted(known)})")
    window = (_epoch(start), _epoch(end + timedelta(days=1)))
    out_dir = Path(out_dir)
    every_platform = {p.platform: p.platform for p in profiles}
    counts = _write(out_dir, seed, customers, orders, window, profiles, every_platform, progress, options)
    for platform, label in extra_stores:
        folders = {platform: store_folder(platform, label)}
        store_seed = extra_seed(seed, platform, label)
        counts |= _write(out_dir, store_seed, customers, orders, window, profiles, folders, progress, options)
    return counts


def _write(
    out_dir: Path,
    seed: int,
    customers: int,
    orders: int,
    window: tuple[int, int],
    profiles: Sequence[Profile],
    folders: Mapping[str, str],
    progress: Progress | None,
    options: Mapping[str, Any],
) -> dict[str, dict[str, int]]:
    """Draw the catalog and population from `seed`, write the platforms of `folders` (platform -> folder)."""
    start_ts, end_ts = window
    catalog_seq, population_seq = np.random.SeedSequence(seed).spawn(2)
    products = build_catalog(np.random.default_rng(catalog_seq), CATALOG_SIZE, start_ts, end_ts, profiles)
    population = build_population(
        np.random.default_rng(population_seq), customers, orders, start_ts, end_ts, profiles
    )
    counts: dict[str, dict[str, int]] = {}
    for store_class in profiles:
        if store_class.platform not in folders:
            continue
        name = folders[store_class.platform]
        own = {k: v for k, v in options.items() if k in getattr(store_class, "generator_options", {})}
        store = store_class(population, products, seed, **own)
        folder = out_dir / name
        folder.mkdir(parents=True, exist_ok=True)
        total = int(population.orders[store.platform][0].size)
        # orders first: customer totals (Shopify orders_count/total_spent, Woo is_paying_customer)
        # and Woo product total_sales are accumulated while the orders stream out
        with JsonArrayWriter(folder / "orders.json") as out:
            for order in store.orders():
                out.write(order)
                if progress and out.count % 20_000 == 0:
                    progress(name, out.count, total)
        with JsonArrayWriter(folder / "customers.json") as customers_out:
            for customer in store.customers():
                customers_out.write(customer)
        with JsonArrayWriter(folder / "products.json") as products_out:
            for product in store.products():
                products_out.write(product)
        # a platform whose API has more endpoints writes their files too (WooCommerce: refunds, variations)
        for resource, records in getattr(store, "extra_resources", dict)().items():
            with JsonArrayWriter(folder / f"{resource}.json") as extra_out:
                for record in records:
                    extra_out.write(record)
        counts[name] = {
            "customers": customers_out.count,
            "products": products_out.count,
            "orders": out.count,
        }
    return counts
