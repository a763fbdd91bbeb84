"""What the application needs to know about one platform's loader: one `PlatformLoader` per platform.

Each platform package (`loaders/<platform>/`) exposes its record as `LOADER`; the
application's registry (`metric_pulse.platforms`) pairs it with the platform's
emulator and data generator. Nothing here knows a platform by name: generic code
(the CLI, settings, extraction, tests) asks the record instead of naming platforms.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from loaders.pacing import RateLimitParser
from loaders.paging import Paginator


@dataclass(frozen=True)
class PlatformLoader:
    """One platform's loader, as the application and the tests see it."""

    name: str
    """The platform's name: its dlt source, pipeline and `raw_<name>` dataset are named after it."""
    env_prefix: str
    """Every setting of the platform is `<env_prefix>_...`; several stores are `<env_prefix>_<LABEL>_...`."""
    settings_from_env: Callable[[Mapping[str, str], int | None], Any]
    """`(env, page_size)` -> the platform's config, or None when it is not enabled; `ConfigError` when
    it is half-configured. The application builds the env (one view per store) and the page size."""
    source: Callable[..., Any]
    """The dlt source factory `(config, options: LoadOptions, stats: RequestStats)`."""
    cursor_fields: Mapping[str, str]
    """Resource -> the field its incremental cursor reads (what a test editing the store must bump)."""
    paginator: type[Paginator]
    """How the platform's listings page; the HTTP client drives one instance per listing."""
    rate_limit_signal: RateLimitParser = RateLimitParser()
    """How the platform's responses speak of its rate limit, fed to the pacer by the HTTP client. The
    default reads nothing beyond what every platform shares (HTTP 429, `Retry-After`)."""
