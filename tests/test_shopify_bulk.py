"""Shopify backfills through Bulk Operations, against the sandbox over real HTTP into the embedded PostgreSQL.

The paginated path is the reference: for the same store, the bulk path must load the very
same rows into every raw table (child tables included, each row with its root order's id
and its position in its list). Then what goes wrong on a real shop: a FAILED operation,
busy bulk slots, a run killed while its operation runs (a real process, SIGKILLed, as
tests/test_reliability_kill.py kills runs), an operation that expired meanwhile, and a
result URL held past its validity.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import PROJECT_ROOT
from reliability_support import kill_tree, query
from sandbox_fixtures import FakeClock

from loaders.http_client import DownloadRefused
from loaders.pacing import RequestStats
from loaders.shopify import queries
from loaders.shopify.bulk import BulkJob
from loaders.shopify.bulk_query import bulk_document, routes
from loaders.shopify.bulk_state import OperationLog
from loaders.shopify.graphql import ShopifyGraphQL
from metric_pulse.config import load_settings
from metric_pulse.extract import StoreLoad, load_store
from metric_pulse.sandbox.generator import generate
from metric_pulse.sandbox.server import SandboxServer
from metric_pulse.warehouse import DbSettings

SCHEMA = "raw_shopify"
ONLY_SHOPIFY = {
    "ENABLE_WOOCOMMERCE": "false",
    "ENABLE_COMMERCETOOLS": "false",
    "SHOPIFY_RATE_LIMIT": "50",
    "SHOPIFY_RATE_BURST": "50",
    "HTTP_TIMEOUT_SECONDS": "10",
}
PAGINATED = {"SHOPIFY_BULK_AFTER_DAYS": "off"}
OPERATIONS = "query Ops { bulkOperations(first: 50) { nodes { id status query } } }"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated store with one order of more than 250 lines and one product of more than 100 variants."""
    out = tmp_path_factory.mktemp("shopify-bulk-store")
    generate(out, customers=30, orders=120, options={"shopify_large": 1})
    return out


@contextmanager
def sandbox(store: Path, **options: Any) -> Iterator[SandboxServer]:
    server = SandboxServer(store, rate_limits="off", **options).start()
    try:
        yield server
    finally:
        server.stop()


def settings_env(server: SandboxServer, **env: str) -> dict[str, str]:
    return {**server.env(), **ONLY_SHOPIFY, **env}


def load(server: SandboxServer, db: DbSettings, pipelines: Path, **env: str) -> StoreLoad:
    settings = load_settings(settings_env(server, **env))
    result = load_store(settings.store("shopify"), settings, db, pipelines_dir=pipelines)
    assert result.error is None, result.error
    return result


def raw_rows(db: DbSettings) -> dict[str, list[tuple]]:
    """Every data table of raw_shopify: its rows without dlt's bookkeeping, children with their root's id."""
    tables = [
        t
        for (t,) in query(
            db,
            "select table_name from information_schema.tables where table_schema = %s "
            "and table_name not like '\\_dlt%%' and table_name not in ('store', 'rejected_records', 'deleted_records')",
            SCHEMA,
        )
    ]
    found = {}
    for table in tables:
        columns = [
            c
            for (c,) in query(
                db,
                "select column_name from information_schema.columns where table_schema = %s and table_name = %s",
                SCHEMA,
                table,
            )
        ]
        kept = [c for c in columns if not c.startswith("_dlt_") or c == "_dlt_list_idx"]
        select = ", ".join(f't."{c}"' for c in sorted(kept))
        if "_dlt_root_id" in columns:
            root = table.split("__")[0]
            sql = f'select r.id, {select} from {SCHEMA}."{table}" t join {SCHEMA}."{root}" r on r._dlt_id = t._dlt_root_id'
        else:
            sql = f'select {select} from {SCHEMA}."{table}" t'
        found[table] = sorted(query(db, sql), key=repr)
    return found


def operations(server: SandboxServer) -> list[dict]:
    """The app's bulk operations on the sandbox store, newest first, asked for as any client would."""
    env = server.env()
    token = server.credentials["shopify"]["access_token"]
    r = requests.post(
        f"{env['SHOPIFY_STORE_URL']}/admin/api/{env.get('SHOPIFY_API_VERSION', '2026-10')}/graphql.json",
        headers={"X-Shopify-Access-Token": token},
        json={"query": OPERATIONS},
        timeout=10,
    )
    assert r.status_code == 200 and "errors" not in r.json(), r.text
    return r.json()["data"]["bulkOperations"]["nodes"]


def of(resource: str, ops: list[dict]) -> list[dict]:
    return [op for op in ops if op["query"].lstrip("{ ").startswith(resource)]


@pytest.fixture(scope="module")
def paginated_rows(store: Path, pg_server: DbSettings, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The reference: the store loaded by paginated queries only."""
    from conftest import _drop  # the per-test database fixture is function-scoped

    from metric_pulse.warehouse import ensure_database

    db = pg_server.with_database("mp_test_bulk_reference")
    _drop(pg_server, db.database)
    ensure_database(db)
    try:
        with sandbox(store) as server:
            load(server, db, tmp_path_factory.mktemp("pipelines"), **PAGINATED)
        return raw_rows(db)
    finally:
        _drop(pg_server, db.database)


def test_a_first_run_backfills_through_bulk_operations_with_the_rows_of_the_paginated_path(
    store: Path, pg_db: DbSettings, tmp_path: Path, paginated_rows: dict
) -> None:
    with sandbox(store) as server:
        first = load(server, pg_db, tmp_path)
        ops = operations(server)
        assert [len(of(r, ops)) for r in ("customers", "products", "orders")] == [1, 1, 1]
        assert all(op["status"] == "COMPLETED" for op in ops)
        assert not first.warnings
        rows = raw_rows(pg_db)
        assert rows.keys() == paginated_rows.keys()
        for table, expected in paginated_rows.items():
            assert rows[table] == expected, (
                f"{table}: the bulk path loaded other rows than the paginated path"
            )
        # the long order and the long product are whole (their connections were not cut at a page)
        lines = query(
            pg_db, f"select count(*) from {SCHEMA}.orders__line_items group by _dlt_root_id order by 1 desc"
        )
        assert lines[0][0] > 250
        variants = query(
            pg_db, f"select count(*) from {SCHEMA}.products__variants group by _dlt_root_id order by 1 desc"
        )
        assert variants[0][0] > 100

        # the next run is incremental, through pages: its window reaches back to the newest change (weeks
        # ago in this store), but the last run was minutes ago
        load(server, pg_db, tmp_path)
        assert len(operations(server)) == 3
        # a gap wider than the threshold (here: any) goes through filtered bulk operations again
        load(server, pg_db, tmp_path, SHOPIFY_BULK_AFTER_DAYS="0")
        again = operations(server)
        assert len(again) == 6 and all("updated_at:>=" in op["query"] for op in again[:3])
        assert raw_rows(pg_db) == paginated_rows


def test_a_failed_operation_falls_back_to_paginated_queries_and_loses_nothing(
    store: Path, pg_db: DbSettings, tmp_path: Path, paginated_rows: dict
) -> None:
    with sandbox(store, shopify_bulk_fail=True) as server:
        result = load(server, pg_db, tmp_path)
        assert all(op["status"] == "FAILED" for op in operations(server))
    assert raw_rows(pg_db) == paginated_rows  # the partial data was not loaded on its own
    assert len(result.warnings) == 3
    assert all("FAILED (INTERNAL_SERVER_ERROR)" in w and "paginated" in w for w in result.warnings), (
        result.warnings
    )


def test_busy_bulk_slots_are_waited_for_then_paginated_queries_load(
    store: Path, pg_db: DbSettings, tmp_path: Path, paginated_rows: dict
) -> None:
    # another app (or a run of ours long gone) holds every slot for ten minutes; we wait 3 s
    with sandbox(store, shopify_bulk_busy=5, shopify_bulk_busy_seconds=600) as server:
        result = load(server, pg_db, tmp_path, SHOPIFY_BULK_WAIT_MINUTES="0.05")
        assert len(operations(server)) == 5  # none of ours was started
    assert raw_rows(pg_db) == paginated_rows
    assert len(result.warnings) == 3 and all("stayed busy" in w for w in result.warnings), result.warnings


def test_a_slot_freed_while_waiting_is_used(store: Path, pg_db: DbSettings, tmp_path: Path) -> None:
    with sandbox(store, shopify_bulk_busy=5, shopify_bulk_busy_seconds=3) as server:
        result = load(server, pg_db, tmp_path, SHOPIFY_BULK_WAIT_MINUTES="1")
        ours = [op for op in operations(server) if "legacyResourceId" in op["query"]]  # not the busy ones
    assert not result.warnings, result.warnings
    assert [len(of(r, ours)) for r in ("customers", "products", "orders")] == [1, 1, 1]
    assert all(op["status"] == "COMPLETED" for op in ours)


# --- a run killed while its operation runs ----------------------------------------------------------

KILLED_RUN = """
import json, os, sys
from pathlib import Path
from loaders.http_client import DownloadRefused
from loaders.pacing import RequestStats
from loaders.shopify import queries
from loaders.shopify.bulk import BulkJob
from loaders.shopify.bulk_query import bulk_document, routes
from loaders.shopify.bulk_state import OperationLog
from loaders.shopify.graphql import ShopifyGraphQL
from metric_pulse.config import load_settings
from metric_pulse.extract import load_store
from metric_pulse.warehouse import DbSettings
env, db, pipelines = json.loads(sys.argv[1]), DbSettings(**json.loads(sys.argv[2])), Path(sys.argv[3])
settings = load_settings(env)
load_store(settings.store("shopify"), settings, db, pipelines_dir=pipelines)
"""


def kill_while_running(server: SandboxServer, db: DbSettings, pipelines: Path) -> str:
    """Start a load in a process of its own, SIGKILL it once an operation of ours runs; the resource it was for."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            KILLED_RUN,
            json.dumps(settings_env(server)),
            json.dumps(dataclasses.asdict(db)),
            str(pipelines),
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            state = next(pipelines.rglob("shopify_bulk_operations.json"), None)
            entries = json.loads(state.read_text()) if state is not None else {}
            if entries:
                (resource,) = entries
                break
            assert process.poll() is None, "the run ended before it started a bulk operation"
            time.sleep(0.05)
        else:
            pytest.fail("no bulk operation was started within 2 minutes")
    finally:
        kill_tree(process.pid)
        process.wait()
    running = of(resource, operations(server))
    assert [op["status"] for op in running] in (["CREATED"], ["RUNNING"]), running
    return resource


def test_a_killed_run_resumes_its_operation_instead_of_starting_another(
    store: Path, pg_db: DbSettings, tmp_path: Path, paginated_rows: dict
) -> None:
    with sandbox(store, shopify_bulk_seconds=4) as server:
        resource = kill_while_running(server, pg_db, tmp_path)
        result = load(server, pg_db, tmp_path)
        assert len(of(resource, operations(server))) == 1  # resumed, not started again
    assert not result.warnings, result.warnings
    assert raw_rows(pg_db) == paginated_rows


@contextmanager
def running_clock(clock: FakeClock, speed: float = 5.0) -> Iterator[None]:
    """Let the sandbox's clock run `speed` times faster than the real one (a test may also jump it)."""
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(0.05):
            clock.advance(0.05 * speed)

    thread = threading.Thread(target=tick, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def test_a_killed_run_whose_operation_expired_runs_it_again(
    store: Path, pg_db: DbSettings, tmp_path: Path, paginated_rows: dict
) -> None:
    clock = FakeClock()
    with running_clock(clock), sandbox(store, clock=clock, shopify_bulk_seconds=10) as server:
        resource = kill_while_running(server, pg_db, tmp_path)
        deadline = time.monotonic() + 60
        while of(resource, operations(server))[0]["status"] != "COMPLETED":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        clock.advance(8 * 86400)  # a week later Shopify has dropped the result: the operation is EXPIRED
        assert of(resource, operations(server))[0]["status"] == "EXPIRED"
        result = load(server, pg_db, tmp_path)
        assert [op["status"] for op in of(resource, operations(server))] == ["COMPLETED", "EXPIRED"]
    assert raw_rows(pg_db) == paginated_rows
    assert not result.warnings, result.warnings


def test_a_result_url_that_expired_is_asked_for_again(store: Path, tmp_path: Path) -> None:
    """An operation's URL held past its validity (a download retried late): a fresh one from bulkOperation(id:)."""
    with sandbox(store, shopify_bulk_url_ttl=1) as server:
        settings = load_settings(settings_env(server))
        client = ShopifyGraphQL(settings.store("shopify").config, settings.load, RequestStats())
        job = BulkJob(
            client, "products", bulk_document("products", queries.PRODUCT, None), OperationLog(tmp_path)
        )
        operation = job._wait(job._start())
        assert operation.status == "COMPLETED" and operation.url
        time.sleep(1.5)
        with pytest.raises(DownloadRefused, match="ExpiredToken"):
            list(client.api.download(operation.url))
        with job._download(operation, tmp_path) as spill:  # the stale operation, as a late retry holds it
            products = list(spill.objects(routes(queries.PRODUCT)))
    assert len(products) == sum(
        1 for line in (store / "shopify" / "products.json").open() if line.startswith("{")
    )
    assert sum(len(p["variants"]["nodes"]) for p in products) > 100
