"""When Shopify's Bulk Operations are used, and how long the loader waits for them.

Read from `SHOPIFY_BULK_*` variables (see .env.example and docs/loaders.md):

* `SHOPIFY_BULK_AFTER_DAYS` (default 7): a first run, a full refresh, or a run whose
  window starts more than this many days ago loads through a Bulk Operation instead of
  paginated queries; `off` never uses them.
* `SHOPIFY_BULK_WAIT_MINUTES` (default 10): how long to wait when another app holds
  the shop's bulk slot ("already in progress") before falling back to paginated queries.
* `SHOPIFY_BULK_TIMEOUT_MINUTES` (default 360): how long one run waits for its operation
  to finish; past that the run fails for this platform and the next run resumes the
  same operation (an operation may run for up to 10 days on Shopify's side).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from loaders.errors import ConfigError
from loaders.settings import number


@dataclass(frozen=True)
class BulkSettings:
    after: timedelta | None = timedelta(days=7)
    """A window starting further back than this goes through a Bulk Operation; None: never."""
    busy_wait: timedelta = timedelta(minutes=10)
    timeout: timedelta = timedelta(minutes=360)
    poll_first_seconds: float = 1.0
    """The first poll's delay; each next one is 1.5 times longer, up to `poll_cap_seconds`."""
    poll_cap_seconds: float = 30.0


def bulk_settings_from_env(env: Mapping[str, str]) -> BulkSettings:
    """The `SHOPIFY_BULK_*` settings of one store's environment view; `ConfigError` if unreadable."""
    after_raw = env.get("SHOPIFY_BULK_AFTER_DAYS", "").strip().lower()
    after = None if after_raw == "off" else timedelta(days=number(env, "SHOPIFY_BULK_AFTER_DAYS", 7))
    values = {
        "SHOPIFY_BULK_WAIT_MINUTES": number(env, "SHOPIFY_BULK_WAIT_MINUTES", 10),
        "SHOPIFY_BULK_TIMEOUT_MINUTES": number(env, "SHOPIFY_BULK_TIMEOUT_MINUTES", 360),
    }
    negative = [name for name, value in values.items() if value < 0]
    if after is not None and after < timedelta(0):
        negative.insert(0, "SHOPIFY_BULK_AFTER_DAYS")
    if negative:
        raise ConfigError(f"{', '.join(negative)} must not be negative")
    return BulkSettings(
        after=after,
        busy_wait=timedelta(minutes=values["SHOPIFY_BULK_WAIT_MINUTES"]),
        timeout=timedelta(minutes=values["SHOPIFY_BULK_TIMEOUT_MINUTES"]),
    )
