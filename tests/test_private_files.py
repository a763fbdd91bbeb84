"""Local files that hold customer data or secrets are the owner's only, and do not outlive their use.

Before (issue 14, item 10): every dlt load package (full copies of customer e-mails
and addresses) stayed under `.data/dlt` forever, readable by any local user (0644
files in 0755 directories), and the initdb password file was written 0644 and
survived a SIGKILL of the process that started the server.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

from conftest import PROJECT_ROOT, cli_env, run_cli

from metric_pulse.sandbox.generate import generate
from metric_pulse.sandbox.server import SandboxServer


def _open_to_others(root: Path) -> list[str]:
    """Paths under `root` (itself included) that a group or other user may read or write."""
    found = []
    for path in [root, *root.rglob("*")]:
        if path.stat().st_mode & 0o066:
            found.append(f"{path.relative_to(root.parent)} {stat.filemode(path.stat().st_mode)}")
    return found


def _content(path: Path) -> bytes:
    """A file's bytes, gunzipped if dlt compressed it (its job files are)."""
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def test_loaded_packages_keep_no_customer_data_and_state_is_private(tmp_path, pg_db):
    store = tmp_path / "store"
    generate(store, seed=3, customers=30, orders=90)
    emails = {
        c["email"] for c in json.loads((store / "shopify" / "customers.json").read_text()) if c.get("email")
    }
    state = tmp_path / "state"
    with SandboxServer(store, rate_limits="off") as server:
        env = cli_env(METRIC_PULSE_DATA_DIR=str(state), **server.env(), **pg_db.dbt_env())
        proc = run_cli("extract", "--platform", "shopify", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    leaked = [
        str(path.relative_to(state))
        for path in (state / "dlt").rglob("*")
        if path.is_file() and any(e.encode() in _content(path) for e in emails)
    ]
    assert leaked == [], "customer e-mails left in dlt's working files"
    assert _open_to_others(state) == []
    assert _open_to_others(PROJECT_ROOT / "logs") == []


_START = """
import sys
from pathlib import Path
from metric_pulse.warehouse import EmbeddedPostgres
EmbeddedPostgres(Path(sys.argv[1]) / "postgres").start()
"""


def test_initdb_password_file_is_private_and_gone_after_a_kill(own_data_dir):
    pwfile = own_data_dir / ".initdb-pw"
    starter = subprocess.Popen(
        [sys.executable, "-c", _START, str(own_data_dir)], start_new_session=True, cwd=PROJECT_ROOT
    )
    mode = None
    try:
        deadline = time.monotonic() + 120
        while mode is None and starter.poll() is None and time.monotonic() < deadline:
            try:
                mode = stat.S_IMODE(pwfile.stat().st_mode)
            except FileNotFoundError:
                time.sleep(0.002)
    finally:
        os.killpg(starter.pid, signal.SIGKILL)  # the starter and initdb with it: no `finally` runs
        starter.wait()
    assert mode is not None, "initdb finished before the password file was seen"
    assert mode == 0o600, oct(mode)
    # The next start cleans up what the killed one left (and initialises the server anew).
    (own_data_dir / "postgres").exists() and subprocess.run(["rm", "-rf", str(own_data_dir / "postgres")])
    started = run_cli("db", "url", env=cli_env(METRIC_PULSE_DATA_DIR=str(own_data_dir)))
    assert started.returncode == 0, started.stderr
    assert not pwfile.exists()
