"""Which fetched records become rows: incremental cursor with lookback, boundary dedupe, rejects.

Every resource of every source runs its records through one `IncrementalWindow`:

* The cursor is the highest modification time loaded so far, kept in dlt resource
  state. dlt stores that state in the destination in the same load package as the
  rows, so cursor and data commit together and a killed run resumes from the last
  committed cursor.
* A run asks the API for records modified since `cursor - lookback`: a record
  whose write committed late, or whose clock lagged, still shows up next time.
* The window keeps `{id: modification time}` for records in the lookback window.
  A record arriving again with the same (id, time) was loaded already and is
  dropped; one with a newer time is an update and is loaded once. dlt's own
  `incremental(lag=...)` turns its boundary dedupe off when a lag is set, hence
  this small map instead.
* The cursor never passes the time the run started, so a record stamped in the
  future cannot push later windows past real changes.
* A record without a usable id or cursor, with a field of the wrong type, a
  modification time more than a day ahead, or a value PostgreSQL cannot store, is
  not loaded: it becomes a row of `rejected_records` (platform, resource, reason,
  the raw JSON) so nothing disappears silently and one bad record never fails a run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import dlt
import orjson

from loaders.pacing import RequestStats

REJECTED_TABLE = "rejected_records"
# How far ahead of our clock a modification time may be (clock skew) before it is taken for garbage.
FUTURE_TOLERANCE = timedelta(days=1)


class Rejected(ValueError):
    """A record that cannot be loaded as-is; the message becomes `rejected_records.reason`."""


def parse_timestamp(value: object) -> datetime:
    """An ISO-8601 timestamp as aware UTC; a value without an offset is UTC (WooCommerce `_gmt`)."""
    if not isinstance(value, str) or not value.strip():
        raise Rejected(f"timestamp is {type(value).__name__} {value!r:.40}, expected an ISO-8601 string")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise Rejected(f"timestamp {value!r:.40} is not ISO-8601") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def iso(moment: datetime) -> str:
    """The canonical form kept in state: UTC, microseconds, explicit offset."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class RecordShape:
    """What a resource's records must look like to be loaded.

    `id_types` are the accepted types of `id`; `cursor` is the modification-time field
    (`cursor_fallback` is used when it is null, e.g. a WooCommerce customer never
    modified since sign-up); `field_types` are checked when present, because a
    wrong type there would split a column into dlt variants or break a child table.
    """

    id_types: tuple[type, ...]
    cursor: str
    cursor_fallback: str | None = None
    field_types: Mapping[str, tuple[type, ...]] = field(default_factory=dict)
    amounts: tuple[str, ...] = ()
    """Dotted paths of order totals (`total`, `totalPrice.centAmount`): when present they must be
    numbers (or numeric strings) from 0 to MAX_AMOUNT. A negative or absurd total cannot be a
    real order, and one would fail the models' money identity for the whole build."""

    def key(self, record: object) -> tuple[Any, datetime]:
        """(id, modification time) of a record, else `Rejected` saying why."""
        if not isinstance(record, dict):
            raise Rejected(f"record is a {type(record).__name__}, expected an object")
        record_id = record.get("id")
        if record_id is None or record_id == "":
            raise Rejected("missing id")
        if isinstance(record_id, bool) or not isinstance(record_id, self.id_types):
            raise Rejected(f"id has type {type(record_id).__name__}")
        raw_cursor = record.get(self.cursor)
        if raw_cursor is None and self.cursor_fallback:
            raw_cursor = record.get(self.cursor_fallback)
        if raw_cursor is None:
            raise Rejected(f"missing {self.cursor}")
        try:
            return record_id, parse_timestamp(raw_cursor)
        except Rejected as exc:
            raise Rejected(f"{self.cursor}: {exc}") from None

    def check_fields(self, record: Mapping[str, Any]) -> None:
        """`Rejected` if a checked field is present with the wrong type, or the record cannot be stored."""
        for name, types in self.field_types.items():
            value = record.get(name)
            if value is None:
                continue
            if isinstance(value, bool) and bool not in types or not isinstance(value, types):
                raise Rejected(f"{name} has type {type(value).__name__}")
        for path in self.amounts:
            check_amount(path, record)
        check_storable(record)


# No order total reaches this in any unit (a hundred billion dollars, or a billion in cents).
MAX_AMOUNT = Decimal(10) ** 11


def check_amount(path: str, record: Mapping[str, Any]) -> None:
    """`Rejected` if the amount at `path` (when there) is not a number from 0 to MAX_AMOUNT."""
    value: Any = record
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value is None or isinstance(value, bool):
        return  # absent, or a wrong type: the field type check says so
    try:
        amount = Decimal(str(value).strip()) if isinstance(value, (str, int, float)) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise Rejected(f"{path} {str(value)[:40]!r} is not an amount")
    if amount < 0:
        raise Rejected(f"{path} {str(value)[:40]} is negative")
    if amount > MAX_AMOUNT:
        raise Rejected(f"{path} {str(value)[:40]} is beyond any real order total")


def check_storable(record: Any) -> None:
    """`Rejected` for what valid JSON can carry but dlt's files and PostgreSQL cannot.

    A lone surrogate (the escape "\\udc80") is not UTF-8, and an integer beyond 64 bits
    has no column type; either would fail the whole platform's load at dlt's extract
    step. Serialising with orjson (what dlt itself uses) finds both in C speed. A NUL
    character serialises fine but PostgreSQL text refuses it at load time; its JSON
    escape in that same output is the cheap test, the walk only says where it is.
    """
    try:
        dumped = orjson.dumps(record)
    except TypeError as exc:
        raise Rejected(f"not storable: {exc}") from None
    if b"\\u0000" in dumped:
        where = _nul_path(record)
        if where is not None:
            raise Rejected(f"{where} holds a NUL character, which PostgreSQL text cannot store")


def _nul_path(value: Any, path: str = "") -> str | None:
    """Where the first NUL is (in a string value or a key), as `a.b[2].c`; None if nowhere."""
    if isinstance(value, str):
        return (path or "value") if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return here
            found = _nul_path(item, here)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_path(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


class IncrementalWindow:
    """The cursor and the lookback map of one resource, living in its dlt resource state.

    The cursor never moves past the time the run started (`now`): one record stamped
    in the future (a store clock or data bug) would otherwise push every later run's
    window past real changes. Records more than `FUTURE_TOLERANCE` ahead are rejected.
    """

    def __init__(
        self, state: MutableMapping[str, Any], lookback: timedelta, now: datetime | None = None
    ) -> None:
        self._state = state
        self.lookback = lookback
        self.now = now or datetime.now(UTC)
        cursor = state.get("cursor")
        self.cursor: datetime | None = parse_timestamp(cursor) if cursor else None
        self.seen: dict[str, str] = dict(state.get("seen") or {})
        # Fixed for the whole run: records need not arrive in cursor order (WooCommerce customers don't).
        self.start: datetime | None = None if self.cursor is None else self.cursor - lookback
        """Ask the API for records modified at or after this (None: everything, first run)."""

    def admit(self, record_id: Any, modified: datetime) -> bool:
        """True if this (id, time) is new to us; remember it either way."""
        start = self.start
        if start is not None and modified < start:
            return False  # before the window: loaded by an earlier run
        key, stamp = str(record_id), iso(modified)
        if self.seen.get(key) == stamp:
            return False
        self.seen[key] = stamp
        reachable = min(modified, self.now)
        if self.cursor is None or reachable > self.cursor:
            self.cursor = reachable
        return True

    def check_time(self, modified: datetime) -> None:
        """`Rejected` for a modification time too far in the future to be real."""
        if modified > self.now + FUTURE_TOLERANCE:
            raise Rejected(f"modification time {iso(modified)} is in the future")

    def save(self) -> None:
        """Write back to state, keeping only ids still inside the next run's lookback window."""
        if self.cursor is None:
            return
        horizon = iso(self.cursor - self.lookback)
        self._state["cursor"] = iso(self.cursor)
        self._state["seen"] = {k: v for k, v in self.seen.items() if v >= horizon}


class RejectedRow(dict):
    """A `rejected_records` row; its type is what routes it to that table (see `incremental_resource`)."""


def rejected_row(platform: str, resource: str, reason: str, record: object) -> RejectedRow:
    """The row kept for a record that cannot be loaded: who, why, and the record as JSON text."""
    try:
        raw = json.dumps(record, sort_keys=True, default=str)
    except (TypeError, ValueError):
        raw = repr(record)
    return RejectedRow(
        platform=platform,
        resource=resource,
        reason=reason,
        raw_json=raw,
        loaded_at=datetime.now(UTC),
    )


def admitted(
    pages: Iterator[list[Any]],
    *,
    platform: str,
    resource: str,
    shape: RecordShape,
    window: IncrementalWindow,
    stats: RequestStats,
) -> Iterator[Any]:
    """Turn API pages into what dlt should load: the new or changed records of each page, and rejects.

    A malformed record that has an id and a time is remembered like any other, so it
    is rejected once, not again on every run that sees it; one without them is
    rejected once per run even if two queries return it (full loads ask for undated
    records separately). The window is written to resource state after every page,
    so whatever dlt commits always matches the rows committed with it.
    """
    rejected_this_run: set[str] = set()
    for page in pages:
        rows: list[Any] = []
        for record in page:
            try:
                record_id, modified = shape.key(record)
                if not window.admit(record_id, modified):
                    continue
                window.check_time(modified)
                shape.check_fields(record)
            except Rejected as exc:
                row = rejected_row(platform, resource, str(exc), record)
                if row["raw_json"] not in rejected_this_run:
                    rejected_this_run.add(row["raw_json"])
                    stats.add(rejected=1)
                    yield row
                continue
            rows.append(record)
        window.save()
        stats.add(pages=1, rows=len(rows))
        if rows:
            yield rows


def incremental_resource(
    name: str,
    *,
    platform: str,
    shape: RecordShape,
    pages: Callable[[datetime | None], Iterator[list[Any]]],
    lookback: timedelta,
    stats: RequestStats,
) -> Any:
    """A merge resource keyed on `id` whose records pass through an `IncrementalWindow`.

    `pages(start)` fetches records modified at or after `start` (None: everything)
    from the API. `dedup_sort` on the cursor column makes dlt keep the newest
    version when one run sees the same id twice (it was modified while we paged).
    """

    def records() -> Iterator[Any]:
        window = IncrementalWindow(dlt.current.resource_state(), lookback)
        for item in admitted(
            pages(window.start), platform=platform, resource=name, shape=shape, window=window, stats=stats
        ):
            yield (
                dlt.mark.with_hints(item, REJECT_HINTS, create_table_variant=True)
                if isinstance(item, RejectedRow)
                else item
            )

    # One resource feeds two tables: records merge into `name` by id (static hints, so dlt
    # computes the table once per page), rejects append to `rejected_records` through a
    # table variant. Callable hints would make dlt recompute the schema for every row:
    # that was ~40 % of a load's time (bench/bench_load_throughput.py).
    return dlt.resource(
        records,
        name=name,
        table_name=name,
        write_disposition="merge",
        primary_key="id",
        columns={shape.cursor: {"dedup_sort": "desc"}},
    )


# The variant of every resource's hints for its rejects: an append-only table without keys.
REJECT_HINTS = dlt.mark.make_hints(
    table_name=REJECTED_TABLE, write_disposition="append", primary_key=[], columns={}
)
