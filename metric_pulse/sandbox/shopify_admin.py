"""Shopify Admin API emulator (GraphQL only, as Shopify in 2026): tokens, versions, cost, throttling.

Paths below the store URL (`http://127.0.0.1:P/shopify`):

- `POST /admin/oauth/access_token` — the client-credentials grant: form (or JSON) fields
  `grant_type=client_credentials`, `client_id`, `client_secret` -> `{"access_token",
  "scope", "expires_in"}`; the token works until it expires (`shopify_token_ttl`, default
  86 399 s as Shopify's 24 hours). A wrong client id or secret gets the OAuth error body.
  The store's fixed token (an older custom app's `shpat_…`) works too and never expires.
- `POST /admin/api/{version}/graphql.json` — `metric_pulse.sandbox.shopify_graphql` runs the
  query. A missing, unknown or expired token is HTTP 401 with Shopify's body. The answer
  carries `X-Shopify-Api-Version`: the version asked for when it is supported, else the
  oldest supported one (Shopify answers a retired or unknown version that way instead of
  refusing it).
- `GET /bulk/{n}.jsonl?expires=…&signature=…` — a bulk operation's result
  (`metric_pulse.sandbox.shopify_bulk`), like a signed storage URL: no token, 403 once expired.

Every other path is 404: the REST Admin API is not served.

Cost and throttling: each query's requested cost is drawn from a bucket of points restored
per second by plan (`shopify_plan`: standard 100, advanced 200, plus 1 000, enterprise 2 000;
the bucket holds 20 seconds of restore, reported as `throttleStatus.maximumAvailable`), and
the difference to the actual cost is refunded. A query costing more than 1 000 points fails
with MAX_COST_EXCEEDED; one that does not fit the bucket gets the THROTTLED body (HTTP 200, no
`data`).
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from metric_pulse.sandbox import shopify_graphql as gql
from metric_pulse.sandbox.emulator import Emulator, Route, StoreContext, labelled
from metric_pulse.sandbox.http import Request, Response, json_response
from metric_pulse.sandbox.ratelimit import CostBucket, Throttle
from metric_pulse.sandbox.shopify_bulk import BulkOperations
from metric_pulse.sandbox.store import StoreFolder

PLATFORM = "shopify"
SUPPORTED_VERSIONS = ("2026-01", "2026-04", "2026-07", "2026-10")
DEFAULT_VERSION = "2026-10"
VERSION_HEADER = "X-Shopify-Api-Version"
INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"
RATE_LIMIT_DOC = "https://shopify.dev/api/usage/rate-limits"
MAX_QUERY_COST = 1000
PLANS = {"standard": 100.0, "advanced": 200.0, "plus": 1000.0, "enterprise": 2000.0}  # points per second
BUCKET_SECONDS = 20  # the bucket holds this many seconds of restore (2 000 points on Standard)
ALL_SCOPES = "read_orders,read_all_orders,read_customers,read_products"
GRAPHQL = re.compile(r"^/admin/api/(?P<version>[^/]+)/graphql\.json$")


def answered_version(requested: str) -> str:
    """The version Shopify answers with: the one asked for if supported, else the oldest supported."""
    return requested if requested in SUPPORTED_VERSIONS else SUPPORTED_VERSIONS[0]


@dataclass(frozen=True)
class Grant:
    """An access token: the scopes it carries and when it expires (None: never, the fixed token)."""

    scopes: frozenset[str]
    expires_at: float | None


class ShopifyAdmin:
    """`handle(request)` for everything under a Shopify store's root."""

    platform = PLATFORM

    def __init__(
        self,
        store: StoreFolder,
        credentials: dict[str, str],
        *,
        cost: CostBucket,
        scopes: str = ALL_SCOPES,
        token_ttl: float = 86399.0,
        protected_data: bool = True,
        plan: str = "standard",
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.credentials = credentials
        self.bucket = cost
        self.scopes = frozenset(s.strip() for s in scopes.split(",") if s.strip())
        self.token_ttl = token_ttl
        self.protected_data = protected_data
        self.clock = clock
        self.wall_clock = wall_clock
        self.shop = gql.shop_node(credentials["shop_domain"], plan)
        self.bulk_ops: BulkOperations | None = None  # set by `build`
        self._grants: dict[str, Grant] = {credentials["access_token"]: Grant(self.scopes, None)}
        self._lock = threading.Lock()

    # -- entry point -------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        if req.path.startswith("/bulk/") and self.bulk_ops is not None:
            return self.bulk_ops.download(req)
        route = GRAPHQL.match(req.path)
        if route is None:
            return not_found()
        version = answered_version(route.group("version"))
        response = self._graphql(req) if req.method == "POST" else not_found()
        response.headers.append((VERSION_HEADER, version))
        return response

    # -- tokens ------------------------------------------------------------------------------
    def oauth(self, req: Request) -> Response:
        """Below `/admin/oauth` (its own route: no injected faults unless the server is told to)."""
        if req.path != "/access_token" or req.method != "POST":
            return not_found()
        form = _form(req)
        if form.get("grant_type") != "client_credentials":
            return json_response(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "The authorization grant type is not supported by the authorization server.",
                },
            )
        if form.get("client_id") != self.credentials["client_id"]:
            return json_response(
                400,
                {
                    "error": "invalid_request",
                    "error_description": "Could not find Shopify API application with api_key",
                },
            )
        secret = form.get("client_secret", "").encode("utf-8", "replace")  # bytes: any input compares
        if not secrets.compare_digest(secret, self.credentials["client_secret"].encode()):
            return json_response(
                401,
                {
                    "error": "invalid_client",
                    "error_description": "Client authentication failed due to unknown client, no client "
                    "authentication included, or unsupported authentication method.",
                },
            )
        token = "shpat_" + secrets.token_hex(16)
        with self._lock:
            now = self.clock()
            self._grants = {
                k: g for k, g in self._grants.items() if g.expires_at is None or g.expires_at > now
            }
            self._grants[token] = Grant(self.scopes, now + self.token_ttl)
        return json_response(
            200,
            {
                "access_token": token,
                "scope": ",".join(sorted(self.scopes)),
                "expires_in": int(self.token_ttl),
            },
        )

    def grant(self, req: Request) -> Grant | None:
        """The request's token grant, if the token is known and not expired."""
        grant = self._grants.get(req.header("X-Shopify-Access-Token") or "")
        if grant is None or (grant.expires_at is not None and grant.expires_at <= self.clock()):
            return None
        return grant

    # -- GraphQL -----------------------------------------------------------------------------
    def _graphql(self, req: Request) -> Response:
        grant = self.grant(req)
        if grant is None:
            return json_response(401, {"errors": INVALID_TOKEN})
        try:
            query, variables, operation_name = _body(req)
        except ValueError as exc:
            return json_response(400, {"errors": str(exc)})
        prepared = gql.prepare(query, variables, operation_name)
        if isinstance(prepared, list):
            return json_response(200, {"errors": prepared})
        requested = prepared.requested
        if requested > MAX_QUERY_COST:
            return json_response(
                200,
                {
                    "errors": [
                        {
                            "message": f"Query cost is {requested}, which exceeds the single query max cost "
                            f"limit ({MAX_QUERY_COST}).\n\nSee {RATE_LIMIT_DOC} for more information on how "
                            "the cost of a query is calculated.\n\nTo query larger amounts of data with fewer "
                            "limits, bulk operations should be used instead.",
                            "extensions": {
                                "code": "MAX_COST_EXCEEDED",
                                "cost": requested,
                                "maxCost": MAX_QUERY_COST,
                            },
                        }
                    ]
                },
            )
        allowed, status = self.bucket.charge(requested)
        if not allowed:
            response = json_response(
                200,
                {
                    "errors": [
                        {
                            "message": "Throttled",
                            "extensions": {"code": "THROTTLED", "documentation": RATE_LIMIT_DOC},
                        }
                    ],
                    "extensions": {"cost": _cost(requested, None, status)},
                },
            )
            response.rate_limited = True
            return response
        ctx = self.context(grant, req.base_url)
        data, errors = gql.run(prepared, ctx)
        actual = min(requested, prepared.cost.actual(data))
        status = self.bucket.refund(requested - actual)
        body: dict[str, Any] = {}
        if errors:
            body["errors"] = errors
        if data is not None or not errors:
            body["data"] = data
        body["extensions"] = {"cost": _cost(requested, actual, status)}
        return json_response(200, body)

    def context(self, grant: Grant, base_url: str = "") -> gql.Context:
        return gql.Context(
            store=self.store,
            shop=self.shop,
            scopes=grant.scopes,
            now=self.wall_clock(),
            protected_data=self.protected_data,
            bulk_ops=self.bulk_ops,
            base_url=base_url,
        )


def not_found() -> Response:
    return json_response(404, {"errors": "Not Found"})


def _cost(requested: int, actual: int | None, status: Throttle) -> dict:
    return {"requestedQueryCost": requested, "actualQueryCost": actual, "throttleStatus": status.as_json()}


def _form(req: Request) -> dict[str, str]:
    """The token request's fields: a form body, a JSON body (Shopify's own libraries send JSON) or the query."""
    content_type = (req.header("Content-Type") or "").split(";")[0].strip().lower()
    fields = dict(req.query)
    if content_type == "application/json":
        try:
            body = json.loads(req.body or b"{}")
        except ValueError:
            body = {}
        if isinstance(body, dict):
            fields.update({k: str(v) for k, v in body.items()})
    else:
        fields.update(parse_qsl(req.body.decode("utf-8", "replace"), keep_blank_values=True))
    return fields


def _body(req: Request) -> tuple[str, dict, str | None]:
    content_type = (req.header("Content-Type") or "").split(";")[0].strip().lower()
    if content_type == "application/graphql":
        return req.body.decode("utf-8", "replace"), {}, None
    try:
        body = json.loads(req.body or b"{}")
    except ValueError:
        raise ValueError("The request body is not valid JSON") from None
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        raise ValueError("Parameter Missing or Invalid: query")
    variables = body.get("variables") or {}
    if isinstance(variables, str):
        variables = json.loads(variables or "{}")
    return body["query"], variables if isinstance(variables, dict) else {}, body.get("operationName")


ACCESS_TOKEN = "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"  # fixed: it guards nothing but a loopback port
CLIENT_ID = "5f0c1e9a7b3d4c2e8a6f1b0d9c7e3a41"
CLIENT_SECRET = "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"


def sandbox_credentials(label: str) -> dict[str, str]:
    """A sandbox store's app (client id and secret), its older fixed token and its shop domain."""
    return {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "access_token": ACCESS_TOKEN,
        "shop_domain": f"{labelled('metric-pulse-sandbox', label)}.myshopify.com",
    }


def settings(url: str, credentials: dict[str, str]) -> dict[str, str]:
    """The `.env` lines (without `SHOPIFY_`) of a Dev Dashboard app on this store."""
    return {
        "STORE_URL": url,
        "CLIENT_ID": credentials["client_id"],
        "CLIENT_SECRET": credentials["client_secret"],
        "API_VERSION": DEFAULT_VERSION,
    }


def build(ctx: StoreContext) -> ShopifyAdmin:
    options = ctx.options
    plan = options["shopify_plan"]
    if plan not in PLANS:
        raise ValueError(f"shopify_plan {plan!r}: use one of {', '.join(PLANS)}")
    restore = options["shopify_restore_rate"] or PLANS[plan]
    api = ShopifyAdmin(
        ctx.data,
        dict(ctx.credentials),
        cost=CostBucket(
            options["shopify_bucket_size"] or restore * BUCKET_SECONDS,
            restore,
            enforce=ctx.enforce_rate_limits,
            clock=ctx.clock,
        ),
        scopes=options["shopify_scopes"],
        token_ttl=options["shopify_token_ttl"],
        protected_data=options["shopify_protected_data"],
        plan=plan,
        clock=ctx.clock,
    )
    api.bulk_ops = BulkOperations(
        api,
        clock=ctx.clock,
        wall_clock=time.time,
        seconds=options["shopify_bulk_seconds"],
        limit=options["shopify_bulk_limit"],
        busy=options["shopify_bulk_busy"],
        busy_seconds=options["shopify_bulk_busy_seconds"],
        fail=options["shopify_bulk_fail"],
        url_ttl=options["shopify_bulk_url_ttl"],
    )
    return api


def page_size(req: Request) -> int | None:
    """How many records a GraphQL request asks of its first connection: `first`/`last` from the
    variables, else the first literal `first:`/`last:` of the query (None: not a listing)."""
    try:
        query, variables, _ = _body(req)
    except ValueError:
        return None
    for name in ("first", "last"):
        if isinstance(variables.get(name), int):
            return variables[name]
    literal = re.search(r"\b(?:first|last)\s*:\s*(\d+)", query)
    return int(literal.group(1)) if literal else None


def injected_server_error(original: Response, pick: float) -> Response:
    """The 500 that replaces `original`; it keeps the version header, as Shopify's errors do."""
    response = json_response(500, {"errors": "Internal Server Error"})
    version = original.header(VERSION_HEADER)
    if version:
        response.headers.append((VERSION_HEADER, version))
    return response


EMULATOR = Emulator(
    name=PLATFORM,
    build=build,
    routes=(Route("/admin/oauth", ShopifyAdmin.oauth, faults=False), Route("", ShopifyAdmin.handle)),
    credentials=sandbox_credentials,
    settings=settings,
    server_error=injected_server_error,
    page_size=page_size,
    options={
        "shopify_plan": "standard",  # standard | advanced | plus | enterprise: the restore rate
        "shopify_restore_rate": 0.0,  # points per second; 0: the plan's
        "shopify_bucket_size": 0.0,  # points; 0: 20 seconds of restore
        "shopify_scopes": ALL_SCOPES,  # the scopes every token of the store carries
        "shopify_token_ttl": 86399.0,  # seconds a client-credentials token lives
        "shopify_protected_data": True,  # False: names, e-mails, phones, addresses come back null
        "shopify_bulk_seconds": 1.0,  # a bulk operation is CREATED, then RUNNING, for this long at least
        "shopify_bulk_limit": 5,  # bulk query operations at once (5 from API 2026-01; 1 before)
        "shopify_bulk_busy": 0,  # operations of the app already running when the store starts
        "shopify_bulk_busy_seconds": 30.0,  # ... until they end
        "shopify_bulk_fail": False,  # True: operations FAIL halfway (INTERNAL_SERVER_ERROR, partialDataUrl)
        "shopify_bulk_url_ttl": 7 * 86400.0,  # seconds a result URL works after completion
    },
)
