"""WooCommerce REST API v3 source: the store, customers, products and orders into `raw_woocommerce`.

Orders and products are read oldest change first under a moving `modified_after`
(see `paging.py`), 100 per page. Customers have no modified filter in the API: they
are read in full (by id) and only those whose `date_modified_gmt` moved are loaded
(the incremental window does the client-side filtering). Auth is HTTP Basic with
the consumer key and secret, never `?consumer_key=` in the URL, where proxies and
logs would keep it. The store's identifier is the host (and path) of the site's
home address, from the public WordPress REST index `/wp-json/`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import dlt

from loaders.http_client import ApiClient, MalformedBody
from loaders.incremental import RecordShape, incremental_resources
from loaders.pacing import RequestStats
from loaders.platform import PlatformLoader
from loaders.settings import LoadOptions
from loaders.store_identity import store_resource
from loaders.woocommerce.paging import ModifiedAfterPaginator, PageNumberPaginator, by_modified, modified
from loaders.woocommerce.settings import PLATFORM, WooCommerceConfig, settings_from_env

MONEY = (str, int, float)

SHAPES: Mapping[str, RecordShape] = {
    # A customer never edited since sign-up may have a null date_modified_gmt.
    "customers": RecordShape(
        (int,),
        "date_modified_gmt",
        cursor_fallback="date_created_gmt",
        field_types={"billing": (dict,), "email": (str,)},
    ),
    "products": RecordShape((int,), "date_modified_gmt", field_types={"variations": (list,), "name": (str,)}),
    "orders": RecordShape(
        (int,),
        "date_modified_gmt",
        field_types={
            "line_items": (list,),
            "refunds": (list,),
            "billing": (dict,),
            "total": MONEY,
            "currency": (str,),
            "customer_id": (int,),
        },
        amounts=("total",),
        numbers=(
            "total_tax",
            "discount_total",
            "shipping_total",
            "line_items[].price",
            "line_items[].subtotal",
            "line_items[].total",
            "line_items[].total_tax",
            "shipping_lines[].total",
            "coupon_lines[].discount",
            "refunds[].total",
        ),
        whole_numbers=("line_items[].quantity",),
    ),
}


def _without_links(records: list[Any]) -> list[Any]:
    """Drop `_links` (API navigation, not data), which dlt would turn into three child tables."""
    return [{k: v for k, v in r.items() if k != "_links"} if isinstance(r, dict) else r for r in records]


def _is_list(body: Any) -> None:
    if not isinstance(body, list):
        raise MalformedBody("expected a JSON array")


def modified_pages(client: ApiClient, url: str, per_page: int, since: datetime | None) -> Iterator[list[Any]]:
    """Pages of records modified after `since`, oldest first (on a full load, then the undated ones)."""
    paginator = ModifiedAfterPaginator(per_page, since)
    yield from client.paginate(url, paginator, validate=_is_list, select=_without_links)
    if paginator.total_pages > 1:
        yield from _undated_tail(client, url, per_page, paginator.total_pages)


def _undated_tail(client: ApiClient, url: str, per_page: int, last_page: int) -> Iterator[list[Any]]:
    """On a full load, the records without a usable `date_modified_gmt`, so they are rejected, not lost.

    `modified_after` never matches them and the unfiltered listing sorts them after every
    dated record, so they sit on its last pages (WooCommerce itself always sets the date;
    an emulator or a broken import may not). Incremental runs cannot see them at all.
    """
    for page in range(last_page, 1, -1):
        records = client.get(url, by_modified(per_page, page), validate=_is_list).body
        undated = [r for r in records if modified(r) is None]
        if undated:
            yield _without_links(undated)
        if len(undated) < len(records) or not records:
            return


def all_pages(client: ApiClient, url: str, per_page: int) -> Iterator[list[Any]]:
    """Every record by id (customers cannot be filtered by modification time)."""
    return client.paginate(url, PageNumberPaginator(per_page), validate=_is_list, select=_without_links)


def site_id(home: Any) -> str:
    """`https://shop.example.com/store/` -> `shop.example.com/store`; `MalformedBody` without a host."""
    parts = urlsplit(home) if isinstance(home, str) else None
    if parts is None or not parts.hostname:
        raise MalformedBody(f"expected the WordPress REST index with a 'home' URL, got {str(home)[:80]!r}")
    return f"{parts.hostname}{parts.path.rstrip('/')}"


def _index(body: Any) -> None:
    site_id(body.get("home") if isinstance(body, dict) else None)


def store_id(client: ApiClient, config: WooCommerceConfig) -> str:
    """The host of the site's home address, and its path when the site lives below the root."""
    index = client.get(f"{config.url.rstrip('/')}/wp-json/", {"_fields": "home"}, validate=_index).body
    return site_id(index["home"])


def client_for(config: WooCommerceConfig, options: LoadOptions, stats: RequestStats) -> ApiClient:
    return ApiClient(
        PLATFORM,
        config.rate_limit,
        options,
        stats,
        auth=(config.consumer_key, config.consumer_secret),
        secrets=[config.consumer_key, config.consumer_secret],
        credentials_hint="WOOCOMMERCE_CONSUMER_KEY/_SECRET (a key with Read permission)",
    )


@dlt.source(name=PLATFORM, max_table_nesting=2)
def woocommerce_source(config: WooCommerceConfig, options: LoadOptions, stats: RequestStats) -> Any:
    """`store`, `customers`, `products`, `orders` (+ `orders__line_items`, `orders__refunds`, ...)."""
    client = client_for(config, options, stats)

    def pages(name: str, since: datetime | None) -> Iterator[list[Any]]:
        url = f"{config.api_url}/{name}"
        if name == "customers":
            return all_pages(client, url, config.page_size)
        return modified_pages(client, url, config.page_size, since)

    return [
        store_resource(lambda: store_id(client, config)),
        *incremental_resources(PLATFORM, SHAPES, pages, options, stats),
    ]


LOADER = PlatformLoader(
    name=PLATFORM,
    env_prefix="WOOCOMMERCE",
    settings_from_env=settings_from_env,
    source=woocommerce_source,
    cursor_fields={name: shape.cursor for name, shape in SHAPES.items()},
    paginator=ModifiedAfterPaginator,
)
