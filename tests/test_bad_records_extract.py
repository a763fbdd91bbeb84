"""Records that used to stop a platform's load on every run (issue 14, items 1-4): now rejected once.

A small generated store plus `bad_input_corpus.build_hardening` (a timestamp that
overflows, integers beyond signed 64 bits, a byte that is not UTF-8, nesting
3,000 levels deep, NaN / Infinity / 1e400 / "two" / "N/A" in line items) is
served over real HTTP and extracted into a real PostgreSQL twice: a full run,
then an incremental one (which used to fail with a bare "StopIteration:").
Both succeed, every good record loads, and each bad one is in
`rejected_records` once, with its reason, and counted once in `ops.etl_logs`.
"""

from __future__ import annotations

import json
from collections import Counter

import bad_input_corpus
import pytest
from conftest import cli_env, run_cli
from reliability_support import PLATFORMS, RESOURCES, query, raw_differences, store_truth

from metric_pulse.sandbox.generate import generate
from metric_pulse.sandbox.server import SandboxServer


@pytest.fixture(scope="module")
def extracted(tmp_path_factory, pg_server):
    from metric_pulse.warehouse import ensure_database

    tmp = tmp_path_factory.mktemp("hardening")
    store = tmp / "store"
    generate(store, seed=11, customers=30, orders=60)
    good = {(p, r): store_truth(store, p, r) for p in PLATFORMS for r in RESOURCES}
    corpus = bad_input_corpus.inject(store, bad_input_corpus.build_hardening)
    db = pg_server.with_database(f"mp_test_hardening_{tmp.name[-6:].lower()}")
    ensure_database(db)
    with SandboxServer(store, rate_limits="off") as server:
        env = cli_env(METRIC_PULSE_DATA_DIR=str(tmp / "state"), HTTP_TIMEOUT_SECONDS="10", **server.env())
        env.update(db.dbt_env())
        runs = [run_cli("extract", env=env, timeout=600) for _ in range(2)]
    yield db, corpus, good, runs
    admin = pg_server.connect()
    admin.autocommit = True
    admin.cursor().execute(f'drop database if exists "{db.database}" with (force)')
    admin.close()


def test_both_runs_succeed_on_every_platform(extracted) -> None:
    """Before: 'extract step failed: OverflowError' (full run), 'StopIteration:' (incremental run),
    'bigint out of range', a page that failed after its retries, RecursionError."""
    *_, runs = extracted
    for proc in runs:
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        assert "FAILED" not in proc.stdout, proc.stdout


def test_every_good_record_loads(extracted) -> None:
    db, _, good, _ = extracted
    problems = [
        p
        for (platform, resource), truth in good.items()
        for p in raw_differences(db, truth, platform, resource)
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_each_bad_record_is_rejected_once_with_its_reason(extracted, platform: str) -> None:
    db, corpus, _, _ = extracted
    bad = {b.what: b for b in corpus if b.platform == platform}
    rows = query(db, f"select reason, raw_json from raw_{platform}.rejected_records")
    got = Counter(bad_input_corpus.marker_of(json.loads(raw)) for _, raw in rows)
    assert got == Counter(list(bad)), f"{platform}: rejected {dict(got)}"
    for reason, raw in rows:
        expected = bad[bad_input_corpus.marker_of(json.loads(raw))].reason
        assert expected in reason, f"{platform}: {reason!r} does not say {expected!r}"
    logged = query(
        db,
        "select records_rejected from ops.etl_logs where step = %s order by started_at",
        f"load:{platform}",
    )
    assert logged == [(len(bad),), (0,)], f"{platform}: etl_logs says {logged}"
