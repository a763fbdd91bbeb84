"""commercetools' OAuth client-credentials token, with read-only scopes on the project.

The token is fetched on first use, renewed a minute before it expires and once more
if the API answers 401, and it is registered for log masking as soon as we have it.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import requests

from loaders.commercetools.settings import CommercetoolsConfig
from loaders.http_client import ApiClient, MalformedBody

SCOPES = ("view_orders", "view_customers", "view_products")
# Renew this long before the token's stated expiry, so no request carries a dying token.
TOKEN_MARGIN_SECONDS = 60.0


class OAuthToken(requests.auth.AuthBase):
    """A client-credentials bearer token, fetched lazily and renewed before it expires."""

    def __init__(
        self,
        config: CommercetoolsConfig,
        auth_client: ApiClient,
        api_client: ApiClient,
        scopes: tuple[str, ...] = SCOPES,
    ) -> None:
        self.config = config
        self.scopes = scopes
        self.auth_client = auth_client
        self.api_client = api_client
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()

    @property
    def scope(self) -> str:
        return " ".join(f"{scope}:{self.config.project_key}" for scope in self.scopes)

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
