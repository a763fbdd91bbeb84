"""Fault injection: which request fails, and how, drawn from a seeded RNG per store.

Each API request (the commercetools token endpoint excluded unless asked for)
draws the same number of random values from its store's own
`random.Random(f"{seed}:{store}")` (`store`: `shopify` for the default Shopify
store, `shopify__eu` for an extra one), so a run with the same seed and the same
request sequence per store sees the same faults, however the stores' requests
interleave.

Kinds, checked in this order (at most one per request):
- `fail`: a 5xx with the platform's own error body;
- `throttle`: a 429, for platforms whose emulator has an injected one
  (commercetools: its documented contract has none, so this is the only way the
  sandbox produces one);
- `drop`: headers with the full Content-Length, then part of the body, then the
  connection is closed;
- `malformed`: a complete HTTP response whose JSON body is cut short.
Independently, `slow` holds the response back for `slow_delay` seconds (past a
typical client read timeout). `fail`, `throttle`, `drop` and `malformed` only
replace successful (2xx) responses, so contract errors stay deterministic.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

KINDS = ("fail", "throttle", "drop", "malformed", "slow")


@dataclass(frozen=True)
class FaultSettings:
    fail_rate: float = 0.0
    slow_rate: float = 0.0
    malformed_rate: float = 0.0
    drop_rate: float = 0.0
    throttle_rate: float = 0.0
    slow_delay: float = 35.0
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("fail_rate", "slow_rate", "malformed_rate", "drop_rate", "throttle_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        if self.slow_delay < 0:
            raise ValueError(f"slow_delay must not be negative, got {self.slow_delay}")

    @property
    def active(self) -> bool:
        return any((self.fail_rate, self.slow_rate, self.malformed_rate, self.drop_rate, self.throttle_rate))


@dataclass(frozen=True)
class Decision:
    """What happens to one response: `kind` (None = deliver it), `slow`, and `pick` in [0, 1) for details."""

    kind: str | None
    slow: bool
    pick: float


NO_FAULT = Decision(None, False, 0.0)


class FaultPlan:
    def __init__(self, settings: FaultSettings) -> None:
        self.settings = settings
        self._rngs: dict[str, random.Random] = {}
        self._lock = threading.Lock()

    def decide(self, store: str, *, can_throttle: bool) -> Decision:
        """The fate of the next response of `store`; `throttle` only where `can_throttle`."""
        s = self.settings
        if not s.active:
            return NO_FAULT
        with self._lock:
            rng = self._rngs.get(store)
            if rng is None:
                rng = self._rngs[store] = random.Random(f"{s.seed}:{store}")
            slow, fail, throttle, drop, malformed, pick = (rng.random() for _ in range(6))
        kind = None
        if fail < s.fail_rate:
            kind = "fail"
        elif can_throttle and throttle < s.throttle_rate:
            kind = "throttle"
        elif drop < s.drop_rate:
            kind = "drop"
        elif malformed < s.malformed_rate:
            kind = "malformed"
        return Decision(kind, slow < s.slow_rate, pick)


def truncate(body: bytes, pick: float) -> bytes:
    """The body cut somewhere strictly inside it (never empty, never whole): invalid JSON."""
    if len(body) < 2:
        return b"{"
    cut = 1 + int(pick * (len(body) - 1))
    return body[: min(cut, len(body) - 1)]
