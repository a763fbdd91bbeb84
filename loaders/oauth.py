"""A client-credentials access token kept in memory: fetched on first use, renewed before it expires.

commercetools and Shopify (Dev Dashboard apps) both hand out short-lived tokens for a
client id and secret. The token lives only in this object (never in a file or in
state), is registered for masking as soon as we have it, is renewed a minute before
its stated expiry so no request carries a dying token, and once more when the API
answers 401 (revoked or expired early: `ApiClient.on_unauthorized`). Each platform
says how it asks for a token and in which header the token travels.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

import requests

from loaders.http_client import ApiClient, MalformedBody

# Renew this long before the token's stated expiry, so no request carries a dying token.
TOKEN_MARGIN_SECONDS = 60.0
# When the server does not say how long a token lasts.
DEFAULT_LIFETIME_SECONDS = 3600.0


def token_body(body: Any) -> None:
    """The token endpoint's answer must hold an `access_token` string."""
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("access_token"), str)
        or not body["access_token"]
    ):
        raise MalformedBody("expected an object with access_token")


class ClientCredentialsToken(requests.auth.AuthBase, ABC):
    """The token of one API client; as `requests` auth it puts the token on every request."""

    def __init__(
        self, auth_client: ApiClient, api_client: ApiClient, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.auth_client = auth_client
        self.api_client = api_client
        self._clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()
        self.fetched = 0
        """How many tokens this run asked for (the first one and each renewal)."""

    @abstractmethod
    def request_token(self) -> dict[str, Any]:
        """Ask the platform's token endpoint (through `auth_client`); its JSON answer."""

    @abstractmethod
    def apply(self, request: requests.PreparedRequest, token: str) -> None:
        """Put `token` on `request` the way the platform expects it."""

    def _fetch(self) -> None:
        body = self.request_token()
        self._token = body["access_token"]
        self.api_client.add_secrets([self._token])
        self.auth_client.add_secrets([self._token])
        self.fetched += 1
        self.received(body)
        try:
            lifetime = float(body.get("expires_in") or DEFAULT_LIFETIME_SECONDS)
        except (TypeError, ValueError):
            lifetime = DEFAULT_LIFETIME_SECONDS
        self._expires_at = self._clock() + max(lifetime - TOKEN_MARGIN_SECONDS, lifetime / 2)

    def received(self, body: dict[str, Any]) -> None:
        """A new token arrived with `body` (a platform may read more of it, e.g. the granted scopes)."""

    def fresh(self) -> str:
        """A token with time left on it."""
        with self._lock:
            if self._token is None or self._clock() >= self._expires_at:
                self._fetch()
            assert self._token is not None
            return self._token

    def renew(self) -> None:
        """The API said 401: the token was revoked or expired early."""
        with self._lock:
            self._token = None
        self.fresh()

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        self.apply(request, self.fresh())
        return request
