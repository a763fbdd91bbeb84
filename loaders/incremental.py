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
  modification time more than a day ahead, a money or quantity field that is not
  a number, or a value PostgreSQL cannot store, is not loaded: it becomes a row of
  `rejected_records` (platform, resource, reason, the raw JSON) so nothing
  disappears silently and one bad record never fails a run. Any other error while
  reading one record (an overflow, a recursion limit) rejects that record the same
  way: a record's problem is never the platform's.
"""

from __future__ import annotations

import json
import reprlib
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache, partial
from typing import Any

import dlt
import orjson

from loaders.json_body import MAX_DEPTH, TOO_DEEP
from loaders.pacing import RequestStats
from loaders.settings import LoadOptions

REJECTED_TABLE = "rejected_records"
# How far ahead of our clock a modification time may be (clock skew) before it is taken for garbage.
FUTURE_TOLERANCE = timedelta(days=1)
# No store existed before this: an earlier modification time is a broken value (and year 1 minus
# the lookback would overflow the cursor arithmetic).
EARLIEST_MODIFICATION = datetime(1970, 1, 1, tzinfo=UTC)
# What reading one record can raise besides `Rejected`: the record is rejected, the platform goes on.
RECORD_ERRORS = (ValueError, TypeError, LookupError, ArithmeticError, RecursionError)


class Rejected(ValueError):
    """A record that cannot be loaded as-is; the message becomes `rejected_records.reason`."""


class UnreadableCursor(Rejected):
    """A record with an id whose modification time cannot be read: remembered, so rejected only once."""

    def __init__(self, reason: str, record_id: Any, raw: object) -> None:
        super().__init__(reason)
        self.record_id = record_id
        self.raw = raw


def parse_timestamp(value: object) -> datetime:
    """An ISO-8601 timestamp as aware UTC; a value without an offset is UTC (WooCommerce `_gmt`)."""
    if not isinstance(value, str) or not value.strip():
        raise Rejected(f"timestamp is {type(value).__name__} {value!r:.40}, expected an ISO-8601 string")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except ValueError:
        raise Rejected(f"timestamp {value!r:.40} is not ISO-8601") from None
    except OverflowError:  # "9999-12-31T23:59:59-05:00" is past the last moment Python has in UTC
        raise Rejected(f"timestamp {value!r:.40} is out of range") from None


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
    numbers: tuple[str, ...] = ()
    """Paths of the other money fields the models read, `[]` standing for every element of a list
    (`line_items[].price`): when present they must be finite numbers or numeric strings. dbt
    would read "N/A", NaN or 1e400 as NULL, and the NULL fails a test and the whole build."""
    whole_numbers: tuple[str, ...] = ()
    """Paths of quantities and cent amounts (`line_items[].quantity`): when present, whole numbers."""

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
            modified = parse_timestamp(raw_cursor)
        except Rejected as exc:
            raise UnreadableCursor(f"{self.cursor}: {exc}", record_id, raw_cursor) from None
        if modified < EARLIEST_MODIFICATION:
            raise UnreadableCursor(f"{self.cursor}: {iso(modified)} is before 1970", record_id, raw_cursor)
        return record_id, modified

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
        for path in self.numbers:
            check_numbers(path, record, whole=False)
        for path in self.whole_numbers:
            check_numbers(path, record, whole=True)
        check_storable(record)


# No order total reaches this in any unit (a hundred billion dollars, or a billion in cents).
MAX_AMOUNT = Decimal(10) ** 11


def _number(value: object) -> Decimal | None:
    """A JSON number or numeric string as a finite Decimal; None for anything else (NaN, "N/A", [1])."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def check_amount(path: str, record: Mapping[str, Any]) -> None:
    """`Rejected` if the amount at `path` (when there) is not a number from 0 to MAX_AMOUNT."""
    value: Any = record
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value is None or isinstance(value, bool):
        return  # absent, or a wrong type: the field type check says so
    amount = _number(value)
    if amount is None:
        raise Rejected(f"{path} {str(value)[:40]!r} is not an amount")
    if amount < 0:
        raise Rejected(f"{path} {str(value)[:40]} is negative")
    if amount > MAX_AMOUNT:
        raise Rejected(f"{path} {str(value)[:40]} is beyond any real order total")


@cache
def _steps(path: str) -> tuple[tuple[str, bool], ...]:
    """`line_items[].price` as (("line_items", True), ("price", False)): name, and whether it is a list."""
    return tuple((part.removesuffix("[]"), part.endswith("[]")) for part in path.split("."))


def _at_path(record: Mapping[str, Any], path: str) -> list[tuple[tuple, Any]]:
    """(where, value) of every non-null value at `path`; `where` is ((name, index or None), ...)."""
    level: list[tuple[tuple, Any]] = [((), record)]
    for name, each in _steps(path):
        found: list[tuple[tuple, Any]] = []
        for where, value in level:
            child = value.get(name) if isinstance(value, dict) else None
            if child is None:
                continue
            if not each:
                found.append(((*where, (name, None)), child))
            elif isinstance(child, list):
                found += [((*where, (name, index)), item) for index, item in enumerate(child)]
        level = found
    return level


def check_numbers(path: str, record: Mapping[str, Any], *, whole: bool) -> None:
    """`Rejected` if a value at `path` is present but not a finite number (a whole one if `whole`)."""
    for where, value in _at_path(record, path):
        if type(value) is int:
            continue  # the common case, and always whole
        number = _number(value)
        if number is None or whole and number != number.to_integral_value():
            text = ".".join(name if index is None else f"{name}[{index}]" for name, index in where)
            kind = "number" if number is None else "whole number"
            raise Rejected(f"{text} {str(value)[:40]!r} is not a {kind}")


# PostgreSQL's bigint; dlt makes every JSON integer one (orjson itself goes up to 2**64 - 1).
BIGINT = range(-(2**63), 2**63)


def check_storable(record: Any) -> None:
    """`Rejected` for what valid JSON can carry but dlt's files and PostgreSQL cannot.

    A lone surrogate (the escape "\\udc80", or a byte of the page that is not UTF-8:
    see loaders/json_body.py) is not UTF-8, an integer beyond 64 bits has no column
    type, and nesting deeper than orjson's 255 levels cannot be written; any of them
    would fail the whole platform's load at dlt's extract step. Serialising with
    orjson (what dlt itself uses) finds them in C speed. Two more serialise fine but
    fail at load time, and their traces in that same output are the cheap test (the
    walk only says where they are): a NUL character, which PostgreSQL text refuses
    (a value json_body marked as too deep starts with one), and an integer from
    2**63 to 2**64 - 1, beyond PostgreSQL's bigint ("bigint out of range" failed the
    load on every run), which orjson's strict mode (53 bits) flags. Such integers are
    rejected, not kept as text or numeric, so a column's type never depends on one
    odd record.
    """
    try:  # integers beyond 2**53 are rare: only then is the record walked for those beyond bigint
        dumped = orjson.dumps(record, option=orjson.OPT_STRICT_INTEGER)
    except TypeError:
        dumped = b""
    if not dumped:
        try:
            dumped = orjson.dumps(record)
        except TypeError as exc:
            reason = f"nested more than {MAX_DEPTH} levels deep" if "Recursion" in str(exc) else exc
            raise Rejected(f"not storable: {reason}") from None
        found = _find(record, lambda v: type(v) is int and v not in BIGINT)
        if found is not None:
            raise Rejected(f"not storable: {found[0]} {found[1]} is beyond PostgreSQL's bigint range")
    if b"\\u0000" in dumped:
        found = _find(record, lambda v: isinstance(v, str) and "\x00" in v)
        if found is not None and str(found[1]).startswith(TOO_DEEP):
            where = found[0] if len(found[0]) <= 60 else found[0][:57] + "..."
            raise Rejected(f"not storable: {where} is nested more than {MAX_DEPTH} levels deep")
        if found is not None:
            raise Rejected(f"{found[0]} holds a NUL character, which PostgreSQL text cannot store")


def _find(value: Any, test: Callable[[Any], bool], path: str = "") -> tuple[str, Any] | None:
    """(path as `a.b[2].c`, value) of the first scalar or key passing `test`; None if none does."""
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if test(key):
                return here, key
            found = _find(item, test, here)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _find(item, test, f"{path}[{index}]")
            if found is not None:
                return found
    elif test(value):
        return path or "value", value
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

    def admit_unreadable(self, rejected: UnreadableCursor) -> bool:
        """True the first time this record id comes with this unreadable modification time.

        Remembered in the same map as the readable ones (kept until the id gets a readable
        time), so a record stamped "9999-12-31..." that every incremental query returns is
        rejected once, not once a run.
        """
        key, stamp = str(rejected.record_id), f"unreadable {str(rejected.raw)[:60]}"
        if self.seen.get(key) == stamp:
            return False
        self.seen[key] = stamp
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
        # "unreadable ..." sorts after every ISO time: kept while the record stays broken
        self._state["seen"] = {k: v for k, v in self.seen.items() if v >= horizon}


class RejectedRow(dict):
    """A `rejected_records` row; its type is what routes it to that table (see `incremental_resource`)."""


def rejected_row(platform: str, resource: str, reason: str, record: object) -> RejectedRow:
    """The row kept for a record that cannot be loaded: who, why, and the record as JSON text."""
    try:
        raw = json.dumps(record, sort_keys=True, default=str)
    except (TypeError, ValueError, RecursionError):  # json_body keeps records shallow enough; to be sure
        raw = reprlib.repr(record)
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
    is rejected once, not again on every run that sees it (so is one with an id and
    an unreadable time); one without an id is rejected once per run even if two
    queries return it (full loads ask for undated records separately). The window is
    written to resource state after every page, so whatever dlt commits always
    matches the rows committed with it.
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
            except UnreadableCursor as exc:
                if window.admit_unreadable(exc):
                    yield from _reject(platform, resource, str(exc), record, rejected_this_run, stats)
                continue
            except RECORD_ERRORS as exc:
                reason = str(exc) if isinstance(exc, Rejected) else f"unreadable: {type(exc).__name__}: {exc}"
                yield from _reject(platform, resource, reason[:500], record, rejected_this_run, stats)
                continue
            rows.append(record)
        window.save()
        stats.add(pages=1, rows=len(rows))
        if rows:
            yield rows


def _reject(
    platform: str,
    resource: str,
    reason: str,
    record: object,
    rejected_this_run: set[str],
    stats: RequestStats,
) -> Iterator[RejectedRow]:
    """The record's `rejected_records` row, unless this run rejected the very same record already."""
    row = rejected_row(platform, resource, reason, record)
    if row["raw_json"] not in rejected_this_run:
        rejected_this_run.add(row["raw_json"])
        stats.add(rejected=1)
        yield row


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


def incremental_resources(
    platform: str,
    shapes: Mapping[str, RecordShape],
    pages: Callable[[str, datetime | None], Iterator[list[Any]]],
    options: LoadOptions,
    stats: RequestStats,
) -> list[Any]:
    """A source's incremental resources: one per shape, `pages(resource, start)` fetching its records."""
    lookback = timedelta(minutes=options.lookback_minutes)
    return [
        incremental_resource(
            name, platform=platform, shape=shape, pages=partial(pages, name), lookback=lookback, stats=stats
        )
        for name, shape in shapes.items()
    ]


# The variant of every resource's hints for its rejects: an append-only table without keys.
REJECT_HINTS = dlt.mark.make_hints(
    table_name=REJECTED_TABLE, write_disposition="append", primary_key=[], columns={}
)
