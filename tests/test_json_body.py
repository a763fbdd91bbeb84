"""Parsing an API page: a record's bad bytes or deep nesting stay that record's problem (issue 14, item 3)."""

from __future__ import annotations

import pytest

from loaders.incremental import RecordShape, Rejected
from loaders.json_body import MAX_DEPTH, TOO_DEEP, flatten_deep, loads

SHAPE = RecordShape((int,), "updated_at")
T = "2024-05-01T10:00:00Z"


def _deep(levels: int) -> bytes:
    return b'{"a":' * levels + b'"bottom"' + b"}" * levels


def test_a_byte_that_is_not_utf8_spoils_only_its_record() -> None:
    """Before: the page failed to decode, was retried, and the platform failed."""
    page = loads(
        b'{"orders":[{"id":1,"updated_at":"' + T.encode() + b'","note":"caf\xe9"},{"id":2,"note":"ok"}]}'
    )
    bad, good = page["orders"]
    assert bad["note"] == "caf\udce9" and good["note"] == "ok"
    with pytest.raises(Rejected, match="not storable: .*not valid UTF-8"):
        SHAPE.check_fields(bad)


def test_nesting_too_deep_for_the_parser_spoils_only_its_record() -> None:
    """Before: RecursionError escaped every handler and failed the platform."""
    body = b'[{"id":1,"x":' + _deep(5000) + b'},{"id":2,"note":"a \\" [ { quoted"}]'
    deep, good = loads(body)
    assert good == {"id": 2, "note": 'a " [ { quoted'}
    with pytest.raises(Rejected, match=f"is nested more than {MAX_DEPTH} levels deep"):
        SHAPE.check_fields(deep)


def test_the_deep_part_is_kept_as_text() -> None:
    text = _deep(5).decode()
    flattened = flatten_deep(text, 2)
    assert (
        flattened
        == '{"a":{"a":' + '"\\u0000nested too deeply: {\\"a\\":{\\"a\\":{\\"a\\":\\"bottom\\"}}}"' + "}}"
    )
    assert loads(flattened.encode())["a"]["a"] == TOO_DEEP + '{"a":{"a":{"a":"bottom"}}}'


def test_ordinary_pages_parse_as_before() -> None:
    assert loads(b'\xef\xbb\xbf{"a":[1,2.5,"\\u00e9",null]}') == {"a": [1, 2.5, "é", None]}
    with pytest.raises(ValueError):
        loads(b'{"a":')


def test_records_nested_deeper_than_can_be_stored_are_rejected() -> None:
    """Between orjson's 255 levels and the parser's limit the page parses; the record is rejected."""
    record = {"id": 1, "updated_at": T, "x": loads(_deep(400))}
    with pytest.raises(Rejected, match=f"^not storable: nested more than {MAX_DEPTH} levels deep$"):
        SHAPE.check_fields(record)


def test_integers_beyond_64_bits_stay_whole() -> None:
    """orjson (the fast path) would read them as floats, rounded; they must reach the bigint check whole."""
    big = 2**64 + 1
    assert loads(b'{"id":1,"n":%d}' % big) == {"id": 1, "n": big}
    assert loads(b'{"n":-%d,"ok":"caf\\u00e9"}' % big) == {"n": -big, "ok": "café"}
    assert loads(b'{"n":%d}' % (2**63 - 1)) == {"n": 2**63 - 1}
