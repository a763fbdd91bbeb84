"""Shopify GraphQL Admin API source: the store, customers, products and orders into `raw_shopify`.

Everything goes through the GraphQL Admin API (REST is legacy at Shopify and capped
products at 100 variants). Records are asked for oldest change first
(`sortKey: UPDATED_AT`, `query: "updated_at:>='…'"`), their truncated nested
connections read to the end and flattened to lists (loaders/shopify/listing.py), then
run through the same `IncrementalWindow` as every platform: GID string ids, cursor
`updatedAt`. The store's identifier is its permanent `myshopifyDomain` (a custom
domain can change).

At the start of a run the granted access scopes are read: a resource whose scope is
missing is skipped with a warning naming the scope (the others load); orders older
than 60 days are invisible without `read_all_orders` (warned); customers whose
e-mail and name come back empty (protected customer data not granted, e.g. a custom
app on a Basic plan) are counted and warned about once. Warnings reach `etl_logs`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import dlt

from loaders.errors import ApiError
from loaders.incremental import RecordShape, incremental_resources
from loaders.pacing import RequestStats
from loaders.platform import PlatformLoader
from loaders.settings import LoadOptions
from loaders.shopify import bulk
from loaders.shopify.deletions import deletions_resource
from loaders.shopify.graphql import ShopifyGraphQL
from loaders.shopify.listing import CursorPaginator, resource_pages
from loaders.shopify.queries import STORE_QUERY
from loaders.shopify.rate_limit import ShopifyRateLimit
from loaders.shopify.settings import PLATFORM, ShopifyConfig, settings_from_env
from loaders.store_identity import store_resource

SHOP_MONEY = "shopMoney.amount"
SHAPES: Mapping[str, RecordShape] = {
    "customers": RecordShape(
        (str,),
        "updatedAt",
        field_types={"addressesV2": (list,), "tags": (list,), "defaultEmailAddress": (dict,)},
        numbers=("amountSpent.amount",),
    ),
    "products": RecordShape(
        (str,),
        "updatedAt",
        field_types={"variants": (list,), "title": (str,), "tags": (list,)},
        numbers=("variants[].price", "variants[].compareAtPrice"),
    ),
    "orders": RecordShape(
        (str,),
        "updatedAt",
        field_types={
            "lineItems": (list,),
            "refunds": (list,),
            "customer": (dict,),
            "totalPriceSet": (dict,),
            "subtotalPriceSet": (dict,),
            "currencyCode": (str,),
            "test": (bool,),
        },
        amounts=(f"totalPriceSet.{SHOP_MONEY}", f"subtotalPriceSet.{SHOP_MONEY}"),
        numbers=(
            f"totalTaxSet.{SHOP_MONEY}",
            f"totalDiscountsSet.{SHOP_MONEY}",
            f"totalShippingPriceSet.{SHOP_MONEY}",
            f"lineItems[].originalUnitPriceSet.{SHOP_MONEY}",
            f"lineItems[].totalDiscountSet.{SHOP_MONEY}",
            f"lineItems[].discountAllocations[].allocatedAmountSet.{SHOP_MONEY}",
            f"shippingLines[].originalPriceSet.{SHOP_MONEY}",
            f"shippingLines[].discountedPriceSet.{SHOP_MONEY}",
            f"taxLines[].priceSet.{SHOP_MONEY}",
            f"refunds[].transactions[].amountSet.{SHOP_MONEY}",
            f"refunds[].refundLineItems[].subtotalSet.{SHOP_MONEY}",
            f"refunds[].orderAdjustments[].amountSet.{SHOP_MONEY}",
            f"refunds[].refundShippingLines[].subtotalAmountSet.{SHOP_MONEY}",
        ),
        whole_numbers=("lineItems[].quantity", "refunds[].refundLineItems[].quantity"),
    ),
}
SCOPES: Mapping[str, str] = {
    "customers": "read_customers",
    "products": "read_products",
    "orders": "read_orders",
}
"""The access scope each resource needs."""
MAX_TABLE_NESTING = 2
"""dlt's child tables go two levels down (`orders__refunds__refund_line_items`); deeper lists stay JSON."""
# Without read_all_orders Shopify shows only the orders of the last 60 days.
RECENT_ORDERS = timedelta(days=60)


def store_id(client: ShopifyGraphQL) -> str:
    """The shop's permanent `<name>.myshopify.com` domain."""
    domain = (client.execute(STORE_QUERY).get("shop") or {}).get("myshopifyDomain")
    if not isinstance(domain, str) or not domain:
        raise ApiError(PLATFORM, "the shop query answered without shop.myshopifyDomain")
    return domain


def is_redacted(customer: Any) -> bool:
    """A customer whose e-mail and name all came back empty: protected customer data withheld."""
    if not isinstance(customer, dict):
        return False
    address = customer.get("defaultEmailAddress")
    email = address.get("emailAddress") if isinstance(address, dict) else None
    return not any(
        isinstance(v, str) and v.strip() for v in (email, customer.get("firstName"), customer.get("lastName"))
    )


def pages(client: ShopifyGraphQL, resource: str, since: datetime | None) -> Iterator[list[Any]]:
    """Every page of `resource` changed since `since`, unless its scope is missing; warnings on the way.

    A backfill (first run, full refresh, a window older than SHOPIFY_BULK_AFTER_DAYS) goes
    through a Bulk Operation, anything else through paginated queries: the same pages either way.
    """
    scope = SCOPES[resource]
    if not client.granted(scope):
        client.warn(
            f"{resource} skipped: the app lacks the access scope {scope} (grant it and reinstall the app)"
        )
        return
    if resource == "orders" and not client.granted("read_all_orders"):
        if since is None or since < datetime.now(UTC) - RECENT_ORDERS:
            client.warn(
                "without the access scope read_all_orders Shopify shows only the orders of the last 60 days: "
                "older orders are not loaded (grant read_all_orders and run with --full-refresh)"
            )
    redacted = 0
    paginated = partial(resource_pages, client, resource)
    for page in bulk.pages(client, client.config, resource, since, paginated):
        if resource == "customers":
            redacted += sum(map(is_redacted, page))
        yield page
    if redacted:
        client.warn(
            f"{redacted} customers came without e-mail and name (protected customer data not granted to the "
            "app, e.g. a custom app on a Basic plan): they are told apart by their Shopify customer id"
        )


@dlt.source(name=PLATFORM, max_table_nesting=MAX_TABLE_NESTING)
def shopify_source(config: ShopifyConfig, options: LoadOptions, stats: RequestStats) -> Any:
    """`store`, `customers`, `products`, `orders` (+ `orders__line_items`, `orders__refunds`, ...) and
    `deleted_records` from the GraphQL deletion events (loaders/shopify/deletions.py)."""
    client = ShopifyGraphQL(config, options, stats)
    return [
        store_resource(lambda: store_id(client)),
        *incremental_resources(
            PLATFORM, SHAPES, lambda name, since: pages(client, name, since), options, stats
        ),
        deletions_resource(client),
    ]


LOADER = PlatformLoader(
    name=PLATFORM,
    env_prefix="SHOPIFY",
    settings_from_env=settings_from_env,
    source=shopify_source,
    cursor_fields={name: shape.cursor for name, shape in SHAPES.items()},
    paginator=CursorPaginator,
    rate_limit_signal=ShopifyRateLimit(),
)
