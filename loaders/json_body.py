"""Parsing an API page so that one odd record stays that record's problem, never the page's.

Two things in a single record used to make the whole page unreadable, so the
platform failed after its retries on every run:

* a byte that is not UTF-8: the text is decoded with `surrogateescape`, so each
  such byte becomes a lone surrogate (U+DC80..U+DCFF) in that record's strings;
  `loaders.incremental.check_storable` rejects the record (decided: reject, not
  keep with U+FFFD, so the original bytes stay visible, escaped, in
  `rejected_records.raw_json` and no text is silently changed);
* nesting deeper than Python's parser recurses (about 1,000 levels): only when
  the page fails with `RecursionError`, every value nested more than
  `MAX_DEPTH` levels is replaced by a string holding its JSON text behind the
  `TOO_DEEP` marker, and the page is parsed again; the record carrying the marker
  is rejected with its deep part kept as text.

The sandbox reads its store files with the same `loads`, so it can serve such
records byte for byte.

Speed: the common body (valid UTF-8, no BOM, shallow, no integer of 19 digits or more)
is parsed by orjson, several times faster than `json` (a bulk result file is millions
of lines). Anything orjson refuses takes the `json` path above, unchanged. Bodies with
a run of 19 digits go there too, because orjson reads an integer beyond 64 bits as a
float, silently rounded, where `json` keeps it whole (and `check_storable` rejects it).
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

# Deeper than this nothing can be stored anyway: orjson (what dlt writes with) stops at 255 levels.
MAX_DEPTH = 255
# Starts with NUL, which no stored text can hold, so a marked value can never be taken for data.
TOO_DEEP = "\x00nested too deeply: "

# A JSON string (escapes included) or a bracket: all the structure a depth count needs.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
# 10**18 has 19 digits: below it every integer fits in 64 bits, which orjson reads exactly. A run of
# 19 digits is found by making every digit a 0 (`bytes.translate`, 20 times faster than a regex here).
_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_DIGITS = b"0" * 19


def loads(data: bytes) -> Any:
    """The JSON value of `data`; non-UTF-8 bytes become lone surrogates, too-deep values marked text."""
    if _LONG_DIGITS not in data.translate(_DIGITS_TO_ZERO):
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass  # not UTF-8, a BOM, too deep, NaN...: `json` says what it is
    text = data.decode("utf-8-sig", "surrogateescape")
    try:
        return json.loads(text)
    except RecursionError:
        return json.loads(flatten_deep(text, MAX_DEPTH))


def flatten_deep(text: str, limit: int) -> str:
    """`text` with every value nested more than `limit` levels deep replaced by a `TOO_DEEP` string."""
    parts: list[str] = []
    depth, copied, start = 0, 0, -1
    for token in _TOKEN.finditer(text):
        bracket = token.group()
        if bracket[0] == '"':
            continue
        if bracket in "[{":
            depth += 1
            if depth == limit + 1:
                start = token.start()
        else:
            if depth == limit + 1 and start >= 0:
                parts += [text[copied:start], json.dumps(TOO_DEEP + text[start : token.end()])]
                copied, start = token.end(), -1
            depth -= 1
    parts.append(text[copied:])
    return "".join(parts)
