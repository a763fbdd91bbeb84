"""WooCommerce REST API v3 source: the store, customers, products and orders into `raw_woocommerce`.

Orders and products are read oldest change first under a moving `modified_after`
(see `paging.py`), 100 per page. Orders are read twice under the same cursor: the
default `status=any` leaves trashed orders out, so `status=trash` follows; a trashed
order keeps its row with status `trash` (staging reads that as deleted) and an
untrashed one comes back with its new status. Customers have no modified filter in
the API: they are read in full (by id) and only those whose `date_modified_gmt`
moved are loaded (the incremental window does the client-side filtering).

Refunds: the order object lists only `{id, reason, total}`. For each loaded order
whose list differs from the refunds already in raw, `GET /orders/<id>/refunds` brings
the refunds with their own date and lines (`refunds`, `refunds__line_items`, each
refund with its `order_id`). Variations: `GET /products/<id>/variations` for each
loaded variable product (`variations`, with `product_id`).

Permanent deletes leave no trace in the API: `loaders.reconcile` compares the ids
(`_fields=id`, 100 per page) of orders (any status and trash), customers and products
with raw and writes `deleted_records`.

Auth is HTTP Basic with the consumer key and secret; `WOOCOMMERCE_AUTH=query` sends
them as `consumer_key`/`consumer_secret` query parameters instead (https only), for
hosts whose web server drops the `Authorization` header (the store then answers 401
"Consumer key is missing", and the error says to set it). Every message masks both.
The store's identifier is the host (and path) of the site's home address, from the
public WordPress REST index `/wp-json/`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import dlt
import requests

from loaders.http_client import ApiClient, MalformedBody
from loaders.incremental import RecordShape, incremental_resources
from loaders.pacing import RequestStats
from loaders.platform import PlatformLoader
from loaders.raw_tables import select
from loaders.reconcile import IdListing, reconciliation_resource
from loaders.settings import LoadOptions
from loaders.store_identity import store_resource
from loaders.woocommerce.paging import (
    Filters,
    ModifiedAfterPaginator,
    PageNumberPaginator,
    by_modified,
    modified,
)
from loaders.woocommerce.settings import MAX_PAGE_SIZE, PLATFORM, WooCommerceConfig, settings_from_env

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


def modified_pages(
    client: ApiClient, url: str, per_page: int, since: datetime | None, filters: Filters | None = None
) -> Iterator[list[Any]]:
    """Pages of records modified after `since`, oldest first (on a full load, then the undated ones)."""
    paginator = ModifiedAfterPaginator(per_page, since, filters)
    yield from client.paginate(url, paginator, validate=_is_list, select=_without_links)
    if paginator.last_page > 1:
        yield from _undated_tail(client, url, paginator.per_page, paginator.last_page, filters)


def _undated_tail(
    client: ApiClient, url: str, per_page: int, last_page: int, filters: Filters | None
) -> Iterator[list[Any]]:
    """On a full load, the records without a usable `date_modified_gmt`, so they are rejected, not lost.

    `modified_after` never matches them and the unfiltered listing sorts them after every
    dated record, so they sit on its last pages (WooCommerce itself always sets the date;
    an emulator or a broken import may not). Incremental runs cannot see them at all.
    """
    for page in range(last_page, 1, -1):
        records = client.get(url, by_modified(per_page, page, filters), validate=_is_list).body
        undated = [r for r in records if modified(r) is None]
        if undated:
            yield _without_links(undated)
        if len(undated) < len(records) or not records:
            return


def all_pages(
    client: ApiClient, url: str, per_page: int, filters: Filters | None = None
) -> Iterator[list[Any]]:
    """Every record by id (customers cannot be filtered by modification time; reconciliation ids)."""
    return client.paginate(
        url, PageNumberPaginator(per_page, filters), validate=_is_list, select=_without_links
    )


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


class QueryStringAuth(requests.auth.AuthBase):
    """`consumer_key`/`consumer_secret` as query parameters (WOOCOMMERCE_AUTH=query)."""

    def __init__(self, key: str, secret: str) -> None:
        self.params = {"consumer_key": key, "consumer_secret": secret}

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.prepare_url(request.url, self.params)
        return request


def credentials_hint(server_message: str) -> str:
    """What to check after a 401: WOOCOMMERCE_AUTH=query when the host dropped the Authorization header."""
    if "consumer key is missing" in server_message.lower():
        return (
            "WOOCOMMERCE_AUTH=query: the web server in front of the store drops the Authorization "
            "header, so the key never arrives; query mode sends it as consumer_key/consumer_secret over https"
        )
    return "WOOCOMMERCE_CONSUMER_KEY/_SECRET (a key with Read permission)"


def client_for(config: WooCommerceConfig, options: LoadOptions, stats: RequestStats) -> ApiClient:
    key, secret = config.consumer_key, config.consumer_secret
    return ApiClient(
        PLATFORM,
        config.rate_limit,
        options,
        stats,
        auth=QueryStringAuth(key, secret) if config.auth == "query" else (key, secret),
        secrets=[key, secret],
        credentials_hint=credentials_hint,
    )


# Orders under `status=any` (the default, without trash), then the trashed ones.
ORDER_LISTINGS: tuple[Filters, ...] = ({}, {"status": "trash"})
IDS_ONLY: Filters = {"_fields": "id"}


def id_listings(client: ApiClient, config: WooCommerceConfig) -> list[IdListing]:
    """Orders (any status, then trash), customers and products, ids only, as the loader reads them."""
    listings = {"orders": ORDER_LISTINGS, "customers": ({},), "products": ({},)}

    def ids(resource: str, extra: Filters) -> Iterator[list[Any]]:
        for filters in listings[resource]:
            url = f"{config.api_url}/{resource}"
            yield from all_pages(client, url, MAX_PAGE_SIZE, {**filters, **IDS_ONLY, **extra})

    def confirm(resource: str, absent: list[str]) -> Iterator[list[Any]]:
        for start in range(0, len(absent), MAX_PAGE_SIZE):
            yield from ids(resource, {"include": ",".join(absent[start : start + MAX_PAGE_SIZE])})

    return [
        IdListing(
            resource,
            pages=lambda r=resource: ids(r, {}),
            evidence=f"GET /wp-json/wc/v3/{resource}?_fields=id",
            confirm=lambda absent, r=resource: confirm(r, absent),
        )
        for resource in listings
    ]


def _changed_refunds(orders: list[dict]) -> list[dict]:
    """The orders whose refund list differs from the refunds raw holds for them."""
    listed = {
        o["id"]: {str(r.get("id")) for r in o.get("refunds") or [] if isinstance(r, dict)}
        for o in orders
        if isinstance(o, dict) and isinstance(o.get("id"), int)
    }
    if not listed:
        return []
    rows = select("refunds", "order_id, id", "order_id = any(%s)", list(listed)) or []
    known: dict[int, set[str]] = {}
    for order_id, refund_id in rows:
        known.setdefault(int(order_id), set()).add(str(refund_id))
    return [o for o in orders if o.get("id") in listed and listed[o["id"]] != known.get(o["id"], set())]


def _variable(products: list[Any]) -> list[dict]:
    """The products that have variations."""
    return [
        p for p in products if isinstance(p, dict) and p.get("variations") and isinstance(p.get("id"), int)
    ]


def child_pages(client: ApiClient, url: str, parent_key: str, parent_id: int) -> Iterator[list[Any]]:
    """Every refund of an order / variation of a product, each with its parent's id as `parent_key`."""
    for page in client.paginate(
        url, PageNumberPaginator(MAX_PAGE_SIZE), validate=_is_list, select=_without_links
    ):
        yield [{**r, parent_key: parent_id} for r in page if isinstance(r, dict)]


@dlt.source(name=PLATFORM, max_table_nesting=2)
def woocommerce_source(config: WooCommerceConfig, options: LoadOptions, stats: RequestStats) -> Any:
    """`store`, `customers`, `products`, `orders` (+ `orders__line_items`, `orders__refunds`, ...)."""
    client = client_for(config, options, stats)

    def pages(name: str, since: datetime | None) -> Iterator[list[Any]]:
        url = f"{config.api_url}/{name}"
        if name == "customers":
            yield from all_pages(client, url, config.page_size)
            return
        for filters in ORDER_LISTINGS if name == "orders" else ({},):
            yield from modified_pages(client, url, config.page_size, since, filters)

    resources = {r.name: r for r in incremental_resources(PLATFORM, SHAPES, pages, options, stats)}

    def children(parent: str, child: str, key: str, wanted: Callable[[list[Any]], list[dict]]) -> Any:
        """A merge resource of the `child` records (refunds, variations) of the `wanted` parent records
        of each page the `parent` resource loads, each with its parent's id as `key`."""

        def fetch(records: Any) -> Iterator[list[Any]]:
            if not isinstance(records, list):  # a rejected_records row
                return
            for record in wanted(records):
                url = f"{config.api_url}/{parent}/{record['id']}/{child}"
                yield from child_pages(client, url, key, record["id"])

        return dlt.transformer(
            fetch, data_from=resources[parent], name=child, write_disposition="merge", primary_key="id"
        )

    return [
        store_resource(lambda: store_id(client, config)),
        *resources.values(),
        children("orders", "refunds", "order_id", _changed_refunds),
        children("products", "variations", "product_id", _variable),
        reconciliation_resource(PLATFORM, id_listings(client, config), options, stats),
    ]


LOADER = PlatformLoader(
    name=PLATFORM,
    env_prefix="WOOCOMMERCE",
    settings_from_env=settings_from_env,
    source=woocommerce_source,
    cursor_fields={name: shape.cursor for name, shape in SHAPES.items()},
    paginator=ModifiedAfterPaginator,
)
