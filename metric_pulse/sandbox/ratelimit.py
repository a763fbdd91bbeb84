"""Server-side rate limits as Shopify applies them to the GraphQL Admin API.

A bucket of cost points (maximumAvailable, restored at restoreRate per second) that each
query draws its requested cost from and is refunded the difference once the actual cost
is known.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


@dataclass(frozen=True)
class Throttle:
    """The numbers reported in extensions.cost.throttleStatus."""

    maximum_available: float
    currently_available: float
    restore_rate: float

    def as_json(self) -> dict:
        return {
            "maximumAvailable": float(self.maximum_available),
            "currentlyAvailable": int(self.currently_available + 1e-6),
            "restoreRate": float(self.restore_rate),
        }


class CostBucket:
    """GraphQL query-cost points: `charge(requested)` -> (allowed, Throttle); `refund(points)` after the query."""

    def __init__(
        self,
        maximum_available: float = 1000.0,
        restore_rate: float = 50.0,
        *,
        enforce: bool = True,
        clock: Clock = time.monotonic,
    ) -> None:
        self.maximum_available = maximum_available
        self.restore_rate = restore_rate
        self.enforce = enforce
        self._clock = clock
        self._available = maximum_available
        self._stamp = clock()
        self._lock = threading.Lock()

    def _restore(self) -> None:
        now = self._clock()
        self._available = min(
            self.maximum_available, self._available + (now - self._stamp) * self.restore_rate
        )
        self._stamp = now

    def _status(self) -> Throttle:
        return Throttle(self.maximum_available, self._available, self.restore_rate)

    def charge(self, requested: float) -> tuple[bool, Throttle]:
        with self._lock:
            self._restore()
            if requested > self._available and self.enforce:
                return False, self._status()
            self._available = max(0.0, self._available - requested)
            return True, self._status()

    def refund(self, points: float) -> Throttle:
        with self._lock:
            self._restore()
            self._available = min(self.maximum_available, self._available + max(0.0, points))
            return self._status()
