"""Shopify's settings: the store, its Admin API token and version, and how fast to ask.

Read from `SHOPIFY_*` variables; the application hands in the environment (or, for one
of several stores, a view of it where `SHOPIFY_<LABEL>_X` stands in for `SHOPIFY_X`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from loaders.errors import ConfigError
from loaders.settings import RateLimit, flag, number, require_https

PLATFORM = "shopify"
MAX_PAGE_SIZE = 250


@dataclass(frozen=True)
class ShopifyConfig:
    store_url: str
    access_token: str = field(repr=False)
    api_version: str = "2024-10"
    rate_limit: RateLimit = RateLimit(2.0, 40.0)
    page_size: int = MAX_PAGE_SIZE

    @property
    def admin_url(self) -> str:
        base = self.store_url if "://" in self.store_url else f"https://{self.store_url}"
        return f"{base.rstrip('/')}/admin/api/{self.api_version}"


def settings_from_env(env: Mapping[str, str], page_size: int | None) -> ShopifyConfig | None:
    """The store's settings, None if Shopify is not enabled; `ConfigError` if half-configured.

    Enabled by `ENABLE_SHOPIFY`, or by default as soon as a store URL or token is set.
    """
    url, token = env.get("SHOPIFY_STORE_URL", "").strip(), env.get("SHOPIFY_ACCESS_TOKEN", "").strip()
    if not flag(env.get("ENABLE_SHOPIFY"), default=bool(url or token)):
        return None
    if not (url and token):
        raise ConfigError("Shopify is enabled but SHOPIFY_STORE_URL or SHOPIFY_ACCESS_TOKEN is empty")
    if "://" not in url:
        url = f"https://{url}"
    return ShopifyConfig(
        store_url=require_https("SHOPIFY_STORE_URL", url),
        access_token=token,
        api_version=env.get("SHOPIFY_API_VERSION", "").strip() or "2024-10",
        rate_limit=RateLimit(number(env, "SHOPIFY_RATE_LIMIT", 2.0), number(env, "SHOPIFY_RATE_BURST", 40.0)),
        page_size=min(page_size or MAX_PAGE_SIZE, MAX_PAGE_SIZE),
    )
