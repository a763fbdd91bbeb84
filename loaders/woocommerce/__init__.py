"""WooCommerce REST API v3 source: customers, products and orders into `raw_woocommerce`.

Orders and products are read oldest change first (`orderby=modified&order=asc`,
`dates_are_gmt=true` so `modified_after` compares with `date_modified_gmt`), 100
per page. Instead of walking `page=1,2,3…` (where a record modified mid-run
shifts every later page by one and a neighbour is skipped), each next request
moves `modified_after` up to one second before the newest record seen: records
already read come back only at that one-second seam and the incremental window
drops them. Page numbers are used only when a whole page shares one second.

Customers have no modified filter in the API: they are read in full (by id) and
only those whose `date_modified_gmt` moved are loaded (the same window does the
client-side filtering). Auth is HTTP Basic with the consumer key and secret,
never `?consumer_key=` in the URL, where proxies and logs would keep it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import dlt

from loaders.http_client import ApiClient, MalformedBody
from loaders.incremental import RecordShape, Rejected, incremental_resource, parse_timestamp
from loaders.pacing import RequestStats
from loaders.paging import PageGuard
from loaders.platform import PlatformLoader
from loaders.settings import LoadOptions, WooCommerceConfig

PLATFORM = "woocommerce"
MONEY = (str, int, float)
# The API's timestamps have whole seconds, so stepping back one second re-reads only ties.
SEAM = timedelta(seconds=1)

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


def _gmt(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _newest(records: list[Any]) -> datetime | None:
    moments = [m for m in map(_modified, records) if m is not None]
    return max(moments, default=None)


def _modified(record: Any) -> datetime | None:
    try:
        return parse_timestamp(record.get("date_modified_gmt"))
    except (Rejected, AttributeError):
        return None


def _by_modified(per_page: int, page: int) -> dict[str, Any]:
    return {
        "per_page": per_page,
        "page": page,
        "orderby": "modified",
        "order": "asc",
        "dates_are_gmt": "true",
    }


def modified_pages(client: ApiClient, url: str, per_page: int, since: datetime | None) -> Iterator[list[Any]]:
    """Pages of records modified after `since`, oldest first, by moving `modified_after`."""
    bound, page, total_pages = since, 1, 0
    guard = PageGuard(PLATFORM, f"GET {urlsplit(url).path}")
    while True:
        guard.cursor((bound, page))
        params = _by_modified(per_page, page)
        if bound is not None:
            params["modified_after"] = _gmt(bound)
        response = client.get(url, params, validate=_is_list)
        records = response.body
        guard.page(records)
        if since is None and bound is None and page == 1:
            total_pages = int(response.headers.get("X-WP-TotalPages") or 0)
        yield _without_links(records)
        if len(records) < per_page:
            break
        newest = _newest(records)
        next_bound = None if newest is None else newest - SEAM
        if next_bound is None or (bound is not None and next_bound <= bound):
            page += 1  # a full page within one second: only page numbers make progress
        else:
            bound, page = next_bound, 1
    if total_pages > 1:
        yield from _undated_tail(client, url, per_page, total_pages)


def _undated_tail(client: ApiClient, url: str, per_page: int, last_page: int) -> Iterator[list[Any]]:
    """On a full load, the records without a usable `date_modified_gmt`, so they are rejected, not lost.

    `modified_after` never matches them and the unfiltered listing sorts them after every
    dated record, so they sit on its last pages (WooCommerce itself always sets the date;
    an emulator or a broken import may not). Incremental runs cannot see them at all.
    """
    for page in range(last_page, 1, -1):
        records = client.get(url, _by_modified(per_page, page), validate=_is_list).body
        undated = [r for r in records if _modified(r) is None]
        if undated:
            yield _without_links(undated)
        if len(undated) < len(records) or not records:
            return


def all_pages(client: ApiClient, url: str, per_page: int) -> Iterator[list[Any]]:
    """Every record by id (customers cannot be filtered by modification time)."""
    page = 1
    guard = PageGuard(PLATFORM, f"GET {urlsplit(url).path}")
    while True:
        records = client.get(
            url, {"per_page": per_page, "page": page, "orderby": "id", "order": "asc"}, validate=_is_list
        ).body
        guard.page(records)
        yield _without_links(records)
        if len(records) < per_page:
            return
        page += 1


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
    """`customers`, `products`, `orders` (+ `orders__line_items`, `orders__refunds`, ...)."""
    client = client_for(config, options, stats)
    lookback = timedelta(minutes=options.lookback_minutes)

    def pages_of(name: str):
        url = f"{config.api_url}/{name}"
        if name == "customers":
            return lambda since: all_pages(client, url, config.page_size)
        return lambda since: modified_pages(client, url, config.page_size, since)

    return [
        incremental_resource(
            name, platform=PLATFORM, shape=shape, lookback=lookback, stats=stats, pages=pages_of(name)
        )
        for name, shape in SHAPES.items()
    ]


LOADER = PlatformLoader(name=PLATFORM, env_prefix="WOOCOMMERCE", source=woocommerce_source)
