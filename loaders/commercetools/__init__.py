"""commercetools HTTP API source: the store, customers, products and orders into `raw_commercetools`.

Auth is the OAuth client-credentials flow with read-only scopes (`auth.py`); paging
is by keyset on (lastModifiedAt, id), never by offset (`paging.py`). The store's
identifier is the project key: it is the project's identity, so no request (and no
extra scope) is needed for it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

import dlt

from loaders.commercetools.auth import SCOPES, OAuthToken
from loaders.commercetools.deletions import deletion_resources
from loaders.commercetools.paging import KeysetPaginator, UndatedPaginator, paged, results
from loaders.commercetools.settings import PLATFORM, CommercetoolsConfig, settings_from_env
from loaders.http_client import ApiClient
from loaders.incremental import RecordShape, incremental_resources
from loaders.pacing import RequestStats
from loaders.platform import PlatformLoader
from loaders.settings import LoadOptions, RateLimit
from loaders.store_identity import store_resource

# The auth server sees one request per token; its own pacer only guards against a refresh storm.
AUTH_RATE = RateLimit(1.0, 2.0)

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


def keyset_pages(client: ApiClient, url: str, limit: int, since: datetime | None) -> Iterator[list[Any]]:
    """Pages sorted by (lastModifiedAt, id); on a full load, then the records without `lastModifiedAt`."""
    paginator = KeysetPaginator(limit, since)
    yield from client.paginate(url, paginator, validate=paged, select=results)
    if since is None and paginator.where is not None:  # one unfiltered page already held the undated too
        yield from _undated_pages(client, url, limit)


def _undated_pages(client: ApiClient, url: str, limit: int) -> Iterator[list[Any]]:
    """On a full load, the records without `lastModifiedAt`, so they are rejected, not lost.

    No keyset predicate on `lastModifiedAt` matches them (commercetools always sets it;
    an emulator or a migration may not), so they are asked for by name, paged by id.
    """
    pages = client.paginate(url, UndatedPaginator(limit), validate=paged, select=results)
    return (page for page in pages if page)


def clients_for(
    config: CommercetoolsConfig, options: LoadOptions, stats: RequestStats, scopes: tuple[str, ...] = SCOPES
) -> tuple[ApiClient, OAuthToken]:
    """An API client whose requests carry a token with `scopes` (and the token)."""
    secrets = [config.client_id, config.client_secret]
    hint = f"COMMERCETOOLS_CLIENT_ID/_SECRET and the scopes {', '.join(scopes)}"
    api = ApiClient(PLATFORM, config.rate_limit, options, stats, secrets=secrets, credentials_hint=hint)
    auth = ApiClient(PLATFORM, AUTH_RATE, options, stats, secrets=secrets, credentials_hint=hint)
    token = OAuthToken(config, auth, api, scopes)
    api.session.auth = token
    api.on_unauthorized = token.renew
    return api, token


@dlt.source(name=PLATFORM, max_table_nesting=2)
def commercetools_source(config: CommercetoolsConfig, options: LoadOptions, stats: RequestStats) -> Any:
    """`store`, `customers`, `products`, `orders` (+ `orders__line_items`, ...) and `deleted_records`
    (Messages when the project has them, else the id reconciliation: loaders/commercetools/deletions.py)."""
    client, _ = clients_for(config, options, stats)
    base = f"{config.api_url.rstrip('/')}/{config.project_key}"

    def pages(name: str, since: datetime | None) -> Iterator[list[Any]]:
        return keyset_pages(client, f"{base}/{name}", config.page_size, since)

    return [
        store_resource(lambda: config.project_key),
        *incremental_resources(PLATFORM, SHAPES, pages, options, stats),
        *deletion_resources(
            client, lambda scopes: clients_for(config, options, stats, scopes)[0], base, options, stats
        ),
    ]


LOADER = PlatformLoader(
    name=PLATFORM,
    env_prefix="COMMERCETOOLS",
    settings_from_env=settings_from_env,
    source=commercetools_source,
    cursor_fields={name: shape.cursor for name, shape in SHAPES.items()},
    paginator=KeysetPaginator,
)
