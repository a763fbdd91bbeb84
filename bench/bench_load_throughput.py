"""Load throughput: records per second from the sandbox into raw tables, vs a plain COPY of the same records.

    .venv/bin/python bench/bench_load_throughput.py [--orders 10000]

Ours: the three platforms load concurrently (as `metric-pulse run` does) from a
sandbox with rate limits off and the client pacers set out of the way (10 000/s),
page sizes at the API maxima: HTTP, JSON parsing, the incremental window, dlt's
extract, normalize (child tables) and load into PostgreSQL.

Baseline, same run, same server: a plain `COPY ... FROM STDIN` of the very same
records, one jsonb value per record (the generator's files are one JSON object per
line, so no parsing on the client side) into one table per platform and resource.
That is the floor for getting these bytes into PostgreSQL at all; ours also
flattens them into typed columns and child tables (`rows` counts those).
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

from metric_pulse.config import load_settings  # noqa: E402
from metric_pulse.platforms import PLATFORMS  # noqa: E402
from metric_pulse.sandbox.server import SandboxServer  # noqa: E402

RESOURCES = ("customers", "products", "orders")
UNPACED = {
    "SHOPIFY_RATE_LIMIT": "10000",
    "SHOPIFY_RATE_BURST": "10000",
    "WOOCOMMERCE_RATE_LIMIT": "10000",
    "COMMERCETOOLS_RATE_LIMIT": "10000",
    "HTTP_TIMEOUT_SECONDS": "120",
}


def record_lines(store: Path, platform: str, resource: str) -> list[bytes]:
    with open(store / platform / f"{resource}.json", "rb") as handle:
        return [line.rstrip(b"\n").rstrip(b",") for line in handle if line.startswith(b"{")]


def copy_baseline(db, store: Path, platforms: Iterable[str] = PLATFORMS) -> tuple[int, int, float]:
    """(records, bytes, seconds) for COPYing every record as jsonb, one table per platform and resource."""
    conn = db.connect()
    records = size = 0
    started = time.perf_counter()
    with conn.cursor() as cur:
        for platform in platforms:
            for resource in RESOURCES:
                table = f"copy_{platform}_{resource}"
                cur.execute(f"create table {table} (doc jsonb not null)")
                lines = record_lines(store, platform, resource)
                payload = b"\n".join(lines) + b"\n"
                # CSV with quote/delimiter bytes that JSON never holds: every line is taken verbatim
                cur.copy_expert(
                    f"copy {table} (doc) from stdin with (format csv, quote e'\\x01', delimiter e'\\x02')",
                    io.BytesIO(payload),
                )
                records += len(lines)
                size += len(payload)
    conn.commit()
    seconds = time.perf_counter() - started
    conn.close()
    return records, size, seconds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--orders", type=int, default=10_000)
    ap.add_argument("--customers", type=int, default=3_000)
    args = ap.parse_args(argv)
    print(harness.machine_line())
    store = harness.generated_store(
        f"throughput-{args.orders}", seed=21, customers=args.customers, orders=args.orders
    )
    server_db = harness.bench_server()

    with harness.scratch_database(server_db, "bench_copy") as db:
        copied, size, copy_seconds = copy_baseline(db, store)

    with (
        harness.scratch_database(server_db, "bench_load") as db,
        tempfile.TemporaryDirectory() as pipelines,
        SandboxServer(store, rate_limits="off") as server,
    ):
        server.store.preload()
        settings = load_settings({**server.env(), **UNPACED})
        started = time.perf_counter()
        loads = harness.load_all(settings, db, Path(pipelines))
        ours_seconds = time.perf_counter() - started
        raw_records = sum(
            harness.query(db, f"select count(*) from raw_{p}.{r}")[0][0] for p in PLATFORMS for r in RESOURCES
        )

    rows = []
    for load in loads:
        if load.error:
            print(f"FAILED: {load.error}")
            return 1
        top = sum(n for t, n in load.rows.items() if "__" not in t)
        child = sum(n for t, n in load.rows.items() if "__" in t)
        rows.append(
            [
                f"ours: {load.name}",
                top,
                child,
                load.seconds,
                top / load.seconds,
                (top + child) / load.seconds,
                load.requests,
                "-",
            ]
        )
    top_all = sum(sum(n for t, n in ld.rows.items() if "__" not in t) for ld in loads)
    child_all = sum(sum(n for t, n in ld.rows.items() if "__" in t) for ld in loads)
    rows.append(
        [
            "ours: all three at once",
            top_all,
            child_all,
            ours_seconds,
            top_all / ours_seconds,
            (top_all + child_all) / ours_seconds,
            sum(ld.requests for ld in loads),
            "-",
        ]
    )
    rows.append(
        [
            "plain COPY, jsonb per record",
            copied,
            0,
            copy_seconds,
            copied / copy_seconds,
            copied / copy_seconds,
            "-",
            f"{size / 1e6:.0f} MB",
        ]
    )
    harness.print_table(
        [
            "what",
            "records",
            "child rows",
            "seconds",
            "records/s",
            "rows/s (incl. child)",
            "requests",
            "bytes",
        ],
        rows,
    )
    assert raw_records == top_all == copied, (raw_records, top_all, copied)
    ratio = (top_all / ours_seconds) / (copied / copy_seconds)
    harness.summary(
        f"load throughput: {top_all / ours_seconds:,.0f} records/s "
        f"({(top_all + child_all) / ours_seconds:,.0f} rows/s with child tables) vs plain COPY "
        f"{copied / copy_seconds:,.0f} records/s: ratio {ratio:.3f} (COPY is {1 / ratio:.0f}x faster)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
