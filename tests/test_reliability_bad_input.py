"""Bad input: a corpus of malformed records (tests/bad_input_corpus.py) served next to a generated store.

`metric-pulse run` must complete and `dbt build` pass; every good record loads;
every bad one is either rejected (a row in raw_<platform>.rejected_records with
the record's JSON and a reason, counted in ops.etl_logs.records_rejected) or,
when it is odd but representable, loaded like any other; nothing else is lost;
and a later run still picks up new orders (a record dated in the future must not
carry the incremental cursor past them).
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import bad_input_corpus
import pytest
from conftest import cli_env, run_cli
from reliability_support import (
    FAST,
    PLATFORMS,
    RESOURCES,
    give_new_order_id,
    later,
    modified,
    query,
    raw_differences,
    read,
    set_modified,
    store_truth,
    write,
)

from loaders.incremental import RecordShape, Rejected
from metric_pulse.sandbox.generate import generate
from metric_pulse.sandbox.server import SandboxServer
from metric_pulse.sandbox.store import encode_records


def test_sandbox_serves_a_lone_surrogate_as_its_json_escape() -> None:
    """A real API can send "\\udc80" (valid JSON, not UTF-8); the emulator used to answer 500 instead."""
    body = encode_records([{"id": 1, "note": "bad \udc80 escape", "name": "Jörg"}])
    assert body.isascii()
    assert json.loads(body) == [{"id": 1, "note": "bad \udc80 escape", "name": "Jörg"}]


@pytest.mark.parametrize(
    "record, reason",
    [
        ({"total": "-120.00"}, "total -120.00 is negative"),
        ({"total": "99999999999999999999.99"}, "beyond any real order total"),
        ({"total": "NaN"}, "is not an amount"),
        ({"total": "ten"}, "is not an amount"),
        ({"totalPrice": {"centAmount": -5000}}, "totalPrice.centAmount -5000 is negative"),
        ({"totalPrice": {"centAmount": 10**15}}, "beyond any real order total"),
    ],
)
def test_negative_or_absurd_order_totals_are_rejected(record: dict, reason: str) -> None:
    """Before: they loaded, and the money-identity test failed the whole dbt build for one bad order."""
    shape = RecordShape((int,), "updated_at", amounts=("total", "totalPrice.centAmount"))
    with pytest.raises(Rejected, match=reason):
        shape.check_fields(record)


def test_plausible_order_totals_pass() -> None:
    shape = RecordShape((int,), "updated_at", amounts=("total", "totalPrice.centAmount"))
    for record in (
        {"total": "0.00"},
        {"total": 59.73},
        {"total": "120000.5"},
        {"total": None},
        {},
        {"totalPrice": {"centAmount": 1234, "currencyCode": "EUR"}},
        {"totalPrice": None},
    ):
        shape.check_fields(record)


def test_corpus_covers_every_kind_of_bad_input() -> None:
    """At least 70 malformed records across the three platforms (the issues' lists of kinds)."""
    kinds = (
        "missing id",
        "type",
        "null",
        "huge",
        "surrogate",
        "negative",
        "absurd",
        "currency",
        "duplicate",
        "future",
        "NUL",
        "overflows",
        "64 bits",
        "not UTF-8",
        "levels deep",
        "NaN",
        "Infinity",
        "1e400",
        "is text (two)",
        "N/A",
    )
    whats = [b.what for b in bad_input_corpus.build(_tiny_store())]
    assert len(whats) >= 70
    for kind in kinds:
        assert any(kind.lower() in w.lower() or (kind == "type" and " as " in w) for w in whats), kind


_TINY: Path | None = None


def _tiny_store() -> Path:
    global _TINY
    if _TINY is None:
        import tempfile

        _TINY = Path(tempfile.mkdtemp(prefix="mp-corpus-")) / "store"
        generate(_TINY, seed=5, customers=40, orders=120)
    return _TINY


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory, pg_server):
    """One `metric-pulse run` on a generated store plus the corpus, then one order added per platform and
    `metric-pulse extract` again; yields (db, store, corpus, good records, first run, added ids, second run)."""
    from metric_pulse.warehouse import ensure_database

    tmp = tmp_path_factory.mktemp("bad-input")
    store = tmp / "store"
    generate(store, seed=5, customers=60, orders=240)
    good = {(p, r): store_truth(store, p, r) for p in PLATFORMS for r in RESOURCES}
    corpus = bad_input_corpus.inject(store)
    db = pg_server.with_database(f"mp_test_bad_input_{tmp.name[-6:].lower()}")
    ensure_database(db)
    with SandboxServer(store, rate_limits="off") as server:
        env = cli_env(
            METRIC_PULSE_DATA_DIR=str(tmp / "state"),
            DBT_THREADS="2",
            HTTP_TIMEOUT_SECONDS="10",
            **FAST,
            **server.env(),
            **db.dbt_env(),
        )
        first = run_cli("run", env=env, timeout=900)
        print(first.stdout[-2500:])
        raw_after_first = {
            p: {str(i) for (i,) in query(db, f"select id from raw_{p}.orders")} for p in PLATFORMS
        }
        # new orders after the corpus (three of its records are dated in the future) must still load
        added = {}
        for platform in PLATFORMS:
            orders = read(store, platform, "orders")
            fresh = json.loads(json.dumps(good_order(orders, platform)))
            give_new_order_id(platform, fresh, orders, "0b5e8d0c-0000-4000-8000-00000000abcd", step=5)
            # a new order is modified now (the generated data ends in the past)
            set_modified(platform, fresh, later(datetime.now(UTC), seconds=-30))
            write(store, platform, "orders", orders + [fresh])
            added[platform] = str(fresh["id"])
        second = run_cli("extract", env=env, timeout=600)
    yield db, store, corpus, good, first, raw_after_first, added, second
    admin = pg_server.connect()
    admin.autocommit = True
    admin.cursor().execute(f'drop database if exists "{db.database}" with (force)')
    admin.close()


@pytest.mark.reliability
@pytest.mark.timeout(1800)  # the module fixture runs the whole pipeline
def test_the_run_completes_and_every_platform_loads(corpus_run) -> None:
    *_, first, _, _, _ = corpus_run
    assert "status=" in first.stdout, first.stdout[-3000:] + first.stderr[-3000:]
    assert "FAILED:" not in first.stdout, "a platform failed on bad input instead of rejecting it"


@pytest.mark.reliability
def test_raw_holds_every_good_record_and_the_representable_bad_ones(corpus_run) -> None:
    db, store, corpus, good, _, _, added, _ = corpus_run
    problems = []
    for platform in PLATFORMS:
        for resource in RESOURCES:
            expected = dict(good[(platform, resource)])
            for bad in corpus:
                if (bad.platform, bad.resource) != (platform, resource) or bad.expect == "rejected":
                    continue
                moment, key = modified(platform, bad.record), str(bad.id)
                expected[key] = max(expected.get(key, moment), moment)  # duplicates: the newest version
            if resource == "orders":  # the order the fixture added after the first run
                fresh = next(
                    o for o in read(store, platform, "orders") if str(o.get("id")) == added[platform]
                )
                expected[added[platform]] = modified(platform, fresh)
            problems += raw_differences(db, expected, platform, resource)
    assert not problems, "\n".join(problems)


@pytest.mark.reliability
def test_bad_records_are_in_rejected_records_once_and_counted_in_etl_logs(corpus_run) -> None:
    db, _, corpus, *_ = corpus_run
    for platform in PLATFORMS:
        want = Counter(b.what for b in corpus if b.platform == platform and b.expect == "rejected")
        rows = query(db, f"select resource, reason, raw_json from raw_{platform}.rejected_records")
        got = Counter(bad_input_corpus.marker_of(json.loads(raw)) for _, _, raw in rows)
        assert got == want, f"{platform}: rejected {dict(got)}, expected {dict(want)}"
        assert all(reason for _, reason, _ in rows)
        reasons = {b.what: b.reason for b in corpus if b.platform == platform and b.reason}
        for _, reason, raw in rows:
            expected = reasons.get(bad_input_corpus.marker_of(json.loads(raw)), "")
            assert expected in reason, f"{platform}: {reason!r} does not say {expected!r}"
        logged = query(
            db,
            "select records_rejected from ops.etl_logs where step = %s order by started_at",
            f"load:{platform}",
        )
        assert logged[0] == (sum(want.values()),), f"{platform}: etl_logs says {logged}"
    total = query(db, "select records_rejected from ops.etl_logs where step = 'run' order by started_at")
    assert total[0] == (sum(1 for b in corpus if b.expect == "rejected"),)


@pytest.mark.reliability
def test_orders_added_after_the_bad_input_still_load(corpus_run) -> None:
    db, *_, raw_after_first, added, second = corpus_run
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    for platform, new_id in added.items():
        ids = {str(i) for (i,) in query(db, f"select id from raw_{platform}.orders")}
        assert new_id in ids, (
            f"{platform}: an order added after the bad input was not loaded\n{second.stdout[-2000:]}\n{second.stderr[-2000:]}"
        )
        assert ids - raw_after_first[platform] == {new_id}


@pytest.mark.reliability
def test_dbt_build_passes_on_the_bad_input(corpus_run) -> None:
    *_, first, _, _, _ = corpus_run
    failed = [
        line.split("failed: ", 1)[1]
        for line in first.stdout.splitlines()
        if line.strip().startswith("failed: ")
    ]
    assert first.returncode == 0 and "dbt build: ok" in first.stdout, failed or first.stdout[-3000:]


def good_order(orders: list, platform: str) -> dict:
    return next(o for o in orders if isinstance(o, dict) and bad_input_corpus.marker_of(o) is None)
