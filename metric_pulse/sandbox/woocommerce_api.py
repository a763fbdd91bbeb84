"""WooCommerce REST API v3 emulator: `/wp-json/wc/v3/{orders,customers,products}[/{id}]`.

Also the public WordPress REST index `/wp-json/` (no auth; `home` is the address the
emulator was given, the loaders' store identifier; `_fields` picks top-level fields).

Paths are relative to the site URL (`http://127.0.0.1:P/woocommerce`); the
`?rest_route=/wc/v3/orders` form (sites without pretty permalinks) works too.

Reproduces: HTTP Basic `consumer_key:consumer_secret` (or the two as query
parameters) and WooCommerce's 401 bodies; parameter validation with the
`rest_invalid_param` 400 (per_page 1..100, page >= 1, dates, enums, types);
`after`/`before`/`modified_after`/`modified_before` against the `_gmt` columns
when `dates_are_gmt=true`, else against the site-local ones; `orderby`
(date|id|include|title|slug|modified, customers id|include|name|registered_date)
and `order` with an ID tie-break; orders `status`, `customer`, `product`;
customers `role` (default customer) and `email`, and no modified filter (unknown
parameters are ignored, as WordPress does); `X-WP-Total`, `X-WP-TotalPages`,
`Link` rel prev/next; a page past the end is `200 []`; `404 rest_no_route`;
`_fields=id,...` (top-level fields only).

Orders: the default `status=any` leaves out `status=trash`; trashing or restoring is
setting an order's `status` in `orders.json`, a permanent delete is removing it.
`/orders/<id>/refunds` (from `refunds.json`, dated, with lines) and
`/products/<id>/variations` (from `variations.json`): records with that `parent_id`,
newest first, paged; a refund is served without its `parent_id` (the real one has none).

Real hosts, by server option: `woocommerce_strip_authorization` (the web server drops
the `Authorization` header: only `?consumer_key=&consumer_secret=` authenticate, else
401 "Consumer key is missing."), `woocommerce_ignores_modified_after` (a WooCommerce
older than 5.8, which ignores `modified_after`/`modified_before` like any unknown parameter).
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from metric_pulse.sandbox.emulator import Emulator, Route, StoreContext, labelled
from metric_pulse.sandbox.http import Request, Response, json_response, raw_json, url_with
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

PLATFORM = "woocommerce"
NAMESPACE = "/wp-json/wc/v3"
_PATH = r"(?P<resource>orders|customers|products)(?:/(?P<id>\d+)(?:/(?P<sub>refunds|variations))?)?/?$"
ROUTE = re.compile(r"^/wp-json/wc/v3/" + _PATH)
REST_ROUTE = re.compile(r"^/wc/v3/" + _PATH)
# A record's children, served from their own data file with the record's id in `parent_id`.
CHILDREN = {("orders", "refunds"), ("products", "variations")}

ORDER_STATUSES = (
    "any",
    "trash",
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "checkout-draft",
)
PRODUCT_STATUSES = ("any", "future", "trash", "draft", "pending", "private", "publish")
ORDERBY = {
    "orders": ("date", "id", "include", "title", "slug", "modified"),
    "products": ("date", "id", "include", "title", "slug", "modified", "price", "popularity", "rating"),
    "customers": ("id", "include", "name", "registered_date"),
}
DEFAULTS = {  # (orderby, order)
    "orders": ("date", "desc"),
    "products": ("date", "desc"),
    "customers": ("name", "asc"),
}
DATE_PARAMS = ("after", "before", "modified_after", "modified_before")
DATE_FORMAT = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?$"
)
CRITICAL_ERROR = (
    '<p>There has been a critical error on this website.</p><p><a href="https://wordpress.org/'
    'documentation/article/faq-troubleshooting/">Learn more about troubleshooting WordPress.</a></p>'
)
INVALID_ID = {
    "orders": ("woocommerce_rest_shop_order_invalid_id", "Invalid ID."),
    "products": ("woocommerce_rest_product_invalid_id", "Invalid ID."),
    "customers": ("woocommerce_rest_invalid_id", "Invalid resource ID."),
}


def error(status: int, code: str, message: str, **data: Any) -> Response:
    return json_response(status, {"code": code, "message": message, "data": {"status": status, **data}})


def no_route() -> Response:
    return error(404, "rest_no_route", "No route was found matching the URL and request method.")


def server_error() -> Response:
    return json_response(
        500,
        {
            "code": "internal_server_error",
            "message": CRITICAL_ERROR,
            "data": {"status": 500},
            "additional_errors": [],
        },
    )


class Invalid(Exception):
    """Collected per parameter, reported together like WordPress's rest_invalid_param."""


class Params:
    """Typed access to the query, collecting WordPress-style validation errors."""

    def __init__(self, req: Request) -> None:
        self.req = req
        self.errors: dict[str, tuple[str, str]] = {}

    def raw(self, name: str) -> str | None:
        return self.req.param(name)

    def _bad(self, name: str, code: str, message: str) -> None:
        self.errors.setdefault(name, (code, message))

    def integer(
        self, name: str, default: int | None = None, *, minimum: int | None = None, maximum: int | None = None
    ) -> int | None:
        raw = self.raw(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            self._bad(name, "rest_invalid_type", f"{name} is not of type integer.")
            return default
        if minimum is not None and maximum is not None and not minimum <= value <= maximum:
            self._bad(
                name,
                "rest_out_of_bounds",
                f"{name} must be between {minimum} (inclusive) and {maximum} (inclusive)",
            )
            return default
        if minimum is not None and value < minimum:
            self._bad(name, "rest_out_of_bounds", f"{name} must be greater than or equal to {minimum}")
            return default
        return value

    def boolean(self, name: str, default: bool) -> bool:
        raw = self.raw(name)
        if raw is None:
            return default
        value = raw.strip().lower()
        if value in ("true", "1"):
            return True
        if value in ("false", "0", ""):
            return False
        self._bad(name, "rest_invalid_type", f"{name} is not of type boolean.")
        return default

    def enum(self, name: str, allowed: tuple[str, ...], default: str) -> str:
        raw = self.raw(name)
        if raw is None or raw == "":
            return default
        if raw not in allowed:
            self._bad(name, "rest_not_in_enum", f"{name} is not one of {', '.join(allowed)}.")
            return default
        return raw

    def date(self, name: str) -> str | None:
        raw = self.raw(name)
        if raw is None or raw == "":
            return None
        raw = raw.replace(" ", "+") if re.search(r"\d \d{2}(:?\d{2})?$", raw) else raw  # '+' sent unencoded
        if not DATE_FORMAT.match(raw):
            self._bad(name, "rest_invalid_date", "Invalid date.")
            return None
        return raw

    def listing(self, name: str) -> list[str]:
        """`status=a,b`, `status[]=a&status[]=b` or `status[0]=a`: WordPress accepts them all."""
        values: list[str] = []
        for key, value in self.req.query:
            if key == name or key == f"{name}[]" or re.fullmatch(rf"{re.escape(name)}\[\d+\]", key):
                values += [v.strip() for v in value.split(",") if v.strip()]
        return values

    def integers(self, name: str) -> list[int]:
        out = []
        for value in self.listing(name):
            try:
                out.append(int(value))
            except ValueError:
                self._bad(name, "rest_invalid_type", f"{name}[{len(out)}] is not of type integer.")
        return out

    def enum_list(self, name: str, allowed: tuple[str, ...], default: list[str]) -> list[str]:
        values = self.listing(name) or default
        for i, value in enumerate(values):
            if value not in allowed:
                self._bad(name, "rest_not_in_enum", f"{name}[{i}] is not one of {', '.join(allowed)}.")
        return values

    def failure(self) -> Response | None:
        if not self.errors:
            return None
        names = list(self.errors)
        return json_response(
            400,
            {
                "code": "rest_invalid_param",
                "message": f"Invalid parameter(s): {', '.join(names)}",
                "data": {
                    "status": 400,
                    "params": {n: msg for n, (_, msg) in self.errors.items()},
                    "details": {
                        n: {"code": code, "message": msg, "data": None}
                        for n, (code, msg) in self.errors.items()
                    },
                },
            },
        )


def as_naive(value: str, *, to_utc: bool) -> float:
    """A request date as seconds, comparable with naive stored dates (which we read as UTC wall time)."""
    moment = datetime.fromisoformat(value.upper())
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC) if to_utc else moment
        moment = moment.replace(tzinfo=None)
    return moment.replace(tzinfo=UTC).timestamp()


def display_name(record: dict) -> str:
    name = " ".join(p for p in (record.get("first_name"), record.get("last_name")) if p)
    return (name or record.get("username") or record.get("email") or "").lower()


def sort_key(resource: str, orderby: str) -> Callable[[dict], tuple]:
    ident = lambda r: sortable(r.get("id"))  # noqa: E731
    if orderby == "id" or (resource == "orders" and orderby in ("title", "slug")):
        return lambda r: (ident(r),)
    field = {
        "date": "date_created_gmt",
        "registered_date": "date_created_gmt",
        "modified": "date_modified_gmt",
        "title": "name",
        "slug": "slug",
        "popularity": "total_sales",
        "rating": "average_rating",
    }.get(orderby)
    if orderby == "name":
        return lambda r: ((2, display_name(r)), ident(r))
    if orderby == "price":

        def price(r: dict) -> tuple:
            try:
                return (0, float(r.get("price") or 0))
            except (TypeError, ValueError):
                return (0, 0.0)

        return lambda r: (price(r), ident(r))
    if orderby in ("popularity", "rating"):

        def number(r: dict, f: str = field or "") -> tuple:
            try:
                return (0, float(r.get(f) or 0))
            except (TypeError, ValueError):
                return (0, 0.0)

        return lambda r: (number(r), ident(r))
    return lambda r, f=field: (sortable(r.get(f)), ident(r))


def fields_of(req: Request, records: list[dict]) -> list[dict]:
    """`_fields=id,status`: only those top-level fields (WordPress's own filter), else the records as they are."""
    fields = [f.strip() for f in (req.param("_fields") or "").split(",") if f.strip()]
    if not fields:
        return records
    return [{k: v for k, v in full(r).items() if k in fields} for r in records]


class WooCommerceAPI:
    """`handle(request)` for everything under `/woocommerce`."""

    platform = PLATFORM

    def __init__(
        self,
        store: StoreFolder,
        consumer_key: str,
        consumer_secret: str,
        *,
        home_url: str,
        strip_authorization: bool = False,
        ignores_modified_after: bool = False,
    ) -> None:
        self.store = store
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.home_url = home_url  # the site's identity (WordPress's `home`)
        self.strip_authorization = strip_authorization
        self.ignores_modified_after = ignores_modified_after

    def _index(self, req: Request) -> Response:
        """The WordPress REST index: what a site says about itself, public like the real one."""
        index = {
            "name": "Metric Pulse Sandbox",
            "description": "A WooCommerce store emulated for metric-pulse",
            "url": self.home_url,
            "home": self.home_url,
            "gmt_offset": "0",
            "timezone_string": "UTC",
            "page_for_posts": 0,
            "page_on_front": 0,
            "show_on_front": "posts",
            "namespaces": ["oembed/1.0", "wc/v3", "wp/v2"],
            "authentication": {},
            "routes": {NAMESPACE: {"namespace": "wc/v3", "methods": ["GET"], "endpoints": []}},
        }
        return json_response(200, fields_of(req, [index])[0])

    def handle(self, req: Request) -> Response:
        if req.method == "GET" and (
            req.path in ("/wp-json", "/wp-json/") or req.path in ("", "/") and req.param("rest_route") == "/"
        ):
            return self._index(req)
        route = ROUTE.match(req.path)
        if route is None and req.path in ("", "/") and req.param("rest_route"):
            route = REST_ROUTE.match(req.param("rest_route") or "")
        if route is None or req.method not in ("GET", "HEAD"):
            return no_route()
        resource, ident, sub = route.group("resource"), route.group("id"), route.group("sub")
        if sub is not None and (resource, sub) not in CHILDREN:
            return no_route()
        presented = self._credentials(req)
        if presented is None and self.strip_authorization:
            return error(401, "woocommerce_rest_authentication_error", "Consumer key is missing.")
        if presented is not None:
            key, secret = presented
            if key != self.consumer_key:
                return error(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.")
            if secret != self.consumer_secret:
                return error(401, "woocommerce_rest_authentication_error", "Consumer secret is invalid.")
        if ident is not None:
            if presented is None:
                return error(401, "woocommerce_rest_cannot_view", "Sorry, you cannot view this resource.")
            record = self.store.get(resource).by_id(int(ident))
            if record is None:
                return error(404, *INVALID_ID[resource])
            if sub is not None:
                return self._children(req, sub, int(ident))
            return raw_json(200, encode_records(fields_of(req, [record]))[1:-1])
        return self._list(req, resource, authenticated=presented is not None)

    def _children(self, req: Request, sub: str, parent: int) -> Response:
        """A record's refunds or variations, newest first, `page`/`per_page` (default 10) like a listing."""
        p = Params(req)
        page = p.integer("page", 1, minimum=1) or 1
        per_page = p.integer("per_page", 10, minimum=1, maximum=100) or 10
        failure = p.failure()
        if failure is not None:
            return failure
        view = self.store.get(sub).sorted_view(
            ("woocommerce", sub, "parent"),
            lambda r: (
                sortable(r.get("parent_id")),
                sortable(r.get("date_created_gmt")),
                sortable(r.get("id")),
            ),
        )
        start, stop = view.range(((0, parent),), ((0, parent), HIGHEST))
        children = view.records[start:stop][::-1]
        rows = children[(page - 1) * per_page : page * per_page]
        if sub == "refunds":  # the refund object has no parent_id; the data file needs it
            rows = [{k: v for k, v in full(r).items() if k != "parent_id"} for r in rows]
        headers = [
            ("X-WP-Total", str(len(children))),
            ("X-WP-TotalPages", str(math.ceil(len(children) / per_page))),
        ]
        return raw_json(200, encode_records(fields_of(req, rows)), headers)

    def _credentials(self, req: Request) -> tuple[str, str] | None:
        auth = "" if self.strip_authorization else req.header("Authorization") or ""
        if auth[:6].lower() == "basic ":
            try:
                decoded = base64.b64decode(auth[6:].strip(), validate=True).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                return "", ""
            key, _, secret = decoded.partition(":")
            return key, secret
        if req.param("consumer_key") is not None:
            return req.param("consumer_key") or "", req.param("consumer_secret") or ""
        return None

    def _list(self, req: Request, resource: str, *, authenticated: bool) -> Response:
        p = Params(req)
        page = p.integer("page", 1, minimum=1) or 1
        per_page = p.integer("per_page", 10, minimum=1, maximum=100) or 10
        offset = p.integer("offset", None, minimum=0)
        default_orderby, default_order = DEFAULTS[resource]
        orderby = p.enum("orderby", ORDERBY[resource], default_orderby)
        order = p.enum("order", ("asc", "desc"), default_order)
        include, exclude = p.integers("include"), p.integers("exclude")
        checks: list[tuple[str | None, Callable[[dict], bool]]] = []  # (date field it bounds, check)
        ranges: dict[str, list[float | None]] = {}
        if resource == "customers":
            role = p.raw("role") or "customer"
            if role != "all":
                checks.append((None, lambda r: (r.get("role") or "customer") == role))
            email = p.raw("email")
            if email:
                checks.append((None, lambda r: (r.get("email") or "").lower() == email.lower()))
        else:
            gmt = p.boolean("dates_are_gmt", False)
            known = DATE_PARAMS[:2] if self.ignores_modified_after else DATE_PARAMS
            for name in known:
                value = p.date(name)
                if value is None:
                    continue
                stored = ("date_modified" if name.startswith("modified") else "date_created") + (
                    "_gmt" if gmt else ""
                )
                bound = as_naive(value, to_utc=gmt)
                later = name.endswith("after")
                checks.append((stored if later else stored + "<", self._date_check(stored, bound, later)))
                slot = ranges.setdefault(stored, [None, None])
                slot[0 if later else 1] = bound
            if resource == "orders":
                statuses = p.enum_list("status", ORDER_STATUSES, ["any"])
                if "any" not in statuses:
                    wanted = set(statuses)
                    checks.append((None, lambda r: r.get("status") in wanted))
                else:
                    checks.append((None, lambda r: r.get("status") != "trash"))
                customer = p.integer("customer")
                if customer is not None:
                    checks.append((None, lambda r: r.get("customer_id") == customer))
                product = p.integer("product")
                if product is not None:
                    checks.append(
                        (
                            None,
                            lambda r: any(
                                li.get("product_id") == product for li in r.get("line_items") or []
                            ),
                        )
                    )
                parent = p.integers("parent")
                if parent:
                    checks.append((None, lambda r: r.get("parent_id") in parent))
            else:
                status = p.enum("status", PRODUCT_STATUSES, "any")
                if status != "any":
                    checks.append((None, lambda r: r.get("status") == status))
                for name in ("sku", "slug", "type"):
                    value = p.raw(name)
                    if value:
                        wanted_values = {v.strip() for v in value.split(",")}
                        checks.append((None, lambda r, n=name, w=wanted_values: r.get(n) in w))
        search = (p.raw("search") or "").strip().lower()
        if search:
            checks.append((None, lambda r: search in self._haystack(resource, r)))
        if include:
            wanted_ids = set(include)
            checks.append((None, lambda r: r.get("id") in wanted_ids))
        if exclude:
            unwanted = set(exclude)
            checks.append((None, lambda r: r.get("id") not in unwanted))
        failure = p.failure()
        if failure is not None:
            return failure
        if not authenticated:
            return error(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")

        dataset = self.store.get(resource)
        descending = order == "desc"
        if orderby == "include" and include:
            position = {ident: i for i, ident in enumerate(include)}
            records = sorted(
                (r for r in dataset if r.get("id") in position),
                key=lambda r: position[r["id"]],
                reverse=descending,
            )
            view = SortedView([(i,) for i in range(len(records))], records)
            descending = False
        else:
            key_orderby = "id" if orderby == "include" else orderby
            view = dataset.sorted_view(
                ("woocommerce", resource, key_orderby), sort_key(resource, key_orderby)
            )
        start, stop = 0, len(view.keys)
        consumed: set[str] = set()
        sort_field = {
            "date": "date_created_gmt",
            "modified": "date_modified_gmt",
            "registered_date": "date_created_gmt",
        }.get(orderby)
        if sort_field in ranges:
            lo, hi = ranges[sort_field]
            stop = view.range(None, ((2,),))[1]  # the dated records only
            if lo is not None:
                start = view.after(((1, lo), (9,)))
                consumed.add(sort_field)
            if hi is not None:
                stop = min(stop, view.range(None, ((1, hi),))[1])
                consumed.add(sort_field + "<")
            stop = max(start, stop)
        residual = [check for tag, check in checks if tag not in consumed]

        def keep(record: dict) -> bool:
            return all(check(record) for check in residual)

        skip = offset if offset is not None else (page - 1) * per_page
        if not residual:
            total = stop - start
            lo_i, hi_i = (
                (stop - skip - per_page, stop - skip)
                if descending
                else (start + skip, start + skip + per_page)
            )
            lo_i, hi_i = max(start, lo_i), min(stop, hi_i)
            rows = view.records[lo_i:hi_i] if hi_i > lo_i else []
            if descending:
                rows = rows[::-1]
        else:
            total, rows = 0, []
            for _, record in scan(view, start, stop, descending, keep):
                if skip <= total < skip + per_page:
                    rows.append(record)
                total += 1
        max_pages = math.ceil(total / per_page) if per_page else 0
        headers = [("X-WP-Total", str(total)), ("X-WP-TotalPages", str(max_pages))]
        base_params = [(k, v) for k, v in req.query if k not in ("page", "consumer_key", "consumer_secret")]
        base = f"{req.base_url}{NAMESPACE}/{resource}"
        if page > 1:
            headers.append(
                (
                    "Link",
                    f'<{url_with(base, base_params + [("page", min(page - 1, max_pages) or 1)])}>; rel="prev"',
                )
            )
        if max_pages > page:
            headers.append(("Link", f'<{url_with(base, base_params + [("page", page + 1)])}>; rel="next"'))
        response = raw_json(200, encode_records(fields_of(req, rows)), headers)
        response.content_type = "application/json; charset=UTF-8"
        return response

    @staticmethod
    def _date_check(stored: str, bound: float, later: bool) -> Callable[[dict], bool]:
        def check(record: dict) -> bool:
            t = parse_instant(record.get(stored))
            return t is not None and (t > bound if later else t < bound)

        return check

    @staticmethod
    def _haystack(resource: str, record: dict) -> str:
        if resource == "products":
            parts = [record.get("name"), record.get("sku"), record.get("description")]
        else:
            billing = record.get("billing") or {}
            parts = [
                record.get("email"),
                record.get("first_name"),
                record.get("last_name"),
                record.get("username"),
                billing.get("email"),
                billing.get("first_name"),
                billing.get("last_name"),
                str(record.get("id")),
            ]
        return " ".join(str(p) for p in parts if p).lower()


CONSUMER_KEY = "ck_4f1a9c2e7b3d8a6f0e5c1b9d2a7e4f3c8b6d0a1e"  # fixed: they guard nothing but a loopback port
CONSUMER_SECRET = "cs_9e2b7d4a1f8c3e6b0d5a2f9c7e4b1d8a3f6c0e5b"


def sandbox_credentials(label: str) -> dict[str, str]:
    """The sandbox site's keys and its home URL (`https://woocommerce[-label].sandbox.metric-pulse.test`)."""
    return {
        "consumer_key": CONSUMER_KEY,
        "consumer_secret": CONSUMER_SECRET,
        "home_url": f"https://{labelled('woocommerce', label)}.sandbox.metric-pulse.test",
    }


def build(ctx: StoreContext) -> WooCommerceAPI:
    c = ctx.credentials
    return WooCommerceAPI(
        ctx.data,
        c["consumer_key"],
        c["consumer_secret"],
        home_url=c["home_url"],
        strip_authorization=ctx.options["woocommerce_strip_authorization"],
        ignores_modified_after=ctx.options["woocommerce_ignores_modified_after"],
    )


EMULATOR = Emulator(
    name=PLATFORM,
    build=build,
    routes=(Route("", WooCommerceAPI.handle),),
    credentials=sandbox_credentials,
    settings=lambda url, credentials: {
        "URL": url,
        "CONSUMER_KEY": credentials["consumer_key"],
        "CONSUMER_SECRET": credentials["consumer_secret"],
    },
    server_error=lambda original, pick: server_error(),
    options={"woocommerce_strip_authorization": False, "woocommerce_ignores_modified_after": False},
)
