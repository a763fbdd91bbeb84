"""commercetools HTTP API source: customers, products and orders into `raw_commercetools`.

Auth is the OAuth client-credentials flow with read-only scopes
(`view_orders`, `view_customers`, `view_products` on the project). The token is
fetched on first use, renewed a minute before it expires and once more if the
API answers 401, and it is registered for log masking as soon as we have it.

Paging is by keyset, never by offset (offsets stop at 10 000):
`sort=lastModifiedAt asc&sort=id asc&withTotal=false&limit=500` and a `where`
that starts after the last record of the previous page:
`lastModifiedAt > "t" or (lastModifiedAt = "t" and id > "last-id")`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import dlt
import requests

from loaders.http_client import ApiClient, ApiError, MalformedBody
from loaders.incremental import RecordShape, Rejected, incremental_resource
from loaders.pacing import RequestStats
from loaders.paging import PageGuard
from loaders.platform import PlatformLoader
from loaders.settings import CommercetoolsConfig, LoadOptions, RateLimit

PLATFORM = "commercetools"
SCOPES = ("view_orders", "view_customers", "view_products")
# Renew this long before the token's stated expiry, so no request carries a dying token.
TOKEN_MARGIN_SECONDS = 60.0
# The auth server sees one request per token; its own pacer only guards against a refresh storm.
AUTH_RATE = RateLimit(1.0, 2.0)

# The keyset every resource pages by; a record without it cannot be a page boundary.
KEYSET = RecordShape((str,), "lastModifiedAt")
SHAPES: Mapping[str, RecordShape] = {
    "customers": RecordShape((str,), "lastModifiedAt", field_types={"addresses": (list,), "email": (str,)}),
    "products": RecordShape((str,), "lastModifiedAt", field_types={"masterData": (dict,)}),
    "orders": RecordShape(
        (str,),
        "lastModifiedAt",
        field_types={
            "lineItems": (list,),
            "totalPrice": (dict,),
            "customerEmail": (str,),
            "orderState": (str,),
        },
        amounts=("totalPrice.centAmount",),
        whole_numbers=(
            "taxedPrice.totalNet.centAmount",
            "taxedPrice.totalGross.centAmount",
            "taxedPrice.totalTax.centAmount",
            "shippingInfo.price.centAmount",
            "lineItems[].quantity",
            "lineItems[].price.value.centAmount",
            "lineItems[].totalPrice.centAmount",
            "lineItems[].taxedPrice.totalNet.centAmount",
            "lineItems[].taxedPrice.totalGross.centAmount",
            "paymentInfo.payments[].obj.amountPlanned.centAmount",
            "returnInfo[].items[].quantity",
        ),
    ),
}


def ct_timestamp(moment: datetime) -> str:
    """commercetools' own format: UTC with milliseconds and a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class OAuthToken(requests.auth.AuthBase):
    """A client-credentials bearer token, fetched lazily and renewed before it expires."""

    def __init__(self, config: CommercetoolsConfig, auth_client: ApiClient, api_client: ApiClient) -> None:
        self.config = config
        self.auth_client = auth_client
        self.api_client = api_client
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()

    @property
    def scope(self) -> str:
        return " ".join(f"{scope}:{self.config.project_key}" for scope in SCOPES)

    def _fetch(self) -> None:
        def validate(body: Any) -> None:
            if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
                raise MalformedBody("expected an object with access_token")

        body = self.auth_client.post(
            f"{self.config.auth_url.rstrip('/')}/oauth/token",
            {"grant_type": "client_credentials", "scope": self.scope},
            auth=(self.config.client_id, self.config.client_secret),
            validate=validate,
        ).body
        self._token = body["access_token"]
        self.api_client.add_secrets([self._token])
        self.auth_client.add_secrets([self._token])
        lifetime = float(body.get("expires_in") or 3600)
        self._expires_at = time.monotonic() + max(lifetime - TOKEN_MARGIN_SECONDS, lifetime / 2)

    def fresh(self) -> str:
        """A token with time left on it."""
        with self._lock:
            if self._token is None or time.monotonic() >= self._expires_at:
                self._fetch()
            assert self._token is not None
            return self._token

    def renew(self) -> None:
        """The API said 401: the token was revoked or expired early."""
        with self._lock:
            self._token = None
        self.fresh()

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.fresh()}"
        return request


def _paged(body: Any) -> None:
    if not isinstance(body, dict) or not isinstance(body.get("results"), list):
        raise MalformedBody("expected a paged response with a results list")


def _last_key(records: list[Any]) -> tuple[str, str] | None:
    """(lastModifiedAt, id) of the last well-formed record on a page: where the next page starts."""
    for record in reversed(records):
        try:
            KEYSET.key(record)
        except Rejected:
            continue
        return record["lastModifiedAt"], record["id"]
    return None


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def keyset_pages(client: ApiClient, url: str, limit: int, since: datetime | None) -> Iterator[list[Any]]:
    """Pages sorted by (lastModifiedAt, id), each starting strictly after the previous one."""
    where = None if since is None else f"lastModifiedAt >= {_quote(ct_timestamp(since))}"
    guard = PageGuard(PLATFORM, f"GET {urlsplit(url).path}")
    while True:
        guard.cursor(where)
        params: list[tuple[str, Any]] = [
            ("sort", "lastModifiedAt asc"),
            ("sort", "id asc"),
            ("withTotal", "false"),
            ("limit", limit),
        ]
        if where:
            params.append(("where", where))
        records = client.get(url, params, validate=_paged).body["results"]
        guard.page(records)
        yield records
        if len(records) < limit:
            break
        key = _last_key(records)
        if key is None:
            raise ApiError(
                PLATFORM,
                f"GET {urlsplit(url).path}: a full page without one usable "
                "(lastModifiedAt, id) to continue from",
            )
        modified, last_id = (_quote(v) for v in key)
        where = f"lastModifiedAt > {modified} or (lastModifiedAt = {modified} and id > {last_id})"
    if since is None and where is not None:  # one unfiltered page already held the undated records too
        yield from _undated_pages(client, url, limit)


def _undated_pages(client: ApiClient, url: str, limit: int) -> Iterator[list[Any]]:
    """On a full load, the records without `lastModifiedAt`, so they are rejected, not lost.

    No keyset predicate on `lastModifiedAt` matches them (commercetools always sets it;
    an emulator or a migration may not), so they are asked for by name, paged by id.
    """
    after: str | None = None
    guard = PageGuard(PLATFORM, f"GET {urlsplit(url).path}")
    while True:
        guard.cursor(after)
        where = "lastModifiedAt is not defined" + (f" and id > {_quote(after)}" if after else "")
        records = client.get(
            url,
            [("sort", "id asc"), ("withTotal", "false"), ("limit", limit), ("where", where)],
            validate=_paged,
        ).body["results"]
        guard.page(records)
        if records:
            yield records
        last = records[-1] if records else None
        if len(records) < limit or not isinstance(last, dict) or not isinstance(last.get("id"), str):
            return
        after = last["id"]


def clients_for(
    config: CommercetoolsConfig, options: LoadOptions, stats: RequestStats
) -> tuple[ApiClient, OAuthToken]:
    secrets = [config.client_id, config.client_secret]
    hint = "COMMERCETOOLS_CLIENT_ID/_SECRET and the scopes view_orders, view_customers, view_products"
    api = ApiClient(PLATFORM, config.rate_limit, options, stats, secrets=secrets, credentials_hint=hint)
    auth = ApiClient(PLATFORM, AUTH_RATE, options, stats, secrets=secrets, credentials_hint=hint)
    token = OAuthToken(config, auth, api)
    api.session.auth = token
    api.on_unauthorized = token.renew
    return api, token


@dlt.source(name=PLATFORM, max_table_nesting=2)
def commercetools_source(config: CommercetoolsConfig, options: LoadOptions, stats: RequestStats) -> Any:
    """`customers`, `products`, `orders` (+ `orders__line_items`, ...)."""
    client, _ = clients_for(config, options, stats)
    lookback = timedelta(minutes=options.lookback_minutes)
    base = f"{config.api_url.rstrip('/')}/{config.project_key}"
    return [
        incremental_resource(
            name,
            platform=PLATFORM,
            shape=shape,
            lookback=lookback,
            stats=stats,
            pages=lambda since, name=name: keyset_pages(client, f"{base}/{name}", config.page_size, since),
        )
        for name, shape in SHAPES.items()
    ]


LOADER = PlatformLoader(name=PLATFORM, env_prefix="COMMERCETOOLS", source=commercetools_source)
