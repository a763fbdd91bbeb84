"""Settings every loader shares: pacing, load options, URL checks, reading numbers and flags.

The platform settings (one dataclass per platform, read from the environment with the
platform's prefix) live in each platform's package; this module holds what they share.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from loaders.errors import ConfigError


def flag(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def number(env: Mapping[str, str], key: str, default: float) -> float:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{key} must be a number, got {raw!r}") from None


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def require_https(name: str, url: str) -> str:
    """Real stores need https; plain http is only allowed for a sandbox on loopback.

    The URL is read with urllib3's `parse_url`, the parser `requests` connects with:
    Python's `urlparse` saw `http://other-host:80\\@127.0.0.1` as loopback while
    requests sent the token to `other-host`. User-info and backslashes have no place
    in a store URL (credentials go in their own settings), so they are refused outright.
    """
    if "@" in url or "\\" in url:
        raise ConfigError(
            f"{name} must not contain '@' (user-info) or a backslash: credentials go in their own settings"
        )
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise ConfigError(f"{name} must not contain spaces or control characters")
    try:
        parsed = parse_url(url)
    except LocationParseError:
        raise ConfigError(f"{name} is not a valid URL: {url!r}") from None
    if parsed.scheme not in {"http", "https"} or not parsed.host:
        raise ConfigError(f"{name} must be an http(s) URL, got {url!r}")
    if parsed.scheme == "http" and not is_loopback_host(parsed.host):
        raise ConfigError(f"{name} must use https (plain http is only allowed on loopback): {url!r}")
    return url.rstrip("/")


@dataclass(frozen=True)
class RateLimit:
    """Client-side pacing: `rate` requests per second with a bucket of `burst`."""

    rate: float
    burst: float = 1.0


@dataclass(frozen=True)
class LoadOptions:
    """How incremental loading behaves; shared by every source."""

    lookback_minutes: float = 10.0
    request_timeout: float = 30.0
    max_retries: int = 6
    # Hostile or broken servers must not stall a run: no single wait a server asks for
    # (Retry-After, a full call-limit bucket, GraphQL cost) lasts longer than max_wait;
    # no request takes longer than request_deadline from sending to the last body byte
    # (the read timeout restarts with every byte); no body is larger than max_response_bytes.
    max_wait: float = 120.0
    request_deadline: float = 120.0
    max_response_bytes: int = 64 * 1024 * 1024
    # Reconciliation of ids (loaders.reconcile): every this many days, or on this run when `reconcile`.
    reconcile_every_days: float = 7.0
    reconcile: bool = False
