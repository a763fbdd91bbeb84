"""Streaming JSON-array files and the timestamp formats of the three APIs.

A file is a JSON array with one compact object per line, written to a temporary
name and renamed into place, so a reader (the sandbox server) never sees half a
file and memory stays flat however many objects are written.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timezone
from pathlib import Path
from types import TracebackType
from zoneinfo import ZoneInfo

UTC = UTC
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False, allow_nan=False)


class JsonArrayWriter:
    """`with JsonArrayWriter(path) as out: out.write(obj)` -> '[\\n{...},\\n{...}\\n]\\n'."""

    FLUSH_EVERY = 1000

    def __init__(self, path: Path):
        self.path = path
        self._tmp = path.with_name(path.name + ".tmp")
        self._file = None
        self._pending: list[str] = []
        self.count = 0

    def __enter__(self) -> JsonArrayWriter:
        self._file = open(self._tmp, "w", encoding="utf-8", newline="\n")
        return self

    def write(self, obj: dict) -> None:
        self._pending.append(_ENCODER.encode(obj))
        self.count += 1
        if len(self._pending) >= self.FLUSH_EVERY:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            lead = "[\n" if self.count == len(self._pending) else ",\n"
            self._file.write(lead + ",\n".join(self._pending))
            self._pending.clear()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if exc_type is None:
                self._flush()
                self._file.write("\n]\n" if self.count else "[]\n")
        finally:
            self._file.close()
        if exc_type is None:
            os.replace(self._tmp, self.path)
        else:
            self._tmp.unlink(missing_ok=True)


def naive(ts: int, tz: ZoneInfo | timezone = UTC) -> str:
    """WooCommerce: no zone suffix, '2017-03-22T19:28:02' (UTC for the *_gmt fields, site time otherwise)."""
    return datetime.fromtimestamp(ts, tz).replace(tzinfo=None).isoformat()


def iso_z(ts: int) -> str:
    """Shopify GraphQL `DateTime`: UTC with a Z, whole seconds, '2024-03-01T15:15:00Z'."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms_z(ts: int, millis: int) -> str:
    """commercetools: UTC with milliseconds, '2024-03-01T15:15:00.123Z'."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{millis:03d}Z"
