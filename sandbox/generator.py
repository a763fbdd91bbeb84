"""`metric-pulse sandbox generate`: write a deterministic sandbox store directory.

    DIR/shopify/{customers,products,orders}.json
    DIR/woocommerce/{customers,products,orders}.json
    DIR/commercetools/{customers,products,orders}.json

Each file is a JSON array of objects in that platform's own API response shape.
The same arguments give byte-identical files: nothing reads the clock, every
random draw comes from the seed. Orders are streamed to disk, so memory stays
flat for millions of orders. See docs/sandbox-data.md for the data's story.

Also runnable as `python -m sandbox.generator --out DIR …`.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from sandbox.generate.catalog import build_catalog
from sandbox.generate.commercetools import CommercetoolsStore
from sandbox.generate.output import JsonArrayWriter
from sandbox.generate.population import PLATFORMS, build_population, split_orders
from sandbox.generate.shopify import ShopifyStore
from sandbox.generate.woocommerce import WooStore

DEFAULT_SEED = 42
DEFAULT_CUSTOMERS = 600
DEFAULT_ORDERS = 3000
# Fixed, not "today": the output must not depend on when it is generated.
DEFAULT_END = date(2026, 10, 31)
DEFAULT_START = date(2024, 11, 1)
CATALOG_SIZE = 150
ENTITIES = ("customers", "products", "orders")
STORES = (ShopifyStore, WooStore, CommercetoolsStore)

Progress = Callable[[str, int, int], None]  # (platform, orders written, orders to write)


def _epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())


def generate(out_dir: Path, *, seed: int = DEFAULT_SEED, customers: int = DEFAULT_CUSTOMERS,
             orders: int = DEFAULT_ORDERS, start: date = DEFAULT_START, end: date = DEFAULT_END,
             progress: Progress | None = None) -> dict[str, dict[str, int]]:
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
        counts[store.platform] = {"customers": customers_out.count, "products": products_out.count,
                                  "orders": out.count}
    return counts


def add_generate_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of `sandbox generate` (shared by `metric-pulse` and `python -m sandbox.generator`)."""
    parser.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="directory to write shopify/, woocommerce/, commercetools/ into")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS, metavar="N",
                        help=f"people across all platforms (default {DEFAULT_CUSTOMERS})")
    parser.add_argument("--orders", type=int, default=DEFAULT_ORDERS, metavar="N",
                        help=f"orders across all platforms, split 45/30/25 %% (default {DEFAULT_ORDERS})")
    parser.add_argument("--start", type=date.fromisoformat, default=DEFAULT_START, metavar="YYYY-MM-DD",
                        help=f"first order day (default {DEFAULT_START})")
    parser.add_argument("--end", type=date.fromisoformat, default=DEFAULT_END, metavar="YYYY-MM-DD",
                        help=f"last day of the data, the snapshot date (default {DEFAULT_END})")


def run_generate(args: argparse.Namespace) -> int:
    """Handler for parsed `sandbox generate` arguments: generate, print a summary, return the exit code."""
    started = time.monotonic()
    show = sys.stderr.isatty()

    def progress(platform: str, done: int, total: int) -> None:
        print(f"\r{platform}: {done:,}/{total:,} orders", end="", file=sys.stderr, flush=True)

    try:
        counts = generate(args.out, seed=args.seed, customers=args.customers, orders=args.orders,
                          start=args.start, end=args.end, progress=progress if show else None)
    except ValueError as exc:
        print(f"sandbox generate: {exc}", file=sys.stderr)
        return 2
    if show:
        print("\r\033[K", end="", file=sys.stderr)
    for platform in PLATFORMS:
        c = counts[platform]
        print(f"{platform}: {c['customers']} customers, {c['products']} products, {c['orders']} orders")
    print(f"wrote {Path(args.out)} in {time.monotonic() - started:.1f}s (seed {args.seed})")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.generator", description=__doc__.split("\n\n")[0])
    add_generate_arguments(parser)
    return run_generate(parser.parse_args(argv))


__all__ = ["generate", "add_generate_arguments", "run_generate", "main", "split_orders"]

if __name__ == "__main__":
    sys.exit(main())
