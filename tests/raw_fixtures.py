"""Raw data for the dbt tests: platform API objects loaded into raw_* exactly as the loaders do.

The loaders hand each platform's objects to dlt unchanged (one `@dlt.source` per
platform with `max_table_nesting=2`, resources `customers`/`products`/`orders`
merged on `id`), so the tests do the same here: the raw tables, their child
tables, the JSON columns for objects nested deeper than two levels, the
`_dlt_*` columns and the load ids are the ones production sees.

The builders below write small objects in each platform's API shape (only the
fields the models read, plus a few they must ignore), so a test can state its
data set in a few lines and compute the expected figures by hand. Shopify's are
GraphQL Admin objects as the loader hands them to dlt: GIDs next to
`legacyResourceId`, MoneyBags, connections already flattened to plain lists.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
# dlt warns about every all-NULL column of a small data set; the tests do not need it.
os.environ.setdefault("RUNTIME__LOG_LEVEL", "ERROR")

import dlt  # noqa: E402
import graphql  # noqa: E402

from loaders.shopify import queries  # noqa: E402
from loaders.shopify.objects import flatten  # noqa: E402
from metric_pulse.platforms import PLATFORMS as REGISTRY  # noqa: E402
from metric_pulse.warehouse import DbSettings  # noqa: E402

PLATFORMS = tuple(REGISTRY)
RESOURCES = ("customers", "products", "orders")

RawData = Mapping[str, Mapping[str, list[dict]]]  # platform -> resource -> API objects


def load_raw(
    db: DbSettings | None,
    data: RawData,
    pipelines_dir: Path,
    *,
    label: str = "default",
    store_id: str | None = None,
    duckdb_path: Path | None = None,
) -> None:
    """Merge `data` into raw_<platform> (one dlt load per platform, like a loader run).

    WooCommerce `_links` (API navigation) is dropped, as the WooCommerce loader does.
    `label`: the store's dataset, raw_<platform>__<label> unless `default`. `store_id`: also
    write the dataset's one-row `store` table, as the loaders do (without it: raw data
    loaded by a version that did not write it). `duckdb_path`: load into that DuckDB file
    (dlt's duckdb destination) instead of the PostgreSQL database `db`.
    """
    suffix = "" if label == "default" else f"__{label}"
    for platform, resources in data.items():
        present = {
            name: [_without_links(row) for row in rows] if platform == "woocommerce" else rows
            for name, rows in resources.items()
            if rows
        }
        if not present:
            continue

        pipeline = dlt.pipeline(
            pipeline_name=f"test_{platform}{suffix}",
            # the dataset name as written (dlt would make raw_shopify__eu raw_shopify_eu), as extract does
            destination=dlt.destinations.duckdb(str(duckdb_path), enable_dataset_name_normalization=False)
            if duckdb_path
            else dlt.destinations.postgres(
                credentials=db.url(with_password=True), enable_dataset_name_normalization=False
            ),
            dataset_name=f"raw_{platform}{suffix}",
            pipelines_dir=str(pipelines_dir),
        )
        pipeline.run(_source(platform, present, store_id))


def _without_links(row: Any) -> Any:
    return {k: v for k, v in row.items() if k != "_links"} if isinstance(row, dict) else row


def _source(platform: str, resources: Mapping[str, list[dict]], store_id: str | None) -> Any:
    def resources_of() -> Any:
        merged = [
            dlt.resource(rows, name=name, primary_key="id", write_disposition="merge")
            for name, rows in resources.items()
        ]
        if store_id is None:
            return merged
        store = [{"store_id": store_id, "checked_at": "2026-10-31T23:00:00Z"}]
        return [*merged, dlt.resource(store, name="store", write_disposition="replace")]

    return dlt.source(resources_of, name=platform, max_table_nesting=2)()


def read_data_dir(directory: Path) -> dict[str, dict[str, list[dict]]]:
    """DIR/{platform}/{resource}.json (the sandbox generator's output) as RawData.

    Shopify's files hold every field the emulator serves; the loader asks for fewer and
    flattens the connections. So do the tests: each object is cut to the loader's own
    selection (loaders/shopify/queries.py), then flattened as the loader does.
    """
    data: dict[str, dict[str, list[dict]]] = {}
    for platform in PLATFORMS:
        for resource in RESOURCES:
            path = directory / platform / f"{resource}.json"
            if path.exists():
                objects = json.loads(path.read_text())
                if platform == "shopify":
                    objects = [as_loaded(resource, o) for o in objects]
                data.setdefault(platform, {})[resource] = objects
    return data


def as_loaded(resource: str, node: dict) -> dict:
    """A Shopify node of `resource` as the loader hands it to dlt: its query's fields, flattened."""
    (operation,) = graphql.parse(f"{{ {queries.NODE_FIELDS[resource]} }}").definitions
    return flatten(_selected(node, operation.selection_set))


def _selected(value: Any, selection: Any) -> Any:
    """`value` with only the fields `selection` (a graphql-core SelectionSet) asks for, at every level."""
    if isinstance(value, list):
        return [_selected(item, selection) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for item in selection.selections:
        if isinstance(item, graphql.InlineFragmentNode):
            if value.get("__typename") in (None, item.type_condition.name.value):
                out.update(_selected(value, item.selection_set))
            continue
        name = item.name.value
        if name in value:
            out[name] = _selected(value[name], item.selection_set) if item.selection_set else value[name]
    return out


# -- builders: the smallest objects each API returns, with the fields the models read ----------


def _money(amount: float | str) -> str:
    return f"{float(amount):.2f}"


def _gid(kind: str, ident: int) -> str:
    return f"gid://shopify/{kind}/{ident}"


def _bag(amount: float | str, currency: str = "USD", presentment: float | str | None = None) -> dict:
    """A Shopify MoneyBag: shop money, and the same amount in the presentment currency unless given."""
    return {
        "shopMoney": {"amount": _money(amount), "currencyCode": currency},
        "presentmentMoney": {
            "amount": _money(amount if presentment is None else presentment),
            "currencyCode": currency,
        },
    }


def _ref(kind: str, ident: int | None) -> dict | None:
    """A reference to another node as the queries select it: `{id, legacyResourceId}`."""
    return None if ident is None else {"id": _gid(kind, ident), "legacyResourceId": str(ident)}


def shopify_customer(
    id: int,
    email: str | None,
    *,
    first_name: str = "Ann",
    last_name: str = "Lee",
    created_at: str = "2024-01-01T09:00:00-05:00",
    updated_at: str | None = None,
    country: str = "US",
) -> dict:
    address = {
        "id": f"{_gid('MailingAddress', id + 1)}?model_name=CustomerAddress",
        "countryCodeV2": country,
        "provinceCode": None,
        "city": "Springfield",
        "zip": "10001",
    }
    return {
        **_ref("Customer", id),
        "firstName": first_name,
        "lastName": last_name,
        "displayName": f"{first_name} {last_name}",
        "state": "ENABLED",
        "verifiedEmail": True,
        "taxExempt": False,
        "tags": [],
        "numberOfOrders": "0",
        "amountSpent": {"amount": "0.0", "currencyCode": "USD"},
        "createdAt": created_at,
        "updatedAt": updated_at or created_at,
        "defaultEmailAddress": None if email is None else {"emailAddress": email},
        "defaultPhoneNumber": None,
        "defaultAddress": address,
        "addressesV2": [address],
    }


def shopify_line(
    id: int,
    price: float,
    quantity: int,
    *,
    product_id: int | None = 100,
    variant_id: int | None = 200,
    sku: str = "SKU-1",
    title: str = "Mug",
    discount: float = 0.0,
) -> dict:
    line = {
        "id": _gid("LineItem", id),
        "name": title,
        "title": title,
        "sku": sku,
        "quantity": quantity,
        "vendor": None,
        "variantTitle": None,
        "taxable": True,
        "isGiftCard": False,
        "product": _ref("Product", product_id),
        "variant": _ref("ProductVariant", variant_id),
        "originalUnitPriceSet": _bag(price),
        "totalDiscountSet": _bag(discount),
        "taxLines": [],
        "discountAllocations": [],
    }
    if discount:
        line["discountAllocations"] = [
            {"allocatedAmountSet": _bag(discount), "discountApplication": {"index": 0}}
        ]
    return line


def shopify_line_price(line: dict) -> float:
    """The unit price of a line built by `shopify_line` (shop money)."""
    return float(line["originalUnitPriceSet"]["shopMoney"]["amount"])


def shopify_refund(
    id: int,
    created_at: str,
    amount: float,
    *,
    currency: str = "USD",
    subtotal: float | None = None,
    tax: float = 0.0,
) -> dict:
    """A refund of one line for `amount` (tax included); its transaction in `currency`."""
    return {
        **_ref("Refund", id),
        "createdAt": created_at,
        "updatedAt": created_at,
        "note": None,
        "totalRefundedSet": _bag(amount, currency),
        "refundLineItems": [
            {
                "id": _gid("RefundLineItem", id + 1),
                "lineItem": None,
                "quantity": 1,
                "restockType": "NO_RESTOCK",
                "subtotalSet": _bag(amount - tax if subtotal is None else subtotal, currency),
                "totalTaxSet": _bag(tax, currency),
            }
        ],
        "orderAdjustments": [],
        "refundShippingLines": [],
        "transactions": [
            {
                "id": _gid("OrderTransaction", id + 2),
                "kind": "REFUND",
                "status": "SUCCESS",
                "gateway": "manual",
                "amountSet": _bag(amount, currency),
                "createdAt": created_at,
                "processedAt": created_at,
            }
        ],
    }


def shopify_order(
    id: int,
    created_at: str,
    lines: Iterable[dict],
    *,
    customer: dict | None = None,
    email: str | None = None,
    currency: str = "USD",
    shipping: float = 0.0,
    tax: float = 0.0,
    financial_status: str = "paid",
    cancelled_at: str | None = None,
    test: bool = False,
    source_name: str = "web",
    refunds: Iterable[dict] = (),
    updated_at: str | None = None,
) -> dict:
    """An order in the GraphQL shape; `customer` is a customer object (or an order's `customer` reference)."""
    lines = list(lines)
    subtotal = sum(shopify_line_price(x) * x["quantity"] for x in lines) - sum(
        float(a["allocatedAmountSet"]["shopMoney"]["amount"]) for x in lines for a in x["discountAllocations"]
    )
    customer_email = ((customer or {}).get("defaultEmailAddress") or {}).get("emailAddress")
    return {
        **_ref("Order", id),
        "name": f"#{id}",
        "email": email or customer_email or "",
        "createdAt": created_at,
        "processedAt": created_at,
        "updatedAt": updated_at or created_at,
        "cancelledAt": cancelled_at,
        "cancelReason": "CUSTOMER" if cancelled_at else None,
        "closedAt": None,
        "displayFinancialStatus": financial_status.upper(),
        "displayFulfillmentStatus": "FULFILLED" if financial_status == "paid" else "UNFULFILLED",
        "test": test,
        "sourceName": source_name,
        "currencyCode": currency,
        "presentmentCurrencyCode": currency,
        "paymentGatewayNames": ["manual"],
        "discountCodes": [],
        "tags": [],
        "subtotalPriceSet": _bag(subtotal, currency),
        "totalTaxSet": _bag(tax, currency),
        "totalDiscountsSet": _bag(0, currency),
        "totalPriceSet": _bag(subtotal + shipping + tax, currency),
        "totalShippingPriceSet": _bag(shipping, currency),
        "customer": None
        if customer is None
        else {"id": customer["id"], "legacyResourceId": customer["legacyResourceId"]},
        "billingAddress": None,
        "taxLines": [],
        "shippingLines": [],
        "discountApplications": [],
        "lineItems": lines,
        "refunds": list(refunds),
    }


def woo_customer(
    id: int,
    email: str | None,
    *,
    first_name: str = "Ben",
    last_name: str = "Ode",
    created: str = "2024-01-01T10:00:00",
    modified: str | None = None,
    country: str = "GB",
) -> dict:
    return {
        "id": id,
        "email": email,
        "first_name": first_name,
        "last_name": last_name,
        "role": "customer",
        "username": (email or f"user{id}").split("@")[0],
        "date_created_gmt": created,
        "date_modified_gmt": modified or created,
        "is_paying_customer": True,
        "billing": {"email": email or "", "country": country},
    }


def woo_line(
    id: int,
    total: float,
    quantity: int,
    *,
    product_id: int = 30,
    sku: str = "SKU-1",
    name: str = "Mug",
    subtotal: float | None = None,
) -> dict:
    return {
        "id": id,
        "name": name,
        "product_id": product_id,
        "variation_id": 0,
        "quantity": quantity,
        "subtotal": _money(total if subtotal is None else subtotal),
        "subtotal_tax": "0.00",
        "total": _money(total),
        "total_tax": "0.00",
        "sku": sku,
        "price": total / quantity if quantity else 0,
    }


def woo_order(
    id: int,
    created: str,
    lines: Iterable[dict],
    *,
    customer_id: int = 0,
    email: str | None = None,
    currency: str = "GBP",
    status: str = "completed",
    shipping: float = 0.0,
    tax: float = 0.0,
    refunds: Iterable[tuple[int, float]] = (),
    modified: str | None = None,
    created_via: str = "checkout",
) -> dict:
    lines = list(lines)
    items = sum(float(x["total"]) for x in lines)
    return {
        "id": id,
        "number": str(id),
        "parent_id": 0,
        "status": status,
        "currency": currency,
        "created_via": created_via,
        "customer_id": customer_id,
        "prices_include_tax": False,
        "date_created_gmt": created,
        "date_modified_gmt": modified or created,
        "total": _money(items + shipping + tax),
        "total_tax": _money(tax),
        "shipping_total": _money(shipping),
        "discount_total": "0.00",
        "billing": {"email": email or "", "country": "GB"},
        "line_items": lines,
        "refunds": [{"id": rid, "reason": "", "total": _money(-amount)} for rid, amount in refunds],
    }


def ct_money(amount: float, currency: str) -> dict:
    digits = 0 if currency == "JPY" else 2
    return {
        "type": "centPrecision",
        "currencyCode": currency,
        "centAmount": round(amount * 10**digits),
        "fractionDigits": digits,
    }


def ct_customer(
    id: str,
    email: str | None,
    *,
    created: str = "2024-01-01T08:00:00.000Z",
    modified: str | None = None,
    first_name: str = "Cy",
    last_name: str = "Rao",
) -> dict:
    return {
        "id": id,
        "version": 1,
        "email": email,
        "firstName": first_name,
        "lastName": last_name,
        "isEmailVerified": True,
        "createdAt": created,
        "lastModifiedAt": modified or created,
        "addresses": [],
    }


def ct_line(
    id: str,
    unit_price: float,
    quantity: int,
    currency: str = "EUR",
    *,
    product_id: str = "p-1",
    sku: str = "SKU-1",
    name: str = "Mug",
) -> dict:
    return {
        "id": id,
        "productId": product_id,
        "name": {"en": name, "de": name + " (de)"},
        "variant": {"id": 1, "sku": sku},
        "quantity": quantity,
        "price": {"id": id + "-price", "value": ct_money(unit_price, currency)},
        "totalPrice": ct_money(unit_price * quantity, currency),
    }


def ct_order(
    id: str,
    created: str,
    lines: Iterable[dict],
    *,
    customer_id: str | None = None,
    email: str | None = None,
    currency: str = "EUR",
    order_state: str = "Complete",
    payment_state: str = "Paid",
    shipping: float = 0.0,
    modified: str | None = None,
    origin: str = "Customer",
    refunds: Iterable[tuple[float, str]] = (),
) -> dict:
    """`refunds`: (amount, timestamp) of successful Refund transactions on the order's payment."""
    lines = list(lines)
    items = sum(x["totalPrice"]["centAmount"] for x in lines) / (1 if currency == "JPY" else 100)
    transactions = [
        {
            "id": f"{id}-charge",
            "type": "Charge",
            "state": "Success",
            "timestamp": created,
            "amount": ct_money(items + shipping, currency),
        }
    ]
    transactions += [
        {
            "id": f"{id}-refund-{n}",
            "type": "Refund",
            "state": "Success",
            "timestamp": at,
            "amount": ct_money(amount, currency),
        }
        for n, (amount, at) in enumerate(refunds, start=1)
    ]
    order = {
        "id": id,
        "version": 1,
        "orderNumber": id.upper(),
        "createdAt": created,
        "lastModifiedAt": modified or created,
        "orderState": order_state,
        "paymentState": payment_state,
        "origin": origin,
        "totalPrice": ct_money(items + shipping, currency),
        "lineItems": lines,
        "paymentInfo": {
            "payments": [
                {
                    "typeId": "payment",
                    "id": f"{id}-payment",
                    "obj": {
                        "id": f"{id}-payment",
                        "amountPlanned": ct_money(items + shipping, currency),
                        "paymentMethodInfo": {"method": "CREDIT_CARD"},
                        "transactions": transactions,
                    },
                }
            ]
        },
    }
    if customer_id:
        order["customerId"] = customer_id
    if email:
        order["customerEmail"] = email
    if shipping:
        order["shippingInfo"] = {"price": ct_money(shipping, currency)}
    return order
