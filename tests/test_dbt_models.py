"""The dbt project, built for real on the embedded PostgreSQL.

Raw data goes in exactly as the loaders put it there (tests/raw_fixtures.py: dlt,
one source per platform, max_table_nesting=2), then `dbt` runs through
`metric_pulse.dbt_runner.run_dbt` with the project's own profile. Each test gets a
fresh database.

* generator data: `dbt build` (every model, seed and test) passes, and the marts
  keep their promises (no test orders, identity across platforms, conversion);
* a messy data set: nulls, unknown currencies, zero-quantity lines, orders
  without customers, missing tables and columns - `dbt build` still passes;
* a small data set whose RFM scores, segments, daily revenue and AOV are worked
  out by hand below; editing the segment seed changes the segments;
* an incremental run after a small change gives the same marts as a full refresh;
* the CLV models are refitted every `clv_refit_days`, and scored with the stored fit in between;
* tests on the large models check recent loads, and every row with `test_window_days: 0`.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from metric_pulse.clv.pnbd import ParetoNBD
from metric_pulse.dbt_runner import DBT_PROJECT_DIR, DbtResult, dbt_environment, run_dbt
from metric_pulse.sandbox.generator import generate
from metric_pulse.warehouse import DbSettings, ensure_database
from tests.raw_fixtures import (
    ct_customer,
    ct_line,
    ct_order,
    load_raw,
    read_data_dir,
    shopify_customer,
    shopify_line,
    shopify_order,
    shopify_refund,
    woo_customer,
    woo_line,
    woo_order,
)

MARTS = (
    "orders",
    "order_items",
    "customers",
    "customer_metrics",
    "daily_metrics",
    "products",
    "product_daily_sales",
)
MART_KEYS = {
    "orders": "order_key",
    "order_items": "order_item_key",
    "customers": "customer_key",
    "customer_metrics": "customer_key",
    "daily_metrics": "date, platform, store, source",
    "products": "product_key",
    "product_daily_sales": "date, platform, store, product_id",
}
# the incremental intermediate models, compared too: they keep test orders the marts leave out
INTERMEDIATE_KEYS = {
    "int_orders_unioned": "order_key",
    "int_order_exchange_rates": "order_key",
    "int_refunds_unioned": "refund_key",
    "int_refunds_enriched": "refund_key",
    "int_orders_enriched": "order_key",
    "int_order_items_unioned": "order_item_key",
    "int_order_items_enriched": "order_item_key",
}


# Every test uses the same vars, database name and target directory, so dbt parses the
# project once and every later invocation reuses the parse (a changed profile or vars
# would force a full parse of ~70 models and ~290 tests each time). The data sets end on
# 2026-10-31, the generator's default last day; lookback 0 makes an incremental run
# reprocess exactly what was loaded after the previous run.
DBT_VARS = {"as_of": "2026-10-31", "incremental_lookback_days": 0}
DATA_SCHEMAS = (
    "raw_shopify",
    "raw_shopify__eu",
    "raw_woocommerce__b2b",
    "raw_woocommerce",
    "raw_commercetools",
    "staging",
    "intermediate",
    "analytics",
    "reference",
    "data_quality",
)


# -- helpers ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dbt_database(pg_server: DbSettings, tmp_path_factory: pytest.TempPathFactory):
    """One database for this module: (settings, shared dbt target directory)."""
    name = f"mp_dbt_{uuid.uuid4().hex[:10]}"
    settings = pg_server.with_database(name)
    ensure_database(settings)
    yield settings, tmp_path_factory.mktemp("dbt-target")
    conn = pg_server.connect()
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'drop database if exists "{name}" with (force)')
    conn.close()


@pytest.fixture
def db(dbt_database) -> DbSettings:
    """The module's database, emptied: no raw data, no models, no seeds."""
    settings, _ = dbt_database
    empty(settings)
    return settings


def empty(db: DbSettings) -> None:
    """Drop every schema the tests write (raw data, models, seeds)."""
    conn = db.connect()
    conn.autocommit = True
    with conn.cursor() as cur:
        for schema in DATA_SCHEMAS:
            cur.execute(f'drop schema if exists "{schema}" cascade')
    conn.close()


@pytest.fixture
def target_dir(dbt_database) -> Path:
    return dbt_database[1]


def dbt(db: DbSettings, target: Path, *args: str) -> DbtResult:
    """`dbt <args>` on the project, with the shared vars and target directory."""
    return run_dbt(list(args), db, dbt_vars=DBT_VARS, target_path=target, capture=True)


def dbt_in(project_dir: Path, db: DbSettings, *args: str) -> subprocess.CompletedProcess:
    """`dbt <args>` on a copy of the project (same profile, environment and vars as run_dbt)."""
    command = [
        str(Path(sys.executable).with_name("dbt")),
        *args,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
        "--target-path",
        str(project_dir / "target"),
        "--vars",
        json.dumps(DBT_VARS),
    ]
    return subprocess.run(command, env=dbt_environment(db), cwd=project_dir, capture_output=True, text=True)


def rows(db: DbSettings, sql: str, params: tuple = ()) -> list[tuple]:
    conn = db.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params or None)
            return cur.fetchall()
    finally:
        conn.close()


def value(db: DbSettings, sql: str, params: tuple = ()) -> Any:
    return rows(db, sql, params)[0][0]


def mart(db: DbSettings, name: str) -> list[tuple]:
    return rows(db, f"select * from analytics.{name} order by {MART_KEYS[name]}")


def intermediate(db: DbSettings, name: str) -> list[tuple]:
    return rows(db, f"select * from intermediate.{name} order by {INTERMEDIATE_KEYS[name]}")


def email_key(email: str) -> str:
    return hashlib.md5(f"email:{email}".encode()).hexdigest()


def account_key(platform: str, store: str, customer_id: str) -> str:
    return hashlib.md5(f"account:{platform}|{store}|{customer_id}".encode()).hexdigest()


def assert_ok(result: DbtResult) -> None:
    assert result.ok, f"dbt failed: {result.failures()}"


# -- generator data -------------------------------------------------------------------------------


@pytest.fixture
def generated(tmp_path: Path) -> dict:
    generate(tmp_path / "sandbox", seed=11, customers=120, orders=500)
    return read_data_dir(tmp_path / "sandbox")


def test_dbt_build_passes_on_generator_data(
    db: DbSettings, target_dir: Path, tmp_path: Path, generated: dict
) -> None:
    load_raw(db, generated, tmp_path / "dlt")

    result = dbt(db, target_dir, "build")
    assert_ok(result)
    assert result.count("pass") > 250  # the data tests ran

    # test orders exist in raw and never reach the marts
    test_ids = [r[0] for r in rows(db, "select legacy_resource_id from raw_shopify.orders where test")]
    assert test_ids
    assert (
        value(
            db,
            "select count(*) from analytics.orders where platform = 'shopify' and order_id = any(%s)",
            (test_ids,),
        )
        == 0
    )
    assert (
        value(
            db,
            "select count(*) from analytics.order_items where platform = 'shopify' and order_id = any(%s)",
            (test_ids,),
        )
        == 0
    )
    # every platform everywhere, every row with its store
    for table in ("orders", "order_items", "daily_metrics", "products", "customers"):
        assert {r[0] for r in rows(db, f"select distinct platform from analytics.{table}")} == {
            "shopify",
            "woocommerce",
            "commercetools",
        }, table
        assert value(db, f"select count(*) from analytics.{table} where store is null") == 0
    # one person across platforms: e-mails typed differently still merge, and no e-mail twice
    assert value(db, "select count(*) from analytics.customers where platforms like '%,%'") > 0
    assert (
        value(db, "select count(*) - count(distinct email) from analytics.customers where email is not null")
        == 0
    )
    # cancelled orders kept but without revenue; refunds reduce net revenue
    assert value(db, "select count(*) from analytics.orders where is_cancelled") > 0
    assert (
        value(db, "select count(*) from analytics.orders where is_cancelled and revenue_reporting <> 0") == 0
    )
    assert value(db, "select sum(refunded_reporting) from analytics.orders where not is_cancelled") > 0
    # JPY (0 fraction digits) at 150 per USD, the original amount kept
    total, reporting = rows(
        db, "select order_total, order_total_reporting from analytics.orders where currency = 'JPY' limit 1"
    )[0]
    assert total == total.to_integral_value() and reporting == round(total / 150, 2)
    # every customer with a counted order has exactly one segment from the seed
    assert value(db, "select count(*) - count(distinct customer_key) from analytics.customer_metrics") == 0
    segments = {r[0] for r in rows(db, "select segment from reference.rfm_segments")}
    assert {r[0] for r in rows(db, "select distinct rfm_segment from analytics.customer_metrics")} <= segments

    # every raw table the loaders create has a staging model over it
    manifest = json.loads((target_dir / "manifest.json").read_text())
    read_by_models = {
        dep
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        for dep in node["depends_on"]["nodes"]
    }
    staged = {
        (source["schema"], source["name"])
        for uid, source in manifest["sources"].items()
        if uid in read_by_models
    }
    raw_tables = set(
        rows(
            db,
            """
        select table_schema, table_name from information_schema.tables
        where table_schema in ('raw_shopify', 'raw_woocommerce', 'raw_commercetools')
            and table_name not like '\\_dlt%%'""",
        )
    )
    assert raw_tables and raw_tables <= staged, sorted(raw_tables - staged)

    # freshness is measured on the dlt load time and the data was just loaded
    freshness = dbt(db, target_dir, "source", "freshness")
    assert freshness.ok


# -- several stores per platform ----------------------------------------------------------------

STORE_IDS = {
    "shopify": "metric-pulse-sandbox.myshopify.com",
    "woocommerce": "woocommerce.sandbox.metric-pulse.test",
    "commercetools": "sandbox-store",
}
EU_SHOP = "metric-pulse-sandbox-eu.myshopify.com"


def test_every_store_of_a_platform_is_modelled_with_the_store_id_from_its_data(
    db: DbSettings, target_dir: Path, tmp_path: Path
) -> None:
    """Staging unions raw_<platform> and raw_<platform>__<label> (found when dbt compiles) and takes
    `store` from each dataset's `store` table. An empty warehouse still builds (no dataset at all)."""
    assert_ok(dbt(db, target_dir, "build"))
    assert value(db, "select count(*) from analytics.orders") == 0

    data = hand_checked_data()
    for platform, store_id in STORE_IDS.items():
        load_raw(db, {platform: data[platform]}, tmp_path / "dlt", store_id=store_id)
    # a second Shopify store (same orders, ids and all), loaded into its own dataset
    load_raw(db, {"shopify": data["shopify"]}, tmp_path / "dlt", label="eu", store_id=EU_SHOP)
    # a dataset without its store table (its load has not written it yet) goes by its label
    load_raw(db, {"woocommerce": data["woocommerce"]}, tmp_path / "dlt", label="b2b")
    assert_ok(dbt(db, target_dir, "build"))

    assert {r[0] for r in rows(db, "select store from staging.stg_shopify__stores")} == {
        STORE_IDS["shopify"],
        EU_SHOP,
    }
    per_store = rows(
        db,
        """
        select platform, store, count(*), sum(net_revenue_reporting),
            count(*) filter (where order_key <> platform || '|' || store || '|' || order_id)
        from analytics.orders group by platform, store order by platform, store""",
    )
    # the hand-checked figures: Shopify S1 50 + S2 25 + S3 80 + S5 20 + S6 cancelled 0 (S4 is a test order)
    shopify = (5, Decimal("175.00"), 0)
    assert [(r[0], r[1], *r[2:]) for r in per_store if r[0] == "shopify"] == [
        ("shopify", EU_SHOP, *shopify),
        ("shopify", STORE_IDS["shopify"], *shopify),
    ]
    assert {(r[0], r[1]) for r in per_store} == {
        *STORE_IDS.items(),
        ("shopify", EU_SHOP),
        ("woocommerce", "b2b"),
    }
    assert all(r[4] == 0 for r in per_store), per_store
    for table in ("order_items", "daily_metrics"):
        stores = {r[0] for r in rows(db, f"select distinct store from analytics.{table}")}
        assert stores == {*STORE_IDS.values(), EU_SHOP, "b2b"}, (table, stores)
    # one person across the stores (same e-mail): alice's S1 and S2 in both Shopify stores and her
    # WooCommerce order W1 in both WooCommerce datasets
    assert (
        value(db, "select orders_count from analytics.customer_metrics where customer_key = %s", (ALICE,))
        == 6
    )


def test_compile_and_docs_generate_work_on_an_empty_database(db: DbSettings, target_dir: Path) -> None:
    """A data team's CI compiles (and generates docs) before the first build: nothing may query a table
    at compile time that does not exist yet (the test window's newest load, an incremental watermark)."""
    assert_ok(dbt(db, target_dir, "compile"))
    assert_ok(dbt(db, target_dir, "docs", "generate"))


# -- a store's own data errors: warnings, with the rows kept ----------------------------------------


def test_implausible_order_dates_and_a_stores_inconsistent_numbers_are_warnings(
    db: DbSettings, target_dir: Path, tmp_path: Path, generated: dict
) -> None:
    """Before: an order dated 2300 made clv_model_fits fail and skipped customer_metrics and 33 more
    nodes; a Shopify subtotal_price that ignores its discounts failed the build (issue 14, items 5, 13)."""
    data = json.loads(json.dumps(generated))
    shopify, woo, ct = (data[p]["orders"] for p in ("shopify", "woocommerce", "commercetools"))
    odd_subtotal = next(o for o in shopify if not o.get("test") and o["lineItems"] and not o["refunds"])
    subtotal = odd_subtotal["subtotalPriceSet"]["shopMoney"]
    subtotal["amount"] = f"{Decimal(subtotal['amount']) + 5:.2f}"
    future = {
        **copy_order(shopify, 1),
        "processedAt": "2300-01-01T10:00:00Z",
        "createdAt": "2300-01-01T10:00:00Z",
    }
    ancient = {
        **copy_order(woo, 2),
        "date_created_gmt": "1500-06-01T10:00:00",
        "date_created": "1500-06-01T10:00:00",
    }
    early = {**copy_order(ct, 3), "createdAt": "1994-12-31T10:00:00.000Z"}
    shopify.append(future)
    woo.append(ancient)
    ct.append(early)
    load_raw(db, data, tmp_path / "dlt")

    result = dbt(db, target_dir, "build")
    assert_ok(result)  # dbt build succeeds: warnings only
    warned = {r["unique_id"].split(".")[2] for r in result.results if r["status"] == "warn"}
    assert warned == {"implausible_order_dates", "order_items_not_summing_to_subtotal"}, warned
    implausible = {
        f"shopify|default|{future['legacyResourceId']}",
        f"woocommerce|default|{ancient['id']}",
        f"commercetools|default|{early['id']}",
    }
    assert {
        k for (k,) in rows(db, "select order_key from data_quality.implausible_order_dates")
    } == implausible
    assert rows(db, "select order_key from data_quality.order_items_not_summing_to_subtotal") == [
        (f"shopify|default|{odd_subtotal['legacyResourceId']}",)
    ]
    for table in (
        "intermediate.int_orders_unioned",
        "intermediate.int_order_items_unioned",
        "analytics.orders",
    ):
        assert value(db, f"select count(*) from {table} where order_key = any(%s)", (list(implausible),)) == 0
    assert value(db, "select max(ordered_at) from intermediate.int_clv_transactions") < datetime(2027, 1, 1)
    assert value(db, "select count(*) from analytics.clv_model_fits where status = 'ok'") > 0
    assert value(db, "select count(*) from analytics.customer_metrics") > 0


def copy_order(orders: list[dict], n: int) -> dict:
    """A copy of a generated order under a new id, without its refunds and payments (their ids are
    unique per store); its lines keep their ids, as line keys include the order's."""
    order = json.loads(json.dumps(orders[n]))
    if "legacyResourceId" in order:  # Shopify: a GID with the number
        number = int(order["legacyResourceId"]) + 10**9
        order["id"], order["legacyResourceId"] = f"gid://shopify/Order/{number}", str(number)
    else:
        order["id"] = f"{order['id']}-copy" if isinstance(order["id"], str) else order["id"] + 10**9
    for payments in ("refunds", "paymentInfo", "returnInfo"):
        order.pop(payments, None)
    return order


# -- messy data -----------------------------------------------------------------------------------


def messy_data() -> dict:
    """Nulls, unknown currencies, zero quantities, orders without customers, gaps in tables and columns."""
    nomail = shopify_customer(1, None, first_name="Nomail")
    mixed = shopify_customer(2, "  MIXED@Case.COM ")
    shop_unknown = shopify_order(
        10, "2024-02-01T10:00:00-05:00", [shopify_line(100, 10, 1)], customer=mixed, currency="XYZ"
    )
    shop_anonymous = shopify_order(
        11, "2024-02-02T10:00:00Z", [shopify_line(101, 5, 0), shopify_line(102, 7.5, 2)], source_name="pos"
    )
    shop_unknown_customer = shopify_order(
        12, "2024-02-03T10:00:00Z", [shopify_line(103, 4, 1, product_id=None)]
    )
    shop_unknown_customer["customer"] = {"id": "gid://shopify/Customer/999", "legacyResourceId": "999"}
    shop_unknown_customer["email"] = None
    shop_garbage = shopify_order(13, "2024-02-04T10:00:00Z", [shopify_line(104, 3, 1)], customer=nomail)
    shop_garbage.update(
        currencyCode=None, totalPriceSet={"shopMoney": {"amount": "N/A", "currencyCode": None}}
    )
    shop_no_lines = shopify_order(
        14,
        "2024-02-05T10:00:00Z",
        [],
        customer=nomail,
        refunds=[
            {
                "id": "gid://shopify/Refund/77",
                "legacyResourceId": "77",
                "createdAt": None,
                "note": "no money moved",
            }
        ],
    )
    shop_no_lines.update(createdAt=None, processedAt=None, updatedAt="2024-02-06T10:00:00Z")
    shop_null_price = shopify_order(15, "2024-02-07T10:00:00Z", [shopify_line(105, 6, 1)], customer=mixed)
    shop_null_price["lineItems"].append({**shopify_line(106, 0, 1), "originalUnitPriceSet": None})

    woo_guest_no_email = woo_order(200, "2024-02-01T09:00:00", [woo_line(300, 3, 1)])
    woo_guest_no_email["line_items"][0]["price"] = 3  # an integer first ...
    woo_float = woo_order(201, "2024-02-02T09:00:00", [woo_line(301, 2.5, 1)], customer_id=77, currency="ABC")
    woo_trash = woo_order(
        202, "2024-02-03T09:00:00", [woo_line(302, 8, 2)], customer_id=5, status="trash", refunds=[(900, 0.0)]
    )

    ct_german = ct_order(
        "m-1",
        "2024-02-01T08:00:00.000Z",
        [ct_line("ml-1", 1200, 3, "JPY")],
        customer_id="c-1",
        currency="JPY",
    )
    ct_german["lineItems"][0]["name"] = {"de": "Becher"}
    ct_anonymous = ct_order("m-2", "2024-02-02T08:00:00.000Z", [ct_line("ml-2", 10, 1, "EUR")])
    ct_empty = ct_order(
        "m-3", "2024-02-03T08:00:00.000Z", [], customer_id="c-1", order_state="Open", payment_state="Pending"
    )
    del ct_empty["paymentInfo"]

    return {
        "shopify": {
            "customers": [nomail, mixed],
            "products": [
                {
                    "id": "gid://shopify/Product/100",
                    "legacyResourceId": "100",
                    "title": "Bare",
                    "status": "ACTIVE",
                    "variants": [],
                    "createdAt": "2024-01-01T00:00:00Z",
                    "updatedAt": "2024-01-01T00:00:00Z",
                }
            ],
            "orders": [
                shop_unknown,
                shop_anonymous,
                shop_unknown_customer,
                shop_garbage,
                shop_no_lines,
                shop_null_price,
            ],
        },
        "woocommerce": {
            "customers": [woo_customer(5, "")],
            "orders": [woo_guest_no_email, woo_float, woo_trash],
        },
        "commercetools": {
            "customers": [ct_customer("c-1", "Z@z.io")],
            "orders": [ct_german, ct_anonymous, ct_empty],
        },
    }


def test_dbt_build_passes_on_messy_data(db: DbSettings, target_dir: Path, tmp_path: Path) -> None:
    load_raw(db, messy_data(), tmp_path / "dlt")

    assert_ok(dbt(db, target_dir, "build"))

    # unknown and missing currencies: reporting amounts NULL and flagged, original kept
    unknown = {
        r[0]: r[1:]
        for r in rows(
            db,
            """
        select platform || ':' || order_id, currency, order_total, order_total_reporting, is_currency_unknown
        from analytics.orders where is_currency_unknown""",
        )
    }
    assert unknown["shopify:10"] == ("XYZ", Decimal("10.00"), None, True)
    assert unknown["woocommerce:201"][0] == "ABC" and unknown["woocommerce:201"][2] is None
    assert unknown["shopify:13"][0] is None
    assert value(db, "select sum(unconverted_orders) from analytics.daily_metrics") >= 2
    # orders without a customer: anonymous (no key) yet counted in revenue
    assert (
        value(db, "select customer_key from analytics.orders where order_key = 'shopify|default|11'") is None
    )
    assert value(
        db,
        "select revenue from analytics.daily_metrics "
        "where date = '2024-02-02' and platform = 'shopify' and source = 'pos'",
    ) == Decimal("15.00")
    # a customer id the customers table does not know, without e-mail: keyed by platform + store + id
    assert value(
        db, "select customer_key from analytics.orders where order_key = 'shopify|default|12'"
    ) == account_key("shopify", "default", "999")
    # registered customers without e-mail are people of their own; e-mails are normalised
    assert value(db, "select count(*) from analytics.customers where email is null and is_registered") == 2
    assert value(db, "select count(*) from analytics.customers where email = 'mixed@case.com'") == 1
    # zero-quantity lines are kept
    assert (
        value(
            db, "select quantity from analytics.order_items where order_item_key = 'shopify|default|11|101'"
        )
        == 0
    )
    # an order without a date is dated by its last modification
    assert (
        value(db, "select ordered_date::text from analytics.orders where order_key = 'shopify|default|14'")
        == "2024-02-06"
    )
    # WooCommerce trash is a delete (docs/analytics.md, "Deletes"): flagged, out of the marts;
    # a JSON number first int then decimal still reads
    key = "woocommerce|default|202"
    assert value(db, "select is_deleted from intermediate.int_orders_unioned where order_key = %s", (key,))
    assert rows(db, "select 1 from analytics.orders where order_key = %s", (key,)) == []
    assert value(
        db, "select unit_price from analytics.order_items where order_key = 'woocommerce|default|201'"
    ) == Decimal("2.5")
    # commercetools: a name only in German falls back to it; JPY has no decimals
    assert rows(
        db,
        "select item_name, unit_price, line_total from analytics.order_items "
        "where order_key = 'commercetools|default|m-1'",
    ) == [("Becher", Decimal(1200), Decimal(3600))]
    # too few customers for a CLV fit: rows with a status instead of a failed build, and the fit table says why
    assert rows(db, "select distinct clv_status from analytics.customer_predictions") == [
        ("insufficient_data",)
    ]
    assert (
        value(db, "select count(*) from analytics.customer_predictions where predicted_clv is not null") == 0
    )
    reasons = rows(db, "select model, status, reason from analytics.clv_model_fits order by model")
    assert [r[0] for r in reasons] == ["bgnbd", "mbgnbd", "pnbd"]
    assert all(r[1] == "insufficient_data" and r[2] for r in reasons), reasons


# -- a data set checked by hand -------------------------------------------------------------------


def hand_checked_data() -> dict:
    """Five people, October 2026, reporting in USD (EUR 0.92, GBP 0.79, JPY 150 per USD).

    alice: Shopify account "Alice@Example.com " + a WooCommerce guest order as alice@example.com
    bob: Shopify; carol: WooCommerce; dan: commercetools account; erin: commercetools guest.
    """
    alice = shopify_customer(1001, "Alice@Example.com ")
    bob = shopify_customer(1002, "bob@example.com", first_name="Bob")
    shopify = [
        # S1 alice 10-01, 2 x 25.00
        shopify_order(1, "2026-10-01T10:00:00-05:00", [shopify_line(11, 25, 2)], customer=alice),
        # S2 alice, 21:30 New York = 10-11 02:30 UTC; 30.00 + 5.00 shipping; 10.00 refunded on 10-20
        shopify_order(
            2,
            "2026-10-10T21:30:00-05:00",
            [shopify_line(21, 30, 1)],
            customer=alice,
            shipping=5,
            refunds=[shopify_refund(2001, "2026-10-20T12:00:00Z", 10)],
            updated_at="2026-10-20T12:00:00Z",
        ),
        # S3 bob 10-05, 80.00
        shopify_order(3, "2026-10-05T09:00:00Z", [shopify_line(31, 80, 1)], customer=bob),
        # S4 bob: a test order - never counted
        shopify_order(4, "2026-10-06T09:00:00Z", [shopify_line(41, 500, 1)], customer=bob, test=True),
        # S5 a POS walk-in without customer or e-mail: revenue, but nobody's
        shopify_order(5, "2026-10-05T12:00:00Z", [shopify_line(51, 20, 1)], source_name="pos"),
        # S6 bob: cancelled (voided) - kept, no revenue
        shopify_order(
            6,
            "2026-10-07T09:00:00Z",
            [shopify_line(61, 40, 1)],
            customer=bob,
            financial_status="voided",
            cancelled_at="2026-10-07T10:00:00Z",
        ),
    ]
    woocommerce = [
        # W1 alice as a guest, GBP 79.00 = USD 100.00
        woo_order(101, "2026-10-15T10:00:00", [woo_line(1, 79, 1)], email="alice@example.com"),
        # W2 carol 10-02, EUR 92.00 = USD 100.00
        woo_order(102, "2026-10-02T08:00:00", [woo_line(2, 92, 1)], customer_id=7, currency="EUR"),
        # W3 carol 10-25, EUR 46.00 = USD 50.00; EUR 23.00 = USD 25.00 refunded, dated by the last modification
        woo_order(
            103,
            "2026-10-25T08:00:00",
            [woo_line(3, 46, 2)],
            customer_id=7,
            currency="EUR",
            refunds=[(501, 23)],
            modified="2026-10-28T09:00:00",
        ),
        # W4 carol: cancelled
        woo_order(
            104,
            "2026-10-26T08:00:00",
            [woo_line(4, 92, 1)],
            customer_id=7,
            currency="EUR",
            status="cancelled",
        ),
    ]
    commercetools = [
        # C1 dan 10-20, JPY 15000 = USD 100.00; JPY 7500 = USD 50.00 refunded on 10-29
        ct_order(
            "o-1",
            "2026-10-20T10:00:00.000Z",
            [ct_line("l-1", 15000, 1, "JPY")],
            customer_id="c-4",
            email="dan@example.com",
            currency="JPY",
            refunds=[(7500, "2026-10-29T10:00:00.000Z")],
        ),
        # C2 erin, a guest 10-30, 2 x EUR 23.00 = USD 50.00
        ct_order("o-2", "2026-10-30T10:00:00.000Z", [ct_line("l-2", 23, 2, "EUR")], email="Erin@Example.com"),
    ]
    return {
        "shopify": {"customers": [alice, bob], "orders": shopify},
        "woocommerce": {
            "customers": [woo_customer(7, "carol@example.com", first_name="Carol")],
            "orders": woocommerce,
        },
        "commercetools": {
            "customers": [ct_customer("c-4", "dan@example.com", first_name="Dan")],
            "orders": commercetools,
        },
    }


ALICE, BOB, CAROL, DAN, ERIN = (
    email_key(f"{n}@example.com") for n in ("alice", "bob", "carol", "dan", "erin")
)


def test_hand_checked_rfm_segments_daily_revenue_and_aov(
    db: DbSettings, target_dir: Path, tmp_path: Path
) -> None:
    load_raw(db, hand_checked_data(), tmp_path / "dlt")
    assert_ok(dbt(db, target_dir, "build"))

    # Counted orders per person (net = total - refunds, USD), as of 10-31:
    #   alice: S1 50 (10-01), S2 35-10 (10-11), W1 100 (10-15) -> 3 orders, 175, last 10-15, recency 16
    #   bob:   S3 80 (10-05); S4 test, S6 cancelled            -> 1 order,   80, recency 26
    #   carol: W2 100 (10-02), W3 50-25 (10-25); W4 cancelled  -> 2 orders, 125, recency 6
    #   dan:   C1 100-50 (10-20)                               -> 1 order,   50, recency 11
    #   erin:  C2 50 (10-30)                                   -> 1 order,   50, recency 1
    # score = 1 + floor(5 (rank - 1) / (n - 1)), n = 5, ties share the lowest rank:
    #   R by recency, oldest first: bob 26 r1 -> 1, alice 16 r2 -> 2, dan 11 r3 -> 3, carol 6 r4 -> 4, erin r5 -> 5
    #   F by orders: bob, dan, erin (1) r1 -> 1; carol (2) r4 -> 4; alice (3) r5 -> 5
    #   M by net: dan, erin (50) r1 -> 1; bob (80) r3 -> 3; carol (125) r4 -> 4; alice (175) r5 -> 5
    # first matching rule of seeds/rfm_segments.csv:
    #   alice 255 Cannot Lose (R1-2 F4-5 M4-5), bob 113 Hibernating (R1-2 F1-2), carol 444 Champions,
    #   dan 311 About To Sleep (R3 F1-2), erin 511 New Customers (R4-5 F1)
    expected = {
        ALICE: (3, Decimal("175.00"), 16, 2, 5, 5, "Cannot Lose"),
        BOB: (1, Decimal("80.00"), 26, 1, 1, 3, "Hibernating"),
        CAROL: (2, Decimal("125.00"), 6, 4, 4, 4, "Champions"),
        DAN: (1, Decimal("50.00"), 11, 3, 1, 1, "About To Sleep"),
        ERIN: (1, Decimal("50.00"), 1, 5, 1, 1, "New Customers"),
    }
    metrics = {
        r[0]: r[1:]
        for r in rows(
            db,
            """
        select customer_key, orders_count, net_spend, recency_days, r_score, f_score, m_score, rfm_segment
        from analytics.customer_metrics""",
        )
    }
    assert metrics == expected

    # simple CLV = AOV x orders per year (observed over >= 365 days) x 3 years:
    #   alice 175/3 = 58.33 x 3 x 3 = 524.97; bob 80 x 1 x 3 = 240.00
    clv = dict(rows(db, "select customer_key, simple_clv from analytics.customer_metrics"))
    assert clv[ALICE] == Decimal("524.97") and clv[BOB] == Decimal("240.00")

    # alice is one person with two platforms; the walk-in belongs to nobody
    assert rows(
        db,
        "select platforms, platform, accounts_count from analytics.customers where customer_key = %s",
        (ALICE,),
    ) == [("shopify,woocommerce", "shopify", 1)]
    assert value(db, "select count(*) from analytics.customers") == 5
    # test orders never appear; cancelled ones do, flagged
    assert value(db, "select count(*) from analytics.orders where order_key = 'shopify|default|4'") == 0
    assert value(db, "select count(*) from analytics.orders where is_cancelled") == 2

    # daily metrics: (date, platform, source) -> orders, revenue, refunds, net, AOV, units, new, returning
    expected_daily = {
        ("2026-10-01", "shopify", "web"): (
            1,
            Decimal("50.00"),
            Decimal("0"),
            Decimal("50.00"),
            Decimal("50.00"),
            2,
            1,
            0,
        ),
        ("2026-10-05", "shopify", "web"): (
            1,
            Decimal("80.00"),
            Decimal("0"),
            Decimal("80.00"),
            Decimal("80.00"),
            1,
            1,
            0,
        ),
        ("2026-10-05", "shopify", "pos"): (
            1,
            Decimal("20.00"),
            Decimal("0"),
            Decimal("20.00"),
            Decimal("20.00"),
            1,
            0,
            0,
        ),
        ("2026-10-07", "shopify", "web"): (0, Decimal("0"), Decimal("0"), Decimal("0"), None, 0, 0, 0),
        ("2026-10-11", "shopify", "web"): (
            1,
            Decimal("35.00"),
            Decimal("0"),
            Decimal("35.00"),
            Decimal("35.00"),
            1,
            0,
            1,
        ),
        ("2026-10-20", "shopify", "web"): (
            0,
            Decimal("0"),
            Decimal("10.00"),
            Decimal("-10.00"),
            None,
            0,
            0,
            0,
        ),
        ("2026-10-02", "woocommerce", "checkout"): (
            1,
            Decimal("100.00"),
            Decimal("0"),
            Decimal("100.00"),
            Decimal("100.00"),
            1,
            1,
            0,
        ),
        ("2026-10-15", "woocommerce", "checkout"): (
            1,
            Decimal("100.00"),
            Decimal("0"),
            Decimal("100.00"),
            Decimal("100.00"),
            1,
            0,
            1,
        ),
        ("2026-10-25", "woocommerce", "checkout"): (
            1,
            Decimal("50.00"),
            Decimal("0"),
            Decimal("50.00"),
            Decimal("50.00"),
            2,
            0,
            1,
        ),
        ("2026-10-26", "woocommerce", "checkout"): (
            0,
            Decimal("0"),
            Decimal("0"),
            Decimal("0"),
            None,
            0,
            0,
            0,
        ),
        ("2026-10-28", "woocommerce", "checkout"): (
            0,
            Decimal("0"),
            Decimal("25.00"),
            Decimal("-25.00"),
            None,
            0,
            0,
            0,
        ),
        ("2026-10-20", "commercetools", "customer"): (
            1,
            Decimal("100.00"),
            Decimal("0"),
            Decimal("100.00"),
            Decimal("100.00"),
            1,
            1,
            0,
        ),
        ("2026-10-29", "commercetools", "customer"): (
            0,
            Decimal("0"),
            Decimal("50.00"),
            Decimal("-50.00"),
            None,
            0,
            0,
            0,
        ),
        ("2026-10-30", "commercetools", "customer"): (
            1,
            Decimal("50.00"),
            Decimal("0"),
            Decimal("50.00"),
            Decimal("50.00"),
            2,
            1,
            0,
        ),
    }
    daily = {
        (r[0], r[1], r[2]): r[3:]
        for r in rows(
            db,
            """
        select date::text, platform, source, orders, revenue, refunds, net_revenue, average_order_value, units,
               new_customers, returning_customers
        from analytics.daily_metrics""",
        )
    }
    assert daily == expected_daily
    # revenue 585, refunds 85: net 500 over the month, the same as the orders' net revenue
    assert value(db, "select sum(net_revenue) from analytics.daily_metrics") == Decimal("500.00")
    assert value(db, "select sum(net_revenue_reporting) from analytics.orders") == Decimal("500.00")

    # editing the segment seed changes the segments (a copy of the project, the seed rewritten)
    project = tmp_path / "project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    (project / "target").mkdir()
    shutil.copy(target_dir / "partial_parse.msgpack", project / "target")  # only the seed needs parsing again
    (project / "seeds" / "rfm_segments.csv").write_text(
        "priority,segment,r_min,r_max,f_min,f_max,m_min,m_max,description\n"
        "1,Big Spenders,,,,,4,5,M 4-5 whatever R and F\n"
        "2,Recent,4,5,,,,,R 4-5\n"
        "99,Everyone Else,1,5,1,5,1,5,catch-all\n"
    )
    rebuilt = dbt_in(project, db, "build", "--select", "rfm_segments", "customer_metrics")
    assert rebuilt.returncode == 0, rebuilt.stdout[-3000:]
    assert dict(rows(db, "select customer_key, rfm_segment from analytics.customer_metrics")) == {
        ALICE: "Big Spenders",
        CAROL: "Big Spenders",
        ERIN: "Recent",
        BOB: "Everyone Else",
        DAN: "Everyone Else",
    }


# -- incremental ----------------------------------------------------------------------------------


def _now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def small_changes(data: dict) -> tuple[dict, dict[str, set[str]]]:
    """A second load: changed, refunded, new and test-flipped orders, a customer's new e-mail.

    Returns the records to merge and, per platform, the order ids whose rows change.
    """
    shopify_orders = data["shopify"]["orders"]
    woo_orders = data["woocommerce"]["orders"]
    ct_orders = data["commercetools"]["orders"]
    changed: dict[str, set[str]] = {"shopify": set(), "woocommerce": set(), "commercetools": set()}

    # Shopify: a paid order gets a refund late in the data window; another becomes a test order
    paid = [
        o
        for o in shopify_orders
        if o["displayFinancialStatus"] == "PAID" and not o["refunds"] and not o["test"] and o["lineItems"]
    ]
    refunded = json.loads(json.dumps(paid[0]))
    refunded["refunds"] = [shopify_refund(777_000_001, "2026-10-30T12:00:00-04:00", 5)]
    refunded["displayFinancialStatus"] = "PARTIALLY_REFUNDED"
    refunded["updatedAt"] = "2026-10-30T12:00:00-04:00"
    flipped = {**json.loads(json.dumps(paid[1])), "test": True, "updatedAt": "2026-10-30T13:00:00-04:00"}
    # two new orders: an existing customer's and a new walk-in's
    customer = next(o["customer"] for o in shopify_orders if o.get("customer"))
    new_a = shopify_order(
        9_000_000_001,
        "2026-10-31T09:00:00-04:00",
        [shopify_line(9_100_000_001, 12.5, 2)],
        customer=customer,
    )
    new_b = shopify_order(
        9_000_000_002, "2026-10-29T09:00:00-04:00", [shopify_line(9_100_000_002, 40, 1)], source_name="pos"
    )
    changed["shopify"] |= {str(o["id"]) for o in (refunded, flipped, new_a, new_b)}

    # WooCommerce: a completed order is cancelled; a registered customer changes e-mail
    completed = [o for o in woo_orders if o["status"] == "completed" and not o["refunds"]]
    cancelled = {
        **json.loads(json.dumps(completed[0])),
        "status": "cancelled",
        "date_modified_gmt": "2026-10-31T10:00:00",
    }
    changed["woocommerce"].add(str(cancelled["id"]))
    mover_id = next(o["customer_id"] for o in woo_orders if o["customer_id"] and o["id"] != cancelled["id"])
    mover = next(c for c in data["woocommerce"]["customers"] if c["id"] == mover_id)
    mover = {
        **json.loads(json.dumps(mover)),
        "email": "someone.new@example.net",
        "date_modified_gmt": _now_iso(),
    }
    changed["woocommerce"] |= {str(o["id"]) for o in woo_orders if o["customer_id"] == mover_id}

    # commercetools: a refund transaction on a completed order
    complete = [
        o
        for o in ct_orders
        if o["orderState"] == "Complete"
        and not any(
            t["type"] == "Refund" for p in o["paymentInfo"]["payments"] for t in p["obj"]["transactions"]
        )
    ]
    ct_refunded = json.loads(json.dumps(complete[0]))
    money = ct_refunded["totalPrice"]
    ct_refunded["paymentInfo"]["payments"][0]["obj"]["transactions"].append(
        {
            "id": "refund-added-in-test",
            "type": "Refund",
            "state": "Success",
            "timestamp": "2026-10-30T08:00:00.000Z",
            "amount": {**money, "centAmount": money["centAmount"] // 2},
        }
    )
    ct_refunded["lastModifiedAt"] = "2026-10-30T08:00:00.000Z"
    changed["commercetools"].add(ct_refunded["id"])

    return {
        "shopify": {"orders": [refunded, flipped, new_a, new_b]},
        "woocommerce": {"customers": [mover], "orders": [cancelled]},
        "commercetools": {"orders": [ct_refunded]},
    }, changed


def test_incremental_run_after_small_changes_equals_full_refresh(
    db: DbSettings, target_dir: Path, tmp_path: Path, generated: dict
) -> None:
    # lookback 0 (DBT_VARS): an incremental run reprocesses exactly what was loaded after the last run
    load_raw(db, generated, tmp_path / "dlt")
    assert_ok(dbt(db, target_dir, "build", "--exclude-resource-type", "test"))
    orders_before = value(db, "select count(*) from analytics.orders")

    changes, changed = small_changes(generated)
    load_raw(db, changes, tmp_path / "dlt")
    incremental = dbt(db, target_dir, "run")
    assert_ok(incremental)
    after_incremental = {name: mart(db, name) for name in MARTS}
    intermediate_after_incremental = {name: intermediate(db, name) for name in INTERMEDIATE_KEYS}

    # only the changed orders were rewritten (the test-flipped one deleted, not re-inserted)
    inserted = {
        r["unique_id"].split(".")[-1]: int((r.get("adapter_response") or {}).get("rows_affected") or 0)
        for r in incremental.results
    }
    assert inserted["orders"] == sum(len(ids) for ids in changed.values()) - 1
    assert inserted["orders"] < orders_before / 10
    for name in INTERMEDIATE_KEYS:  # the intermediate layer reprocessed the slice too
        assert 0 < inserted[name] < orders_before / 10, f"{name} rewrote {inserted[name]} rows"
    assert value(db, "select count(*) from analytics.orders") == orders_before + 2 - 1

    # clv_model_fits is a history, not derived from the facts: refreshing it would refit on the
    # changed orders (a new model, not a different incremental result), so it keeps its fit here
    assert_ok(dbt(db, target_dir, "run", "--full-refresh", "--exclude", "clv_model_fits"))
    for name in MARTS:
        assert mart(db, name) == after_incremental[name], f"{name} differs after a full refresh"
    for name in INTERMEDIATE_KEYS:
        assert intermediate(db, name) == intermediate_after_incremental[name], (
            f"{name} differs after a full refresh"
        )


def test_a_platform_added_later_is_loaded_whole_by_the_incremental_run(
    db: DbSettings, target_dir: Path, tmp_path: Path, generated: dict
) -> None:
    """A store connected after the first build: the next incremental run takes all of its orders (it has
    no watermark yet) and leaves the other platforms' rows alone; the result equals a full refresh."""
    load_raw(db, {p: r for p, r in generated.items() if p != "commercetools"}, tmp_path / "dlt")
    assert_ok(dbt(db, target_dir, "build", "--exclude-resource-type", "test"))
    before = value(db, "select count(*) from analytics.orders")

    load_raw(db, {"commercetools": generated["commercetools"]}, tmp_path / "dlt")
    incremental = dbt(db, target_dir, "run")
    assert_ok(incremental)
    inserted = {
        r["unique_id"].split(".")[-1]: int((r.get("adapter_response") or {}).get("rows_affected") or 0)
        for r in incremental.results
    }
    added = value(db, "select count(*) from analytics.orders where platform = 'commercetools'")
    assert added > 0
    assert inserted["orders"] == added
    assert value(db, "select count(*) from analytics.orders") == before + added
    after_incremental = {name: mart(db, name) for name in MARTS}

    assert_ok(dbt(db, target_dir, "run", "--full-refresh", "--exclude", "clv_model_fits"))
    for name in MARTS:
        assert mart(db, name) == after_incremental[name], f"{name} differs after a full refresh"


# -- CLV refit policy ------------------------------------------------------------------------------


def test_clv_fits_are_reused_within_the_refit_window(
    db: DbSettings, target_dir: Path, tmp_path: Path, generated: dict
) -> None:
    """Within `clv_refit_days` a build appends no fit rows, yet customer_predictions is rebuilt on the
    new orders with the stored parameters; clv_refit_days 0, or an as_of before every fit, refits."""
    clv = ("build", "--select", "+customer_predictions", "--indirect-selection", "cautious")
    fits_sql = "select as_of::text, count(*), count(distinct built_at) from analytics.clv_model_fits group by 1 order by 1"
    load_raw(db, generated, tmp_path / "dlt")
    assert_ok(dbt(db, target_dir, *clv))
    assert rows(db, fits_sql) == [("2026-10-31", 3, 1)]
    params = value(db, "select params from analytics.clv_model_fits where model = 'pnbd'")
    buyer = "select customer_key from intermediate.int_orders_enriched where order_id = '9000000001'"
    days_sql = "select customer_key, purchase_days from analytics.customer_predictions"
    before = dict(rows(db, days_sql))

    changes, _ = small_changes(generated)
    load_raw(db, changes, tmp_path / "dlt")
    again = dbt(db, target_dir, *clv)
    assert_ok(again)
    fits_run = next(r for r in again.results if r["unique_id"].endswith(".clv_model_fits"))
    assert fits_run["status"] == "success" and fits_run["adapter_response"]["rows_affected"] == 0
    assert rows(db, fits_sql) == [("2026-10-31", 3, 1)], "no refit within clv_refit_days"
    # rebuilt on today's orders (the new order adds a purchase day) with the stored parameters
    after = dict(rows(db, days_sql))
    new_buyer = value(db, buyer)
    assert after[new_buyer] == before[new_buyer] + 1
    scored = rows(
        db,
        """select repeat_purchases, recency_weeks, tenure_weeks, p_alive, clv_status,
                                fitted_as_of::text from analytics.customer_predictions""",
    )
    assert {(r[4], r[5]) for r in scored} == {("ok", "2026-10-31")}
    x, t_x, T, p_alive = (np.array([r[i] for r in scored], dtype=float) for i in range(4))
    assert np.allclose(p_alive, ParetoNBD(params).p_alive(x, t_x, T), rtol=1e-12, atol=0)

    # other vars force a full parse: a target directory of their own keeps the shared one's parse
    refit = run_dbt(
        ["run", "--select", "clv_model_fits"],
        db,
        dbt_vars={**DBT_VARS, "clv_refit_days": 0},
        target_path=tmp_path / "target-refit",
        capture=True,
    )
    assert_ok(refit)
    assert rows(db, fits_sql) == [("2026-10-31", 6, 2)], "clv_refit_days 0 refits at every build"

    # as_of before every fit: later fits saw later data, so they neither count as current nor score
    past = run_dbt(
        ["run", "--select", "clv_model_fits", "customer_predictions"],
        db,
        dbt_vars={**DBT_VARS, "as_of": "2026-10-15"},
        target_path=tmp_path / "target-past",
        capture=True,
    )
    assert_ok(past)
    assert rows(db, fits_sql) == [("2026-10-15", 3, 1), ("2026-10-31", 6, 2)]
    assert rows(db, "select distinct as_of, fitted_as_of::text from analytics.customer_predictions") == [
        ("2026-10-15", "2026-10-15")
    ]


# -- test window ----------------------------------------------------------------------------------

DUPLICATE_ORDER_FAILURES = {"unique_orders_order_key", "unique_combination_orders_platform__store__order_id"}


def test_tests_on_large_models_check_recent_loads_and_everything_on_request(
    db: DbSettings, target_dir: Path, tmp_path: Path, generated: dict
) -> None:
    """A broken row loaded a month ago is outside a nightly run's test window (it was checked when it
    arrived); `test_window_days: 0` finds it, and the same break in a recent row fails the nightly tests."""
    load_raw(db, generated, tmp_path / "dlt")
    assert_ok(dbt(db, target_dir, "build", "--exclude-resource-type", "test"))
    old_key, recent_key = (
        r[0] for r in rows(db, "select order_key from analytics.orders order by order_key limit 2")
    )
    conn = db.connect()
    with conn.cursor() as cur:
        cur.execute(
            "update analytics.orders set loaded_at = loaded_at - interval '30 days' where order_key <> %s",
            (recent_key,),
        )
        cur.execute(
            "insert into analytics.orders select * from analytics.orders where order_key = %s", (old_key,)
        )
    conn.commit()
    conn.close()

    nightly = dbt(db, target_dir, "test", "--select", "orders,test_type:generic")
    assert_ok(nightly)
    assert nightly.count("pass") > 10
    # other vars force a full parse: a target directory of their own keeps the shared one's parse
    everything = run_dbt(
        ["test", "--select", "orders,test_type:generic"],
        db,
        dbt_vars={**DBT_VARS, "test_window_days": 0},
        target_path=tmp_path / "target-all",
        capture=True,
    )
    assert not everything.ok
    assert {u.split(".")[2] for u in everything.failures()} == DUPLICATE_ORDER_FAILURES

    conn = db.connect()
    with conn.cursor() as cur:
        cur.execute(
            "insert into analytics.orders select * from analytics.orders where order_key = %s", (recent_key,)
        )
    conn.commit()
    conn.close()
    broken = dbt(db, target_dir, "test", "--select", "orders,test_type:generic")
    assert {u.split(".")[2] for u in broken.failures()} == DUPLICATE_ORDER_FAILURES


# -- staging row ids ------------------------------------------------------------------------------


def test_staging_row_ids_are_checked_by_the_raw_tables_constraint(
    db: DbSettings, target_dir: Path, tmp_path: Path, generated: dict
) -> None:
    """dlt_row_id passes while PostgreSQL keeps each raw `_dlt_id` unique and NOT NULL, and fails for
    exactly the staging model whose raw table lost that guarantee, with one row per missing piece -
    in any store's dataset (here the second Shopify store's)."""
    load_raw(db, generated, tmp_path / "dlt")
    load_raw(db, {"shopify": generated["shopify"]}, tmp_path / "dlt", label="eu", store_id=EU_SHOP)
    checked = dbt(db, target_dir, "test", "--select", "test_name:dlt_row_id")
    assert_ok(checked)
    assert checked.count("pass") == len(checked.results) > 30

    conn = db.connect()
    with conn.cursor() as cur:
        cur.execute("""select conname from pg_constraint
                       where conrelid = 'raw_shopify__eu.orders'::regclass and contype = 'u'""")
        for (constraint,) in cur.fetchall():
            cur.execute(f'alter table raw_shopify__eu.orders drop constraint "{constraint}"')
        cur.execute("alter table raw_shopify__eu.orders alter column _dlt_id drop not null")
    conn.commit()
    conn.close()
    broken = dbt(db, target_dir, "test", "--select", "test_name:dlt_row_id")
    assert [u.split(".")[2] for u in broken.failures()] == ["dlt_row_id_stg_shopify__orders_order_dlt_id"]
    assert [r["failures"] for r in broken.results if r["status"] == "fail"] == [2]
