"""Shopify backfill: Bulk Operations vs paginated GraphQL, and the bulk path's load throughput vs COPY.

    .venv/bin/python bench/bench_shopify_bulk.py [--orders 100000] [--paginated-orders N] [--throughput-only]

The sandbox serves from a process of its own (`harness.sandbox_process`), as Shopify's
servers would: in ours it would take the loader's CPU.

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
   server. Goal: at least 0.5 of COPY's records/s (the REST path reached 0.15). Two
   times are given: the wall time, and the loader's own (less the time spent waiting
   for the operations to finish, which is Shopify's). `--throughput-only` runs only this.
3. The ceiling of any fetch path: the very pages the Shopify source yielded in (2)
   (captured in an extra, untimed run) loaded again through the loader's own dlt
   resources (`incremental_resources`, same hints, same checks) with no API at all. What
   is left is dlt's extract, relational normalisation into the child tables and load;
   no faster download or parsing can take the bulk path past this ratio.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dlt  # noqa: E402
import harness  # noqa: E402
from bench_load_throughput import UNPACED, copy_baseline  # noqa: E402

import loaders.shopify as shopify_loader  # noqa: E402
from loaders.incremental import incremental_resources  # noqa: E402
from loaders.pacing import RequestStats  # noqa: E402
from metric_pulse.config import Settings, load_settings  # noqa: E402
from metric_pulse.extract import StoreLoad, load_store, make_pipeline  # noqa: E402

RESOURCES = ("customers", "products", "orders")
ONLY_SHOPIFY = {"ENABLE_WOOCOMMERCE": "false", "ENABLE_COMMERCETOOLS": "false"}
PAGINATED_ONLY = {"SHOPIFY_BULK_AFTER_DAYS": "off"}
SHOPIFY_SHARE = 0.45
# "rate limits off" for the GraphQL cost too: a bucket no query empties (one query still costs at most 1 000)
NO_COST_LIMIT = {"shopify_restore_rate": 1_000_000.0, "shopify_bucket_size": 1_000_000.0}


def backfill(
    store: Path, server_db, env: dict[str, str], *, rate_limits: str, **options: Any
) -> tuple[StoreLoad, float, int, Settings]:
    """(the load, wall seconds, orders in raw_shopify.orders, the settings it ran with) of one first run
    of the Shopify store."""
    with (
        harness.scratch_database(server_db, "bench_shopify") as db,
        tempfile.TemporaryDirectory() as pipelines,
        harness.sandbox_process(store, rate_limits=rate_limits, **options) as sandbox_env,
    ):
        settings = load_settings({**sandbox_env, **ONLY_SHOPIFY, **env})
        (store_config,) = settings.stores
        started = time.perf_counter()
        load = load_store(store_config, settings, db, pipelines_dir=Path(pipelines))
        seconds = time.perf_counter() - started
        if load.error:
            raise SystemExit(f"FAILED: {load.error}")
        orders = harness.query(db, "select count(*) from raw_shopify.orders")[0][0]
    return load, seconds, orders, settings


def captured_pages(store: Path, server_db, target: Path) -> Settings:
    """Write to `target/<resource>.jsonl` (a JSON line per page) the pages the Shopify source yields in
    a bulk backfill; the settings that run used.

    An extra run, not timed: `loaders.shopify.pages` is wrapped for its duration so every
    page passes through on its way to dlt, exactly as loaded.
    """
    original = shopify_loader.pages

    def teed(client: Any, resource: str, since: Any) -> Any:
        with open(target / f"{resource}.jsonl", "ab") as out:
            for page in original(client, resource, since):
                out.write(orjson.dumps(page) + b"\n")
                yield page

    shopify_loader.pages = teed
    try:
        return backfill(store, server_db, UNPACED, rate_limits="off", **NO_COST_LIMIT)[3]
    finally:
        shopify_loader.pages = original


def dlt_alone(settings: Settings, server_db, pages_dir: Path) -> tuple[float, dict[str, int]]:
    """(seconds, rows per table) of loading the captured pages through the loader's dlt resources, no API.

    `settings` are those of the capture run (its sandbox is gone: nothing here calls it). The pages are parsed from their files inside the timing, as the loader parses what it fetched.
    """

    def pages(resource: str, since: Any) -> Any:
        path = pages_dir / f"{resource}.jsonl"
        if path.exists():
            with open(path, "rb") as lines:
                yield from map(orjson.loads, lines)

    @dlt.source(name=shopify_loader.PLATFORM, max_table_nesting=shopify_loader.MAX_TABLE_NESTING)
    def replayed() -> Any:
        return incremental_resources(
            shopify_loader.PLATFORM, shopify_loader.SHAPES, pages, settings.load, RequestStats()
        )

    with harness.scratch_database(server_db, "bench_dlt") as db, tempfile.TemporaryDirectory() as pipelines:
        pipeline = make_pipeline(settings.stores[0], settings, db, Path(pipelines))
        started = time.perf_counter()
        pipeline.run(replayed())
        seconds = time.perf_counter() - started
        counts = pipeline.last_trace.last_normalize_info.row_counts
    return seconds, {t: n for t, n in counts.items() if not t.startswith("_dlt")}


def throughput(store: Path, server_db) -> tuple[int, float, float, float, float]:
    """(records, seconds, ratio to COPY, ratio of the wall time to COPY, ratio of the ceiling to COPY) of the bulk path with rate limits off; prints the table.

    The seconds are the loader's own: the wall time less the time it waited for the
    bulk operations to finish, which is the time the emulator (on a real store: Shopify's
    servers) spends running them, not the loader's work. The table gives both.
    """
    with harness.scratch_database(server_db, "bench_copy") as db:
        copied, size, copy_seconds = copy_baseline(db, store, platforms=("shopify",))
    fast, wall, _, _ = backfill(store, server_db, UNPACED, rate_limits="off", **NO_COST_LIMIT)
    ours = wall - fast.operation_wait_seconds
    top = sum(n for t, n in fast.rows.items() if t in RESOURCES)
    child = sum(n for t, n in fast.rows.items() if "__" in t)
    assert top == copied, (top, copied)
    with tempfile.TemporaryDirectory() as scratch:
        settings = captured_pages(store, server_db, Path(scratch))
        alone, replayed_rows = dlt_alone(settings, server_db, Path(scratch))
    loaded = {t: n for t, n in fast.rows.items() if n}
    assert {t: n for t, n in replayed_rows.items() if n} == loaded, (replayed_rows, loaded)
    copy_rate = copied / copy_seconds
    print(
        f"\nload throughput of the bulk path vs plain COPY (rate limits off, load average {harness.load_average()})\n"
    )
    harness.print_table(
        ["what", "records", "child rows", "seconds", "records/s", "rows/s (incl. child)", "ratio", "bytes"],
        [
            [
                "bulk path, wall",
                top,
                child,
                wall,
                top / wall,
                (top + child) / wall,
                top / wall / copy_rate,
                "-",
            ],
            [
                f"bulk path, loader (wall less {fast.operation_wait_seconds:.1f} s waiting for the operations)",
                top,
                child,
                ours,
                top / ours,
                (top + child) / ours,
                top / ours / copy_rate,
                "-",
            ],
            [
                "the same pages through the loader's dlt resources, no API (ceiling)",
                top,
                child,
                alone,
                top / alone,
                (top + child) / alone,
                top / alone / copy_rate,
                "-",
            ],
            [
                "plain COPY, jsonb per record",
                copied,
                0,
                copy_seconds,
                copy_rate,
                copy_rate,
                1.0,
                f"{size / 1e6:.0f} MB",
            ],
        ],
    )
    return top, ours, top / ours / copy_rate, top / wall / copy_rate, top / alone / copy_rate


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
    ap.add_argument("--throughput-only", action="store_true", help="only part 2, the load throughput vs COPY")
    args = ap.parse_args(argv)
    print(harness.machine_line())
    store = store_of(args.orders)
    server_db = harness.bench_server()
    if args.throughput_only:
        top, seconds, ratio, wall_ratio, ceiling = throughput(store, server_db)
        harness.summary(
            f"shopify bulk path load throughput ({top:,} records): {top / seconds:,.0f} records/s, "
            f"ratio {ratio:.2f} of COPY (goal >= 0.5; {wall_ratio:.2f} counting the wait for the operations; "
            f"dlt alone on the same pages {ceiling:.2f})"
        )
        return 0

    bulk, bulk_seconds, bulk_orders, _ = backfill(store, server_db, {}, rate_limits="real")
    paged_store = store_of(args.paginated_orders) if args.paginated_orders else store
    paged, paged_seconds, paged_count, _ = backfill(
        paged_store, server_db, PAGINATED_ONLY, rate_limits="real"
    )
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

    top, fast_seconds, ratio, wall_ratio, ceiling = throughput(store, server_db)
    paged_time, paged_requests = paged_seconds * scale, paged.requests * scale
    scaled = f" (scaled from {paged_count:,})" if paged_store != store else ""
    harness.summary(
        f"shopify backfill of {bulk_orders:,} orders at Standard limits: bulk {bulk_seconds:,.0f} s / "
        f"{bulk.requests:,} requests vs paginated {paged_time:,.0f} s / {paged_requests:,.0f} requests{scaled}: "
        f"{paged_time / bulk_seconds:.1f}x the time, {paged_requests / max(1, bulk.requests):.0f}x the requests; "
        f"bulk path load throughput {top / fast_seconds:,.0f} records/s: ratio {ratio:.2f} of COPY "
        f"(goal >= 0.5; {wall_ratio:.2f} counting the wait for the operations; dlt alone {ceiling:.2f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
