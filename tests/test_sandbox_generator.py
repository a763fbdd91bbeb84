"""The sandbox data generator: determinism, each platform's response shapes, and the realism the marts rely on.

Small stores (a few hundred orders) keep this fast; one CLI run uses the default size.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from metric_pulse import platforms as registry
from metric_pulse.sandbox.generate.population import split_orders
from metric_pulse.sandbox.generate.shopify import DEFAULT_LARGE
from metric_pulse.sandbox.generator import generate

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PLATFORMS = tuple(registry.PLATFORMS)
FILES = ("customers.json", "products.json", "orders.json")
START, END = date(2025, 1, 1), date(2025, 12, 31)
END_OF_DATA = datetime(2026, 1, 1, tzinfo=UTC)

SHOPIFY_TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
GID = re.compile(r"^gid://shopify/(\w+)/(\d+)$")
WOO_TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")
CT_TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
MONEY = re.compile(r"^-?\d+\.\d\d$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("sandbox")
    counts = generate(out, seed=11, customers=150, orders=1200, start=START, end=END)
    data = {
        p: {f[:-5]: json.loads((out / p / f).read_text(encoding="utf-8")) for f in FILES} for p in PLATFORMS
    }
    return {"dir": out, "counts": counts, **data}


def _instant(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _norm(email: str | None) -> str:
    return (email or "").strip().lower()


# -- determinism and counts ----------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files_and_another_seed_differs(tmp_path: Path) -> None:
    args = dict(customers=40, orders=200, start=START, end=END)
    generate(tmp_path / "a", seed=3, **args)
    generate(tmp_path / "b", seed=3, **args)
    generate(tmp_path / "c", seed=4, **args)
    for platform in PLATFORMS:
        for name in FILES:
            a = (tmp_path / "a" / platform / name).read_bytes()
            assert a == (tmp_path / "b" / platform / name).read_bytes(), f"{platform}/{name} differs"
    assert (tmp_path / "a" / "shopify" / "orders.json").read_bytes() != (
        tmp_path / "c" / "shopify" / "orders.json"
    ).read_bytes()
    assert not list(tmp_path.rglob("*.tmp"))


def digest(root: Path, names: tuple[str, ...] = FILES) -> str:
    """One sha256 over the path and bytes of every file under `root` with one of those names."""
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name in names):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def test_output_is_pinned(tmp_path: Path) -> None:
    """The marts of the demo data are compared across versions: the generator's bytes must not drift.

    Pinned per platform. WooCommerce and commercetools have the bytes they had when the platform
    lists moved to the registry (their refunds and variations files came with issue 17). Shopify
    was re-pinned by issue 16: its files moved from the REST 2024-10 shape to the GraphQL Admin
    shape (GIDs, camelCase, MoneyBag, connections) with the same draws, and the default store
    gained the large records (`shopify_large`); with `shopify_large=0` it holds only the records
    the REST files held. A deliberate change to the data updates a digest and says so in its commit.
    """
    generate(tmp_path / "default", seed=7, customers=50, orders=300)
    generate(tmp_path / "small", seed=7, customers=50, orders=300, options={"shopify_large": 0})
    assert {p: digest(tmp_path / "default" / p) for p in PLATFORMS} == {
        "shopify": "02df93eacea5beb07d942cffff30403798ae517f2c63960acf5bf4dc17e3f581",
        "woocommerce": "26c2fb8d57ac2e09380bd93c3471e6724970363c9dc4b5290e1c4d794193eb4b",
        "commercetools": "94675c090e9130f52f1e818480dbad5639ab98ac41b66cd3c6233053478bf660",
    }
    assert (
        digest(tmp_path / "small" / "shopify")
        == "00676f571e7b129437a09c1b55ab755d1e60bb0a9e9e24358f03736a36bca394"
    )
    assert (
        digest(tmp_path / "default", ("refunds.json", "variations.json"))
        == "610d80d4fde943fe04d7737b93680712641bfe1d84ab5e36858b180d2dc9ba7c"
    )


def test_an_extra_store_is_another_draw_and_leaves_the_default_stores_alone(tmp_path: Path) -> None:
    args = dict(seed=7, customers=50, orders=300, start=START, end=END)
    counts = generate(tmp_path / "plain", **args)
    counts_extra = generate(tmp_path / "extra", **args, extra_stores=[("shopify", "eu")])
    assert sorted(p.name for p in (tmp_path / "extra").iterdir()) == sorted([*PLATFORMS, "shopify__eu"])
    for platform in PLATFORMS:
        assert digest(tmp_path / "plain" / platform) == digest(tmp_path / "extra" / platform)
    assert counts_extra == {**counts, "shopify__eu": counts_extra["shopify__eu"]}
    assert counts_extra["shopify__eu"]["orders"] == counts["shopify"]["orders"]  # as large, other people
    for name in FILES:  # another seed: other people, other orders
        eu = (tmp_path / "extra" / "shopify__eu" / name).read_bytes()
        assert eu != (tmp_path / "extra" / "shopify" / name).read_bytes()
    generate(tmp_path / "again", **args, extra_stores=[("shopify", "eu")])
    assert digest(tmp_path / "again") == digest(tmp_path / "extra")


def test_counts_are_honoured_and_match_the_files(store: dict) -> None:
    expected = split_orders(1200, [p.generator for p in registry.PLATFORMS.values()])
    assert sum(expected.values()) == 1200
    for platform in PLATFORMS:
        assert store["counts"][platform] == {
            entity: len(store[platform][entity]) for entity in ("customers", "products", "orders")
        }
        # Shopify adds its large orders (DEFAULT_LARGE) to its share
        assert store["counts"][platform]["orders"] == expected[platform] + (
            DEFAULT_LARGE if platform == "shopify" else 0
        )
    assert expected == {"shopify": 540, "woocommerce": 360, "commercetools": 300}


def test_each_file_is_a_json_array_with_one_object_per_line(store: dict) -> None:
    lines = (store["dir"] / "woocommerce" / "orders.json").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[" and lines[-1] == "]"
    assert len(lines) == len(store["woocommerce"]["orders"]) + 2


def test_zero_orders_writes_empty_arrays(tmp_path: Path) -> None:
    counts = generate(
        tmp_path, seed=1, customers=10, orders=0, start=START, end=END, options={"shopify_large": 0}
    )
    assert all(c["orders"] == 0 for c in counts.values())
    assert (tmp_path / "shopify" / "orders.json").read_text() == "[]\n"


def test_nothing_happens_outside_the_window(store: dict) -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for o in store["shopify"]["orders"]:
        assert start <= _instant(o["createdAt"]) <= _instant(o["updatedAt"]) < END_OF_DATA
    for o in store["woocommerce"]["orders"]:
        assert start <= _instant(o["date_created_gmt"]) <= _instant(o["date_modified_gmt"]) < END_OF_DATA
    for o in store["commercetools"]["orders"]:
        assert start <= _instant(o["createdAt"]) <= _instant(o["lastModifiedAt"]) < END_OF_DATA


# -- Shopify ---------------------------------------------------------------------------------------


def _bag(value: dict, presentment: str) -> None:
    assert value["shopMoney"]["currencyCode"] == "USD" and MONEY.match(value["shopMoney"]["amount"])
    assert value["presentmentMoney"]["currencyCode"] == presentment
    assert MONEY.match(value["presentmentMoney"]["amount"])


def _cents(bag: dict, side: str = "shopMoney") -> int:
    return round(float(bag[side]["amount"]) * 100)


def _gid(value: str, kind: str) -> int:
    match = GID.match(value)
    assert match and match.group(1) == kind, value
    return int(match.group(2))


def regular(orders: list[dict]) -> list[dict]:
    """The orders drawn from the population (not the large ones)."""
    return [o for o in orders if len(o["lineItems"]["nodes"]) <= 250]


def test_shopify_orders_have_the_graphql_admin_shape(store: dict) -> None:
    orders = store["shopify"]["orders"]
    for o in orders:
        assert str(_gid(o["id"], "Order")) == o["legacyResourceId"]
        assert re.match(r"^#\d{4,}$", o["name"])
        for key in ("createdAt", "updatedAt", "processedAt"):
            assert SHOPIFY_TS.match(o[key]), o[key]
        for key in ("cancelledAt", "closedAt"):
            assert o[key] is None or SHOPIFY_TS.match(o[key])
        assert o["currencyCode"] == "USD" and isinstance(o["test"], bool)
        for key in (
            "totalPriceSet",
            "subtotalPriceSet",
            "totalTaxSet",
            "totalDiscountsSet",
            "currentTotalPriceSet",
        ):
            _bag(o[key], o["presentmentCurrencyCode"])
        assert o["displayFinancialStatus"] in {
            "PENDING",
            "AUTHORIZED",
            "PAID",
            "PARTIALLY_REFUNDED",
            "REFUNDED",
            "VOIDED",
        }
        assert o["displayFulfillmentStatus"] in {"FULFILLED", "UNFULFILLED"}
        total = _cents(o["totalPriceSet"])
        assert total == _cents(o["subtotalPriceSet"]) + _cents(o["totalShippingPriceSet"]) + _cents(
            o["totalTaxSet"]
        )
        assert o["lineItems"]["nodes"] and set(o["lineItems"]) == {"nodes"}
        for li in o["lineItems"]["nodes"]:
            _gid(li["id"], "LineItem")
            _gid(li["product"]["id"], "Product")
            _gid(li["variant"]["id"], "ProductVariant")
            assert li["sku"].startswith("MP-") and li["title"] and li["name"] and li["quantity"] >= 1
            _bag(li["originalUnitPriceSet"], o["presentmentCurrencyCode"])
        for d in o["discountApplications"]["nodes"]:
            assert (
                d["__typename"] == "DiscountCodeApplication"
                and d["value"]["__typename"] == "PricingPercentageValue"
            )
            assert d["code"] in o["discountCodes"]
        if o["customer"] is not None:
            _gid(o["customer"]["id"], "Customer")
            assert o["customer"]["defaultEmailAddress"]["emailAddress"] == o["email"]


def test_shopify_refunds_are_dated_after_the_order_and_carry_transactions(store: dict) -> None:
    refunded = [o for o in store["shopify"]["orders"] if o["refunds"]]
    assert refunded
    for o in refunded:
        line_ids = {li["id"] for li in o["lineItems"]["nodes"]}
        for refund in o["refunds"]:
            _gid(refund["id"], "Refund")
            assert _instant(o["createdAt"]) < _instant(refund["createdAt"]) <= _instant(o["updatedAt"])
            lines = refund["refundLineItems"]["nodes"]
            assert lines and {rli["lineItem"]["id"] for rli in lines} <= line_ids
            (tx,) = refund["transactions"]["nodes"]
            assert tx["kind"] == "REFUND" and tx["status"] == "SUCCESS"
            _bag(tx["amountSet"], o["presentmentCurrencyCode"])
            assert tx["amountSet"] == refund["totalRefundedSet"] and _cents(tx["amountSet"]) > 0
    statuses = Counter(o["displayFinancialStatus"] for o in refunded)
    assert statuses["REFUNDED"] and statuses["PARTIALLY_REFUNDED"]


def test_shopify_refund_in_shop_money_adds_up_to_the_transaction(store: dict) -> None:
    """Refund lines plus refunded shipping equal the transaction, in both currencies; refunded
    shipping is a refund shipping line, never an order adjustment (those are discrepancies only)."""
    checked = 0
    for o in store["shopify"]["orders"]:
        for refund in o["refunds"]:
            assert refund["order"] == {"id": o["id"], "legacyResourceId": o["legacyResourceId"]}
            assert refund["orderAdjustments"] == {"nodes": []}
            for side in ("shopMoney", "presentmentMoney"):
                lines = sum(
                    _cents(r["subtotalSet"], side) + _cents(r["totalTaxSet"], side)
                    for r in refund["refundLineItems"]["nodes"]
                )
                shipping = sum(
                    _cents(s["subtotalAmountSet"], side) + _cents(s["taxAmountSet"], side)
                    for s in refund["refundShippingLines"]["nodes"]
                )
                assert lines + shipping == _cents(refund["transactions"]["nodes"][0]["amountSet"], side)
            checked += 1
        if o["displayFinancialStatus"] == "REFUNDED":
            assert _cents(o["currentTotalPriceSet"]) == 0
    assert checked
    assert any(r["refundShippingLines"]["nodes"] for o in store["shopify"]["orders"] for r in o["refunds"])


def test_shopify_customers_and_products(store: dict) -> None:
    customers = store["shopify"]["customers"]
    by_id = {c["id"]: c for c in customers}
    orders = store["shopify"]["orders"]
    per_customer = Counter(o["customer"]["id"] for o in orders if o["customer"])
    for c in customers:
        _gid(c["id"], "Customer")
        assert "@" in c["defaultEmailAddress"]["emailAddress"]
        assert SHOPIFY_TS.match(c["createdAt"]) and _instant(c["updatedAt"]) >= _instant(c["createdAt"])
        assert c["numberOfOrders"] == str(per_customer.get(c["id"], 0))
        assert MONEY.match(c["amountSpent"]["amount"]) and c["amountSpent"]["currencyCode"] == "USD"
        assert c["state"] in {"ENABLED", "DISABLED", "INVITED"} and isinstance(c["tags"], list)
        assert c["addressesV2"] == {"nodes": [c["defaultAddress"]]}
    assert set(per_customer) <= set(by_id)
    for o in orders:
        if o["customer"]:
            assert o["customer"]["updatedAt"] == by_id[o["customer"]["id"]]["updatedAt"]
    variant_ids = set()
    for p in store["shopify"]["products"]:
        _gid(p["id"], "Product")
        assert (
            p["title"] and p["vendor"] and p["productType"] and p["status"] in {"ACTIVE", "DRAFT", "ARCHIVED"}
        )
        values = [v["name"] for v in p["options"][0]["optionValues"]]
        for v in p["variants"]["nodes"]:
            _gid(v["id"], "ProductVariant")
            assert MONEY.match(v["price"]) and v["sku"] and v["title"] in values
            variant_ids.add(v["id"])
    assert {li["variant"]["id"] for o in orders for li in o["lineItems"]["nodes"]} <= variant_ids


def test_shopify_large_records_come_from_their_own_draws(tmp_path: Path) -> None:
    """`shopify_large` adds products with > 100 variants and orders with > 250 lines, and changes nothing else."""
    args = dict(seed=9, customers=60, orders=300, start=START, end=END)
    generate(tmp_path / "none", **args, options={"shopify_large": 0})
    counts = generate(tmp_path / "three", **args, options={"shopify_large": 3})
    load = lambda d, f: json.loads((tmp_path / d / "shopify" / f).read_text())  # noqa: E731
    plain, large = load("none", "orders.json"), load("three", "orders.json")
    assert regular(large) == plain and len(large) == len(plain) + 3 == counts["shopify"]["orders"]
    assert all(len(o["lineItems"]["nodes"]) > 250 for o in large[len(plain) :])
    products = load("three", "products.json")
    assert products[: len(load("none", "products.json"))] == load("none", "products.json")
    assert sum(len(p["variants"]["nodes"]) > 100 for p in products) == 3
    assert load("three", "customers.json") == load("none", "customers.json")
    assert all(len(o["lineItems"]["nodes"]) <= 250 for o in plain)
    with pytest.raises(ValueError, match="unknown generator options"):
        generate(tmp_path / "bad", **args, options={"shopify_huge": 1})


# -- WooCommerce ----------------------------------------------------------------------------------


def test_woocommerce_orders_have_the_v3_shape(store: dict) -> None:
    site_offsets = set()
    for o in store["woocommerce"]["orders"]:
        assert isinstance(o["id"], int) and o["number"] == str(o["id"])
        assert o["status"] in {
            "pending",
            "processing",
            "on-hold",
            "completed",
            "cancelled",
            "refunded",
            "failed",
        }
        assert o["created_via"] in {"checkout", "admin", "rest-api"} and isinstance(o["customer_id"], int)
        for key in ("date_created", "date_created_gmt", "date_modified", "date_modified_gmt"):
            assert WOO_TS.match(o[key]), o[key]
        site_offsets.add(
            (
                datetime.fromisoformat(o["date_created"]) - datetime.fromisoformat(o["date_created_gmt"])
            ).total_seconds()
        )
        for key in ("total", "total_tax", "discount_total", "shipping_total", "cart_tax"):
            assert MONEY.match(o[key]) and not o[key].startswith("-"), (key, o[key])
        assert "@" in o["billing"]["email"]
        for li in o["line_items"]:
            assert isinstance(li["quantity"], int) and isinstance(li["variation_id"], int)
            assert isinstance(li["price"], (int, float)) and not isinstance(li["price"], bool)
            assert all(MONEY.match(li[k]) for k in ("subtotal", "subtotal_tax", "total", "total_tax"))
            assert isinstance(li["taxes"], list) and isinstance(li["meta_data"], list) and li["sku"]
        lines = sum(round(float(li["total"]) * 100) for li in o["line_items"])
        assert round(float(o["total"]) * 100) == lines + round(float(o["shipping_total"]) * 100) + round(
            float(o["total_tax"]) * 100
        )
    assert site_offsets == {0.0, 3600.0}  # Europe/London: GMT in winter, BST in summer


def test_woocommerce_refunds_are_negative_and_date_the_order_modification(store: dict) -> None:
    refunded = [o for o in store["woocommerce"]["orders"] if o["refunds"]]
    assert refunded
    for o in refunded:
        for refund in o["refunds"]:
            assert set(refund) == {"id", "reason", "total"}
            assert re.match(r"^-\d+\.\d\d$", refund["total"]), refund["total"]
        assert _instant(o["date_modified_gmt"]) > _instant(o["date_created_gmt"])
        assert o["date_paid_gmt"] and _instant(o["date_modified_gmt"]) > _instant(o["date_paid_gmt"])
    full = [o for o in refunded if o["status"] == "refunded"]
    partial = [o for o in refunded if o["status"] != "refunded"]
    assert full and partial
    for o in full:
        assert -sum(float(r["total"]) for r in o["refunds"]) == pytest.approx(float(o["total"]))


def test_woocommerce_customers_and_products(store: dict) -> None:
    customer_ids = set()
    for c in store["woocommerce"]["customers"]:
        assert isinstance(c["id"], int) and c["role"] == "customer" and c["username"]
        assert all(
            WOO_TS.match(c[k])
            for k in ("date_created", "date_created_gmt", "date_modified", "date_modified_gmt")
        )
        assert c["billing"]["email"] == c["email"] and isinstance(c["is_paying_customer"], bool)
        customer_ids.add(c["id"])
    assert {o["customer_id"] for o in store["woocommerce"]["orders"]} - {0} <= customer_ids
    for p in store["woocommerce"]["products"]:
        assert isinstance(p["id"], int) and p["name"] and p["slug"] and p["sku"]
        assert p["type"] in {"simple", "variable"} and p["status"] in {"publish", "draft", "private"}
        assert MONEY.match(p["price"]) and p["categories"] and WOO_TS.match(p["date_created_gmt"])


# -- commercetools --------------------------------------------------------------------------------


def _cent(money: dict, currency: str | None = None) -> int:
    assert money["type"] == "centPrecision" and isinstance(money["centAmount"], int)
    assert money["fractionDigits"] == (0 if money["currencyCode"] == "JPY" else 2)
    if currency:
        assert money["currencyCode"] == currency
    return money["centAmount"]


def test_commercetools_orders_have_the_http_api_shape(store: dict) -> None:
    currencies = Counter()
    for o in store["commercetools"]["orders"]:
        assert (
            o["type"] == "Order"
            and UUID.match(o["id"])
            and isinstance(o["version"], int)
            and o["version"] >= 1
        )
        assert CT_TS.match(o["createdAt"]) and CT_TS.match(o["lastModifiedAt"])
        assert o["orderState"] in {"Open", "Confirmed", "Complete", "Cancelled"}
        assert o["paymentState"] in {"BalanceDue", "Failed", "Pending", "CreditOwed", "Paid"}
        assert o["origin"] in {"Customer", "Merchant", "Quote", "RecurringOrder"}
        assert "@" in o["customerEmail"] and o["billingAddress"]["email"] == o["customerEmail"]
        currency = o["totalPrice"]["currencyCode"]
        currencies[currency] += 1
        lines = 0
        for li in o["lineItems"]:
            assert UUID.match(li["id"]) and UUID.match(li["productId"]) and li["productKey"]
            assert set(li["name"]) == {"en", "de"} and set(li["productSlug"]) == {"en", "de"}
            assert li["variant"]["sku"] and li["variant"]["prices"] and isinstance(li["quantity"], int)
            unit = _cent(li["price"]["value"], currency)
            assert _cent(li["totalPrice"], currency) == unit * li["quantity"]
            lines += unit * li["quantity"]
        assert _cent(o["totalPrice"]) == lines + _cent(o["shippingInfo"]["price"], currency)
        taxed = o["taxedPrice"]
        assert _cent(taxed["totalNet"]) + _cent(taxed["totalTax"]) == _cent(taxed["totalGross"], currency)
    assert {"EUR", "GBP", "USD", "JPY"} <= set(currencies)


def test_commercetools_refunds_are_payment_transactions_after_the_order(store: dict) -> None:
    refunds = 0
    for o in store["commercetools"]["orders"]:
        (payment,) = o["paymentInfo"]["payments"]
        assert payment["typeId"] == "payment" and payment["obj"]["id"] == payment["id"]
        for tx in payment["obj"]["transactions"]:
            assert tx["type"] in {"Authorization", "CancelAuthorization", "Charge", "Refund", "Chargeback"}
            assert tx["state"] in {"Initial", "Pending", "Success", "Failure"} and CT_TS.match(
                tx["timestamp"]
            )
            if tx["type"] == "Refund":
                refunds += 1
                assert tx["state"] == "Success"
                assert _instant(o["createdAt"]) < _instant(tx["timestamp"]) <= _instant(o["lastModifiedAt"])
                assert 0 < _cent(tx["amount"]) <= _cent(o["taxedPrice"]["totalGross"])
                assert o["returnInfo"] and o["returnInfo"][0]["items"][0]["paymentState"] == "Refunded"
    assert refunds


def test_commercetools_customers_and_products(store: dict) -> None:
    ids = set()
    for c in store["commercetools"]["customers"]:
        assert UUID.match(c["id"]) and isinstance(c["version"], int) and "@" in c["email"]
        assert (
            c["firstName"]
            and c["lastName"]
            and CT_TS.match(c["createdAt"])
            and CT_TS.match(c["lastModifiedAt"])
        )
        ids.add(c["id"])
    assert {o["customerId"] for o in store["commercetools"]["orders"] if "customerId" in o} <= ids
    for p in store["commercetools"]["products"]:
        assert UUID.match(p["id"]) and p["key"] and p["productType"]["typeId"] == "product-type"
        current = p["masterData"]["current"]
        assert set(current["name"]) == {"en", "de"} and set(current["slug"]) == {"en", "de"}
        prices = current["masterVariant"]["prices"]
        assert {pr["value"]["currencyCode"] for pr in prices} == {"EUR", "GBP", "USD", "CAD", "JPY"}
        for price in prices:
            _cent(price["value"])
        assert isinstance(p["masterData"]["published"], bool)


# -- realism ---------------------------------------------------------------------------------------


def test_some_people_shop_on_two_platforms_under_differently_typed_emails(store: dict) -> None:
    spellings: dict[str, set[str]] = defaultdict(set)
    platforms: dict[str, set[str]] = defaultdict(set)
    for platform in PLATFORMS:
        for c in store[platform]["customers"]:
            email = c["defaultEmailAddress"]["emailAddress"] if platform == "shopify" else c["email"]
            spellings[_norm(email)].add(email)
            platforms[_norm(email)].add(platform)
    shared = [e for e, ps in platforms.items() if len(ps) > 1]
    assert len(shared) >= 5
    differing = [e for e in shared if len(spellings[e]) > 1]
    assert differing
    assert any(s != s.strip() for e in spellings for s in spellings[e])  # stray whitespace
    assert any(s.strip() != s.strip().lower() for e in spellings for s in spellings[e])  # other case


def test_guests_and_orders_without_customer(store: dict) -> None:
    woo_guests = [o for o in store["woocommerce"]["orders"] if o["customer_id"] == 0]
    assert woo_guests and all("@" in o["billing"]["email"] for o in woo_guests)
    assert any(o["customer"] is None and o["email"] is None for o in store["shopify"]["orders"])
    assert any("customerId" not in o and "anonymousId" in o for o in store["commercetools"]["orders"])


def test_several_currencies(store: dict) -> None:
    seen = {o["presentmentCurrencyCode"] for o in store["shopify"]["orders"]}
    seen |= {o["currency"] for o in store["woocommerce"]["orders"]}
    seen |= {o["totalPrice"]["currencyCode"] for o in store["commercetools"]["orders"]}
    assert {"USD", "EUR", "GBP", "CAD", "JPY"} <= seen


def test_cancellations_on_every_platform(store: dict) -> None:
    shopify = [o for o in store["shopify"]["orders"] if o["cancelledAt"]]
    assert shopify and all(o["displayFinancialStatus"] == "VOIDED" and o["cancelReason"] for o in shopify)
    assert any(o["status"] in ("cancelled", "failed") for o in store["woocommerce"]["orders"])
    assert any(o["orderState"] == "Cancelled" for o in store["commercetools"]["orders"])


def test_test_orders_and_late_updates(store: dict) -> None:
    orders = store["shopify"]["orders"]
    assert 0 < sum(o["test"] for o in orders) < len(orders) * 0.05
    late = [o for o in orders if (_instant(o["updatedAt"]) - _instant(o["createdAt"])).days >= 7]
    assert late
    assert sum(_instant(o["updatedAt"]) > _instant(o["createdAt"]) for o in orders) > len(orders) * 0.9
    assert any(o["version"] > 3 for o in store["commercetools"]["orders"])


def test_purchase_frequency_is_heterogeneous(store: dict) -> None:
    per_person = Counter()
    for o in store["shopify"]["orders"]:
        if o["email"]:
            per_person[_norm(o["email"])] += 1
    for o in store["woocommerce"]["orders"]:
        per_person[_norm(o["billing"]["email"])] += 1
    for o in store["commercetools"]["orders"]:
        per_person[_norm(o["customerEmail"])] += 1
    counts = sorted(per_person.values())
    assert counts[0] == 1 and sum(c == 1 for c in counts) >= len(counts) * 0.1  # one-time buyers
    assert counts[-1] >= 5 * (sum(counts) / len(counts))  # and a heavy tail of loyal ones


# -- command line ----------------------------------------------------------------------------------


def test_cli_writes_the_default_store(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "metric_pulse.sandbox.generator", "--out", str(tmp_path / "data")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    for platform in PLATFORMS:
        for name in FILES:
            assert (tmp_path / "data" / platform / name).stat().st_size > 2
    assert "shopify: " in result.stdout and f"{1350 + DEFAULT_LARGE} orders" in result.stdout


def test_sandbox_cli_generate_matches_the_python_call(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "metric_pulse.sandbox.cli",
            "generate",
            "--out",
            str(tmp_path / "cli"),
            "--seed",
            "5",
            "--customers",
            "30",
            "--orders",
            "90",
            "--start",
            "2025-01-01",
            "--end",
            "2025-06-30",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    generate(tmp_path / "api", seed=5, customers=30, orders=90, start=date(2025, 1, 1), end=date(2025, 6, 30))
    for platform in PLATFORMS:
        for name in FILES:
            assert (tmp_path / "cli" / platform / name).read_bytes() == (
                tmp_path / "api" / platform / name
            ).read_bytes()


def test_metric_pulse_sandbox_generate(tmp_path: Path) -> None:
    from metric_pulse.cli import build_parser

    args = build_parser().parse_args(
        ["sandbox", "generate", "--out", str(tmp_path), "--orders", "30", "--customers", "10"]
    )
    assert args.func(args) == 0
    assert json.loads((tmp_path / "commercetools" / "orders.json").read_text(encoding="utf-8"))


def test_cli_rejects_bad_arguments(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "metric_pulse.sandbox.generator",
            "--out",
            str(tmp_path),
            "--start",
            "2025-05-01",
            "--end",
            "2025-01-01",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "--end" in result.stderr


def test_woocommerce_refunds_file_matches_the_orders_refund_lists(tmp_path: Path) -> None:
    """Each refund the order lists (id, total) is in refunds.json, dated no later than the order's last
    change, and its lines plus shipping add up to its amount (goodwill refunds have no lines)."""
    generate(tmp_path, seed=7, customers=50, orders=300)
    orders = {o["id"]: o for o in json.loads((tmp_path / "woocommerce" / "orders.json").read_text())}
    refunds = json.loads((tmp_path / "woocommerce" / "refunds.json").read_text())
    listed = {(o["id"], r["id"], r["total"]) for o in orders.values() for r in o["refunds"]}
    assert listed and {(r["parent_id"], r["id"], f"-{r['amount']}") for r in refunds} == listed
    for r in refunds:
        assert r["date_created_gmt"] <= orders[r["parent_id"]]["date_modified_gmt"]
        lines = r["line_items"] + r["shipping_lines"]
        if lines:
            cents = sum(round(float(x["total"]) * 100) + round(float(x["total_tax"]) * 100) for x in lines)
            assert cents == -round(float(r["amount"]) * 100)
