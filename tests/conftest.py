"""Shared fixtures: the real embedded PostgreSQL, a fresh database per test, the CLI.

Tests share the project's embedded server (started once, reused if running) but
each gets its own database, so they never touch `ecommerce_analytics`.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from metric_pulse.warehouse import DbSettings, EmbeddedPostgres, ensure_database

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# `metric-pulse run` writes an HTML report; tests' reports go here, never into the checkout's reports/.
TEST_REPORT_DIR = Path(tempfile.mkdtemp(prefix="metric-pulse-test-reports-"))
atexit.register(shutil.rmtree, TEST_REPORT_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server() -> DbSettings:
    """Admin settings of the embedded server (database `postgres`)."""
    return EmbeddedPostgres().start().with_database("postgres")


def _drop(server: DbSettings, name: str) -> None:
    conn = server.connect()
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'drop database if exists "{name}" with (force)')
    conn.close()


@pytest.fixture
def pg_db(pg_server: DbSettings) -> Iterator[DbSettings]:
    """A fresh, empty database for one test, dropped afterwards."""
    name = f"mp_test_{uuid.uuid4().hex[:10]}"
    settings = pg_server.with_database(name)
    ensure_database(settings)
    yield settings
    _drop(pg_server, name)


@pytest.fixture
def pg_env(pg_db: DbSettings) -> dict[str, str]:
    """DB_* variables for `pg_db`, as dbt's profiles.yml and the CLI read them."""
    return pg_db.dbt_env()


def cli_env(**overrides: str) -> dict[str, str]:
    """A clean environment for running `metric-pulse`: no store or DB settings leak in from the shell."""
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SHOPIFY_", "WOOCOMMERCE_", "COMMERCETOOLS_", "DB_", "ENABLE_"))
        and k != "DATABASE_URL"
    }
    keep.setdefault("METRIC_PULSE_REPORT_DIR", str(TEST_REPORT_DIR))
    keep.update(overrides)
    return keep


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 600, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    """Run the installed `metric-pulse` console script; output captured as text."""
    exe = Path(sys.executable).with_name("metric-pulse")
    return subprocess.run(
        [str(exe), *args],
        env=env or cli_env(),
        cwd=cwd or PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def demo_runs(tmp_path_factory, pg_server):
    """Two `metric-pulse run`s on the demo default into one fresh database, shared by every test that
    needs built marts (the end-to-end and report tests). Reports go to `<data_dir>/reports`."""
    data_dir = tmp_path_factory.mktemp("data")
    db = pg_server.with_database("mp_test_e2e_demo")
    _drop(pg_server, db.database)
    ensure_database(db)
    env = cli_env(
        METRIC_PULSE_DATA_DIR=str(data_dir),
        METRIC_PULSE_REPORT_DIR=str(data_dir / "reports"),
        DBT_THREADS="2",
        **db.dbt_env(),
    )
    first = run_cli("run", env=env)
    second = run_cli("run", env=env)
    status = run_cli("status", env=env)
    yield db, data_dir, first, second, status
    _drop(pg_server, db.database)


@pytest.fixture
def own_data_dir() -> Iterator[Path]:
    """A throwaway METRIC_PULSE_DATA_DIR for a test that needs its own embedded server.

    It lives under the project's .data, not /tmp: as root the server runs as another
    user, who can traverse .data but not pytest's private /tmp/pytest-of-root.
    """
    import shutil
    import tempfile

    base = PROJECT_ROOT / ".data"
    base.mkdir(exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix="test-", dir=base))
    path.chmod(0o711)
    try:
        yield path
    finally:
        server = EmbeddedPostgres(path / "postgres")
        if server.running_port() is not None:
            server.stop()
        shutil.rmtree(path, ignore_errors=True)
