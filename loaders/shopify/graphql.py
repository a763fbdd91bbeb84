"""One run's conversation with the GraphQL Admin API: queries, their errors, the version, the scopes.

Every Shopify request of a run goes through one `ShopifyGraphQL`: it posts a document
to `/admin/api/{version}/graphql.json` through the paced, retrying `ApiClient` (which
waits on `extensions.cost` and retries THROTTLED bodies), then

* reads `X-Shopify-Api-Version`: Shopify answers a version it no longer supports (or
  does not know) as its oldest supported one and says so only in that header. The
  first answer naming another version than requested warns, once per run, and the
  warning reaches `etl_logs` (`RequestStats.warn`);
* turns GraphQL errors into exceptions: `QueryTooCostly` for a query over the
  single-query limit or the bucket (the caller asks for fewer nodes), `GraphQLError`
  for the rest. Errors that come with data (fields withheld: protected customer
  data) are warned about once and the data is used;
* reads the granted access scopes once (`currentAppInstallation.accessScopes`), so a
  resource whose scope is missing is skipped with a warning instead of failing.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from loaders.errors import ApiError
from loaders.http_client import ApiClient, MalformedBody
from loaders.pacing import RequestStats
from loaders.settings import LoadOptions
from loaders.shopify.auth import api_client
from loaders.shopify.queries import SCOPES_QUERY
from loaders.shopify.rate_limit import error_codes, throttle_status
from loaders.shopify.settings import DEFAULT_API_VERSION, PLATFORM, ShopifyConfig

log = logging.getLogger(__name__)

VERSION_HEADER = "X-Shopify-Api-Version"
# Shopify's words for a query priced over the single-query limit: "Query cost is 1723, which
# exceeds the single query max cost limit (1000)."
COST_MESSAGE = re.compile(r"cost is (\d+(?:\.\d+)?)\D+?limit \((\d+(?:\.\d+)?)\)")
# Errors a retry may cure (the query itself is fine).
TRANSIENT_CODES = {"INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "TIMEOUT"}


class GraphQLError(ApiError):
    """Shopify answered a query with errors and no data; `codes` are their `extensions.code`."""

    def __init__(self, message: str, codes: set[str]) -> None:
        super().__init__(PLATFORM, message)
        self.codes = codes


class QueryTooCostly(GraphQLError):
    """The query's requested cost exceeds what one query may cost (`limit`): ask for fewer nodes."""

    def __init__(self, message: str, cost: float, limit: float) -> None:
        super().__init__(message, {"MAX_COST_EXCEEDED"})
        self.cost = cost
        self.limit = limit

    def fitted(self, first: int) -> int:
        """A page size whose query fits: `first` scaled down by limit / cost (at least 1, below `first`)."""
        return max(1, min(first - 1, int(first * self.limit / self.cost)))


def graphql_body(body: Any) -> None:
    """A GraphQL response: an object with `data` or `errors`. Transient errors, and a THROTTLED answer
    that says nothing about the bucket, are retried as malformed (with backoff)."""
    if not isinstance(body, dict) or not (
        isinstance(body.get("data"), dict) or isinstance(body.get("errors"), list)
    ):
        raise MalformedBody("expected a GraphQL response with data or errors")
    codes = error_codes(body)
    transient = codes & TRANSIENT_CODES
    if transient:
        raise MalformedBody(f"GraphQL error {', '.join(sorted(transient))}")
    if "THROTTLED" in codes and throttle_status(body) is None:  # no cost to wait by: back off and retry
        raise MalformedBody("THROTTLED without a throttle status")


def _messages(body: Mapping[str, Any]) -> str:
    errors = body.get("errors") or []
    texts = [" ".join(str(e.get("message", "")).split()) for e in errors if isinstance(e, dict)]
    return "; ".join(t for t in texts if t)[:300] or "no message"


def _too_costly(body: Mapping[str, Any]) -> QueryTooCostly | None:
    """Shopify refused the query for its price: over the single-query limit, or larger than the bucket."""
    for error in body.get("errors") or []:
        if not isinstance(error, dict):
            continue
        extensions = error.get("extensions") if isinstance(error.get("extensions"), dict) else {}
        if extensions.get("code") == "MAX_COST_EXCEEDED":
            cost, limit = extensions.get("cost"), extensions.get("maxCost")
            found = COST_MESSAGE.search(str(error.get("message", "")))
            if not isinstance(cost, (int, float)) or not isinstance(limit, (int, float)):
                if found is None:
                    continue
                cost, limit = float(found.group(1)), float(found.group(2))
            return QueryTooCostly(str(error.get("message", ""))[:200], float(cost), float(limit))
    if "THROTTLED" in error_codes(body):
        cost = (body.get("extensions") or {}).get("cost") or {}
        bucket = (cost.get("throttleStatus") or {}).get("maximumAvailable")
        status = throttle_status(body)
        if status is not None and isinstance(bucket, (int, float)) and status[0] > bucket > 0:
            return QueryTooCostly(
                f"a query of cost {status[0]:g} never fits a bucket of {bucket:g}", status[0], bucket
            )
    return None


class ShopifyGraphQL:
    """The GraphQL Admin API of one store, for one run."""

    def __init__(
        self, config: ShopifyConfig, options: LoadOptions, stats: RequestStats, api: ApiClient | None = None
    ) -> None:
        """`api`: an HTTP client to use instead of the authenticated one `config` makes (tests pass theirs)."""
        self.config = config
        self.stats = stats
        self.api: ApiClient = api or api_client(config, options, stats)
        self.url = config.graphql_url
        self._scopes: frozenset[str] | None = None
        self._scopes_read = False
        self.page_sizes: dict[str, int] = {}
        """Query document -> the page size that fitted its cost in this run (see `QueryTooCostly`)."""
        self._costs: dict[tuple[str, Any], float] = {}
        self._points: tuple[float, float, float] | None = None  # (available, restore rate, when)

    def warn(self, text: str) -> None:
        """A warning about this run's setup or data: logged once, and kept for etl_logs."""
        if self.stats.warn(text):
            log.warning("%s: %s", PLATFORM, text)

    def execute(self, query: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """`data` of `query`; `QueryTooCostly` / `GraphQLError` when Shopify answers with errors only."""
        shape = (query, (variables or {}).get("first"))
        self._wait_for_points(self._costs.get(shape))
        response = self.api.post(
            self.url, json={"query": query, "variables": dict(variables or {})}, validate=graphql_body
        )
        self._check_version(response.headers)
        body = response.body
        status = throttle_status(body)
        if status is not None:
            self._costs[shape] = status[0]
            self._points = (status[1], status[2], time.monotonic())
        data = body.get("data")
        if body.get("errors"):
            too_costly = _too_costly(body)
            if too_costly is not None:
                raise too_costly
            codes = error_codes(body)
            withheld = codes == {"ACCESS_DENIED"} and isinstance(data, dict)
            if not withheld or all(value is None for value in data.values()):
                raise GraphQLError(
                    f"POST {urlsplit(self.url).path} answered {', '.join(sorted(codes)) or 'errors'}: "
                    f"{_messages(body)}",
                    codes,
                )
            self.warn(f"Shopify withheld some fields (ACCESS_DENIED): {_messages(body)}")
        return data

    def _wait_for_points(self, cost: float | None) -> None:
        """Hold the requests until the bucket has restored `cost` points (this query's last price).

        The pacer waits after each answer for the price of the query just made; runs mix
        queries of other prices (listings, follow-ups, events), and one sent into a bucket
        too low for it is refused (THROTTLED) and costs a request."""
        if cost is None or self._points is None:
            return
        available, rate, when = self._points
        missing = cost - (available + (time.monotonic() - when) * rate)
        if missing > 0 and rate > 0:
            self.api.pacer.hold(missing / rate)

    def _check_version(self, headers: Mapping[str, str]) -> None:
        answered = headers.get(VERSION_HEADER)
        if answered and answered.strip() != self.config.api_version:
            self.warn(
                f"asked for Admin API version {self.config.api_version} but Shopify answered as "
                f"{answered.strip()} (the version asked for is no longer supported, or unknown); set "
                f"SHOPIFY_API_VERSION to a supported version, or remove it for the default {DEFAULT_API_VERSION}"
            )

    def scopes(self) -> frozenset[str] | None:
        """The access scopes granted to the app on this store (asked once); None when Shopify would not say."""
        if not self._scopes_read:
            self._scopes_read = True
            try:
                data = self.execute(SCOPES_QUERY)
            except GraphQLError as exc:
                log.info("%s: could not read the granted access scopes (%s); assuming all", PLATFORM, exc)
                return None
            scopes = (data.get("currentAppInstallation") or {}).get("accessScopes") or []
            self._scopes = frozenset(s["handle"] for s in scopes if isinstance(s, dict) and s.get("handle"))
        return self._scopes

    def granted(self, scope: str) -> bool:
        """Whether `scope` (`read_orders`...) was granted; a `write_` scope includes its `read_`."""
        scopes = self.scopes()
        return scopes is None or scope in scopes or scope.replace("read_", "write_", 1) in scopes
