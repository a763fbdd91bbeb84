"""Fault injection, one platform at a time: 5xx, slow answers past the client timeout, cut-off bodies, dropped
connections. `metric-pulse extract --platform P` must complete and raw must equal the store (every id once, at
its newest modification time)."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest
from conftest import cli_env, run_cli
from reliability_support import FAST, PLATFORMS, RESOURCES, query, raw_differences, store_truth

from metric_pulse.sandbox.generate import generate
from metric_pulse.sandbox.server import SandboxServer

FAULTS = dict(fail_rate=0.08, slow_rate=0.04, malformed_rate=0.04, drop_rate=0.04, slow_delay=2.5)


@pytest.fixture(scope="module")
def fault_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("fault-store") / "store"
    generate(store, seed=13, customers=80, orders=300)
    return store


@pytest.mark.reliability
@pytest.mark.parametrize("platform", PLATFORMS)
def test_faults_on_one_platform_lose_nothing(platform: str, fault_store: Path, pg_db, tmp_path: Path) -> None:
    with SandboxServer(
        fault_store, rate_limits="off", seed=zlib.crc32(platform.encode()) % 1000, **FAULTS
    ) as server:
        env = cli_env(
            METRIC_PULSE_DATA_DIR=str(tmp_path / "state"),
            BATCH_SIZE="10",
            HTTP_TIMEOUT_SECONDS="1",
            HTTP_MAX_RETRIES="8",
            **FAST,
            **server.env(),
            **pg_db.dbt_env(),
        )
        proc = run_cli("extract", "--platform", platform, env=env, timeout=600)
        served = server.stats()[platform]
    print(
        f"\n{platform}: faults injected {served['faults']} in {served['requests']} requests\n{proc.stdout[-600:]}"
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert sum(served["faults"].values()) >= 5, "too few faults drawn to prove anything"
    problems = [
        p
        for resource in RESOURCES
        for p in raw_differences(pg_db, store_truth(fault_store, platform, resource), platform, resource)
    ]
    assert not problems, "\n".join(problems)
    retries = query(pg_db, "select details->>'retries' from ops.etl_logs where step = %s", f"load:{platform}")
    assert retries and int(retries[0][0]) > 0
