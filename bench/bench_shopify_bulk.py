"""Shopify backfill: Bulk Operations vs paginated GraphQL, and the bulk path's load throughput vs COPY.

    .venv/bin/python bench/bench_shopify_bulk.py [--orders 100000] [--paginated-orders N]

1. Backfill, Standard plan: the sandbox enforces the GraphQL cost limits of the Standard
   plan (100 points/s restore), the loader paces itself from the responses. The same
   store is backfilled twice into fresh databases, side by side in one run: once
   through Bulk Operations (the default for a first run), once with
   `SHOPIFY_BULK_AFTER_DAYS=off` (paginated queries only). Time and requests of each.
   Paginated backfills of 100 000 orders at 100 points/s take hours: by default the
   paginated side backfills a store of `--paginated-orders` (1 000) orders instead (same
   generator, same seed) and the table says so; its time and requests are then also given
   scaled linearly to the bulk side's orders (the cost of a page does not depend on how
   many pages came before it). `--paginated-orders 0` backfills the same store both ways.
2. Load throughput of the bulk path: the same backfill through Bulk Operations with rate
   limits off (the sandbox's cost bucket too) and the client pacer out of the way, vs a
   plain `COPY ... FROM STDIN` of the very same records, one jsonb value per record
   (bench/bench_load_throughput.py's baseline), measured in the same run on the same
   server. Goal: at least 0.5 of COPY's records/s (the REST path reached 0.15).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from bench_load_throughput import UNPACED, copy_baseline  # noqa: E402

from metric_pulse.config import load_settings  # noqa: E402
from metric_pulse.extract import StoreLoad, load_store  # noqa: E402
from metric_pulse.sandbox.server import SandboxServer  # noqa: E402

RESOURCES = ("customers", "products", "orders")
ONLY_SHOPIFY = {"ENABLE_WOOCOMMERCE": "false", "ENABLE_COMMERCETOOLS": "false"}
PAGINATED_ONLY = {"SHOPIFY_BULK_AFTER_DAYS": "off"}
SHOPIFY_SHARE = 0.45
# "rate limits off" for the GraphQL cost too: a bucket no query empties (one query still costs at most 1 000)
NO_COST_LIMIT = {"shopify_restore_rate": 1_000_000.0, "shopify_bucket_size": 1_000_000.0}


def backfill(
    store: Path, server_db, env: dict[str, str], *, rate_limits: str, **options: Any
) -> tuple[StoreLoad, float, int]:
    """(the load, wall seconds, orders in raw_shopify.orders) of one first run of the Shopify store."""
    with (
        harness.scratch_database(server_db, "bench_shopify") as db,
        tempfile.TemporaryDirectory() as pipelines,
        SandboxServer(store, rate_limits=rate_limits, **options) as server,
    ):
        server.store.preload()
        settings = load_settings({**server.env(), **ONLY_SHOPIFY, **env})
        (store_config,) = settings.stores
        started = time.perf_counter()
        load = load_store(store_config, settings, db, pipelines_dir=Path(pipelines))
        seconds = time.perf_counter() - started
        if load.error:
            raise SystemExit(f"FAILED: {load.error}")
        orders = harness.query(db, "select count(*) from raw_shopify.orders")[0][0]
    return load, seconds, orders


def store_of(orders: int) -> Path:
    """A generated store with about `orders` Shopify orders (the generator gives Shopify 45 % of its orders)."""
    total = round(orders / SHOPIFY_SHARE)
    return harness.generated_store(
        f"shopify-bulk-{orders}", seed=31, customers=max(3, total // 3), orders=total
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--orders", type=int, default=100_000, help="Shopify orders to backfill")
    ap.add_argument(
        "--paginated-orders",
        type=int,
        default=1_000,
        help="backfill a store of about this many orders paginated and scale to --orders (0: the same store)",
    )
    args = ap.parse_args(argv)
    print(harness.machine_line())
    store = store_of(args.orders)
    server_db = harness.bench_server()

    bulk, bulk_seconds, bulk_orders = backfill(store, server_db, {}, rate_limits="real")
    paged_store = store_of(args.paginated_orders) if args.paginated_orders else store
    paged, paged_seconds, paged_count = backfill(paged_store, server_db, PAGINATED_ONLY, rate_limits="real")
    scale = bulk_orders / paged_count
    rows = [
        ["Bulk Operations", bulk_orders, bulk_seconds, bulk.requests, bulk.throttled, bulk.waited_seconds],
        [
            "paginated GraphQL",
            paged_count,
            paged_seconds,
            paged.requests,
            paged.throttled,
            paged.waited_seconds,
        ],
    ]
    if paged_store != store:
        rows.append(
            [
                f"paginated, scaled x{scale:.1f}",
                bulk_orders,
                paged_seconds * scale,
                round(paged.requests * scale),
                "-",
                paged.waited_seconds * scale,
            ]
        )
    print(f"\nbackfill at Standard-plan limits ({bulk_orders:,} Shopify orders)\n")
    harness.print_table(["path", "orders", "seconds", "requests", "throttled", "client wait s"], rows)

    with harness.scratch_database(server_db, "bench_copy") as db:
        copied, size, copy_seconds = copy_baseline(db, store, platforms=("shopify",))
    fast, fast_seconds, _ = backfill(store, server_db, UNPACED, rate_limits="off", **NO_COST_LIMIT)
    top = sum(n for t, n in fast.rows.items() if t in RESOURCES)
    child = sum(n for t, n in fast.rows.items() if "__" in t)
    print("\nload throughput of the bulk path vs plain COPY (rate limits off)\n")
    harness.print_table(
        ["what", "records", "child rows", "seconds", "records/s", "rows/s (incl. child)", "bytes"],
        [
            [
                "bulk path: shopify",
                top,
                child,
                fast_seconds,
                top / fast_seconds,
                (top + child) / fast_seconds,
                "-",
            ],
            [
                "plain COPY, jsonb per record",
                copied,
                0,
                copy_seconds,
                copied / copy_seconds,
                copied / copy_seconds,
                f"{size / 1e6:.0f} MB",
            ],
        ],
    )
    assert top == copied, (top, copied)
    paged_time, paged_requests = paged_seconds * scale, paged.requests * scale
    ratio = (top / fast_seconds) / (copied / copy_seconds)
    scaled = f" (scaled from {paged_count:,})" if paged_store != store else ""
    harness.summary(
        f"shopify backfill of {bulk_orders:,} orders at Standard limits: bulk {bulk_seconds:,.0f} s / "
        f"{bulk.requests:,} requests vs paginated {paged_time:,.0f} s / {paged_requests:,.0f} requests{scaled}: "
        f"{paged_time / bulk_seconds:.1f}x the time, {paged_requests / max(1, bulk.requests):.0f}x the requests; "
        f"bulk load throughput {top / fast_seconds:,.0f} records/s vs COPY {copied / copy_seconds:,.0f}: "
        f"ratio {ratio:.2f} (goal >= 0.5)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
