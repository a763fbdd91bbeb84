"""Shopify Admin API emulator: REST `orders|customers|products.json` and GraphQL `orders`.

Paths are relative to the store URL (`http://127.0.0.1:P/shopify`):
`/admin/api/{version}/{resource}.json`, `/{resource}/count.json`, `/{resource}/{id}.json`,
`/admin/api/{version}/shop.json` (the store's identity: `myshopify_domain` is the
`shop_domain` the emulator was given) and `/admin/api/{version}/graphql.json` (POST).

REST reproduces: the access-token header and the 401 body; `limit` (default 50,
max 250); the filters of the 2024-10 generated clients; `status` defaulting to
`open` for orders; ordering by id, or by `order=updated_at asc` (also
created_at/processed_at, asc/desc); cursor pagination with `page_info` in the
Link header (opaque, carrying the filters and the position; previous and next;
no Link on a single page) and the 400 when other parameters accompany
`page_info`; the leaky bucket with `X-Shopify-Shop-Api-Call-Limit` on every
response and 429 + `Retry-After: 2.0` on overflow.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from metric_pulse.sandbox.emulator import Emulator, Route, StoreContext, labelled
from metric_pulse.sandbox.http import (
    Request,
    Response,
    envelope,
    json_response,
    link_header,
    raw_json,
    url_with,
)
from metric_pulse.sandbox.ratelimit import CostBucket, LeakyBucket
from metric_pulse.sandbox.store import (
    HIGHEST,
    SortedView,
    StoreFolder,
    encode_records,
    full,
    parse_instant,
    scan,
    sortable,
)

PLATFORM = "shopify"
RESOURCES = ("orders", "customers", "products")
DEFAULT_LIMIT, MAX_LIMIT = 50, 250
PAGE_INFO_ALLOWED = {"page_info", "limit", "fields"}
PAGINATION_DOC = "See https://shopify.dev/api/usage/pagination-rest"
INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"
ORDERS_WINDOW_DAYS = 60

ROUTE = re.compile(r"^/admin/api/(?P<version>\d{4}-\d{2}|unstable)/(?P<rest>.+)$")
REST_ROUTE = re.compile(r"^(?P<resource>orders|customers|products)(?:/(?P<which>count|\d+))?\.json$")

# Date-range filters per resource: parameter stem -> record field.
DATE_FILTERS = {
    "orders": ("created_at", "updated_at", "processed_at"),
    "customers": ("created_at", "updated_at"),
    "products": ("created_at", "updated_at", "published_at"),
}
SORT_FIELDS = {"id", "created_at", "updated_at", "processed_at", "published_at"}
ORDER_STATUSES = ("open", "closed", "cancelled", "any")


def not_found() -> Response:
    return json_response(404, {"errors": "Not Found"})


def server_error() -> Response:
    return json_response(500, {"errors": "Internal Server Error"})


def bad_request(errors: Mapping[str, str] | str) -> Response:
    return json_response(400, {"errors": errors})


def encode_cursor(payload: Mapping[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> dict | None:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
    except (ValueError, TypeError):
        return None
    return payload if isinstance(payload, dict) else None


def as_key(value: Any) -> Any:
    """JSON turns key tuples into lists; turn them back so they compare with the view's keys."""
    return tuple(as_key(v) for v in value) if isinstance(value, list) else value


class ParamError(Exception):
    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param, self.message = param, message


def _instant(param: str, value: str) -> float:
    instant = parse_instant(value.strip().replace(" ", "+"))  # an unencoded '+' arrives as a space
    if instant is None:
        raise ParamError(param, f"{param} is not a valid ISO 8601 date")
    return instant


def _int_list(param: str, value: str) -> set[int]:
    try:
        return {int(v) for v in value.split(",") if v.strip()}
    except ValueError:
        raise ParamError(param, f"{param} must be a comma-separated list of integers") from None


@dataclass(frozen=True)
class Listing:
    """One list request, resolved: filters (as sent, to carry in cursors), order, limit, fields."""

    resource: str
    filters: dict[str, str]
    order_field: str
    descending: bool
    limit: int
    fields: list[str] | None


def _limit(req: Request) -> int:
    raw = req.param("limit")
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    try:
        value = int(raw)
    except ValueError:
        raise ParamError("limit", "limit must be an integer") from None
    if not 1 <= value <= MAX_LIMIT:
        raise ParamError("limit", f"limit must be between 1 and {MAX_LIMIT}")
    return value


def _order(value: str | None) -> tuple[str, bool]:
    """`order=updated_at asc` -> ("updated_at", False); anything unrecognised sorts by id."""
    parts = (value or "").replace("+", " ").split()
    if not parts or parts[0] not in SORT_FIELDS:
        return "id", False
    return parts[0], len(parts) > 1 and parts[1].lower() == "desc"


def build_filter(
    resource: str, filters: Mapping[str, str], *, now: float, read_all_orders: bool
) -> tuple[Callable[[dict], bool], dict[str, tuple[float | None, float | None]]]:
    """A predicate over records, plus instant ranges per date field (used to narrow a sorted scan)."""
    checks: list[Callable[[dict], bool]] = []
    ranges: dict[str, tuple[float | None, float | None]] = {}
    for stem in DATE_FILTERS[resource]:
        low = filters.get(f"{stem}_min")
        high = filters.get(f"{stem}_max")
        lo = _instant(f"{stem}_min", low) if low else None
        hi = _instant(f"{stem}_max", high) if high else None
        if lo is None and hi is None:
            continue
        ranges[stem] = (lo, hi)

        def in_range(r: dict, stem: str = stem, lo: float | None = lo, hi: float | None = hi) -> bool:
            t = parse_instant(r.get(stem))
            return t is not None and (lo is None or t >= lo) and (hi is None or t <= hi)

        checks.append(in_range)
    if filters.get("ids"):
        wanted = _int_list("ids", filters["ids"])
        checks.append(lambda r: r.get("id") in wanted)
    if filters.get("since_id"):
        try:
            since = int(filters["since_id"])
        except ValueError:
            raise ParamError("since_id", "since_id must be an integer") from None
        checks.append(lambda r: isinstance(r.get("id"), int) and r["id"] > since)
    if resource == "orders":
        status = filters.get("status", "open")
        if status not in ORDER_STATUSES:
            raise ParamError("status", f"status must be one of {', '.join(ORDER_STATUSES)}")
        if status == "open":
            checks.append(lambda r: r.get("cancelled_at") is None and r.get("closed_at") is None)
        elif status == "closed":
            checks.append(lambda r: r.get("closed_at") is not None)
        elif status == "cancelled":
            checks.append(lambda r: r.get("cancelled_at") is not None)
        financial = filters.get("financial_status", "any")
        if financial not in ("", "any"):
            unpaid = {"authorized", "pending", "partially_paid"}
            wanted_fin = unpaid if financial == "unpaid" else {financial}
            checks.append(lambda r: r.get("financial_status") in wanted_fin)
        fulfillment = filters.get("fulfillment_status", "any")
        if fulfillment not in ("", "any"):
            mapping = {
                "shipped": {"fulfilled"},
                "partial": {"partial"},
                "unshipped": {None},
                "unfulfilled": {None, "partial"},
                "fulfilled": {"fulfilled"},
            }
            wanted_ful = mapping.get(fulfillment, {fulfillment})
            checks.append(lambda r: r.get("fulfillment_status") in wanted_ful)
        if not read_all_orders:
            # Without the read_all_orders scope Shopify shows only the last 60 days of orders.
            horizon = now - ORDERS_WINDOW_DAYS * 86400

            def recent(r: dict) -> bool:
                t = parse_instant(r.get("created_at"))
                return t is not None and t >= horizon

            checks.append(recent)
    if resource == "products":
        for param in ("title", "vendor", "product_type"):
            if filters.get(param):
                checks.append(lambda r, p=param, v=filters[param]: r.get(p) == v)
        if filters.get("handle"):
            handles = {h.strip() for h in filters["handle"].split(",")}
            checks.append(lambda r: r.get("handle") in handles)
        if filters.get("status"):
            statuses = {s.strip() for s in filters["status"].split(",")}
            checks.append(lambda r: r.get("status") in statuses)
        published = filters.get("published_status", "any")
        if published == "published":
            checks.append(lambda r: r.get("published_at") is not None)
        elif published == "unpublished":
            checks.append(lambda r: r.get("published_at") is None)

    def keep(record: dict) -> bool:
        return all(check(record) for check in checks)

    return keep, ranges


FILTER_PARAMS = {
    "orders": {
        "ids",
        "since_id",
        "status",
        "financial_status",
        "fulfillment_status",
        "attribution_app_id",
        "created_at_min",
        "created_at_max",
        "updated_at_min",
        "updated_at_max",
        "processed_at_min",
        "processed_at_max",
    },
    "customers": {"ids", "since_id", "created_at_min", "created_at_max", "updated_at_min", "updated_at_max"},
    "products": {
        "ids",
        "since_id",
        "title",
        "vendor",
        "handle",
        "product_type",
        "status",
        "collection_id",
        "created_at_min",
        "created_at_max",
        "updated_at_min",
        "updated_at_max",
        "published_at_min",
        "published_at_max",
        "published_status",
        "presentment_currencies",
    },
}


def sort_key(field: str) -> Callable[[dict], tuple]:
    if field == "id":
        return lambda r: (sortable(r.get("id")),)
    return lambda r: (sortable(r.get(field)), sortable(r.get("id")))


def narrow(
    view: SortedView,
    field: str,
    ranges: Mapping[str, tuple[float | None, float | None]],
    filters: Mapping[str, str],
) -> tuple[int, int]:
    """The index range of the sorted view that can hold matches (the predicate still decides)."""
    start, stop = 0, len(view.keys)
    if field in ranges:
        lo, hi = ranges[field]
        if lo is not None:
            start = view.range(((1, lo),))[0]
        if hi is not None:
            stop = view.range(None, ((1, hi), HIGHEST))[1]
    elif field == "id" and filters.get("since_id", "").lstrip("-").isdigit():
        start = view.after(((0, int(filters["since_id"])),))
    return start, max(start, stop)


class ShopifyAPI:
    """`handle(request)` for everything under `/shopify`."""

    platform = PLATFORM

    def __init__(
        self,
        store: StoreFolder,
        access_token: str,
        *,
        shop_domain: str,
        bucket: LeakyBucket,
        cost: CostBucket,
        read_all_orders: bool = True,
        retry_after: str = "2.0",
        clock: Callable[[], float] = time.time,
    ) -> None:
        from metric_pulse.sandbox.shopify_graphql import GraphQL  # the GraphQL half lives in its own module

        self.store = store
        self.access_token = access_token
        self.shop_domain = shop_domain  # the store's identity (`myshopify_domain`)
        self.bucket = bucket
        self.read_all_orders = read_all_orders
        self.retry_after = retry_after
        self.clock = clock
        self.graphql = GraphQL(store, cost, read_all_orders=read_all_orders, clock=clock)

    # -- entry point -------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        route = ROUTE.match(req.path)
        if route is None:
            return not_found()
        if req.header("X-Shopify-Access-Token") != self.access_token:
            return json_response(401, {"errors": INVALID_TOKEN})
        version, rest = route.group("version"), route.group("rest")
        if rest == "graphql.json":
            if req.method != "POST":
                return not_found()
            return self.graphql.handle(req)
        allowed, used = self.bucket.take()
        limit_header = ("X-Shopify-Shop-Api-Call-Limit", self.bucket.header(used))
        if not allowed:
            response = json_response(
                429,
                {
                    "errors": f"Exceeded {self.bucket.leak_per_second:g} calls per second for "
                    "api client. Reduce request rates to resume uninterrupted service."
                },
                [limit_header, ("Retry-After", self.retry_after)],
            )
            response.rate_limited = True
            return response
        response = self._rest(req, version, rest)
        response.headers.append(limit_header)
        return response

    def _rest(self, req: Request, version: str, rest: str) -> Response:
        if rest == "shop.json" and req.method == "GET":
            return json_response(200, {"shop": self._shop()})
        match = REST_ROUTE.match(rest)
        if match is None:
            return not_found()
        if req.method != "GET":
            return json_response(405, {"errors": "Method Not Allowed"})
        resource, which = match.group("resource"), match.group("which")
        try:
            if which is None:
                return self._list(req, version, resource)
            if which == "count":
                return self._count(req, resource)
            return self._one(req, resource, int(which))
        except ParamError as exc:
            return bad_request({exc.param: exc.message})

    # -- endpoints ---------------------------------------------------------------------------
    def _shop(self) -> dict[str, Any]:
        """The Shop resource as the REST Admin API returns it (the fields a loader may read)."""
        name = self.shop_domain.removesuffix(".myshopify.com")
        return {
            "id": 548380009,
            "name": name,
            "email": f"owner@{self.shop_domain}",
            "domain": self.shop_domain,
            "country": "US",
            "country_code": "US",
            "country_name": "United States",
            "currency": "USD",
            "customer_email": f"customers@{self.shop_domain}",
            "timezone": "(GMT-05:00) Eastern Time (US & Canada)",
            "iana_timezone": "America/New_York",
            "shop_owner": "Sandbox Owner",
            "money_format": "${{amount}}",
            "plan_name": "basic",
            "plan_display_name": "Basic",
            "myshopify_domain": self.shop_domain,
            "primary_locale": "en",
            "enabled_presentment_currencies": ["USD"],
            "created_at": "2023-01-02T10:00:00-05:00",
            "updated_at": "2024-06-01T12:00:00-04:00",
        }

    def _one(self, req: Request, resource: str, ident: int) -> Response:
        record = self.store.get(resource).by_id(ident)
        if record is None or (resource == "orders" and not self._visible_order(record)):
            return not_found()
        return raw_json(
            200,
            envelope({}, resource[:-1], encode_records([self._project(record, req.param("fields"))])[1:-1]),
        )

    def _visible_order(self, record: dict) -> bool:
        if self.read_all_orders:
            return True
        t = parse_instant(record.get("created_at"))
        return t is not None and t >= self.clock() - ORDERS_WINDOW_DAYS * 86400

    def _count(self, req: Request, resource: str) -> Response:
        filters = {k: req.param(k) or "" for k in req.keys() if k in FILTER_PARAMS[resource]}
        keep, _ = build_filter(resource, filters, now=self.clock(), read_all_orders=self.read_all_orders)
        return json_response(200, {"count": sum(1 for r in self.store.get(resource) if keep(r))})

    def _list(self, req: Request, version: str, resource: str) -> Response:
        limit = _limit(req)
        fields = [f.strip() for f in (req.param("fields") or "").split(",") if f.strip()] or None
        page_info = req.param("page_info")
        if page_info is not None:
            extra = [k for k in req.keys() if k not in PAGE_INFO_ALLOWED]
            if extra:
                return bad_request(
                    {k: f"{k} cannot be passed when page_info is present. {PAGINATION_DOC}" for k in extra}
                )
            cursor = decode_cursor(page_info)
            if cursor is None or cursor.get("r") != resource or cursor.get("d") not in ("next", "prev"):
                return bad_request({"page_info": "Invalid value."})
            filters = dict(cursor.get("f") or {})
            order_field, descending = cursor.get("o", ["id", False])
            position, direction = as_key(cursor.get("k")), cursor["d"]
        else:
            filters = {k: req.param(k) or "" for k in req.keys() if k in FILTER_PARAMS[resource]}
            order_field, descending = _order(req.param("order"))
            position, direction = None, "next"
        if order_field not in SORT_FIELDS:
            return bad_request({"page_info": "Invalid value."})
        keep, ranges = build_filter(resource, filters, now=self.clock(), read_all_orders=self.read_all_orders)
        listing = Listing(resource, filters, order_field, bool(descending), limit, fields)
        view = self.store.get(resource).sorted_view(("shopify", order_field), sort_key(order_field))
        start, stop = narrow(view, order_field, ranges, filters)
        page, before, more = self._page(view, start, stop, listing, keep, position, direction)
        links = []
        base = f"{req.base_url}/admin/api/{version}/{resource}.json"
        if page and before:
            links.append(("previous", self._link(base, listing, "prev", page[0][0])))
        if page and more:
            links.append(("next", self._link(base, listing, "next", page[-1][0])))
        headers = []
        link = link_header(links)
        if link:
            headers.append(("Link", link))
        body = encode_records(self._project(record, req.param("fields")) for _, record in page)
        return raw_json(200, envelope({}, resource, body), headers)

    def _page(
        self,
        view: SortedView,
        start: int,
        stop: int,
        listing: Listing,
        keep: Callable[[dict], bool],
        position: Any,
        direction: str,
    ) -> tuple[list[tuple[tuple, dict]], bool, bool]:
        """(key, record) rows of one page, whether a previous page exists, whether a next one does."""
        forward = direction == "next"
        # Walking "forward" follows the requested order; "prev" walks against it from the cursor.
        walk_descending = listing.descending if forward else not listing.descending
        if position is not None:
            if walk_descending:
                stop = min(stop, view.range(None, position)[1])  # keys < position
            else:
                start = max(start, view.after(position))  # keys > position
        rows: list[tuple[tuple, dict]] = []
        for index, record in scan(view, start, stop, walk_descending, keep):
            rows.append((view.keys[index], record))
            if len(rows) > listing.limit:
                break
        overflow = len(rows) > listing.limit
        rows = rows[: listing.limit]
        if forward:
            return rows, position is not None, overflow
        rows.reverse()
        return rows, overflow, True

    @staticmethod
    def _link(base: str, listing: Listing, direction: str, key: tuple) -> str:
        cursor = encode_cursor(
            {
                "r": listing.resource,
                "f": listing.filters,
                "d": direction,
                "k": key,
                "o": [listing.order_field, listing.descending],
            }
        )
        params: list[tuple[str, Any]] = [("limit", listing.limit)]
        if listing.fields:
            params.append(("fields", ",".join(listing.fields)))
        params.append(("page_info", cursor))
        return url_with(base, params)

    @staticmethod
    def _project(record: dict, fields: str | None) -> dict:
        if not fields:
            return record
        wanted = [f.strip() for f in fields.split(",") if f.strip()]
        whole = full(record)
        return {k: whole[k] for k in wanted if k in whole}


ACCESS_TOKEN = "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"  # fixed: it guards nothing but a loopback port


def sandbox_credentials(label: str) -> dict[str, str]:
    """The sandbox store's token and its shop domain (`metric-pulse-sandbox[-label].myshopify.com`)."""
    return {
        "access_token": ACCESS_TOKEN,
        "shop_domain": f"{labelled('metric-pulse-sandbox', label)}.myshopify.com",
    }


def build(ctx: StoreContext) -> ShopifyAPI:
    options = ctx.options
    return ShopifyAPI(
        ctx.data,
        ctx.credentials["access_token"],
        shop_domain=ctx.credentials["shop_domain"],
        bucket=LeakyBucket(
            options["shopify_bucket_size"],
            options["shopify_leak_rate"],
            enforce=ctx.enforce_rate_limits,
            clock=ctx.clock,
        ),
        cost=CostBucket(
            options["graphql_max_cost"],
            options["graphql_restore_rate"],
            enforce=ctx.enforce_rate_limits,
            clock=ctx.clock,
        ),
        read_all_orders=options["read_all_orders"],
    )


def injected_server_error(original: Response, pick: float) -> Response:
    """The 500 that replaces `original`: Shopify reports its bucket on every response, errors included."""
    response = server_error()
    call_limit = original.header("X-Shopify-Shop-Api-Call-Limit")
    if call_limit:
        response.headers.append(("X-Shopify-Shop-Api-Call-Limit", call_limit))
    return response


EMULATOR = Emulator(
    name=PLATFORM,
    build=build,
    routes=(Route("", ShopifyAPI.handle),),
    credentials=sandbox_credentials,
    settings=lambda url, credentials: {"STORE_URL": url, "ACCESS_TOKEN": credentials["access_token"]},
    server_error=injected_server_error,
    options={
        "shopify_bucket_size": 40,  # REST leaky bucket: size and leak per second (a standard plan)
        "shopify_leak_rate": 2.0,
        "graphql_max_cost": 1000.0,  # GraphQL cost bucket: size and restore rate per second
        "graphql_restore_rate": 50.0,
        "read_all_orders": True,  # False: a token without the scope sees only 60 days of orders
    },
)
