"""WooCommerce's settings: the site, its REST API key pair, and how fast to ask.

Read from `WOOCOMMERCE_*` variables (see `loaders.shopify.settings` for how the
application hands them in).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from loaders.errors import ConfigError
from loaders.settings import RateLimit, flag, is_loopback_host, number, require_https

PLATFORM = "woocommerce"
MAX_PAGE_SIZE = 100
AUTH_MODES = ("basic", "query")


@dataclass(frozen=True)
class WooCommerceConfig:
    url: str
    consumer_key: str = field(repr=False)
    consumer_secret: str = field(repr=False)
    rate_limit: RateLimit = RateLimit(3.0, 3.0)
    page_size: int = MAX_PAGE_SIZE
    auth: str = "basic"  # or "query": the keys as consumer_key/consumer_secret query parameters

    @property
    def api_url(self) -> str:
        return f"{self.url.rstrip('/')}/wp-json/wc/v3"


def settings_from_env(env: Mapping[str, str], page_size: int | None) -> WooCommerceConfig | None:
    """The site's settings, None if WooCommerce is not enabled; `ConfigError` if half-configured."""
    url = env.get("WOOCOMMERCE_URL", "").strip()
    key, secret = (
        env.get("WOOCOMMERCE_CONSUMER_KEY", "").strip(),
        env.get("WOOCOMMERCE_CONSUMER_SECRET", "").strip(),
    )
    if not flag(env.get("ENABLE_WOOCOMMERCE"), default=bool(url or key)):
        return None
    if not (url and key and secret):
        raise ConfigError(
            "WooCommerce is enabled but WOOCOMMERCE_URL, _CONSUMER_KEY or _CONSUMER_SECRET is empty"
        )
    rate = number(env, "WOOCOMMERCE_RATE_LIMIT", 3.0)
    url = require_https("WOOCOMMERCE_URL", url)
    auth = env.get("WOOCOMMERCE_AUTH", "").strip().lower() or "basic"
    if auth not in AUTH_MODES:
        raise ConfigError(f"WOOCOMMERCE_AUTH must be one of {', '.join(AUTH_MODES)}, got {auth!r}")
    if auth == "query" and not (url.startswith("https://") or is_loopback_host(urlsplit(url).hostname or "")):
        raise ConfigError("WOOCOMMERCE_AUTH=query sends the keys in the URL: WOOCOMMERCE_URL must be https")
    return WooCommerceConfig(
        url=url,
        auth=auth,
        consumer_key=key,
        consumer_secret=secret,
        rate_limit=RateLimit(rate, number(env, "WOOCOMMERCE_RATE_BURST", rate)),
        page_size=min(page_size or MAX_PAGE_SIZE, MAX_PAGE_SIZE),
    )
