"""Shopify's rate-limit signal: the GraphQL Admin API's query cost.

The GraphQL Admin API is a bucket of cost points that refills at the plan's restore
rate (Standard 100 points/s, Advanced 200, Plus 1 000, Enterprise 2 000). Every body
carries `extensions.cost` with the query's requested cost and the bucket's
`throttleStatus` (maximumAvailable, currentlyAvailable, restoreRate): the pacer waits
from what the response says, never from an assumed plan. A query that does not fit is
answered 200 with an error of code THROTTLED and no data: the client waits and retries.
"""

from __future__ import annotations

from typing import Any

from loaders.pacing import QueryCost, RateLimitParser


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


def error_codes(body: Any) -> set[str]:
    """The `extensions.code` of each GraphQL error in a body (THROTTLED, ACCESS_DENIED, ...)."""
    errors = body.get("errors") if isinstance(body, dict) else None
    return {
        str(e["extensions"].get("code"))
        for e in errors or []
        if isinstance(e, dict) and isinstance(e.get("extensions"), dict) and e["extensions"].get("code")
    }


def graphql_throttled(body: Any) -> bool:
    """Shopify GraphQL answers 200 with errors[].extensions.code THROTTLED and no data."""
    return "THROTTLED" in error_codes(body)


class ShopifyRateLimit(RateLimitParser):
    """The query cost of every GraphQL response."""

    def cost(self, body: Any) -> QueryCost | None:
        status = throttle_status(body)
        return None if status is None else QueryCost(*status, throttled=graphql_throttled(body))
