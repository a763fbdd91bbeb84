"""End to end: the three sources over real HTTP to the sandbox stores, into the embedded PostgreSQL.

The data directory is the ground truth: after every scenario the raw tables must
hold exactly its records (every id once, at its latest modification time), and
the child tables exactly their line items. Data sets are small so the default
suite stays quick; the kill and fault scenarios are marked `reliability`, the
real-speed Shopify rate-limit run `slow`. Shopify's first runs go through Bulk Operations and
its later runs through paginated GraphQL queries, as with a real store.
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT_ROOT, cli_env
from reliability_support import give_new_order_id

from loaders.incremental import parse_timestamp
from loaders.pacing import RequestStats
from loaders.shopify import shopify_source
from loaders.shopify.objects import flatten
from metric_pulse.config import Settings, load_settings
from metric_pulse.extract import StoreLoad, load_store, make_pipeline
from metric_pulse.logging_setup import setup_logging
from metric_pulse.platforms import PLATFORMS as REGISTRY
from metric_pulse.sandbox.generator import generate
from metric_pulse.sandbox.server import SandboxServer
from metric_pulse.warehouse import DbSettings

PLATFORMS = tuple(REGISTRY)
RESOURCES = ("customers", "products", "orders")
# the field each platform's order cursor reads (what a test editing the store must bump)
CURSOR = {name: platform.loader.cursor_fields["orders"] for name, platform in REGISTRY.items()}
CURSOR_COLUMN = {
    "shopify": "updated_at",
    "woocommerce": "date_modified_gmt",
    "commercetools": "last_modified_at",
}
LINE_ITEMS = {"shopify": "lineItems", "woocommerce": "line_items", "commercetools": "lineItems"}


# --- the store and the warehouse ------------------------------------------------------------


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated store (about 135 Shopify, 90 WooCommerce, 75 commercetools orders)."""
    out = tmp_path_factory.mktemp("sandbox-store")
    generate(out, customers=60, orders=300)
    return out


@pytest.fixture
def store(dataset: Path, tmp_path: Path) -> Path:
    """A private copy a test may edit (the sandbox re-reads files when they change)."""
    copy = tmp_path / "store"
    shutil.copytree(dataset, copy)
    return copy


@contextmanager
def sandbox(store: Path, **options: Any) -> Iterator[SandboxServer]:
    """The sandbox; Shopify's query-cost budget is the largest plan's unless a test asks for another."""
    options.setdefault("shopify_plan", "enterprise")
    server = SandboxServer(store, rate_limits=options.pop("rate_limits", "off"), **options).start()
    try:
        yield server
    finally:
        server.stop()


def settings_for(server: SandboxServer, **env: str) -> Settings:
    base = {
        **server.env(),
        "SHOPIFY_RATE_LIMIT": "50",
        "SHOPIFY_RATE_BURST": "50",
        "WOOCOMMERCE_RATE_LIMIT": "50",
        "COMMERCETOOLS_RATE_LIMIT": "50",
        "HTTP_TIMEOUT_SECONDS": "10",
    }
    return load_settings({**base, **env})


def load_all(
    settings: Settings,
    db: DbSettings,
    pipelines: Path,
    platforms: tuple[str, ...] = PLATFORMS,
    **options: Any,
) -> dict[str, StoreLoad]:
    """Every platform at once, as the run does it."""
    with ThreadPoolExecutor(max_workers=len(platforms)) as pool:
        loads = pool.map(
            lambda p: load_store(settings.store(p), settings, db, pipelines_dir=pipelines, **options),
            platforms,
        )
        return {load.platform: load for load in loads}


def truth(store: Path, platform: str, resource: str) -> list[dict]:
    return json.loads((store / platform / f"{resource}.json").read_text())


def query(db: DbSettings, sql: str, *args: Any) -> list[tuple]:
    conn = db.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall()
    finally:
        conn.close()


def as_utc(value: Any) -> datetime:
    return value.astimezone(UTC) if isinstance(value, datetime) else parse_timestamp(value)


def assert_raw_equals_store(db: DbSettings, store: Path, platforms: tuple[str, ...] = PLATFORMS) -> None:
    """Every record once, at its current version; every line item of the current versions once."""
    for platform in platforms:
        schema, cursor = f"raw_{platform}", CURSOR[platform]
        for resource in RESOURCES:
            records = truth(store, platform, resource)
            rows = query(db, f"select id, {CURSOR_COLUMN[platform]} from {schema}.{resource}")
            ids = [row[0] for row in rows]
            assert len(ids) == len(set(ids)), f"{platform}.{resource}: duplicate ids"
            assert sorted(map(str, ids)) == sorted(str(r["id"]) for r in records), (
                f"{platform}.{resource}: ids differ"
            )
            expected = {
                str(r["id"]): parse_timestamp(r.get(cursor) or r.get("date_created_gmt")) for r in records
            }
            stale = [i for i, moment in rows if as_utc(moment) != expected[str(i)]]
            assert not stale, f"{platform}.{resource}: old versions of {stale[:5]}"
        items = sum(len(flatten(r).get(LINE_ITEMS[platform]) or []) for r in truth(store, platform, "orders"))
        tables = {
            t
            for (t,) in query(
                db, "select table_name from information_schema.tables where table_schema = %s", schema
            )
        }
        assert "orders__line_items" in tables, f"{platform}: no line items table; tables: {sorted(tables)}"
        (loaded,) = query(
            db,
            f"select count(*) from {schema}.orders__line_items li "
            f"join {schema}.orders o on o._dlt_id = li._dlt_root_id",
        )[0]
        (orphans,) = query(
            db,
            f"select count(*) from {schema}.orders__line_items li where not exists "
            f"(select 1 from {schema}.orders o where o._dlt_id = li._dlt_root_id)",
        )[0]
        assert (loaded, orphans) == (items, 0), f"{platform}: line items"


def nested_links(db: DbSettings) -> dict[tuple[str, str, str], bool]:
    """{(schema, table, column): indexed?} for every nested table's link to its parent and root row."""
    found = query(
        db,
        r"""
        select c.table_schema, c.table_name, c.column_name, exists (
            select 1 from pg_indexes i
            where i.schemaname = c.table_schema and i.tablename = c.table_name
                and i.indexdef like '%%(' || c.column_name || ')')
        from information_schema.columns c
        where c.table_schema like 'raw\_%%' and c.table_schema not like '%%\_staging'
            and c.column_name in ('_dlt_parent_id', '_dlt_root_id')""",
    )
    return {(s, t, c): indexed for s, t, c, indexed in found}


def rows_in_loads(db: DbSettings, platform: str, table: str, load_ids: list[str]) -> int:
    return query(db, f"select count(*) from raw_{platform}.{table} where _dlt_load_id = any(%s)", load_ids)[
        0
    ][0]


@pytest.fixture
def log_dir(tmp_path: Path) -> Iterator[Path]:
    """The project's logging set up into a temporary logs/ (debug level: tracebacks too), undone afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    yield setup_logging(log_dir=tmp_path / "logs", verbose=True)
    for handler in root.handlers:
        if handler not in saved[0]:
            handler.close()
    root.handlers[:], root.level = saved


def assert_no_secret(text: str, settings: Settings) -> None:
    for secret in settings.secrets():
        assert secret not in text


# --- editing the store ------------------------------------------------------------------------


def _stamp(platform: str, moment: datetime) -> str:
    if platform == "shopify":
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if platform == "woocommerce":
        return moment.strftime("%Y-%m-%dT%H:%M:%S")
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _set_total(platform: str, order: dict, cents: int) -> None:
    if platform == "shopify":
        for money in order["totalPriceSet"].values():
            money["amount"] = f"{cents / 100:.2f}"
    elif platform == "woocommerce":
        order["total"] = f"{cents / 100:.2f}"
    else:
        order["totalPrice"]["centAmount"] = cents


def _total(platform: str) -> str:
    return {
        "shopify": "total_price_set__shop_money__amount",
        "woocommerce": "total",
        "commercetools": "total_price__cent_amount",
    }[platform]


def write(store: Path, platform: str, resource: str, records: list[dict]) -> None:
    path = store / platform / f"{resource}.json"
    path.write_text(json.dumps(records))
    stamp = time.time_ns() + 1_000_000_000
    os.utime(path, ns=(stamp, stamp))  # a new mtime even within the file system's granularity


def change_orders(
    store: Path, platform: str, *, changed: int, added: int, rng: random.Random
) -> dict[str, int]:
    """Bump `changed` orders (new time, new total) and append `added` new ones; {id: new total in cents}."""
    orders = truth(store, platform, "orders")
    newest = max(parse_timestamp(o[CURSOR[platform]]) for o in orders)
    later = newest + timedelta(hours=1)
    totals: dict[str, int] = {}
    for order in rng.sample(orders, changed):
        order[CURSOR[platform]] = _stamp(platform, later)
        if platform == "woocommerce":
            order["date_modified"] = order[CURSOR[platform]]
        totals[str(order["id"])] = 1_234_500 + len(totals)
        _set_total(platform, order, totals[str(order["id"])])
    for n in range(added):
        order = json.loads(json.dumps(rng.choice(orders)))
        give_new_order_id(platform, order, orders, str(uuid.uuid4()))
        order[CURSOR[platform]] = _stamp(platform, later + timedelta(seconds=n))
        totals[str(order["id"])] = 2_000_000 + n
        _set_total(platform, order, totals[str(order["id"])])
        orders.append(order)
    write(store, platform, "orders", orders)
    return totals


# --- scenarios --------------------------------------------------------------------------------


def test_first_run_then_exactly_the_changes_then_nothing_then_full_refresh(
    store: Path, pg_db: DbSettings, tmp_path: Path
) -> None:
    pipelines = tmp_path / "dlt"
    with sandbox(store) as server:
        settings = settings_for(server, BATCH_SIZE="40")  # several pages per resource
        first = load_all(settings, pg_db, pipelines)
        assert {p: load.error for p, load in first.items()} == dict.fromkeys(PLATFORMS)
        assert_raw_equals_store(pg_db, store)
        for platform, load in first.items():
            assert load.rows["orders"] == len(truth(store, platform, "orders"))
            assert load.rows["orders__line_items"] > 0 and load.rejected == 0 and load.pages >= 3
        links = nested_links(pg_db)  # indexed, so incremental dbt runs read a few orders' lines by index
        assert ("raw_shopify", "orders__line_items", "_dlt_parent_id") in links
        assert [link for link, indexed in links.items() if not indexed] == []

        rng = random.Random(7)
        expected = {
            p: change_orders(
                store, p, changed=max(1, len(truth(store, p, "orders")) // 100), added=3, rng=rng
            )
            for p in PLATFORMS
        }
        second = load_all(settings, pg_db, pipelines)
        assert {p: load.error for p, load in second.items()} == dict.fromkeys(PLATFORMS)
        assert_raw_equals_store(pg_db, store)
        for platform, load in second.items():
            totals = expected[platform]
            assert rows_in_loads(pg_db, platform, "orders", load.load_ids) == len(totals), platform
            assert load.rows.get("orders") == len(totals)
            for resource in ("customers", "products"):
                assert rows_in_loads(pg_db, platform, resource, load.load_ids) == 0, (platform, resource)
            raw_totals = dict(
                query(
                    pg_db,
                    f"select id::text, {_total(platform)}::text from raw_{platform}.orders "
                    f"where _dlt_load_id = any(%s)",
                    load.load_ids,
                )
            )
            want = {
                i: (str(c) if platform == "commercetools" else f"{c / 100:.2f}") for i, c in totals.items()
            }
            assert raw_totals == want, platform

        third = load_all(settings, pg_db, pipelines)
        assert {p: (load.error, load.rows) for p, load in third.items()} == dict.fromkeys(
            PLATFORMS, (None, {})
        )

        refreshed = load_store(
            settings.store("woocommerce"), settings, pg_db, pipelines_dir=pipelines, full_refresh=True
        )
        assert refreshed.error is None
        assert refreshed.rows["orders"] == len(truth(store, "woocommerce", "orders"))
        assert_raw_equals_store(pg_db, store, ("woocommerce",))
        assert [link for link, indexed in nested_links(pg_db).items() if not indexed] == [], "indexed again"


def test_bad_records_go_to_rejected_records_and_the_rest_loads(
    store: Path, pg_db: DbSettings, tmp_path: Path
) -> None:
    orders = truth(store, "shopify", "orders")
    good = len(orders)
    template, twice = orders[0], orders[1]
    newer = _stamp("shopify", parse_timestamp(twice["updatedAt"]) + timedelta(minutes=1))
    unpriced = json.loads(json.dumps(template["totalPriceSet"]))
    unpriced["shopMoney"]["amount"] = "N/A"
    # What a GraphQL schema lets through: DateTime and Decimal are strings of any content.
    orders += [
        {**template, "id": "gid://shopify/Order/9000001", "updatedAt": 12},
        {
            **twice,
            "updatedAt": newer,
            "totalPriceSet": {
                "shopMoney": {"amount": "777.77", "currencyCode": "USD"},
                "presentmentMoney": {"amount": "777.77", "currencyCode": "USD"},
            },
        },
        {**template, "id": "gid://shopify/Order/9000003", "updatedAt": "2099-01-01T00:00:00-05:00"},
        {**template, "id": "gid://shopify/Order/9000004", "name": "NUL \u0000 inside"},
        {**template, "id": "gid://shopify/Order/9000005", "totalPriceSet": unpriced},
    ]
    write(store, "shopify", "orders", orders)
    woo = truth(store, "woocommerce", "orders")
    woo.append({**woo[0], "id": 9_000_001, "date_modified_gmt": None})  # unreachable by modified_after
    write(store, "woocommerce", "orders", woo)
    ct_orders = truth(store, "commercetools", "orders")
    ct_orders.append({**ct_orders[0], "id": 42})
    ct_orders.append(
        {k: v for k, v in {**ct_orders[0], "id": str(uuid.uuid4())}.items() if k != "lastModifiedAt"}
    )
    write(store, "commercetools", "orders", ct_orders)
    with sandbox(store) as server:
        # Shopify paginated: only a listing meets an order twice (changed while paged), a bulk result never
        settings = settings_for(server, BATCH_SIZE="40", SHOPIFY_BULK_AFTER_DAYS="off")
        loads = load_all(settings, pg_db, tmp_path / "dlt")
        again = load_all(settings, pg_db, tmp_path / "dlt")
    assert {p: load.error for p, load in loads.items()} == dict.fromkeys(PLATFORMS)
    assert {p: load.rejected for p, load in loads.items()} == {
        "shopify": 4,
        "woocommerce": 1,
        "commercetools": 2,
    }
    assert {p: load.rejected for p, load in again.items()} == dict.fromkeys(PLATFORMS, 0)  # rejected once
    assert query(pg_db, "select count(*), count(distinct id) from raw_shopify.orders")[0] == (good, good)
    assert query(
        pg_db, "select total_price_set__shop_money__amount from raw_shopify.orders where id = %s", twice["id"]
    ) == [("777.77",)]
    reasons = sorted(r for (r,) in query(pg_db, "select reason from raw_shopify.rejected_records"))
    assert reasons == [
        "modification time 2099-01-01T05:00:00.000000+00:00 is in the future",
        "name holds a NUL character, which PostgreSQL text cannot store",
        "totalPriceSet.shopMoney.amount 'N/A' is not an amount",
        "updatedAt: timestamp is int 12, expected an ISO-8601 string",
    ]
    assert query(pg_db, "select reason from raw_woocommerce.rejected_records") == [
        ("missing date_modified_gmt",)
    ]
    (raw_json, platform, resource) = query(
        pg_db, "select raw_json, platform, resource from raw_commercetools.rejected_records"
    )[0]
    assert (json.loads(raw_json)["id"], platform, resource) == (42, "commercetools", "orders")


def test_rate_limits_adapt_to_the_shopify_query_cost(store: Path, pg_db: DbSettings, tmp_path: Path) -> None:
    """Shopify's cost bucket enforced small (1 000 points, restoring 500/s) with no client
    rate limit to speak of: the loader must wait from each response's throttleStatus, lose nothing,
    and see (almost) no THROTTLED answer."""
    with sandbox(store, rate_limits="real", shopify_restore_rate=500.0, shopify_bucket_size=1000.0) as server:
        env = {"SHOPIFY_RATE_LIMIT": "100", "SHOPIFY_RATE_BURST": "100", "SHOPIFY_BULK_AFTER_DAYS": "off"}
        settings = settings_for(server, **env)
        load = load_store(settings.store("shopify"), settings, pg_db, pipelines_dir=tmp_path / "dlt")
    assert load.error is None, load.error
    assert_raw_equals_store(pg_db, store, ("shopify",))
    print(
        f"\nshopify cost bucket 1000 points at 500/s: {load.requests} requests, {load.throttled} x THROTTLED, "
        f"{load.waited_seconds:.1f}s waited, {load.seconds:.1f}s"
    )
    assert load.requests >= 20 and load.waited_seconds > 0
    assert load.throttled <= 2


def test_commercetools_token_expiry_is_renewed(store: Path, pg_db: DbSettings, tmp_path: Path) -> None:
    with sandbox(store, token_ttl=1.0) as server:
        settings = settings_for(server, BATCH_SIZE="10", COMMERCETOOLS_RATE_LIMIT="8")
        load = load_store(settings.store("commercetools"), settings, pg_db, pipelines_dir=tmp_path / "dlt")
    assert load.error is None, load.error
    assert_raw_equals_store(pg_db, store, ("commercetools",))
    assert load.seconds > 2  # long enough for the token to expire more than once


@pytest.mark.parametrize("wrong", PLATFORMS)
def test_wrong_credentials_fail_one_platform_clearly_and_leak_nothing(
    wrong: str,
    store: Path,
    pg_db: DbSettings,
    tmp_path: Path,
    log_dir: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    bad = {
        "shopify": {"SHOPIFY_CLIENT_SECRET": "shpss_wrong_secret_0123456789"},
        "woocommerce": {"WOOCOMMERCE_CONSUMER_SECRET": "cs_wrong_secret_0123456789"},
        "commercetools": {"COMMERCETOOLS_CLIENT_SECRET": "wrong-client-secret-0123456789"},
    }[wrong]
    other = next(p for p in PLATFORMS if p != wrong)
    with sandbox(store) as server:
        settings = settings_for(server, **bad)
        loads = load_all(settings, pg_db, tmp_path / "dlt", (wrong, other))
    error = loads[wrong].error
    assert error is not None and error.startswith(f"{wrong}: ") and " 401 " in error, error
    assert "\n" not in error
    assert loads[other].error is None and loads[other].rows["orders"] > 0
    assert (
        query(
            pg_db,
            "select count(*) from information_schema.tables where table_schema = %s "
            "and table_name = 'orders'",
            f"raw_{wrong}",
        )[0][0]
        == 0
    )
    written = "".join(p.read_text() for p in log_dir.glob("*.log"))
    captured = capfd.readouterr()
    for text in (error, written, captured.out, captured.err):
        assert_no_secret(text, settings)


# --- reliability: faults, kills --------------------------------------------------------------


@pytest.mark.reliability
def test_faults_are_retried_and_nothing_is_lost(store: Path, pg_db: DbSettings, tmp_path: Path) -> None:
    options = dict(
        fail_rate=0.05,
        slow_rate=0.02,
        malformed_rate=0.01,
        drop_rate=0.01,
        throttle_rate=0.02,
        slow_delay=3.0,
        seed=41,
    )  # a seed whose first requests draw every kind of fault
    with sandbox(store, **options) as server:
        settings = settings_for(server, BATCH_SIZE="4", HTTP_TIMEOUT_SECONDS="1", HTTP_MAX_RETRIES="8")
        loads = load_all(settings, pg_db, tmp_path / "dlt")
        served = server.stats()
    assert {p: load.error for p, load in loads.items()} == dict.fromkeys(PLATFORMS)
    assert_raw_equals_store(pg_db, store)
    faults = {p: served[p]["faults"] for p in PLATFORMS}
    print(f"\nfaults injected: {faults}")
    for platform, load in loads.items():
        print(
            f"{platform}: {load.requests} requests, {load.retries} retries, {load.throttled} x 429, {load.seconds:.1f}s"
        )
    assert {kind for f in faults.values() for kind in f} == {"fail", "slow", "malformed", "drop", "throttle"}
    assert sum(load.retries for load in loads.values()) >= sum(sum(f.values()) for f in faults.values()) // 2


@pytest.mark.reliability
def test_killed_extracts_resume_without_loss_or_duplicates(
    store: Path, pg_db: DbSettings, tmp_path: Path
) -> None:
    """SIGKILL `metric-pulse extract` at random moments (HTTP, normalize, load), change data in between,
    then let one run finish: the warehouse equals the store."""
    rng = random.Random(1234)
    with sandbox(store) as server:
        env = cli_env(
            **server.env(),
            **pg_db.dbt_env(),
            METRIC_PULSE_DATA_DIR=str(tmp_path / "data"),
            BATCH_SIZE="10",
            SHOPIFY_RATE_LIMIT="6",
            SHOPIFY_RATE_BURST="6",
            WOOCOMMERCE_RATE_LIMIT="6",
            COMMERCETOOLS_RATE_LIMIT="6",
        )
        exe = str(Path(sys.executable).with_name("metric-pulse"))
        kills, resumed = [], 0
        # 1: killed during the first, long extract; 2: runs to the end (a committed baseline);
        # then each attempt follows a change in the store and is killed somewhere in its
        # few seconds of start-up, HTTP, normalize and load.
        plan = [(1.5, 5.0), None, (1.0, 4.0), (1.0, 4.0), (1.0, 4.0), (1.0, 4.0), (1.0, 4.0)]
        for attempt, window in enumerate(plan):
            if attempt >= 2:
                for platform in PLATFORMS:
                    change_orders(store, platform, changed=2, added=2, rng=rng)
            proc = subprocess.Popen(
                [exe, "extract"],
                env=env,
                cwd=PROJECT_ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            delay = rng.uniform(*window) if window else 300.0
            try:
                proc.wait(timeout=delay)
                kills.append(f"finished before {delay:.1f}s" if window else "finished")
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                kills.append(f"killed at {delay:.1f}s")
            resumed += proc.stdout.read().count("completing the load interrupted")
            proc.stdout.close()
        final = subprocess.run(
            [exe, "extract"], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600
        )
    resumed += final.stderr.count("completing the load interrupted")
    print(f"\n{'; '.join(kills)}; interrupted loads completed on rerun: {resumed}\n{final.stdout}")
    assert final.returncode == 0, final.stdout + final.stderr
    assert_raw_equals_store(pg_db, store)


@pytest.mark.slow
def test_real_shopify_rate_limit_throughput(store: Path, pg_db: DbSettings, tmp_path: Path) -> None:
    """Shopify's Standard plan (100 points/s) and default client settings, paginated: report the rate achieved."""
    with sandbox(store, rate_limits="real", shopify_plan="standard") as server:
        settings = load_settings({**server.env(), "SHOPIFY_BULK_AFTER_DAYS": "off"})
        load = load_store(settings.store("shopify"), settings, pg_db, pipelines_dir=tmp_path / "dlt")
    assert load.error is None
    assert_raw_equals_store(pg_db, store, ("shopify",))
    orders = load.rows["orders"]
    print(
        f"\nshopify Standard plan, paginated: {load.requests} requests, {orders} orders in "
        f"{load.extract_seconds:.1f}s ({orders / load.extract_seconds:.1f} orders/s), "
        f"{load.throttled} x THROTTLED, waited {load.waited_seconds:.1f}s"
    )
    assert load.throttled <= max(1, load.requests // 100)


@pytest.mark.reliability
def test_a_package_the_warehouse_rejects_does_not_block_later_runs(
    store: Path, pg_db: DbSettings, tmp_path: Path
) -> None:
    """A load that fails for good stays pending; the next run aborts it (its cursors roll back) and
    extracts again, and once the warehouse accepts rows again nothing is missing or doubled."""
    pipelines = tmp_path / "dlt"
    with sandbox(store) as server:
        settings = settings_for(server)
        assert (
            load_store(settings.store("woocommerce"), settings, pg_db, pipelines_dir=pipelines).error is None
        )
        change_orders(store, "woocommerce", changed=2, added=2, rng=random.Random(3))
        conn = pg_db.connect()
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(
                "alter table raw_woocommerce.orders add constraint no_new_rows check (id < 0) not valid"
            )
        failed = load_store(settings.store("woocommerce"), settings, pg_db, pipelines_dir=pipelines)
        assert failed.error and failed.error.startswith("woocommerce: load step failed"), failed.error
        # aborts, re-extracts, fails
        again = load_store(settings.store("woocommerce"), settings, pg_db, pipelines_dir=pipelines)
        assert again.error and again.requests > 0, again
        with conn.cursor() as cur:
            cur.execute("alter table raw_woocommerce.orders drop constraint no_new_rows")
        conn.close()
        healed = load_store(settings.store("woocommerce"), settings, pg_db, pipelines_dir=pipelines)
    assert healed.error is None
    assert healed.rows.get("orders") == 4
    assert_raw_equals_store(pg_db, store, ("woocommerce",))


@pytest.mark.parametrize("left_behind", ["extracted", "normalized"])
def test_a_package_left_by_a_killed_run_is_completed_once(
    left_behind: str, store: Path, pg_db: DbSettings, tmp_path: Path
) -> None:
    """Deterministic version of the kill test: a run stopped after extracting (or normalizing) leaves a
    package; the next run loads it, takes its cursors, and then loads only what changed since.

    (Were the warehouse still empty, dlt would discard the package with its cursors and start over:
    also nothing lost.)"""
    pipelines = tmp_path / "dlt"
    rng = random.Random(5)
    with sandbox(store) as server:
        settings = settings_for(server)
        assert load_store(settings.store("shopify"), settings, pg_db, pipelines_dir=pipelines).error is None
        first = change_orders(store, "shopify", changed=2, added=1, rng=rng)
        pipeline = make_pipeline(settings.store("shopify"), settings, pg_db, pipelines)
        pipeline.extract(shopify_source(settings.store("shopify").config, settings.load, RequestStats()))
        if left_behind == "normalized":
            pipeline.normalize()
        second = change_orders(store, "shopify", changed=2, added=1, rng=rng)
        resumed = load_store(settings.store("shopify"), settings, pg_db, pipelines_dir=pipelines)
    assert resumed.error is None
    assert len(resumed.load_ids) == 2  # the package left behind, then this run's own
    assert resumed.rows["orders"] == len(first) + len(second)
    assert rows_in_loads(pg_db, "shopify", "orders", resumed.load_ids[1:]) == len(second)
    assert_raw_equals_store(pg_db, store, ("shopify",))
