"""`metric-pulse run` with DESTINATION=duckdb: the demo sandbox lands in a DuckDB file and dbt builds there.

Real processes throughout (the CLI in subprocesses, the sandbox on loopback, dlt's duckdb
destination, `dbt build --target duckdb`), and no PostgreSQL: DATABASE_URL points at a port
nothing listens on, so any PostgreSQL connection would fail the run. The run log is
ops.etl_logs in the DuckDB file; the run lock is a file lock, which refuses a second run
while the first holds it and is free again when a run is killed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
from conftest import PROJECT_ROOT, cli_env, run_cli

from metric_pulse.platforms import PLATFORMS
from metric_pulse.warehouse import try_file_lock

NO_POSTGRES = "postgresql://nobody@127.0.0.1:9/none"  # port 9 (discard): nothing answers there


def _start_run(env: dict[str, str]) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("metric-pulse")
    return subprocess.Popen(
        [str(exe), "run"],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: killed with its dbt below
    )


def _wait_until_locked(lock_file: Path, run: subprocess.Popen, timeout: float = 180) -> None:
    """Until the run holds its file lock (seen from outside: the lock cannot be taken)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert run.poll() is None, run.communicate()
        if lock_file.exists():
            handle = try_file_lock(lock_file)
            if handle is None:
                return
            handle.close()
        time.sleep(0.2)
    raise AssertionError("the run never took its lock")


def _rows(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def test_run_lands_in_duckdb_with_its_run_log_and_file_lock(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    warehouse = data_dir / "warehouse.duckdb"
    lock_file = data_dir / "run.lock"
    env = cli_env(
        DESTINATION="duckdb",
        METRIC_PULSE_DATA_DIR=str(data_dir),
        DATABASE_URL=NO_POSTGRES,
        DBT_THREADS="2",
        WOOCOMMERCE_RATE_LIMIT="50",  # the demo's courtesy pace would only add waiting
    )

    first = _start_run(env)
    _wait_until_locked(lock_file, first)
    second = run_cli("run", env=env)
    for line in first.stdout:  # dbt's own output: dbt-duckdb holds the file until the build ends
        if "START sql" in line:
            break
    busy = run_cli("status", env=env)
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, out[-3000:] + err[-3000:]
    assert second.returncode == 3, second.stdout[-2000:] + second.stderr[-2000:]
    assert "another metric-pulse run is in progress" in second.stderr
    assert busy.returncode == 0 and "a run is in progress" in busy.stdout, busy.stdout + busy.stderr
    assert "status=success" in out and "dbt build: ok" in out

    assert not (data_dir / "postgres").exists(), "no embedded PostgreSQL may be started"
    assert oct(lock_file.stat().st_mode & 0o777) == "0o600"
    orders = dict(_rows(warehouse, "select platform, count(*) from analytics.orders group by 1"))
    assert set(orders) == set(PLATFORMS) and min(orders.values()) > 0
    assert _rows(warehouse, "select count(*), count(predicted_clv) from analytics.customer_metrics")[0][1] > 0
    steps = dict(_rows(warehouse, "select step, status from ops.etl_logs"))
    assert steps == {
        "run": "success",
        "dbt:build": "success",
        **{f"load:{platform}": "success" for platform in PLATFORMS},
    }, "one run recorded (the refused one writes nothing)"
    loaded = _rows(warehouse, "select records_loaded from ops.etl_logs where step = 'load:shopify'")[0][0]
    assert loaded > 0

    status = run_cli("status", env=env)
    assert status.returncode == 0, status.stdout + status.stderr
    assert "success" in status.stdout and f"shopify={loaded}" in status.stdout

    # A run killed while it loads: the kernel frees the lock, and status says interrupted.
    killed = _start_run(env)
    for line in killed.stderr:  # "loading <store>" is logged once the run and its load steps are recorded
        if "loading " in line:
            break
    os.killpg(killed.pid, signal.SIGKILL)
    killed.communicate()
    status = run_cli("status", env=env)
    assert status.returncode == 1, status.stdout + status.stderr
    assert "ALERT: the last run interrupted" in status.stdout
    assert _rows(warehouse, "select count(*) from ops.etl_logs where status = 'running'") == [(0,)]
