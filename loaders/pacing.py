"""Client-side pacing per platform, and the counters the run summary reports.

Store APIs punish bursts (Shopify answers 429 once its leaky bucket of 40 is full),
and dlt only retries, it does not pace. So every platform gets one `Pacer`: a token
bucket at the configured `RateLimit(rate, burst)`, which also listens to the
server. What a platform says about its limit is read by that platform's
`RateLimitParser` (Shopify's lives in `loaders.shopify.rate_limit`): a server's
leaky bucket as `used/capacity` shrinks our bucket to the room the server says is
left, so we slow down before a 429 instead of after; a query cost the server
cannot serve yet, or a `Retry-After`, holds every request until the server's
bucket has refilled; a 429 lowers the rate a little and successful requests bring
it back (additive increase, multiplicative decrease), so a plan with a lower limit
than configured settles instead of hammering.

What a server asks for is believed only up to `max_wait` seconds per wait: a
`Retry-After: 100000` or a call limit of `1000000/1` (a 5.8-day wait at 2/s) would
otherwise stall the run; the cut is logged, and the retry cap ends a server that
keeps asking.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from loaders.settings import RateLimit

log = logging.getLogger(__name__)

# Requests kept free in the server's bucket: a response's used/cap is already a
# little stale when the next request lands, and one spare slot absorbs that.
SERVER_BUCKET_MARGIN = 1.0
# After a 429 the rate drops to this share of what it was, never below FLOOR of the configured rate...
THROTTLE_BACKOFF = 0.75
THROTTLE_FLOOR = 0.25
# ...and each successful request wins back this share of the configured rate.
RECOVERY_STEP = 0.02


@dataclass
class RequestStats:
    """Counters for one platform's run; thread-safe so concurrent resources can share it."""

    requests: int = 0
    throttled: int = 0
    retries: int = 0
    waited_seconds: float = 0.0
    operation_wait_seconds: float = 0.0  # waiting for a job that runs on the platform (a bulk operation)
    pages: int = 0
    rows: int = 0
    rejected: int = 0
    reconcile_requests: int = 0  # of `requests`: the id listings of a reconciliation (loaders.reconcile)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    _warnings: list[str] = field(default_factory=list, repr=False, compare=False)

    def add(self, **deltas: float) -> None:
        """Add to one or more counters, e.g. `stats.add(requests=1, throttled=1)`."""
        with self._lock:
            for name, delta in deltas.items():
                if name.startswith("_") or not hasattr(self, name):
                    raise AttributeError(f"RequestStats has no counter {name!r}")
                setattr(self, name, getattr(self, name) + delta)

    def warn(self, text: str) -> bool:
        """Record a warning about this run's data or setup (for etl_logs); False if it was recorded already."""
        with self._lock:
            if text in self._warnings:
                return False
            self._warnings.append(text)
            return True

    def warnings(self) -> list[str]:
        """The warnings recorded so far, in order."""
        with self._lock:
            return list(self._warnings)

    def snapshot(self) -> dict[str, float]:
        """A consistent copy of every counter (for summaries and etl_logs)."""
        with self._lock:
            return {f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")}


class Pacer:
    """A token bucket that hands out one token per request and adapts to the server."""

    def __init__(
        self,
        limit: RateLimit,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        max_wait: float = float("inf"),
        name: str = "",
    ) -> None:
        if limit.rate <= 0:
            raise ValueError("rate limit must be positive")
        self.max_wait = max_wait
        self.name = name
        self.configured_rate = float(limit.rate)
        self.rate = float(limit.rate)
        self.capacity = max(1.0, float(limit.burst))
        self._tokens = self.capacity
        self._clock = clock
        self._sleep = sleep
        self._updated = clock()
        self._hold_until = 0.0
        self._lock = threading.Lock()

    def _refill(self, now: float) -> None:
        self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    def acquire(self) -> float:
        """Block until a request may be sent; return the seconds spent waiting."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                self._refill(now)
                if now < self._hold_until:
                    delay = self._hold_until - now
                elif self._tokens >= 1.0:
                    self._tokens -= 1.0
                    return waited
                else:
                    delay = (1.0 - self._tokens) / self.rate
            self._sleep(delay)
            waited += delay

    def hold(self, seconds: float) -> None:
        """Send nothing for `seconds` (Retry-After, GraphQL throttling): the server asked for a pause."""
        if seconds <= 0:
            return
        seconds = self.capped(seconds, "a throttle pause")
        with self._lock:
            now = self._clock()
            self._refill(now)
            self._hold_until = max(self._hold_until, now + seconds)
            # The pause refills the server's bucket, not ours: start again from an empty one.
            self._tokens = min(self._tokens, 0.0)

    def observe_bucket(self, used: float, capacity: float, source: str = "the server's call limit") -> None:
        """The server's leaky bucket is `used` of `capacity`: never plan more requests than fit.

        `source` names where the server said so, for the log line when its wait is capped.
        """
        with self._lock:
            self._refill(self._clock())
            room = capacity - used - SERVER_BUCKET_MARGIN
            # A deficit of d tokens is a wait of d / rate: no more than max_wait.
            said = f"{source} {used:.0f}/{capacity:.0f}"
            floor = 1.0 - self.capped((1.0 - room) / self.rate, said) * self.rate
            self._tokens = min(self._tokens, max(room, floor))

    def capped(self, seconds: float, what: str) -> float:
        """`seconds`, or `max_wait` if the server asked for longer (logged: the operator should know)."""
        if seconds <= self.max_wait:
            return seconds
        log.warning(
            "%s: %s asks for a wait of %.0fs; waiting %.0fs instead (HTTP_MAX_WAIT_SECONDS)",
            self.name or "server",
            what,
            seconds,
            self.max_wait,
        )
        return self.max_wait

    def observe_throttle_status(self, requested: float, available: float, restore_rate: float) -> float:
        """GraphQL cost: if the query needs more points than are left, wait until they are restored."""
        if restore_rate <= 0 or available >= requested:
            return 0.0
        delay = (requested - available) / restore_rate
        self.hold(delay)
        return delay

    def throttled(self) -> None:
        """A 429 arrived: our idea of the limit was too generous, so lower the rate."""
        with self._lock:
            self._refill(self._clock())
            self.rate = max(self.configured_rate * THROTTLE_FLOOR, self.rate * THROTTLE_BACKOFF)
            self._tokens = min(self._tokens, 0.0)

    def succeeded(self) -> None:
        """A request went through: creep back towards the configured rate."""
        if self.rate >= self.configured_rate:
            return
        with self._lock:
            self._refill(self._clock())
            self.rate = min(self.configured_rate, self.rate + self.configured_rate * RECOVERY_STEP)


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """`Retry-After` in seconds; Shopify sends floats like "2.0". HTTP dates are rare enough to ignore."""
    raw = headers.get("Retry-After")
    if raw is None:
        return None
    try:
        value = float(raw.strip())
    except ValueError:
        return None
    return value if value >= 0 else None


@dataclass(frozen=True)
class ServerBucket:
    """The server's leaky bucket as a response reports it: `used` of `capacity` requests."""

    used: float
    capacity: float
    source: str
    """Where the server said so (a header name), for the log line when its wait is capped."""


@dataclass(frozen=True)
class QueryCost:
    """What a cost-based API (GraphQL) says a query needs and has left, in points."""

    requested: float
    available: float
    restore_rate: float
    throttled: bool
    """The server refused the query for its cost (it may still answer 200): retry after the pause."""


class RateLimitParser:
    """Reads the rate-limit signals of one platform's responses; this base reads none.

    `Retry-After` and HTTP 429 mean the same everywhere and the client reads them for
    every platform. Anything platform-specific (a call-limit header, a GraphQL cost
    in the body) is read by the platform's subclass, so the generic client and pacer
    never learn a platform's header names. A platform without such signals uses
    this base as it is.
    """

    def bucket(self, headers: Mapping[str, str]) -> ServerBucket | None:
        """The server's leaky bucket from a response's headers (any status), if it reports one."""
        return None

    def cost(self, body: Any) -> QueryCost | None:
        """The query cost from a successful response's parsed body, if it reports one."""
        return None
