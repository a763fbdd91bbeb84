"""Killed runs: `metric-pulse run` SIGKILLed at random points (extract, load, dbt), each followed by a clean run.

Before every cycle the store changes (new orders, changed orders, and the lifecycle:
an order deleted on every platform but WooCommerce, where one is trashed and, every third
cycle, an earlier one restored), so there is always something to extract and to delete. A run is killed with its whole process group (dbt
included, as a crash or the OOM killer would), after a seeded random delay: odd
cycles across the whole duration of the last clean run (mostly dbt, which takes
most of it), even cycles within its start-up, extract and load; the clean run
after it must succeed.
At the end the marts must equal those of one uninterrupted run of the final store
into another database. `RELIABILITY_KILL_CYCLES` (default 20) sets the number of
cycles; each takes about two dbt builds (~1-3 min on 2 shared cores).
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from bad_input_corpus import _renumber_nested
from conftest import PROJECT_ROOT, cli_env, run_cli
from reliability_support import (
    FAST,
    PLATFORMS,
    give_new_order_id,
    kill_tree,
    query,
    read,
    set_modified,
    write,
)

from metric_pulse.sandbox.generate import generate
from metric_pulse.sandbox.server import SandboxServer
from metric_pulse.warehouse import DbSettings, ensure_database

MARTS = ("orders", "order_items", "customer_metrics", "daily_metrics")
CYCLES = int(os.environ.get("RELIABILITY_KILL_CYCLES", "20"))


def change_store(store: Path, rng: random.Random, cycle: int) -> None:
    """Per platform: 3 new orders (copies of existing ones, new ids throughout) and 2 changed ones, modified now;
    one order deleted (WooCommerce: trashed, and every third cycle the earliest trashed one restored)."""
    now = datetime.now(UTC)
    for platform in PLATFORMS:
        orders = read(store, platform, "orders")
        if platform == "woocommerce":
            trashed = [o for o in orders if o.get("status") == "trash"]
            touched = [rng.choice([o for o in orders if o.get("status") != "trash"])]
            touched[0]["status"] = "trash"
            if trashed and cycle % 3 == 2:
                trashed[0]["status"] = "completed"
                touched.append(trashed[0])
            for order in touched:
                set_modified(platform, order, now)
        else:
            orders.remove(rng.choice(orders))  # the emulator records the deletion event / message now
        for order in rng.sample(orders, 2):
            set_modified(platform, order, now)
        for n in range(3):
            fresh = _renumber_nested(json.loads(json.dumps(rng.choice(orders))), 100 + cycle * 10 + n)
            give_new_order_id(platform, fresh, orders, f"7a1c0000-0000-4000-8000-{cycle:06d}{n:06d}")
            set_modified(platform, fresh, now)
            orders.append(fresh)
        write(store, platform, "orders", orders)


def phase(output: str) -> str:
    if "Running with dbt" in output:
        return "dbt"
    if " loaded " in output or "completing the load" in output:
        return "load"
    if "loading " in output:
        return "extract/load"
    return "start-up"


def load_seconds(summary: str) -> float:
    """The slowest platform's extract + load time in a run summary ("..., 0 rejected, 7.8s")."""
    found = [float(s) for s in re.findall(r"rejected, ([\d.]+)s", summary)]
    return max(found) if found else 5.0


def normalise(value: object) -> object:
    if isinstance(value, float):
        return float(f"{value:.9g}")
    if isinstance(value, Decimal):
        return str(value.normalize())
    return value


def mart(db: DbSettings, name: str) -> list[tuple]:
    """Every row of analytics.<name>, without the columns that record when dlt loaded a row."""
    columns = [
        c
        for (c,) in query(
            db,
            "select column_name from information_schema.columns where table_schema = "
            "'analytics' and table_name = %s order by ordinal_position",
            name,
        )
        if "loaded_at" not in c
    ]
    rows = query(db, f"select {', '.join(columns)} from analytics.{name}")
    return sorted((tuple(normalise(v) for v in row) for row in rows), key=repr)


def copy_fit_history(source: DbSettings, target: DbSettings) -> None:
    """analytics.clv_model_fits of `source` into the empty warehouse `target`: same column types, same rows."""
    columns = query(
        source,
        "select attname, format_type(atttypid, atttypmod) from pg_attribute where attrelid = "
        "'analytics.clv_model_fits'::regclass and attnum > 0 and not attisdropped order by attnum",
    )
    rows = io.StringIO()
    conn = source.connect()
    try:
        with conn.cursor() as cur:
            cur.copy_expert("copy analytics.clv_model_fits to stdout", rows)
    finally:
        conn.close()
    rows.seek(0)
    conn = target.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("create schema analytics")
            cur.execute(
                f"create table analytics.clv_model_fits ({', '.join(f'{n} {t}' for n, t in columns)})"
            )
            cur.copy_expert("copy analytics.clv_model_fits from stdin", rows)
        conn.commit()
    finally:
        conn.close()


@pytest.mark.reliability
@pytest.mark.timeout(7200)  # 20 cycles of two runs each (the suite's default is 600 s per test)
def test_killed_runs_then_clean_runs_give_the_marts_of_an_uninterrupted_run(
    tmp_path: Path, pg_db: DbSettings, pg_server: DbSettings
) -> None:
    rng = random.Random(20240501)
    store = tmp_path / "store"
    generate(store, seed=9, customers=60, orders=240)
    reference = pg_server.with_database(f"{pg_db.database}_ref")
    ensure_database(reference)
    exe = str(Path(sys.executable).with_name("metric-pulse"))
    kills: list[str] = []
    try:
        with SandboxServer(store, rate_limits="off") as server:
            env = cli_env(
                METRIC_PULSE_DATA_DIR=str(tmp_path / "state"),
                DBT_THREADS="2",
                BATCH_SIZE="20",
                HTTP_TIMEOUT_SECONDS="10",
                **FAST,
                **server.env(),
                **pg_db.dbt_env(),
            )
            started = time.monotonic()
            first = run_cli("run", env=env, timeout=900)
            assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
            duration, loading = time.monotonic() - started, load_seconds(first.stdout)
            for cycle in range(CYCLES):
                change_store(store, rng, cycle)
                # dbt takes most of a run: every other kill lands in start-up, extract or load on purpose
                delay = rng.uniform(0.5, duration) if cycle % 2 else rng.uniform(0.5, 2.0 + loading * 1.5)
                log = tmp_path / f"killed-{cycle}.log"
                with open(log, "w") as out:
                    proc = subprocess.Popen(
                        [exe, "run"],
                        env=env,
                        cwd=PROJECT_ROOT,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                    try:
                        proc.wait(timeout=delay)
                        outcome = f"finished before {delay:.0f}s"
                    except subprocess.TimeoutExpired:
                        kill_tree(proc.pid)
                        proc.wait()
                        outcome = f"killed at {delay:.0f}s in {phase(log.read_text(errors='replace'))}"
                started = time.monotonic()
                clean = run_cli("run", env=env, timeout=900)
                duration, loading = time.monotonic() - started, max(loading, load_seconds(clean.stdout))
                kills.append(outcome)
                print(
                    f"cycle {cycle}: {outcome}; clean run {duration:.0f}s exit {clean.returncode}", flush=True
                )
                assert clean.returncode == 0, (
                    f"clean run after cycle {cycle} ({outcome}) failed:\n"
                    + clean.stdout[-3000:]
                    + clean.stderr[-3000:]
                )
            # the CLV models are refitted every clv_refit_days (7): every run here scored with the fit of the
            # first one, which the kills neither duplicated nor lost; the reference starts from it too
            fits = query(pg_db, "select model, count(*) from analytics.clv_model_fits group by model")
            assert fits and all(n == 1 for _, n in fits), f"fit history after the kills: {fits}"
            copy_fit_history(pg_db, reference)
            ref_env = {**env, **reference.dbt_env(), "METRIC_PULSE_DATA_DIR": str(tmp_path / "ref-state")}
            uninterrupted = run_cli("run", env=ref_env, timeout=900)
            assert uninterrupted.returncode == 0, uninterrupted.stdout[-3000:] + uninterrupted.stderr[-3000:]
        print("kills: " + "; ".join(kills))
        interrupted = query(
            pg_db, "select count(*) from ops.etl_logs where step = 'run' and status = 'interrupted'"
        )
        print(f"runs marked interrupted in etl_logs: {interrupted[0][0]}")
        for name in MARTS:
            ours, theirs = mart(pg_db, name), mart(reference, name)
            assert len(ours) == len(theirs), (
                f"analytics.{name}: {len(ours)} rows after kills, {len(theirs)} uninterrupted"
            )
            differing = [row for row in ours if row not in set(theirs)]
            assert not differing, f"analytics.{name}: {len(differing)} rows differ, e.g. {differing[:2]}"
    finally:
        admin = pg_server.connect()
        admin.autocommit = True
        admin.cursor().execute(f'drop database if exists "{reference.database}" with (force)')
        admin.close()
