"""End to end: `make elt` on the demo default from a cold start, then the warm rerun.

    .venv/bin/python bench/bench_end_to_end.py

Cold: a fresh METRIC_PULSE_DATA_DIR, so the run initialises a new embedded
PostgreSQL, generates the demo store (600 people, 3000 orders), serves it, loads
all three platforms and runs `dbt build` (with the CLV Python models). Warm: the
same command again: the server is running, nothing new to load, dbt builds again.
No store or DB settings are passed (the demo default). The data dir is removed
afterwards (its PostgreSQL stopped first).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402


def clean_env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SHOPIFY_", "WOOCOMMERCE_", "COMMERCETOOLS_", "DB_", "ENABLE_"))
        and k != "DATABASE_URL"
    }
    env["METRIC_PULSE_DATA_DIR"] = str(data_dir)
    return env


def timed_make(env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    proc = subprocess.run(
        ["make", "--no-print-directory", "elt"],
        cwd=harness.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    return time.perf_counter() - started, proc


def steps(proc: subprocess.CompletedProcess) -> str:
    """Load and dbt seconds from the run summary."""
    text = proc.stdout
    loads = [float(s) for s in re.findall(r"rejected, ([\d.]+)s", text)]
    dbt = re.search(r"Finished running .* in .*?\(([\d.]+)s\)", text)
    return (
        f"loads {max(loads) if loads else 0:.0f}s (slowest platform), "
        f"dbt {float(dbt.group(1)) if dbt else float('nan'):.0f}s (dbt's own count)"
    )


def main() -> int:
    print(harness.machine_line())
    data_dir = harness.BENCH_DIR / f"e2e-{uuid.uuid4().hex[:8]}"
    env = clean_env(data_dir)
    try:
        cold, first = timed_make(env)
        if first.returncode != 0:
            print(first.stdout[-3000:], first.stderr[-3000:])
            return 1
        warm, second = timed_make(env)
        if second.returncode != 0:
            print(second.stdout[-3000:], second.stderr[-3000:])
            return 1
    finally:
        subprocess.run(
            [str(harness.ROOT / ".venv" / "bin" / "metric-pulse"), "db", "stop"],
            env=env,
            capture_output=True,
            timeout=120,
        )
        shutil.rmtree(data_dir, ignore_errors=True)
    orders = re.findall(r"orders (\d+)", first.stdout)
    harness.print_table(
        ["run", "seconds", "what it did", "breakdown"],
        [
            [
                "cold: make elt (init PostgreSQL, generate, load, dbt build)",
                cold,
                f"{sum(map(int, orders))} orders loaded",
                steps(first),
            ],
            [
                "warm: make elt again (nothing new)",
                warm,
                "nothing new" if "nothing new to load" in second.stdout else "loaded something",
                steps(second),
            ],
        ],
    )
    harness.summary(
        f"end to end: cold make elt {cold:.0f}s, warm rerun {warm:.0f}s, warm/cold {warm / cold:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
