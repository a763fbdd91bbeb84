"""Live extraction progress: a redrawn block on a terminal, periodic log lines under cron.

It only reads the stores' `RequestStats` counters from a background thread, so
the loaders stay unaware of how (or whether) progress is shown.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Mapping
from typing import TextIO

from loaders.pacing import RequestStats

log = logging.getLogger(__name__)


def progress_line(store: str, snapshot: Mapping[str, float], seconds: float) -> str:
    rate = snapshot["requests"] / seconds if seconds > 0 else 0.0
    return (
        f"{store:<14} {int(snapshot['pages']):>6} pages {int(snapshot['rows']):>9} rows "
        f"{rate:>5.1f} req/s  {int(snapshot['throttled'])} x 429  "
        f"{snapshot['waited_seconds']:>6.1f}s waiting for rate limits"
    )


class ProgressReporter:
    """Shows every store's counters while `with` is open: redrawn each second on a TTY,
    logged every `log_every` seconds otherwise (cron mail stays short)."""

    def __init__(
        self, stats: Mapping[str, RequestStats], *, stream: TextIO | None = None, log_every: float = 30.0
    ) -> None:
        self.stats = stats
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.interval = 1.0 if self.tty else log_every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="progress", daemon=True)
        self._started = time.monotonic()
        self._drawn = 0

    def _lines(self) -> list[str]:
        elapsed = time.monotonic() - self._started
        return [progress_line(name, s.snapshot(), elapsed) for name, s in self.stats.items()]

    def _draw(self) -> None:
        lines = self._lines()
        if self.tty:
            up = f"\x1b[{self._drawn}F" if self._drawn else ""
            self.stream.write(up + "".join(f"\x1b[2K{line}\n" for line in lines))
            self.stream.flush()
            self._drawn = len(lines)
        else:
            for line in lines:
                log.info("progress: %s", line)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._draw()

    def __enter__(self) -> ProgressReporter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        if self.tty:
            self._draw()
