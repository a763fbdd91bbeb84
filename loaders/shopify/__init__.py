"""Shopify REST Admin API source: the store, customers, products and orders into `raw_shopify`.

Pages are requested at the maximum of 250, oldest change first
(`updated_at_min` + `order=updated_at asc`), orders with `status=any` so closed
and cancelled ones are not silently skipped; later pages follow the `Link`
header's `page_info` (see `paging.py`). The store's identifier is its permanent
`myshopify_domain` from `shop.json` (the shop's custom domain can change).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

import dlt

from loaders.http_client import ApiClient, MalformedBody
from loaders.incremental import RecordShape, incremental_resources
from loaders.pacing import RequestStats
from loaders.platform import PlatformLoader
from loaders.settings import LoadOptions
from loaders.shopify.deletions import deletions_resource
from loaders.shopify.paging import LinkHeaderPaginator
from loaders.shopify.rate_limit import ShopifyRateLimit
from loaders.shopify.settings import PLATFORM, ShopifyConfig, settings_from_env
from loaders.store_identity import store_resource

MONEY = (str, int, float)
RATE_LIMIT = ShopifyRateLimit()

SHAPES: Mapping[str, RecordShape] = {
    "customers": RecordShape((int,), "updated_at", field_types={"addresses": (list,), "email": (str,)}),
    "products": RecordShape((int,), "updated_at", field_types={"variants": (list,), "title": (str,)}),
    "orders": RecordShape(
        (int,),
        "updated_at",
        field_types={
            "line_items": (list,),
            "refunds": (list,),
            "customer": (dict,),
            "total_price": MONEY,
            "subtotal_price": MONEY,
            "currency": (str,),
            "test": (bool,),
        },
        amounts=("total_price", "subtotal_price"),
        numbers=(
            "total_tax",
            "total_discounts",
            "total_line_items_price",
            "line_items[].price",
            "line_items[].total_discount",
            "line_items[].discount_allocations[].amount",
            "shipping_lines[].price",
            "shipping_lines[].discounted_price",
            "tax_lines[].price",
            "refunds[].transactions[].amount",
            "refunds[].refund_line_items[].subtotal",
            "refunds[].order_adjustments[].amount",
        ),
        whole_numbers=("line_items[].quantity", "refunds[].refund_line_items[].quantity"),
    ),
}
# Filters only the first request may carry; `status=any` because the default is only open orders.
FIRST_PAGE_FILTERS: Mapping[str, Mapping[str, str]] = {"orders": {"status": "any"}}


def _envelope(resource: str):
    def validate(body: Any) -> None:
        if not isinstance(body, dict) or not isinstance(body.get(resource), list):
            raise MalformedBody(f"expected an object with a {resource!r} list")

    return validate


def pages(
    client: ApiClient, config: ShopifyConfig, resource: str, since: datetime | None
) -> Iterator[list[Any]]:
    """Every page of `resource` updated at or after `since`, oldest change first."""
    first: dict[str, Any] = {
        "limit": config.page_size,
        "order": "updated_at asc",
        **FIRST_PAGE_FILTERS.get(resource, {}),
    }
    if since is not None:
        first["updated_at_min"] = since.isoformat(timespec="seconds")
    return client.paginate(
        f"{config.admin_url}/{resource}.json",
        LinkHeaderPaginator(first, config.page_size),
        validate=_envelope(resource),
        select=lambda body: body[resource],
    )


def _shop(body: Any) -> None:
    shop = body.get("shop") if isinstance(body, dict) else None
    if not isinstance(shop, dict) or not isinstance(shop.get("myshopify_domain"), str):
        raise MalformedBody("expected an object with a 'shop' holding 'myshopify_domain'")


def store_id(client: ApiClient, config: ShopifyConfig) -> str:
    """The shop's permanent `<name>.myshopify.com` domain."""
    return client.get(f"{config.admin_url}/shop.json", validate=_shop).body["shop"]["myshopify_domain"]


def client_for(config: ShopifyConfig, options: LoadOptions, stats: RequestStats) -> ApiClient:
    return ApiClient(
        PLATFORM,
        config.rate_limit,
        options,
        stats,
        headers={"X-Shopify-Access-Token": config.access_token},
        secrets=[config.access_token],
        rate_limit_signal=RATE_LIMIT,
        credentials_hint="SHOPIFY_ACCESS_TOKEN and its scopes "
        "read_customers, read_products, read_orders, read_all_orders",
        not_found_hint="SHOPIFY_STORE_URL, and SHOPIFY_API_VERSION: a retired or unknown API version answers 404",
    )


@dlt.source(name=PLATFORM, max_table_nesting=2)
def shopify_source(config: ShopifyConfig, options: LoadOptions, stats: RequestStats) -> Any:
    """`store`, `customers`, `products`, `orders` (+ `orders__line_items`, `orders__refunds`, ...) and
    `deleted_records` from the GraphQL deletion events (loaders/shopify/deletions.py)."""
    client = client_for(config, options, stats)
    return [
        store_resource(lambda: store_id(client, config)),
        *incremental_resources(
            PLATFORM, SHAPES, lambda name, since: pages(client, config, name, since), options, stats
        ),
        deletions_resource(client, f"{config.admin_url}/graphql.json"),
    ]


LOADER = PlatformLoader(
    name=PLATFORM,
    env_prefix="SHOPIFY",
    settings_from_env=settings_from_env,
    source=shopify_source,
    cursor_fields={name: shape.cursor for name, shape in SHAPES.items()},
    paginator=LinkHeaderPaginator,
    rate_limit_signal=RATE_LIMIT,
)
