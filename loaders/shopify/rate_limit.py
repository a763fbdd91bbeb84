"""Shopify's rate-limit signals: the REST call-limit header and the GraphQL query cost.

The REST Admin API is a leaky bucket (40 requests, leaking 2/s on the standard plan)
and every response says how full it is: `X-Shopify-Shop-Api-Call-Limit: 32/40`. The
GraphQL Admin API is a bucket of cost points: each body carries
`extensions.cost.throttleStatus`, and a query that does not fit is answered 200 with
an error of code THROTTLED and no data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from loaders.pacing import QueryCost, RateLimitParser, ServerBucket

CALL_LIMIT_HEADER = "X-Shopify-Shop-Api-Call-Limit"


def parse_call_limit(headers: Mapping[str, str]) -> tuple[float, float] | None:
    """`X-Shopify-Shop-Api-Call-Limit: 32/40` → (32.0, 40.0); None if absent or garbled."""
    raw = headers.get(CALL_LIMIT_HEADER)
    if not raw or "/" not in raw:
        return None
    used, _, cap = raw.partition("/")
    try:
        used_f, cap_f = float(used.strip()), float(cap.strip())
    except ValueError:
        return None
    return (used_f, cap_f) if cap_f > 0 else None


def throttle_status(body: object) -> tuple[float, float, float] | None:
    """(requested, available, restoreRate) from a GraphQL body's `extensions.cost`, if present."""
    if not isinstance(body, dict):
        return None
    cost = (body.get("extensions") or {}).get("cost") if isinstance(body.get("extensions"), dict) else None
    if not isinstance(cost, dict) or not isinstance(cost.get("throttleStatus"), dict):
        return None
    status = cost["throttleStatus"]
    try:
        requested = float(cost.get("requestedQueryCost") or 0)
        return requested, float(status["currentlyAvailable"]), float(status["restoreRate"])
    except (KeyError, TypeError, ValueError):
        return None


def graphql_throttled(body: Any) -> bool:
    """Shopify GraphQL answers 200 with errors[].extensions.code THROTTLED and no data."""
    errors = body.get("errors") if isinstance(body, dict) else None
    return isinstance(errors, list) and any(
        isinstance(e, dict)
        and isinstance(e.get("extensions"), dict)
        and e["extensions"].get("code") == "THROTTLED"
        for e in errors
    )


class ShopifyRateLimit(RateLimitParser):
    """The call-limit header of every REST response, the query cost of every GraphQL one."""

    def bucket(self, headers: Mapping[str, str]) -> ServerBucket | None:
        limit = parse_call_limit(headers)
        return None if limit is None else ServerBucket(*limit, source=CALL_LIMIT_HEADER)

    def cost(self, body: Any) -> QueryCost | None:
        status = throttle_status(body)
        return None if status is None else QueryCost(*status, throttled=graphql_throttled(body))
