"""Raw data for the dbt tests: platform API objects loaded into raw_* exactly as the loaders do.

The loaders hand each platform's objects to dlt unchanged (one `@dlt.source` per
platform with `max_table_nesting=2`, resources `customers`/`products`/`orders`
merged on `id`), so the tests do the same here: the raw tables, their child
tables, the JSON columns for objects nested deeper than two levels, the
`_dlt_*` columns and the load ids are the ones production sees.

The builders below write small objects in each platform's REST shape (only the
fields the models read, plus a few they must ignore), so a test can state its
data set in a few lines and compute the expected figures by hand.
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
    """DIR/{platform}/{resource}.json (the sandbox generator's output) as RawData."""
    data: dict[str, dict[str, list[dict]]] = {}
    for platform in PLATFORMS:
        for resource in RESOURCES:
            path = directory / platform / f"{resource}.json"
            if path.exists():
                data.setdefault(platform, {})[resource] = json.loads(path.read_text())
    return data


# -- builders: the smallest objects each API returns, with the fields the models read ----------


def _money(amount: float | str) -> str:
    return f"{float(amount):.2f}"


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
    return {
        "id": id,
        "email": email,
        "first_name": first_name,
        "last_name": last_name,
        "state": "enabled",
        "verified_email": True,
        "currency": "USD",
        "tags": "",
        "created_at": created_at,
        "updated_at": updated_at or created_at,
        "default_address": {"id": id + 1, "customer_id": id, "country_code": country, "default": True},
        "addresses": [{"id": id + 1, "customer_id": id, "country_code": country, "default": True}],
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
        "id": id,
        "product_id": product_id,
        "variant_id": variant_id,
        "sku": sku,
        "title": title,
        "name": title,
        "quantity": quantity,
        "price": _money(price),
        "total_discount": "0.00",
        "gift_card": False,
        "taxable": True,
        "discount_allocations": [],
    }
    if discount:
        line["discount_allocations"] = [{"amount": _money(discount), "discount_application_index": 0}]
    return line


def shopify_refund(
    id: int,
    order_id: int,
    created_at: str,
    amount: float,
    *,
    currency: str = "USD",
    subtotal: float | None = None,
    tax: float = 0.0,
) -> dict:
    return {
        "id": id,
        "order_id": order_id,
        "created_at": created_at,
        "processed_at": created_at,
        "note": None,
        "restock": False,
        "refund_line_items": [
            {
                "id": id + 1,
                "line_item_id": None,
                "quantity": 1,
                "subtotal": _money(amount - tax if subtotal is None else subtotal),
                "total_tax": _money(tax),
            }
        ],
        "order_adjustments": [],
        "transactions": [
            {
                "id": id + 2,
                "kind": "refund",
                "status": "success",
                "amount": _money(amount),
                "currency": currency,
                "gateway": "manual",
                "created_at": created_at,
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
    lines = list(lines)
    subtotal = sum(float(x["price"]) * x["quantity"] for x in lines) - sum(
        float(a["amount"]) for x in lines for a in x.get("discount_allocations", [])
    )
    order = {
        "id": id,
        "name": f"#{id}",
        "order_number": id,
        "email": email or (customer or {}).get("email") or "",
        "created_at": created_at,
        "processed_at": created_at,
        "updated_at": updated_at or created_at,
        "cancelled_at": cancelled_at,
        "financial_status": financial_status,
        "fulfillment_status": "fulfilled" if financial_status == "paid" else None,
        "test": test,
        "source_name": source_name,
        "currency": currency,
        "presentment_currency": currency,
        "subtotal_price": _money(subtotal),
        "total_tax": _money(tax),
        "total_discounts": "0.00",
        "total_line_items_price": _money(subtotal),
        "total_price": _money(subtotal + shipping + tax),
        "total_shipping_price_set": {
            "shop_money": {"amount": _money(shipping), "currency_code": currency},
            "presentment_money": {"amount": _money(shipping), "currency_code": currency},
        },
        "line_items": lines,
        "refunds": list(refunds),
    }
    if customer is not None:
        order["customer"] = {"id": customer["id"], "email": customer.get("email")}
    return order


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
