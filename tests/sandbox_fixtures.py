"""Small hand-written sandbox stores and a running SandboxServer for the contract tests.

The data is written here, not by the generator, so each contract test knows
exactly which records must come back. `FakeClock` drives the rate-limit buckets
and token expiry, so no test sleeps to watch a bucket leak.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import requests

from metric_pulse.sandbox.server import SandboxServer

BASE = datetime(2024, 3, 1, 12, 0, 0, tzinfo=UTC)
EST = timezone(timedelta(hours=-5))
SITE_TZ = timezone(timedelta(hours=2))  # the WooCommerce site's local time
CT_NAMESPACE = uuid.UUID("6f1c1d3e-5a3b-4c1e-9a7d-2b8e4f6a0c11")


class FakeClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def write(root: Path, platform: str, resource: str, records: list[dict], *, layout: str = "lines") -> Path:
    """The generator's layout ('[', one object per line, ']') or `layout="pretty"` (indented JSON)."""
    path = root / platform / f"{resource}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    if layout == "lines":
        path.write_text("[\n" + ",\n".join(json.dumps(r) for r in records) + "\n]\n" if records else "[]\n")
    else:
        path.write_text(json.dumps(records, indent=2))
    return path


# -- Shopify: 120 orders, ids 1..120 -------------------------------------------------------


def shopify_updated(ident: int) -> datetime:
    """Not monotonic in id, with ties: ids 10k+1 and 10k+2 share a timestamp."""
    source = ident - 1 if ident % 10 == 2 else ident
    return BASE + timedelta(minutes=(source * 37) % 240)


def shopify_status(ident: int) -> str:
    return {0: "cancelled", 1: "closed"}.get(ident % 5, "open")


def utc_z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def money_bag(amount: str) -> dict:
    money = {"amount": amount, "currencyCode": "USD"}
    return {"shopMoney": money, "presentmentMoney": money}


def shopify_order(ident: int, *, created: datetime | None = None, lines: int = 2) -> dict:
    """An Order node in the GraphQL Admin shape (ids 1..120; line items `ident*1000 + k`)."""
    created = created or BASE - timedelta(hours=ident)
    updated = shopify_updated(ident)
    status = shopify_status(ident)
    money = f"{ident * 3}.50"
    return {
        "id": f"gid://shopify/Order/{ident}",
        "legacyResourceId": str(ident),
        "name": f"#{1000 + ident}",
        "email": f"buyer{ident}@example.com",
        "createdAt": utc_z(created),
        "updatedAt": utc_z(updated),
        "processedAt": utc_z(created),
        "cancelledAt": utc_z(updated) if status == "cancelled" else None,
        "closedAt": utc_z(updated) if status in ("cancelled", "closed") else None,
        "displayFinancialStatus": "REFUNDED" if status == "cancelled" else "PAID",
        "displayFulfillmentStatus": "UNFULFILLED",
        "currencyCode": "USD",
        "presentmentCurrencyCode": "USD",
        "test": ident == 7,
        "sourceName": "web",
        "paymentGatewayNames": ["shopify_payments"],
        "discountCodes": [],
        "tags": [],
        "totalPriceSet": money_bag(money),
        "subtotalPriceSet": money_bag(money),
        "totalTaxSet": money_bag("0.00"),
        "totalDiscountsSet": money_bag("0.00"),
        "totalShippingPriceSet": money_bag("0.00"),
        "taxLines": [],
        "shippingLines": {"nodes": []},
        "discountApplications": {"nodes": []},
        "customer": {
            "id": f"gid://shopify/Customer/{500 + ident % 7}",
            "legacyResourceId": str(500 + ident % 7),
        },
        "billingAddress": {
            "firstName": "Buyer",
            "lastName": f"No{ident}",
            "city": "Albany",
            "countryCodeV2": "US",
        },
        "lineItems": {
            "nodes": [
                {
                    "id": f"gid://shopify/LineItem/{ident * 1000 + k}",
                    "product": {"id": f"gid://shopify/Product/{900 + k % 4 + 1}"},
                    "variant": {"id": f"gid://shopify/ProductVariant/{(k % 4 + 1) * 1000 + 1}"},
                    "sku": f"SKU-{k}",
                    "title": f"Thing {k}",
                    "name": f"Thing {k}",
                    "quantity": k,
                    "taxable": True,
                    "isGiftCard": False,
                    "originalUnitPriceSet": money_bag("1.00"),
                    "totalDiscountSet": money_bag("0.00"),
                    "taxLines": [],
                    "discountAllocations": [],
                }
                for k in range(1, lines + 1)
            ]
        },
        "refunds": [shopify_refund(ident)] if ident == 5 else [],
    }


def shopify_refund(ident: int) -> dict:
    """Order `ident`'s refund (`ident*1000 + 1`) of one unit of its first line."""
    return {
        "id": f"gid://shopify/Refund/{ident * 1000 + 1}",
        "legacyResourceId": str(ident * 1000 + 1),
        "order": {"id": f"gid://shopify/Order/{ident}", "legacyResourceId": str(ident)},
        "createdAt": utc_z(shopify_updated(ident)),
        "updatedAt": utc_z(shopify_updated(ident)),
        "note": "Damaged in transit",
        "totalRefundedSet": money_bag("1.00"),
        "refundLineItems": {
            "nodes": [
                {
                    "id": f"gid://shopify/RefundLineItem/{ident * 1000 + 11}",
                    "quantity": 1,
                    "restockType": "RETURN",
                    "lineItem": {"id": f"gid://shopify/LineItem/{ident * 1000 + 1}"},
                    "subtotalSet": money_bag("1.00"),
                    "totalTaxSet": money_bag("0.00"),
                }
            ]
        },
        "transactions": {"nodes": []},
        "orderAdjustments": {"nodes": []},
        "refundShippingLines": {"nodes": []},
    }


def shopify_store(root: Path, *, old_order: bool = False, large_order: bool = False) -> None:
    """120 orders (plus order 121 created in 2020, plus order 122 with 300 line items), 7 customers, 4 products."""
    orders = [shopify_order(i) for i in range(1, 121)]
    if old_order:
        orders.append(shopify_order(121, created=datetime(2020, 1, 1, tzinfo=UTC)))
    if large_order:
        orders.append(shopify_order(122, lines=300))
    write(root, "shopify", "orders", orders)
    write(
        root,
        "shopify",
        "customers",
        [
            {
                "id": f"gid://shopify/Customer/{500 + i}",
                "legacyResourceId": str(500 + i),
                "createdAt": utc_z(BASE - timedelta(days=i)),
                "updatedAt": utc_z(BASE + timedelta(hours=i)),
                "firstName": f"C{i}",
                "lastName": "Doe",
                "displayName": f"C{i} Doe",
                "state": "ENABLED",
                "tags": [],
                "verifiedEmail": True,
                "taxExempt": False,
                "numberOfOrders": str(sum(1 for k in range(1, 121) if k % 7 == i)),
                "amountSpent": {"amount": "0.00", "currencyCode": "USD"},
                "addressesV2": {"nodes": []},
                "defaultEmailAddress": {"emailAddress": f"c{i}@example.com", "marketingState": "SUBSCRIBED"},
                "defaultAddress": {
                    "id": f"gid://shopify/MailingAddress/{700 + i}",
                    "city": "Albany",
                    "zip": "12207",
                    "countryCodeV2": "US",
                    "provinceCode": "NY",
                    "address1": f"{i} Main St",
                },
            }
            for i in range(7)
        ],
    )
    write(
        root,
        "shopify",
        "products",
        [
            {
                "id": f"gid://shopify/Product/{900 + i}",
                "legacyResourceId": str(900 + i),
                "title": f"Thing {i}",
                "vendor": "Acme" if i % 2 else "Globex",
                "handle": f"thing-{i}",
                "productType": "Widget",
                "tags": ["widget"],
                "options": [],
                "status": "ACTIVE" if i != 3 else "DRAFT",
                "createdAt": utc_z(BASE),
                "updatedAt": utc_z(BASE + timedelta(minutes=i)),
                "publishedAt": utc_z(BASE) if i != 3 else None,
                "variants": {
                    "nodes": [
                        {
                            "id": f"gid://shopify/ProductVariant/{i * 1000 + v}",
                            "legacyResourceId": str(i * 1000 + v),
                            "title": f"V{v}",
                            "sku": f"SKU-{i}-{v}",
                            "price": "1.00",
                            "position": v,
                            "createdAt": utc_z(BASE),
                            "updatedAt": utc_z(BASE),
                            "selectedOptions": [],
                        }
                        for v in range(1, (130 if i == 4 else 2) + 1)
                    ]
                },
            }
            for i in range(1, 5)
        ],
    )


def shopify_order_ids(settings: dict[str, str], names: str, first: int) -> list[int]:
    """The first order ids (by id) of a Shopify store, reached with its `.env` settings as a loader
    would: the client-credentials grant, then a GraphQL query of the configured version."""
    root = settings[f"{names}_STORE_URL"]
    token = requests.post(
        f"{root}/admin/oauth/access_token",
        data={
            "grant_type": "client_credentials",
            "client_id": settings[f"{names}_CLIENT_ID"],
            "client_secret": settings[f"{names}_CLIENT_SECRET"],
        },
        timeout=10,
    ).json()["access_token"]
    r = requests.post(
        f"{root}/admin/api/{settings[f'{names}_API_VERSION']}/graphql.json",
        headers={"X-Shopify-Access-Token": token},
        json={"query": f"{{ orders(first: {first}, sortKey: ID) {{ nodes {{ legacyResourceId }} }} }}"},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    return [int(o["legacyResourceId"]) for o in r.json()["data"]["orders"]["nodes"]]


# -- WooCommerce: 25 orders, ids 1..25 -----------------------------------------------------


def naive(moment: datetime, tz: timezone = UTC) -> str:
    return moment.astimezone(tz).replace(tzinfo=None).isoformat(timespec="seconds")


WOO_STATUSES = ("processing", "completed", "completed", "cancelled", "refunded")


def woo_modified(ident: int) -> datetime:
    """Ties on purpose: ids 2k-1 and 2k are modified in the same second."""
    return BASE + timedelta(hours=(ident + 1) // 2 * 5 % 26)


def woo_order(ident: int) -> dict:
    created = BASE - timedelta(days=30) + timedelta(hours=ident * 7)
    modified = woo_modified(ident)
    return {
        "id": ident,
        "parent_id": 0,
        "number": str(ident),
        "status": WOO_STATUSES[ident % 5],
        "currency": "EUR",
        "date_created": naive(created, SITE_TZ),
        "date_created_gmt": naive(created),
        "date_modified": naive(modified, SITE_TZ),
        "date_modified_gmt": naive(modified),
        "customer_id": 0 if ident % 6 == 0 else 100 + ident % 4,
        "total": f"{ident}.00",
        "billing": {"email": f"w{ident}@example.com", "first_name": "W", "last_name": str(ident)},
        "line_items": [{"id": ident * 10, "product_id": 300 + ident % 3, "quantity": 1, "price": 1.5}],
        "refunds": [{"id": 1, "reason": "", "total": "-1.00"}] if ident % 5 == 4 else [],
    }


def woo_store(root: Path) -> None:
    write(root, "woocommerce", "orders", [woo_order(i) for i in range(1, 26)])
    customers = [
        {
            "id": 100 + i,
            "email": f"Cust{i}@Example.com",
            "first_name": name,
            "last_name": "Smith",
            "username": name.lower(),
            "role": "customer",
            "date_created": naive(BASE - timedelta(days=i), SITE_TZ),
            "date_created_gmt": naive(BASE - timedelta(days=i)),
            "date_modified": naive(BASE + timedelta(days=i), SITE_TZ),
            "date_modified_gmt": naive(BASE + timedelta(days=i)),
        }
        for i, name in enumerate(["Dora", "Alice", "Carl", "Bob"])
    ]
    customers.append(
        {
            **customers[0],
            "id": 1,
            "email": "admin@example.com",
            "first_name": "Admin",
            "role": "administrator",
        }
    )
    write(root, "woocommerce", "customers", customers)
    write(
        root,
        "woocommerce",
        "products",
        [
            {
                "id": 300 + i,
                "name": f"Prod {i}",
                "slug": f"prod-{i}",
                "sku": f"P{i}",
                "status": "publish",
                "type": "simple",
                "price": str(10 - i),
                "date_created_gmt": naive(BASE),
                "date_created": naive(BASE, SITE_TZ),
                "date_modified_gmt": naive(BASE + timedelta(minutes=i)),
                "date_modified": naive(BASE + timedelta(minutes=i), SITE_TZ),
            }
            for i in range(3)
        ],
    )


# -- commercetools: 30 orders ---------------------------------------------------------------


def ct_time(moment: datetime, millis: int = 0) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{millis:03d}Z"


def ct_id(kind: str, n: int) -> str:
    return str(uuid.uuid5(CT_NAMESPACE, f"{kind}-{n}"))


def ct_order(n: int) -> dict:
    created = BASE + timedelta(hours=n)
    # Pairs share lastModifiedAt to the millisecond, so keyset paging must break ties by id.
    modified = BASE + timedelta(days=1, minutes=(n // 2) * 13 % 97)
    return {
        "type": "Order",
        "id": ct_id("order", n),
        "version": 3,
        "orderNumber": str(10000 + n),
        "createdAt": ct_time(created, n),
        "lastModifiedAt": ct_time(modified, 250),
        "customerEmail": f"ct{n}@example.com",
        "customerId": ct_id("customer", n % 5),
        "orderState": "Cancelled" if n % 7 == 0 else "Complete",
        "totalPrice": {
            "type": "centPrecision",
            "currencyCode": "EUR",
            "centAmount": 1000 + n,
            "fractionDigits": 2,
        },
        "lineItems": [
            {
                "id": ct_id("li", n),
                "productId": ct_id("product", n % 3),
                "quantity": 1 + n % 3,
                "name": {"en": "Thing"},
            }
        ],
    }


def ct_store(root: Path, *, many_customers: int = 0) -> None:
    write(root, "commercetools", "orders", [ct_order(n) for n in range(30)])
    count = many_customers or 5
    write(
        root,
        "commercetools",
        "customers",
        [
            {
                "id": ct_id("customer", n),
                "version": 1,
                "email": f"ct{n}@example.com",
                "createdAt": ct_time(BASE - timedelta(days=1), n % 1000),
                "lastModifiedAt": ct_time(BASE, n % 1000),
            }
            for n in range(count)
        ],
    )
    write(
        root,
        "commercetools",
        "products",
        [
            {
                "id": ct_id("product", n),
                "version": 2,
                "createdAt": ct_time(BASE),
                "lastModifiedAt": ct_time(BASE, n),
                "productType": {"typeId": "product-type", "id": "pt"},
                "masterData": {
                    "published": n != 2,
                    "hasStagedChanges": False,
                    "current": {
                        "name": {"en": f"Thing {n}"},
                        "slug": {"en": f"thing-{n}"},
                        "masterVariant": {"id": 1, "sku": f"CT-{n}"},
                        "variants": [],
                    },
                    "staged": {
                        "name": {"en": f"Thing {n} (draft)"},
                        "slug": {"en": f"thing-{n}"},
                        "masterVariant": {"id": 1, "sku": f"CT-{n}"},
                        "variants": [],
                    },
                },
            }
            for n in range(3)
        ],
    )


def full_store(root: Path) -> Path:
    shopify_store(root)
    woo_store(root)
    ct_store(root)
    return root


def two_of_each(root: Path) -> Path:
    """The contract stores as the default ones, and smaller stores with other ids labelled `eu`."""
    full_store(root)
    write(root, "shopify__eu", "orders", [shopify_order(i) for i in range(501, 504)])
    write(root, "woocommerce__eu", "orders", [woo_order(i) for i in range(71, 73)])
    ct_store(root / "eu")  # writes root/eu/commercetools/...: move it under the extra store's folder
    (root / "eu" / "commercetools").rename(root / "commercetools__eu")
    return root


@contextmanager
def running(data_dir: Path, **options: Any) -> Iterator[SandboxServer]:
    server = SandboxServer(data_dir, host="127.0.0.1", port=0, **options).start()
    try:
        yield server
    finally:
        server.stop()


def session() -> requests.Session:
    s = requests.Session()
    s.headers["User-Agent"] = "sandbox-contract-tests"
    return s
