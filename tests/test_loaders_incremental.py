"""The incremental window and record checks, without HTTP or a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from loaders.incremental import (
    IncrementalWindow,
    RecordShape,
    Rejected,
    RejectedRow,
    admitted,
    parse_timestamp,
)
from loaders.pacing import RequestStats

UTC = UTC
SHAPE = RecordShape(
    (int,), "updated_at", field_types={"line_items": (list,), "total_price": (str, int, float)}
)


def t(minute: int, second: int = 0) -> str:
    return f"2024-05-01T10:{minute:02d}:{second:02d}-04:00"


def test_timestamps_from_every_platform_parse_to_utc() -> None:
    assert parse_timestamp("2024-05-01T10:00:00-04:00") == datetime(2024, 5, 1, 14, tzinfo=UTC)
    assert parse_timestamp("2024-05-01T14:00:00") == datetime(2024, 5, 1, 14, tzinfo=UTC)  # WooCommerce _gmt
    assert parse_timestamp("2024-05-01T14:00:00.123Z") == datetime(2024, 5, 1, 14, 0, 0, 123000, tzinfo=UTC)
    for bad in (None, 12, "", "yesterday"):
        with pytest.raises(Rejected):
            parse_timestamp(bad)


@pytest.mark.parametrize(
    "record, reason",
    [
        ({"updated_at": t(1)}, "missing id"),
        ({"id": "7", "updated_at": t(1)}, "id has type str"),
        ({"id": True, "updated_at": t(1)}, "id has type bool"),
        ({"id": 7}, "missing updated_at"),
        ({"id": 7, "updated_at": 5}, "updated_at: timestamp is int"),
        (["not", "an", "object"], "record is a list"),
    ],
)
def test_records_without_a_usable_key_are_rejected(record: object, reason: str) -> None:
    with pytest.raises(Rejected, match=reason):
        SHAPE.key(record)


def test_field_types_are_checked() -> None:
    SHAPE.check_fields({"line_items": [], "total_price": "1.00"})
    with pytest.raises(Rejected, match="line_items has type str"):
        SHAPE.check_fields({"line_items": "oops"})
    with pytest.raises(Rejected, match="total_price has type bool"):
        SHAPE.check_fields({"total_price": True})


def test_fallback_cursor() -> None:
    shape = RecordShape((int,), "date_modified_gmt", cursor_fallback="date_created_gmt")
    assert shape.key({"id": 1, "date_modified_gmt": None, "date_created_gmt": "2024-01-01T00:00:00"})[0] == 1


def test_window_loads_each_version_once_across_runs() -> None:
    state: dict = {}
    lookback = timedelta(minutes=10)
    first = IncrementalWindow(state, lookback)
    assert first.start is None
    for record_id, minute in [(1, 0), (2, 30), (3, 45), (4, 50)]:
        assert first.admit(record_id, parse_timestamp(t(minute)))
    first.save()
    # Only ids inside the next run's lookback window are remembered.
    assert state["cursor"] == "2024-05-01T14:50:00.000000+00:00"
    assert set(state["seen"]) == {"3", "4"}

    second = IncrementalWindow(state, lookback)
    assert second.start == parse_timestamp(t(40))
    assert not second.admit(3, parse_timestamp(t(45)))  # already loaded: dropped at the boundary
    assert not second.admit(4, parse_timestamp(t(50)))
    assert second.admit(3, parse_timestamp(t(55)))  # updated since: loaded once
    assert not second.admit(3, parse_timestamp(t(55)))  # seen again in the same run: not twice
    assert second.admit(5, parse_timestamp(t(48)))  # committed late, inside the lookback
    assert not second.admit(1, parse_timestamp(t(0)))  # older than the window
    second.save()
    assert state["cursor"] == "2024-05-01T14:55:00.000000+00:00"


def test_admitted_splits_rows_and_rejects_and_counts() -> None:
    state: dict = {}
    stats = RequestStats()
    window = IncrementalWindow(state, timedelta(minutes=5))
    pages = iter(
        [
            [
                {"id": 1, "updated_at": t(1)},
                {"updated_at": t(2)},
                {"id": 2, "updated_at": t(3), "line_items": "x"},
            ],
            [{"id": 1, "updated_at": t(1)}, {"id": 3, "updated_at": t(4)}],
        ]
    )
    out = list(
        admitted(pages, platform="shopify", resource="orders", shape=SHAPE, window=window, stats=stats)
    )
    rejects = [item for item in out if isinstance(item, RejectedRow)]
    rows = [row for item in out if isinstance(item, list) for row in item]
    assert [row["id"] for row in rows] == [1, 3]
    assert [(r["platform"], r["resource"], r["reason"]) for r in rejects] == [
        ("shopify", "orders", "missing id"),
        ("shopify", "orders", "line_items has type str"),
    ]
    assert '"updated_at"' in rejects[0]["raw_json"]
    snap = stats.snapshot()
    assert (snap["pages"], snap["rows"], snap["rejected"]) == (2, 2, 2)
    assert state["cursor"] == "2024-05-01T14:04:00.000000+00:00"


def test_records_out_of_cursor_order_are_all_loaded() -> None:
    """WooCommerce customers arrive by id, not by modification time: the window must not move mid-run."""
    window = IncrementalWindow({}, timedelta(minutes=10))
    assert window.admit(1, parse_timestamp(t(59)))
    assert window.admit(2, parse_timestamp(t(0)))


def test_a_future_timestamp_neither_loads_nor_moves_the_cursor() -> None:
    now = parse_timestamp("2024-05-01T15:00:00Z")
    state: dict = {}
    window = IncrementalWindow(state, timedelta(minutes=10), now=now)
    assert window.admit(1, parse_timestamp("2024-05-01T15:30:00Z"))  # clock skew: loaded ...
    window.check_time(parse_timestamp("2024-05-01T15:30:00Z"))
    assert window.cursor == now  # ... but the cursor stops at now
    assert window.admit(2, parse_timestamp("2099-01-01T00:00:00Z"))
    with pytest.raises(Rejected, match="in the future"):
        window.check_time(parse_timestamp("2099-01-01T00:00:00Z"))
    window.save()
    assert state["cursor"] == "2024-05-01T15:00:00.000000+00:00"
    later = IncrementalWindow(state, timedelta(minutes=10), now=now + timedelta(hours=1))
    assert not later.admit(1, parse_timestamp("2024-05-01T15:30:00Z"))  # remembered: not loaded twice
    assert not later.admit(2, parse_timestamp("2099-01-01T00:00:00Z"))  # rejected once, not every run


@pytest.mark.parametrize(
    "record, reason",
    [
        ({"id": 1, "updated_at": t(1), "note": "nul \u0000 byte"}, "^note holds a NUL"),
        (
            {"id": 1, "updated_at": t(1), "line_items": [{"title": "nul \u0000"}]},
            r"^line_items\[0\].title holds a NUL",
        ),
        ({"id": 1, "updated_at": t(1), "meta": {"k\u0000": 1}}, "^meta.k\x00 holds a NUL"),
        (
            {"id": 1, "updated_at": t(1), "line_items": [{"title": "bad \udc80"}]},
            "^not storable: .*surrogates",
        ),
        ({"id": 1, "updated_at": t(1), "grams": 2**70}, "^not storable: Integer exceeds 64-bit range"),
    ],
)
def test_values_postgres_cannot_store_are_rejected(record: dict, reason: str) -> None:
    with pytest.raises(Rejected, match=reason):
        SHAPE.check_fields(record)
    SHAPE.check_fields({"id": 1, "updated_at": t(1), "note": r"a literal \u0000 is fine"})


def test_a_record_without_a_key_returned_twice_in_one_run_is_rejected_once() -> None:
    stats = RequestStats()
    undated = {"id": 9, "note": "no updated_at"}
    pages = iter([[undated, {"id": 1, "updated_at": t(1)}], [dict(undated)]])
    out = list(
        admitted(
            pages,
            platform="commercetools",
            resource="orders",
            shape=SHAPE,
            window=IncrementalWindow({}, timedelta(minutes=5)),
            stats=stats,
        )
    )
    assert [item["reason"] for item in out if isinstance(item, RejectedRow)] == ["missing updated_at"]
    assert stats.snapshot()["rejected"] == 1


def _admit(records: list, shape: RecordShape = SHAPE, state: dict | None = None) -> tuple[list, list[str]]:
    """(loaded records, rejection reasons) of one page through `admitted`."""
    out = list(
        admitted(
            iter([records]),
            platform="shopify",
            resource="orders",
            shape=shape,
            window=IncrementalWindow({} if state is None else state, timedelta(minutes=5)),
            stats=RequestStats(),
        )
    )
    rows = [r for item in out if not isinstance(item, RejectedRow) for r in item]
    return rows, [item["reason"] for item in out if isinstance(item, RejectedRow)]


def test_a_timestamp_that_overflows_is_rejected_once_and_the_rest_loads() -> None:
    """Before: OverflowError escaped `admitted` and failed the platform on every run (issue 14, item 1)."""
    good = {"id": 1, "updated_at": t(1)}
    overflow = {"id": 2, "updated_at": "9999-12-31T23:59:59-05:00"}
    state: dict = {}
    rows, reasons = _admit([overflow, good], state=state)
    assert rows == [good]
    assert reasons == ["updated_at: timestamp '9999-12-31T23:59:59-05:00' is out of range"]
    assert state["cursor"].startswith("2024-05-01T14:01")  # the cursor moved on
    assert _admit([overflow], state=state) == ([], [])  # the next run: remembered, not rejected again
    assert _admit([{"id": 3, "updated_at": "0001-01-01T00:00:00Z"}])[1] == [
        "updated_at: 0001-01-01T00:00:00.000000+00:00 is before 1970"
    ]


def test_any_error_reading_one_record_rejects_that_record_only() -> None:
    """The promise holds for errors nobody foresaw: a check that raises is the record's problem."""

    class Exploding(RecordShape):
        def check_fields(self, record):  # type: ignore[override]
            if record["id"] == 2:
                raise OverflowError("date value out of range")

    shape = Exploding((int,), "updated_at")
    rows, reasons = _admit([{"id": 1, "updated_at": t(1)}, {"id": 2, "updated_at": t(2)}], shape)
    assert [r["id"] for r in rows] == [1]
    assert reasons == ["unreadable: OverflowError: date value out of range"]


@pytest.mark.parametrize(
    "value, reason",
    [
        (2**64 - 1, r"^not storable: checkout_id 18446744073709551615 is beyond PostgreSQL's bigint range"),
        (2**63, "beyond PostgreSQL's bigint range"),
        (-(2**63) - 1, "^not storable: Integer exceeds 64-bit range"),  # orjson's own limit
    ],
)
def test_integers_beyond_signed_64_bits_are_rejected(value: int, reason: str) -> None:
    """Before: orjson writes up to 2**64 - 1, so they passed, and PostgreSQL failed the load (item 2)."""
    with pytest.raises(Rejected, match=reason):
        SHAPE.check_fields({"id": 1, "updated_at": t(1), "checkout_id": value})
    SHAPE.check_fields(
        {"id": 1, "updated_at": t(1), "checkout_id": 2**63 - 1, "note": "1234567890123456789012"}
    )


NESTED = RecordShape(
    (int,),
    "updated_at",
    numbers=("line_items[].price", "refunds[].transactions[].amount"),
    whole_numbers=("line_items[].quantity",),
)


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"quantity": "two"}, r"^line_items\[1\].quantity 'two' is not a number$"),
        ({"quantity": 1.5}, r"^line_items\[1\].quantity '1.5' is not a whole number$"),
        ({"quantity": True}, "is not a number"),
        ({"price": "N/A"}, r"^line_items\[1\].price 'N/A' is not a number$"),
        ({"price": float("nan")}, "'nan' is not a number"),
        ({"price": float("inf")}, "'inf' is not a number"),
        ({"price": "NaN"}, "'NaN' is not a number"),
        ({"price": {"amount": "1"}}, "is not a number"),
    ],
)
def test_money_and_quantities_inside_line_items_must_be_numbers(change: dict, reason: str) -> None:
    """Before: dbt read them as NULL, and the NULL failed a test and the whole build (item 4)."""
    record = {"id": 1, "updated_at": t(1), "line_items": [{"price": "1.00", "quantity": 2}, {"price": 3}]}
    NESTED.check_fields(record)
    record["line_items"][1].update(change)
    with pytest.raises(Rejected, match=reason):
        NESTED.check_fields(record)


def test_absent_or_null_nested_numbers_pass() -> None:
    for record in (
        {"id": 1, "updated_at": t(1)},
        {"id": 1, "updated_at": t(1), "line_items": None, "refunds": [{"transactions": None}]},
        {"id": 1, "updated_at": t(1), "line_items": [{"price": None, "quantity": "3"}], "refunds": "x"},
        {"id": 1, "updated_at": t(1), "refunds": [{"transactions": [{"amount": "-6.95"}]}]},
    ):
        NESTED.check_fields(record)
