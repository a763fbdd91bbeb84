"""The sandbox's data: `DIR/<store>/<resource>.json`, re-read when a file changes.

`<store>` is a store's folder: `shopify` for the default Shopify store,
`shopify__eu` for an extra one (see `metric_pulse.sandbox.emulator`). Every
request asks the store's `StoreFolder` for a `Dataset`; the store compares the file's
mtime and size with what it loaded (one `stat`, cheap) and re-reads only when
they differ, so edits to the data directory show up on the next request without
a restart. A file that fails to parse (half-saved by an editor) leaves the last
good version in service and logs a warning; a missing file is an empty list.

Memory stays close to the file size: files in the generator's layout (`[`, one
object per line, `]`) are kept as bytes and indexed line by line. Each record
holds only the few top-level fields the emulators filter and sort on
(`SUMMARY_KEYS`) plus where its bytes are; the full object is parsed again only
when a request needs another field, and list responses copy the record's
original bytes into the body. Lines are parsed by `loaders.json_body.loads`, so a
record with bytes that are not UTF-8 or nested thousands of levels deep (the
bad-input tests) is indexed too and served byte for byte, as a faulty API would.
Any other JSON array (pretty-printed, one line) is loaded whole as Python
objects (several times the file size: fine for hand-written stores).

A `Dataset` also caches sorted views (`sorted_view`) so paging a million orders
by a timestamp is a binary search plus a short scan, not a sort per request.

Deletes: a record removed from a file is a delete on the platform. When the store
re-reads a changed file it compares the ids it indexed with the file's and records a
`Deletion` per id that is gone, stamped with the time of the re-read (the moment the
sandbox noticed, as a platform stamps its deletion event). The emulators serve this log
as the platform does (Shopify `events`, commercetools Messages). A file that is missing
or fails to parse deletes nothing (an editor's half-saved file is not a mass delete).
The log lives in memory: a restarted sandbox forgets it, as a platform forgets old events.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from loaders.json_body import loads  # the loaders' own reading: non-UTF-8 bytes, deep nesting

log = logging.getLogger(__name__)

RESOURCES = ("customers", "products", "orders")

# Sorts after every real key, whatever the key's type.
HIGHEST = (float("inf"),)

# Top-level fields kept in memory for every record: what the emulators filter and sort on.
SUMMARY_KEYS = frozenset(
    {
        # Shopify (GraphQL nodes; createdAt is listed with commercetools)
        "id",
        "updatedAt",
        "processedAt",
        "publishedAt",
        "cancelledAt",
        "closedAt",
        "displayFinancialStatus",
        "displayFulfillmentStatus",
        "sourceName",
        "productType",
        "email",
        "name",
        "test",
        "title",
        "vendor",
        "handle",
        "status",
        # WooCommerce
        "date_created",
        "date_created_gmt",
        "date_modified",
        "date_modified_gmt",
        "customer_id",
        "parent_id",
        "role",
        "first_name",
        "last_name",
        "username",
        "slug",
        "sku",
        "type",
        "price",
        "total_sales",
        "average_rating",
        # commercetools
        "createdAt",
        "lastModifiedAt",
        "orderState",
        "customerId",
        "customerEmail",
        "orderNumber",
        "key",
        "version",
    }
)


def parse_instant(value: Any, *, naive_is_utc: bool = True) -> float | None:
    """Seconds since the epoch for an ISO-8601 string ('Z', offsets, date-only, none); None if not one."""
    if not isinstance(value, str) or len(value) < 10 or not value[:4].isdigit():
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        if not naive_is_utc:
            return None
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def sortable(value: Any) -> tuple:
    """A key that orders values of mixed types without TypeError: numbers, instants, strings, then missing."""
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


class _Source:
    """A data file's bytes as they were when indexed (an in-place edit cannot change them under a record)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, offset: int, length: int) -> bytes:
        return self.data[offset : offset + length]


class Record(dict):
    """A record's summary fields; any other field (and `full()`) parses the original bytes on demand."""

    __slots__ = ("_source", "_offset", "_length")

    def __init__(self, summary: dict, source: _Source, offset: int, length: int) -> None:
        super().__init__(summary)
        self._source, self._offset, self._length = source, offset, length

    def raw(self) -> bytes:
        return self._source.read(self._offset, self._length)

    def full(self) -> dict:
        return loads(self.raw())

    def get(self, key: Any, default: Any = None) -> Any:
        if key in SUMMARY_KEYS:
            return dict.get(self, key, default)
        return self.full().get(key, default)

    def __getitem__(self, key: Any) -> Any:
        if key in SUMMARY_KEYS:
            return dict.__getitem__(self, key)
        return self.full()[key]

    def __contains__(self, key: object) -> bool:
        if key in SUMMARY_KEYS:
            return dict.__contains__(self, key)
        return key in self.full()


def full(record: dict) -> dict:
    """The complete object of a record, whichever way it was loaded."""
    return record.full() if isinstance(record, Record) else record


def _encode(record: dict) -> bytes:
    try:
        return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate ("\\udc80" in the file): send it escaped, as it came
        return json.dumps(record, separators=(",", ":")).encode("ascii")


def encode_records(records: Iterable[dict]) -> bytes:
    """A JSON array of records: a lazily loaded record contributes its original bytes."""
    parts = [r.raw() if isinstance(r, Record) else _encode(r) for r in records]
    return b"[" + b",".join(parts) + b"]"


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

    def derived(self, name: Hashable, build: Callable[[list[dict]], list[dict]]) -> Dataset:
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
        return self._index().get(ident)

    def ids(self) -> set[Any]:
        return set(self._index())

    def _index(self) -> dict[Any, dict]:
        if self._by_id is None:
            with self._lock:
                if self._by_id is None:
                    self._by_id = {dict.get(r, "id"): r for r in self.records}
        return self._by_id

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[dict]:
        return iter(self.records)


@dataclass(frozen=True)
class Deletion:
    """One record removed from a store's file: its resource, id, when it was noticed and its place in the log."""

    sequence: int
    resource: str
    id: Any
    deleted_at: float


class NotLineDelimited(ValueError):
    pass


def _read_lines(path: Path) -> list[dict]:
    """Index a '[\\n{...},\\n{...}\\n]' file: a summary and the byte range of each line's object."""
    data = path.read_bytes()
    source = _Source(data)
    records: list[dict] = []
    newline = data.find(b"\n")
    if newline < 0 or data[:newline].strip() != b"[":
        raise NotLineDelimited("the first line is not '['")
    pos, end, closed = newline + 1, len(data), False
    while pos < end:
        newline = data.find(b"\n", pos)
        stop = end if newline < 0 else newline
        start, line_end = pos, stop
        pos = stop + 1
        while line_end > start and data[line_end - 1] in b" \t\r":
            line_end -= 1
        if line_end == start:
            continue
        if closed:
            raise NotLineDelimited("data after the closing ']'")
        if data[start:line_end] == b"]":
            closed = True
            continue
        if data[line_end - 1] == 0x5D and data[start : line_end - 1].rstrip().endswith(b"}"):  # '{...}]'
            line_end, closed = start + len(data[start : line_end - 1].rstrip()), True
        if data[line_end - 1] == 0x2C:  # ','
            line_end -= 1
        if data[start] != 0x7B or data[line_end - 1] != 0x7D:  # '{' ... '}'
            raise NotLineDelimited("a line is not one JSON object")
        try:
            obj = loads(data[start:line_end])
        except ValueError:
            raise NotLineDelimited("a line is not one JSON object") from None
        if not isinstance(obj, dict):
            raise NotLineDelimited("a line is not one JSON object")
        records.append(
            Record({k: v for k, v in obj.items() if k in SUMMARY_KEYS}, source, start, line_end - start)
        )
    if not closed:
        raise ValueError("the JSON array is not closed (a file still being written?)")
    return records


class DataStore:
    """`store.get("shopify", "orders")` -> the current Dataset of DIR/shopify/orders.json.

    `folders` are the store folders `preload` indexes (the server's stores); `get`
    serves any folder.
    """

    def __init__(
        self,
        data_dir: str | os.PathLike[str],
        folders: Iterable[str] = (),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.folders = tuple(folders)
        self.clock = clock
        self._loaded: dict[tuple[str, str], Dataset] = {}
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._locks_lock = threading.Lock()
        self._deletions: dict[str, list[Deletion]] = {}
        self.reloads = 0

    def path(self, folder: str, resource: str) -> Path:
        return self.data_dir / folder / f"{resource}.json"

    def folder(self, folder: str) -> StoreFolder:
        """One store's files, as its emulator reads them."""
        return StoreFolder(self, folder)

    def get(self, folder: str, resource: str) -> Dataset:
        key = (folder, resource)
        path = self.path(folder, resource)
        try:
            st = os.stat(path)
            version = (st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            version = (0, 0)
        current = self._loaded.get(key)
        if current is not None and current.version == version:
            return current
        with self._lock(key):
            current = self._loaded.get(key)
            if current is not None and current.version == version:
                return current
            fresh = self._read(path, version, current)
            if current is not None and fresh.records is not current.records and version != (0, 0):
                self._record_deletions(folder, resource, current.ids() - fresh.ids())
            self._loaded[key] = fresh
            return fresh

    def _record_deletions(self, folder: str, resource: str, gone: set[Any]) -> None:
        """Log the ids a re-read file no longer has, stamped now, in a stable order (by id)."""
        if not gone:
            return
        now = self.clock()
        with self._locks_lock:
            log_ = self._deletions.setdefault(folder, [])
            for ident in sorted(gone, key=sortable):
                log_.append(Deletion(len(log_) + 1, resource, ident, now))

    def deletions(self, folder: str) -> list[Deletion]:
        """The folder's deletion log, oldest first, after re-reading any changed file (a removal made
        since the last request is noticed now)."""
        for resource in RESOURCES:
            self.get(folder, resource)
        with self._locks_lock:
            return list(self._deletions.get(folder, ()))

    def _lock(self, key: tuple[str, str]) -> threading.Lock:
        """One lock per file: a large file being re-read does not hold up requests for the others."""
        with self._locks_lock:
            return self._locks.setdefault(key, threading.Lock())

    def preload(self) -> None:
        """Index every file of `folders` now (the server does this in the background at start)."""
        for folder in self.folders:
            for resource in RESOURCES:
                self.get(folder, resource)

    def _read(self, path: Path, version: tuple[int, int], previous: Dataset | None) -> Dataset:
        if version == (0, 0):
            return Dataset([], version)
        try:
            try:
                records = _read_lines(path)
            except NotLineDelimited:
                with open(path, "rb") as handle:
                    loaded = json.load(handle)
                if not isinstance(loaded, list):
                    raise ValueError("the file is not a JSON array") from None
                records = [r for r in loaded if isinstance(r, dict)]
        except (OSError, ValueError) as exc:
            log.warning("sandbox: cannot read %s (%s); serving the previous version", path, exc)
            kept = previous.records if previous is not None else []
            return Dataset(kept, version)
        self.reloads += 1
        return Dataset(records, version)


@dataclass(frozen=True)
class StoreFolder:
    """One store's data folder: `folder.get("orders")` is the current Dataset of DIR/<folder>/orders.json."""

    store: DataStore
    name: str

    def get(self, resource: str) -> Dataset:
        return self.store.get(self.name, resource)

    def deletions(self) -> list[Deletion]:
        return self.store.deletions(self.name)


def scan(
    view: SortedView, start: int, stop: int, descending: bool, keep: Callable[[dict], bool] | None
) -> Iterator[tuple[int, dict]]:
    """(index, record) in [start, stop) in the requested direction, filtered by `keep`."""
    indexes: Sequence[int] = range(stop - 1, start - 1, -1) if descending else range(start, stop)
    records = view.records
    for i in indexes:
        record = records[i]
        if keep is None or keep(record):
            yield i, record
