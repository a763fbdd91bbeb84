"""The sandbox's data: `DIR/<platform>/<resource>.json`, re-read when a file changes.

Every request asks the `DataStore` for a `Dataset`; the store compares the file's
mtime and size with what it loaded (one `stat`, cheap) and re-parses only when
they differ, so edits to the data directory show up on the next request without
a restart. A file that fails to parse (half-saved by an editor) leaves the last
good version in service and logs a warning; a missing file is an empty list.

A `Dataset` also caches sorted views (`sorted_view`) so paging a million orders
by a timestamp is a binary search plus a short scan, not a sort per request.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Hashable, Iterator, Sequence

log = logging.getLogger(__name__)

PLATFORMS = ("shopify", "woocommerce", "commercetools")
RESOURCES = ("customers", "products", "orders")

# Sorts before every real key and after every real key, whatever the key's type.
LOWEST: tuple = ()
HIGHEST = (float("inf"),)


def parse_instant(value: Any, *, naive_is_utc: bool = True) -> float | None:
    """Seconds since the epoch for an ISO-8601 string ('Z', offsets, date-only, none); None if not one."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        if not naive_is_utc:
            return None
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def sortable(value: Any) -> tuple:
    """A key that orders values of mixed types without TypeError: missing/None last, numbers, then strings."""
    if value is None:
        return (3,)
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, (int, float)):
        return (0, value)
    if isinstance(value, str):
        instant = parse_instant(value)
        if instant is not None:
            return (1, instant)
        return (2, value)
    return (2, json.dumps(value, sort_keys=True))


@dataclass
class SortedView:
    """Records ordered by `keys` ascending (keys[i] belongs to records[i])."""

    keys: list[tuple]
    records: list[dict]

    def range(self, lo: tuple | None = None, hi: tuple | None = None) -> tuple[int, int]:
        """Index range [start, stop) of keys with lo <= key < hi (None: unbounded)."""
        start = 0 if lo is None else bisect_left(self.keys, lo)
        stop = len(self.keys) if hi is None else bisect_left(self.keys, hi)
        return start, max(start, stop)

    def after(self, key: tuple) -> int:
        return bisect_right(self.keys, key)


@dataclass
class Dataset:
    """One resource file's records plus cached sorted views and an id index."""

    records: list[dict]
    version: tuple[int, int] = (0, 0)
    _views: dict[Hashable, Any] = field(default_factory=dict)
    _by_id: dict[Any, dict] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def sorted_view(self, name: Hashable, key: Callable[[dict], tuple]) -> SortedView:
        """Records sorted by `key`, computed once per (file version, name)."""
        view = self._views.get(name)
        if view is None:
            with self._lock:
                view = self._views.get(name)
                if view is None:
                    decorated = sorted(((key(r), i) for i, r in enumerate(self.records)))
                    view = SortedView([k for k, _ in decorated], [self.records[i] for _, i in decorated])
                    self._views[name] = view
        return view

    def derived(self, name: Hashable, build: Callable[[list[dict]], list[dict]]) -> "Dataset":
        """Another Dataset computed from these records (e.g. product projections), cached with them."""
        view = self._views.get(("derived", name))
        if view is None:
            with self._lock:
                view = self._views.get(("derived", name))
                if view is None:
                    view = Dataset(build(self.records), self.version)
                    self._views[("derived", name)] = view
        return view  # type: ignore[return-value]

    def by_id(self, ident: Any) -> dict | None:
        if self._by_id is None:
            with self._lock:
                if self._by_id is None:
                    self._by_id = {r.get("id"): r for r in self.records if isinstance(r, dict)}
        return self._by_id.get(ident)

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[dict]:
        return iter(self.records)


class DataStore:
    """`store.get("shopify", "orders")` -> the current Dataset of DIR/shopify/orders.json."""

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self.data_dir = Path(data_dir)
        self._loaded: dict[tuple[str, str], Dataset] = {}
        self._locks = {(p, r): threading.Lock() for p in PLATFORMS for r in RESOURCES}
        self.reloads = 0

    def path(self, platform: str, resource: str) -> Path:
        return self.data_dir / platform / f"{resource}.json"

    def get(self, platform: str, resource: str) -> Dataset:
        path = self.path(platform, resource)
        try:
            st = os.stat(path)
            version = (st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            version = (0, 0)
        current = self._loaded.get((platform, resource))
        if current is not None and current.version == version:
            return current
        with self._locks[(platform, resource)]:
            current = self._loaded.get((platform, resource))
            if current is not None and current.version == version:
                return current
            fresh = self._read(path, version, current)
            self._loaded[(platform, resource)] = fresh
            return fresh

    def _read(self, path: Path, version: tuple[int, int], previous: Dataset | None) -> Dataset:
        if version == (0, 0):
            return Dataset([], version)
        try:
            with open(path, "rb") as handle:
                records = json.load(handle)
            if not isinstance(records, list):
                raise ValueError("the file is not a JSON array")
        except (OSError, ValueError) as exc:
            log.warning("sandbox: cannot read %s (%s); serving the previous version", path, exc)
            kept = previous.records if previous is not None else []
            return Dataset(kept, version)
        self.reloads += 1
        return Dataset([r for r in records if isinstance(r, dict)], version)


def scan(view: SortedView, start: int, stop: int, descending: bool,
         keep: Callable[[dict], bool] | None) -> Iterator[tuple[int, dict]]:
    """(index, record) in [start, stop) in the requested direction, filtered by `keep`."""
    indexes: Sequence[int] = range(stop - 1, start - 1, -1) if descending else range(start, stop)
    records = view.records
    for i in indexes:
        record = records[i]
        if keep is None or keep(record):
            yield i, record
