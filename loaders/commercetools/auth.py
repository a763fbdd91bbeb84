"""commercetools' OAuth client-credentials token, with read-only scopes on the project.

The token's life (fetched on first use, renewed before it expires and on a 401,
masked as soon as we have it) is `loaders.oauth.ClientCredentialsToken`'s; here is
how commercetools hands one out: HTTP Basic with the client id and secret, scoped
to the project, sent back as a Bearer token.
"""

from __future__ import annotations

from typing import Any

import requests

from loaders.commercetools.settings import CommercetoolsConfig
from loaders.http_client import ApiClient
from loaders.oauth import ClientCredentialsToken, token_body

SCOPES = ("view_orders", "view_customers", "view_products")


class OAuthToken(ClientCredentialsToken):
    """A client-credentials bearer token for the project's read-only scopes."""

    def __init__(
        self,
        config: CommercetoolsConfig,
        auth_client: ApiClient,
        api_client: ApiClient,
        scopes: tuple[str, ...] = SCOPES,
    ) -> None:
        super().__init__(auth_client, api_client)
        self.config = config
        self.scopes = scopes

    @property
    def scope(self) -> str:
        return " ".join(f"{scope}:{self.config.project_key}" for scope in self.scopes)

    def request_token(self) -> dict[str, Any]:
        return self.auth_client.post(
            f"{self.config.auth_url.rstrip('/')}/oauth/token",
            {"grant_type": "client_credentials", "scope": self.scope},
            auth=(self.config.client_id, self.config.client_secret),
            validate=token_body,
        ).body

    def apply(self, request: requests.PreparedRequest, token: str) -> None:
        request.headers["Authorization"] = f"Bearer {token}"
