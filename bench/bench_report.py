"""The HTML report on a store with a million orders: `metric-pulse report` time and file size.

    .venv/bin/python bench/bench_report.py [--orders 1000000] [--customers 250000]

The demo marts are built once through the real pipeline (`metric-pulse run` on the sandbox) into a
scratch database of the benchmarks' PostgreSQL, timed with a first report; then the marts are
multiplied in SQL to the target size with every column kept (copies get suffixed keys, the same
dates, and daily_metrics' counts and amounts scaled by the same factor), and the report is timed
again. What the report reads grows like a real large store's marts: orders (for the cohorts) and
customer_metrics by the factors asked for, product_daily_sales by 20 times as many products.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

EXE = str(harness.ROOT / ".venv" / "bin" / "metric-pulse")
PRODUCT_COPIES = 20
# daily_metrics columns that add up over orders: scaled with the orders
ADDITIVE = (
    "orders",
    "cancelled_orders",
    "revenue",
    "refunds",
    "net_revenue",
    "units",
    "new_customers",
    "returning_customers",
    "unconverted_orders",
)


def cli(env: dict[str, str], *args: str) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    proc = subprocess.run([EXE, *args], env=env, capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        raise SystemExit(f"metric-pulse {' '.join(args)} failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    return time.perf_counter() - started, proc


def columns(db, table: str) -> list[str]:
    schema, name = table.split(".")
    return [
        c
        for (c,) in harness.query(
            db,
            "select column_name from information_schema.columns where table_schema = %s and table_name = %s "
            "order by ordinal_position",
            schema,
            name,
        )
    ]


def multiply(db, table: str, copies: int, replace: dict[str, str]) -> None:
    """Replace `table` by `copies` copies of its rows (g = 0..copies-1), some columns rewritten."""
    select = ", ".join(f"{replace.get(c, c)} as {c}" for c in columns(db, table)).replace("%", "%%")
    seed = f"{table.split('.')[0]}.seed_copy"
    harness.query(
        db,
        f"""alter table {table} rename to seed_copy;
            create table {table} as select {select} from {seed}, generate_series(0, {copies - 1}) g;
            drop table {seed};
            analyze {table};""",
    )


def scale(db, orders: int, customers: int) -> dict[str, int]:
    (demo_orders,) = harness.query(db, "select count(*) from analytics.orders")[0]
    (demo_customers,) = harness.query(db, "select count(*) from analytics.customer_metrics")[0]
    order_copies = math.ceil(orders / demo_orders)
    customer_copies = math.ceil(customers / demo_customers)
    multiply(
        db,
        "analytics.orders",
        order_copies,
        {
            "order_key": "order_key || '-' || g",
            "customer_key": f"customer_key || '-' || (g % {customer_copies})",
        },
    )
    multiply(db, "analytics.customer_metrics", customer_copies, {"customer_key": "customer_key || '-' || g"})
    multiply(
        db,
        "analytics.product_daily_sales",
        PRODUCT_COPIES,
        {
            "product_key": "product_key || '-' || g",
            "product_id": "product_id || '-' || g",
            "product_name": "product_name || ' #' || g",
        },
    )
    multiply(db, "analytics.daily_metrics", 1, {c: f"{c} * {order_copies}" for c in ADDITIVE})
    counts = {}
    for table in ("orders", "customer_metrics", "product_daily_sales", "daily_metrics"):
        counts[table] = harness.query(db, f"select count(*) from analytics.{table}")[0][0]
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=250_000)
    args = parser.parse_args()
    print(harness.machine_line())
    server = harness.bench_server()
    with harness.scratch_database(server, "report") as db, tempfile.TemporaryDirectory() as tmp:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SHOPIFY_", "WOOCOMMERCE_", "COMMERCETOOLS_", "DB_", "ENABLE_"))
            and k != "DATABASE_URL"
        }
        env.update(db.dbt_env(), METRIC_PULSE_DATA_DIR=str(harness.BENCH_DIR / "report-state"))
        env["METRIC_PULSE_REPORT_DIR"] = tmp
        cli(env, "run")
        (end,) = harness.query(db, "select max(date) from analytics.daily_metrics")[0]
        report = ["report", "--as-of", end.isoformat(), "--out"]
        demo_seconds, _ = cli(env, *report, f"{tmp}/demo.html")
        counts = scale(db, args.orders, args.customers)
        large_seconds, proc = cli(env, *report, f"{tmp}/large.html")
        inner = float(re.search(r", ([\d.]+)s\)", proc.stdout).group(1))
        size = Path(tmp, "large.html").stat().st_size
    harness.print_table(
        [
            "marts",
            "orders",
            "customers",
            "product-days",
            "report s (command)",
            "report s (inside)",
            "HTML bytes",
        ],
        [
            ["demo", "", "", "", demo_seconds, "", ""],
            [
                "scaled",
                counts["orders"],
                counts["customer_metrics"],
                counts["product_daily_sales"],
                large_seconds,
                inner,
                size,
            ],
        ],
    )
    harness.summary(
        f"report: {counts['orders']:,} orders, {counts['customer_metrics']:,} customers "
        f"in {large_seconds:.1f}s (demo {demo_seconds:.1f}s), {size / 1e6:.2f} MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
