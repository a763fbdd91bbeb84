"""A dbt started by a run must not outlive the run: `kill -9` of metric-pulse alone used to leave dbt building,
and the next run's dbt collided with it ("relation ... already exists") and failed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, cli_env, run_cli
from reliability_support import FAST

from metric_pulse.sandbox.generate import generate
from metric_pulse.sandbox.server import SandboxServer

PARENT = """
import subprocess, sys, time
sys.path.insert(0, {root!r})
from metric_pulse.dbt_runner import die_with_parent
child = subprocess.Popen(["sleep", "60"], preexec_fn=die_with_parent())
print(child.pid, flush=True)
time.sleep(60)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat")
    return not (state.exists() and state.read_text().split()[2] == "Z")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl(PR_SET_PDEATHSIG) is Linux-only")
def test_a_child_started_for_dbt_dies_with_its_parent() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT.format(root=str(PROJECT_ROOT))], stdout=subprocess.PIPE, text=True
    )
    child = int(parent.stdout.readline())
    assert _alive(child)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child), "the child outlived its SIGKILLed parent"


@pytest.mark.reliability
def test_run_killed_alone_during_dbt_then_a_clean_run_succeeds(tmp_path: Path, pg_db) -> None:
    store = tmp_path / "store"
    generate(store, seed=5, customers=60, orders=240)
    exe = str(Path(sys.executable).with_name("metric-pulse"))
    with SandboxServer(store, rate_limits="off") as server:
        env = cli_env(
            METRIC_PULSE_DATA_DIR=str(tmp_path / "state"),
            DBT_THREADS="2",
            **FAST,
            **server.env(),
            **pg_db.dbt_env(),
        )
        log = tmp_path / "killed.log"
        with open(log, "w") as out:
            proc = subprocess.Popen(
                [exe, "run"], env=env, cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT
            )
            deadline = time.monotonic() + 600
            while "START sql" not in log.read_text(errors="replace") and time.monotonic() < deadline:
                time.sleep(0.3)
            time.sleep(2)
            proc.send_signal(signal.SIGKILL)  # the run only, as `kill -9 <pid>` or the OOM killer would
            proc.wait()
        clean = run_cli("run", env=env, timeout=900)
    assert clean.returncode == 0, clean.stdout[-3000:] + clean.stderr[-2000:]
