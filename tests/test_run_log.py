"""ops.etl_logs: a killed run is marked interrupted; `metric-pulse status` exit codes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import cli_env, run_cli

from metric_pulse.run_log import RunInProgress, RunLog, StepCounts
from metric_pulse.warehouse import EmbeddedPostgres

SECRET = "sekret-token-123456"


def _status(pg_db, *extra: str):
    env = cli_env(**pg_db.dbt_env())
    return run_cli("status", *extra, env=env)


def _rows(pg_db, query: str):
    conn = pg_db.connect()
    with conn.cursor() as cur:
        cur.execute(query)
        rows = cur.fetchall()
    conn.close()
    return rows


def test_status_before_any_run(pg_db):
    proc = _status(pg_db)
    assert proc.returncode == 5, proc.stdout + proc.stderr
    assert "no runs recorded" in proc.stdout


def test_success_then_failure_and_secret_masked(pg_db):
    first = RunLog(pg_db, [SECRET])
    first.acquire()
    first.start("run")
    first.start("load:shopify", platform="shopify")
    first.finish("load:shopify", "success", StepCounts(extracted=5, loaded=5, requests=3, throttled=0))
    first.finish("run", "success", StepCounts(loaded=5))
    first.close()
    proc = _status(pg_db)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "success" in proc.stdout and "shopify=5" in proc.stdout

    second = RunLog(pg_db, [SECRET])
    second.acquire()
    second.start("run")
    second.finish("run", "failed", error=f"woocommerce: 401 for key {SECRET}")
    second.close()
    proc = _status(pg_db)
    assert proc.returncode == 1 and "ALERT: the last run failed" in proc.stdout
    stored = _rows(pg_db, "select error_message from ops.etl_logs where status = 'failed'")
    assert stored and SECRET not in stored[0][0] and "***" in stored[0][0]
    assert SECRET not in proc.stdout + proc.stderr


def test_stale_data_exit_4(pg_db):
    log = RunLog(pg_db, [])
    log.acquire()
    log.start("run")
    log.finish("run", "success")
    log.close()
    conn = pg_db.connect()
    with conn, conn.cursor() as cur:
        cur.execute(
            "update ops.etl_logs set started_at = now() - interval '3 days', finished_at = now() - interval '3 days'"
        )
    conn.close()
    proc = _status(pg_db, "--max-age-hours", "24")
    assert proc.returncode == 4 and "stale" in proc.stdout


_HOLDER = """
import sys, time
from metric_pulse.warehouse import DbSettings
from metric_pulse.run_log import RunLog
db = DbSettings(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5])
log = RunLog(db, [])
log.acquire()
log.start("run")
log.start("load:shopify", platform="shopify")
print("started", flush=True)
time.sleep(600)
"""


def test_killed_run_is_marked_interrupted_and_live_run_blocks(pg_db):
    args = [pg_db.host, str(pg_db.port), pg_db.database, pg_db.user, pg_db.password]
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, *args], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "started"
        live = RunLog(pg_db, [])
        with pytest.raises(RunInProgress):
            live.acquire()
        live.close()
        assert _rows(pg_db, "select count(*) from ops.etl_logs where status = 'running'")[0][0] == 2
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    deadline = time.monotonic() + 10  # the server notices the dropped connection asynchronously
    while True:
        nxt = RunLog(pg_db, [])
        try:
            nxt.acquire()
            break
        except RunInProgress:
            nxt.close()
            assert time.monotonic() < deadline
            time.sleep(0.2)
    nxt.close()
    statuses = _rows(pg_db, "select step, status, finished_at is not null from ops.etl_logs order by step")
    assert statuses == [("load:shopify", "interrupted", True), ("run", "interrupted", True)]
    proc = _status(pg_db)
    assert proc.returncode == 1 and "interrupted" in proc.stdout


def _kill_and_wait_for_release(holder: subprocess.Popen, pg_db) -> None:
    """SIGKILL the holder; return once the server has dropped its connection (and so its locks)."""
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    deadline = time.monotonic() + 10
    while _rows(pg_db, "select count(*) from pg_locks where locktype = 'advisory'")[0][0]:
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_status_sees_a_killed_run_without_waiting_for_the_next_run(pg_db):
    """Before: after `kill -9` mid-run, status said `running` and exited 0 (a recent success existed)."""
    done = RunLog(pg_db, [])
    done.acquire()
    done.start("run")
    done.finish("run", "success")
    done.close()
    args = [pg_db.host, str(pg_db.port), pg_db.database, pg_db.user, pg_db.password]
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, *args], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "started"
        alive = _status(pg_db)
        assert alive.returncode == 0 and "running" in alive.stdout  # a live run is just running
    finally:
        _kill_and_wait_for_release(holder, pg_db)
    proc = _status(pg_db)
    assert proc.returncode == 1, proc.stdout
    assert "ALERT: the last run interrupted" in proc.stdout
    assert _rows(pg_db, "select count(*) from ops.etl_logs where status = 'running'")[0][0] == 0


def test_db_stop_is_refused_while_a_run_holds_the_lock(own_data_dir):
    """Before: `db stop` during a run stopped the server and the run died with "connection already closed"."""
    env = cli_env(METRIC_PULSE_DATA_DIR=str(own_data_dir))
    url = run_cli("db", "url", env=env)  # starts a private embedded server, not the shared one
    assert url.returncode == 0, url.stderr
    server = EmbeddedPostgres(own_data_dir / "postgres")
    db = server.start()
    run = RunLog(db, [])
    try:
        run.acquire()
        refused = run_cli("db", "stop", env=env)
        assert refused.returncode == 3, (refused.stdout, refused.stderr)
        assert "a metric-pulse run is using the embedded PostgreSQL" in refused.stderr
        assert server.running_port() is not None
        run.start("run")  # the run's connection still works
        run.finish("run", "success")
    finally:
        run.close()
    try:
        held = RunLog(db, [])
        held.acquire()
        forced = run_cli("db", "stop", "--force", env=env)
        assert forced.returncode == 0 and "stopped" in forced.stdout
        assert server.running_port() is None
    finally:
        server.stop()
