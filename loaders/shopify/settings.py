"""Shopify's settings: the store, how we get an Admin API token, the API version, how fast to ask.

Read from `SHOPIFY_*` variables; the application hands in the environment (or, for one
of several stores, a view of it where `SHOPIFY_<LABEL>_X` stands in for `SHOPIFY_X`).

Credentials: a Dev Dashboard app's `SHOPIFY_CLIENT_ID` + `SHOPIFY_CLIENT_SECRET` (the
client-credentials grant gives a token that lasts 24 hours: loaders/shopify/auth.py), or
the `SHOPIFY_ACCESS_TOKEN` of a custom app created in the store admin before 2026 (such
tokens do not expire). When both are set, the client credentials win: they keep working.

Version: Shopify releases a version every quarter (`YYYY-01/04/07/10`) and supports each
for at least 12 months; a request naming an older one is answered as the oldest supported
version. `DEFAULT_API_VERSION` is moved forward with each release of metric-pulse that
has been tested against a newer one; `SHOPIFY_API_VERSION` pins another.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from loaders.errors import ConfigError
from loaders.settings import RateLimit, flag, number, require_https
from loaders.shopify.bulk_settings import BulkSettings, bulk_settings_from_env

PLATFORM = "shopify"
DEFAULT_API_VERSION = "2026-10"
# GraphQL pages hold at most 250 nodes; what a query's cost allows may be fewer (loaders/shopify/listing.py).
MAX_PAGE_SIZE = 250


@dataclass(frozen=True)
class ShopifyConfig:
    store_url: str
    access_token: str = field(default="", repr=False)
    client_id: str = field(default="", repr=False)
    client_secret: str = field(default="", repr=False)
    api_version: str = DEFAULT_API_VERSION
    # Requests per second and burst: GraphQL is paced by query cost (extensions.cost), this only
    # spaces the requests themselves.
    rate_limit: RateLimit = RateLimit(10.0, 20.0)
    page_size: int = MAX_PAGE_SIZE
    bulk: BulkSettings = BulkSettings()
    """When backfills go through Bulk Operations (loaders/shopify/bulk.py)."""

    @property
    def root_url(self) -> str:
        """The store's root: `https://shop.myshopify.com` (or a sandbox's `http://127.0.0.1:port/shopify`)."""
        base = self.store_url if "://" in self.store_url else f"https://{self.store_url}"
        return base.rstrip("/")

    @property
    def graphql_url(self) -> str:
        return f"{self.root_url}/admin/api/{self.api_version}/graphql.json"

    @property
    def token_url(self) -> str:
        """The client-credentials grant's endpoint on the shop itself."""
        return f"{self.root_url}/admin/oauth/access_token"

    @property
    def uses_client_credentials(self) -> bool:
        return bool(self.client_id and self.client_secret)


def settings_from_env(env: Mapping[str, str], page_size: int | None) -> ShopifyConfig | None:
    """The store's settings, None if Shopify is not enabled; `ConfigError` if half-configured.

    Enabled by `ENABLE_SHOPIFY`, or by default as soon as a store URL or a credential is set.
    """
    url = env.get("SHOPIFY_STORE_URL", "").strip()
    token = env.get("SHOPIFY_ACCESS_TOKEN", "").strip()
    client_id = env.get("SHOPIFY_CLIENT_ID", "").strip()
    client_secret = env.get("SHOPIFY_CLIENT_SECRET", "").strip()
    if not flag(env.get("ENABLE_SHOPIFY"), default=bool(url or token or client_id or client_secret)):
        return None
    if bool(client_id) != bool(client_secret):
        raise ConfigError(
            "Shopify: set both SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET (a Dev Dashboard app)"
        )
    if not url:
        raise ConfigError("Shopify is enabled but SHOPIFY_STORE_URL is empty")
    if not (token or client_id):
        raise ConfigError(
            "Shopify is enabled but has no credentials: set SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET "
            "(a Dev Dashboard app), or SHOPIFY_ACCESS_TOKEN (a custom app created before 2026)"
        )
    if "://" not in url:
        url = f"https://{url}"
    return ShopifyConfig(
        store_url=require_https("SHOPIFY_STORE_URL", url),
        access_token=token,
        client_id=client_id,
        client_secret=client_secret,
        api_version=env.get("SHOPIFY_API_VERSION", "").strip() or DEFAULT_API_VERSION,
        rate_limit=RateLimit(
            number(env, "SHOPIFY_RATE_LIMIT", 10.0), number(env, "SHOPIFY_RATE_BURST", 20.0)
        ),
        page_size=min(page_size or MAX_PAGE_SIZE, MAX_PAGE_SIZE),
        bulk=bulk_settings_from_env(env),
    )
