"""How Shopify requests are authenticated: a Dev Dashboard app's token, or an older static one.

Since 2026-01-01 stores no longer create custom apps in their admin: apps come from the
Dev Dashboard, and a server-side app installed on a store of its own organization
exchanges its client id and secret for an Admin API token (the client-credentials
grant, `POST https://{shop}/admin/oauth/access_token`, form fields `grant_type`,
`client_id`, `client_secret`), valid 24 hours. The token's life (in memory only,
renewed before it expires and on a 401) is `loaders.oauth.ClientCredentialsToken`'s.
A custom app created in the admin before 2026 keeps its non-expiring token
(`SHOPIFY_ACCESS_TOKEN`), sent as it is. Both travel in `X-Shopify-Access-Token`.
"""

from __future__ import annotations

import re
from typing import Any

import requests

from loaders.errors import ApiError, AuthError, ServerFailure
from loaders.http_client import ApiClient
from loaders.oauth import ClientCredentialsToken, token_body
from loaders.pacing import RequestStats
from loaders.settings import LoadOptions, RateLimit
from loaders.shopify.rate_limit import ShopifyRateLimit
from loaders.shopify.settings import PLATFORM, ShopifyConfig

TOKEN_HEADER = "X-Shopify-Access-Token"
# How the token endpoint refuses what no retry can fix: 400 invalid_client, 404 no such store.
REFUSED = re.compile(r"failed: HTTP 4\d\d")
SCOPES = ("read_orders", "read_all_orders", "read_customers", "read_products")
# One token a day; the auth client's own pacer only guards against a renewal storm.
AUTH_RATE = RateLimit(1.0, 2.0)
CLIENT_HINT = (
    "SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET (the Dev Dashboard app's Settings page), and that the "
    "app is installed on the store at SHOPIFY_STORE_URL"
)
TOKEN_HINT = f"SHOPIFY_ACCESS_TOKEN and its scopes {', '.join(SCOPES)}"


class ShopifyToken(ClientCredentialsToken):
    """The client-credentials token of a Dev Dashboard app, in `X-Shopify-Access-Token`."""

    def __init__(self, config: ShopifyConfig, auth_client: ApiClient, api_client: ApiClient) -> None:
        super().__init__(auth_client, api_client)
        self.config = config

    def request_token(self) -> dict[str, Any]:
        form = {
            "grant_type": "client_credentials",
            "client_id": self.config.client_id,
            "client_secret": self.config.client_secret,
        }
        try:
            return self.auth_client.post(self.config.token_url, form, validate=token_body).body
        except ApiError as exc:  # Shopify refuses an unknown client or secret with a 400 invalid_client
            detail = str(exc).removeprefix(f"{PLATFORM}: ")
            if isinstance(exc, (AuthError, ServerFailure)) or not REFUSED.search(detail):
                raise
            raise AuthError(
                PLATFORM, f"the access token request was refused: {detail} (check {CLIENT_HINT})"
            ) from None

    def apply(self, request: requests.PreparedRequest, token: str) -> None:
        request.headers[TOKEN_HEADER] = token


def api_client(config: ShopifyConfig, options: LoadOptions, stats: RequestStats) -> ApiClient:
    """The client every Shopify request of a run goes through, authenticated either way."""
    secrets = [config.access_token, config.client_id, config.client_secret]
    hint = f"{CLIENT_HINT}; its scopes {', '.join(SCOPES)}" if config.uses_client_credentials else TOKEN_HINT
    client = ApiClient(
        PLATFORM,
        config.rate_limit,
        options,
        stats,
        secrets=secrets,
        rate_limit_signal=ShopifyRateLimit(),
        credentials_hint=hint,
        not_found_hint="SHOPIFY_STORE_URL: the store's address, e.g. https://your-shop.myshopify.com",
    )
    if config.uses_client_credentials:
        auth = ApiClient(PLATFORM, AUTH_RATE, options, stats, secrets=secrets, credentials_hint=CLIENT_HINT)
        token = ShopifyToken(config, auth, client)
        client.session.auth = token
        client.on_unauthorized = token.renew
    else:
        client.session.headers[TOKEN_HEADER] = config.access_token
    return client
