"""Extraction efficiency: how close the loaders run to each platform's rate limit, and how many 429s that costs.

    .venv/bin/python bench/bench_extraction.py [--seconds 90] [--orders 6000]

The sandbox serves a generated store with real rate limits (Shopify: leaky bucket
of 40 leaking 2 requests/s; WooCommerce and commercetools have no server limit,
so their "allowed" rate is the client pacer's configured rate, defaults 3/s and
5/s). The three platforms load concurrently, as `metric-pulse run` does, with
default pacing settings. Page size (BATCH_SIZE) is chosen per platform so each
spends about `--seconds` of requests: the pacer's work does not depend on page
size, and small pages keep the data set small.

Per platform, from the server's own clock: the n API requests it answered (auth
requests excluded) between the first and the last, D seconds apart. A bucket of
`burst` refilling at `rate` allows at most burst + rate * D requests in that
window, so efficiency = (n - 429s) / (burst + rate * D) (1.0 = every slot used).
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402  (puts the project on sys.path)

from metric_pulse.config import load_settings  # noqa: E402
from metric_pulse.extract import load_store  # noqa: E402
from metric_pulse.platforms import PLATFORMS  # noqa: E402
from metric_pulse.sandbox.server import SandboxServer  # noqa: E402


class TimedSandbox(SandboxServer):
    """Records when each API request arrived, per platform (auth requests are not API traffic)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.arrivals: dict[str, list[tuple[float, int]]] = {p: [] for p in PLATFORMS}
        self._arrivals_lock = threading.Lock()

    def respond(self, method, path, query, headers, body, host):
        arrived = time.monotonic()
        platform, response, decision = super().respond(method, path, query, headers, body, host)
        if platform and not path.startswith("/commercetools/auth"):
            with self._arrivals_lock:
                self.arrivals[platform].append((arrived, response.status))
        return platform, response, decision


def record_counts(store: Path) -> dict[str, int]:
    """Records per platform (all resources), counting lines of the generator's one-object-per-line files."""
    counts = {}
    for platform in PLATFORMS:
        total = 0
        for resource in ("customers", "products", "orders"):
            with open(store / platform / f"{resource}.json", "rb") as handle:
                total += sum(1 for line in handle if line.startswith(b"{"))
        counts[platform] = total
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=90.0, help="target request time per platform")
    ap.add_argument("--orders", type=int, default=6000)
    ap.add_argument("--customers", type=int, default=2000)
    args = ap.parse_args(argv)
    print(harness.machine_line())

    store = harness.generated_store(
        f"extraction-{args.orders}", seed=11, customers=args.customers, orders=args.orders
    )
    counts = record_counts(store)
    server_db = harness.bench_server()
    with (
        harness.scratch_database(server_db, "bench_extract") as db,
        tempfile.TemporaryDirectory() as pipelines,
        TimedSandbox(store, rate_limits="real") as server,
    ):
        # The default pacing (Shopify's is its server limit) and the largest page each API serves.
        defaults = {p: load_settings(server.env()).store(p).config for p in PLATFORMS}
        allowed = {p: (c.rate_limit.rate, c.rate_limit.burst) for p, c in defaults.items()}
        batch = {}
        for p, (rate, burst) in allowed.items():
            wanted_requests = burst + rate * args.seconds
            batch[p] = max(1, min(defaults[p].page_size, math.ceil(counts[p] / wanted_requests)))

        def one(platform: str):
            settings = load_settings({**server.env(), "BATCH_SIZE": str(batch[platform])})
            return load_store(settings.store(platform), settings, db, pipelines_dir=Path(pipelines))

        with ThreadPoolExecutor(max_workers=len(PLATFORMS)) as pool:
            loads = {load.platform: load for load in pool.map(one, PLATFORMS)}
        served = server.stats()
        arrivals = server.arrivals

    rows, worst, throttled_total, requests_total = [], math.inf, 0, 0
    for p in PLATFORMS:
        load = loads[p]
        if load.error:
            print(f"{p}: FAILED: {load.error}")
            return 1
        times = sorted(t for t, _ in arrivals[p])
        n = len(times)
        n429 = sum(1 for _, status in arrivals[p] if status == 429)
        span = times[-1] - times[0] if n > 1 else float("nan")
        rate, burst = allowed[p]
        allowed_requests = burst + rate * span
        useful = n - n429
        efficiency = useful / allowed_requests
        per_1000 = 1000.0 * n429 / n
        worst = min(worst, efficiency)
        throttled_total += n429
        requests_total += n
        rows.append(
            [
                p,
                f"{rate:g}/s, burst {burst:g}",
                batch[p],
                n,
                span,
                useful / span,
                allowed_requests / span,
                f"{efficiency:.3f}",
                n429,
                f"{per_1000:.2f}",
                load.waited_seconds,
                load.extract_seconds,
                served[p]["rate_limited"],
            ]
        )
    harness.print_table(
        [
            "platform",
            "allowed",
            "page size",
            "requests",
            "window s",
            "achieved req/s",
            "allowed req/s",
            "achieved/allowed",
            "429s",
            "429 per 1000",
            "client wait s",
            "extract s",
            "server 429 count",
        ],
        rows,
    )
    per_1000_all = 1000.0 * throttled_total / requests_total
    verdict = "meets" if worst >= 0.95 and per_1000_all < 1 else "MISSES"
    harness.summary(
        f"extraction: worst achieved/allowed {worst:.3f}, {per_1000_all:.2f} x 429 per 1000 requests "
        f"({requests_total} requests) - {verdict} the goal (>= 0.95, < 1 per 1000)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
