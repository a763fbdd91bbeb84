"""A corpus of malformed records for the three platforms, injected into a generated sandbox store.

Each `BadRecord` is a copy of a real generated record with one thing broken, so
everything else about it is realistic (customers, products and money add up),
and says what the pipeline must do with it:

* `rejected`: not loaded; one row in `raw_<platform>.rejected_records` (with the
  record's JSON and a reason) and counted in `ops.etl_logs.records_rejected`;
* `loaded`: odd but representable, it lands in raw like any other record and the
  models must cope (unknown currency, null fields, huge strings, NUL-free text, ...);
* `deduplicated`: the same id again (same or newer version): raw keeps one row,
  the newest version.

Every corpus record carries `corpus_case: <what>` so a test can find it in
`rejected_records.raw_json` or in raw (where it becomes a column). A record can
also say what its rejection `reason` must contain, and `splice` text that JSON
cannot produce into its line (a byte that is not UTF-8, the literal `1e400`).

`inject(store)` appends the corpus to the store's files (the generator's
one-object-per-line layout is kept) and returns it.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loaders.json_body import loads
from metric_pulse.platforms import PLATFORMS

HUGE = "x" * 1_000_000  # a 1 MB string
LONE_SURROGATE = "bad \udc80 escape"  # valid JSON ("\udc80"), not encodable as UTF-8
NUL = "nul \u0000 byte"  # valid JSON ("\u0000"), PostgreSQL text cannot hold it
FUTURE = {
    "shopify": "2099-01-01T00:00:00-05:00",
    "woocommerce": "2099-01-01T05:00:00",
    "commercetools": "2099-01-01T05:00:00.000Z",
}
# the field each platform's order cursor reads (what a test editing the store must bump)
CURSOR = {name: platform.loader.cursor_fields["orders"] for name, platform in PLATFORMS.items()}
MARKER = "corpus_case"
CT_NAMESPACE = uuid.UUID("0b5e8d0c-2f4a-4c8e-9a51-6d3f0c7e1b22")


@dataclass
class BadRecord:
    platform: str
    resource: str
    what: str  # what is broken (also the test id)
    expect: str  # rejected | loaded | deduplicated
    record: Any = field(repr=False)
    reason: str = ""  # what rejected_records.reason must contain (checked when set)
    splice: dict[str, bytes] = field(default_factory=dict, repr=False)  # string value -> raw bytes

    @property
    def id(self) -> Any:
        return self.record.get("id") if isinstance(self.record, dict) else None

    def line(self) -> bytes:
        """The record as one line of the store file, with `splice` applied."""
        text = json.dumps(self.record).encode()  # ensure_ascii: "\udc80" stays an escape
        for placeholder, raw in self.splice.items():
            text = text.replace(json.dumps(placeholder).encode(), raw)
        return text


def _read(store: Path, platform: str, resource: str) -> list[dict]:
    return loads((store / platform / f"{resource}.json").read_bytes())


def _append(store: Path, platform: str, resource: str, records: list[BadRecord]) -> None:
    path = store / platform / f"{resource}.json"
    existing = loads(path.read_bytes())
    rows = [json.dumps(r).encode() for r in existing] + [r.line() for r in records]
    path.write_bytes(b"[\n" + b",\n".join(rows) + b"\n]\n")


def _later(platform: str, value: str) -> str:
    """The same instant one minute later, in the platform's own format (a newer version)."""
    from datetime import datetime, timedelta

    moment = datetime.fromisoformat(value.replace("Z", "+00:00")) + timedelta(minutes=1)
    if platform == "commercetools":
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.isoformat()


def _renumber_nested(value: Any, copy_number: int, depth: int = 0) -> Any:
    """The same record with every nested `id` made unique to this copy (the top level is set by the caller)."""
    if isinstance(value, dict):
        out = {k: _renumber_nested(v, copy_number, depth + 1) for k, v in value.items()}
        if depth > 0 and "id" in out:
            if isinstance(out["id"], str):
                out["id"] = f"{out['id']}-c{copy_number}"
            elif type(out["id"]) is int:
                out["id"] = out["id"] + copy_number * 10**14
        return out
    if isinstance(value, list):
        return [_renumber_nested(v, copy_number, depth + 1) for v in value]
    return value


def build(store: Path) -> list[BadRecord]:
    """The corpus for this store (new ids never collide with generated ones, except on purpose)."""
    corpus: list[BadRecord] = []

    def add(
        platform: str,
        resource: str,
        what: str,
        expect: str,
        base: dict,
        new_id: Any,
        change: Callable[[dict], Any],
    ) -> None:
        record = copy.deepcopy(base)
        if new_id is not None:  # a new record: its line items, payments ... get new ids too
            record = _renumber_nested(record, len(corpus) + 1)
            record["id"] = new_id
        change(record)
        record[MARKER] = what  # how the test finds it again, in rejected_records or in raw
        corpus.append(BadRecord(platform, resource, what, expect, record))

    # --- Shopify ------------------------------------------------------------------------------
    orders = _read(store, "shopify", "orders")
    base, other = orders[0], orders[1]
    top = max(o["id"] for o in orders) + 1000
    ids = iter(range(top, top + 100))
    sp = "shopify"
    add(sp, "orders", "missing id", "rejected", base, None, lambda r: r.pop("id"))
    add(sp, "orders", "null id", "rejected", base, None, lambda r: r.update(id=None))
    add(sp, "orders", "id as text", "rejected", base, "order-one", lambda r: None)
    add(sp, "orders", "id as boolean", "rejected", base, True, lambda r: None)
    add(sp, "orders", "missing updated_at", "rejected", base, next(ids), lambda r: r.pop("updated_at"))
    add(
        sp,
        "orders",
        "updated_at not a date",
        "rejected",
        base,
        next(ids),
        lambda r: r.update(updated_at="yesterday"),
    )
    add(
        sp,
        "orders",
        "line_items is an object",
        "rejected",
        base,
        next(ids),
        lambda r: r.update(line_items={"id": 1}),
    )
    add(
        sp,
        "orders",
        "total_price is a list",
        "rejected",
        base,
        next(ids),
        lambda r: r.update(total_price=["1.00"]),
    )
    add(sp, "orders", "customer is text", "rejected", base, next(ids), lambda r: r.update(customer="someone"))
    add(sp, "orders", "test flag is text", "rejected", base, next(ids), lambda r: r.update(test="yes"))
    add(
        sp,
        "orders",
        "lone surrogate in note",
        "rejected",
        base,
        next(ids),
        lambda r: r.update(note=LONE_SURROGATE),
    )
    add(sp, "orders", "NUL byte in note", "rejected", base, next(ids), lambda r: r.update(note=NUL))
    add(
        sp,
        "orders",
        "updated_at in the future",
        "rejected",
        base,
        next(ids),
        lambda r: r.update(updated_at=FUTURE[sp]),
    )
    add(
        sp,
        "orders",
        "negative total_price",
        "rejected",
        base,
        next(ids),
        lambda r: r.update(total_price="-10.00"),
    )
    add(
        sp,
        "orders",
        "total_price not a number",
        "rejected",
        base,
        next(ids),
        lambda r: r.update(total_price="ten"),
    )
    add(sp, "orders", "huge note (1 MB)", "loaded", base, next(ids), lambda r: r.update(note=HUGE))
    add(sp, "orders", "unknown currency", "loaded", base, next(ids), lambda r: r.update(currency="XYZ"))
    add(
        sp,
        "orders",
        "null email and customer",
        "loaded",
        base,
        next(ids),
        lambda r: r.update(email=None, customer=None, contact_email=None),
    )
    add(sp, "orders", "duplicate id, same version", "deduplicated", other, None, lambda r: None)
    add(
        sp,
        "orders",
        "duplicate id, newer version",
        "deduplicated",
        other,
        None,
        lambda r: r.update(updated_at=_later(sp, other["updated_at"]), note="edited later"),
    )
    customers = _read(store, sp, "customers")
    add(sp, "customers", "missing id", "rejected", customers[0], None, lambda r: r.pop("id"))
    add(
        sp,
        "customers",
        "email is a number",
        "rejected",
        customers[0],
        max(c["id"] for c in customers) + 1000,
        lambda r: r.update(email=12345),
    )
    products = _read(store, sp, "products")
    add(
        sp,
        "products",
        "variants is text",
        "rejected",
        products[0],
        max(p["id"] for p in products) + 1000,
        lambda r: r.update(variants="none"),
    )

    # --- WooCommerce --------------------------------------------------------------------------
    wc = "woocommerce"
    orders = _read(store, wc, "orders")
    base, other = orders[0], orders[1]
    top = max(o["id"] for o in orders) + 100_000  # clear of refund ids too
    ids = iter(range(top, top + 100))
    add(wc, "orders", "missing id", "rejected", base, None, lambda r: r.pop("id"))
    add(wc, "orders", "id as text", "rejected", base, "1001a", lambda r: None)
    add(
        wc,
        "orders",
        "no modification or creation time",
        "rejected",
        base,
        next(ids),
        lambda r: r.update(date_modified_gmt=None, date_modified=None),
    )
    add(
        wc, "orders", "line_items is text", "rejected", base, next(ids), lambda r: r.update(line_items="none")
    )
    add(
        wc,
        "orders",
        "total is an object",
        "rejected",
        base,
        next(ids),
        lambda r: r.update(total={"amount": "1"}),
    )
    add(wc, "orders", "customer_id as text", "rejected", base, next(ids), lambda r: r.update(customer_id="7"))
    add(
        wc,
        "orders",
        "lone surrogate in customer_note",
        "rejected",
        base,
        next(ids),
        lambda r: r.update(customer_note=LONE_SURROGATE),
    )
    add(
        wc,
        "orders",
        "date_modified_gmt in the future",
        "rejected",
        base,
        next(ids),
        lambda r: r.update(date_modified_gmt=FUTURE[wc], date_modified=FUTURE[wc]),
    )
    add(wc, "orders", "negative total", "rejected", base, next(ids), lambda r: r.update(total="-120.00"))
    add(
        wc,
        "orders",
        "absurd total",
        "rejected",
        base,
        next(ids),
        lambda r: r.update(total="99999999999999999999.99"),
    )
    add(wc, "orders", "unknown currency", "loaded", base, next(ids), lambda r: r.update(currency="ZZZ"))
    add(
        wc,
        "orders",
        "huge customer_note (1 MB)",
        "loaded",
        base,
        next(ids),
        lambda r: r.update(customer_note=HUGE),
    )
    add(
        wc,
        "orders",
        "duplicate id, newer version",
        "deduplicated",
        other,
        None,
        lambda r: r.update(
            date_modified_gmt=_later(wc, other["date_modified_gmt"]),
            date_modified=_later(wc, other["date_modified"]),
            customer_note="edited later",
        ),
    )
    customers = _read(store, wc, "customers")
    add(
        wc,
        "customers",
        "email is a list",
        "rejected",
        customers[0],
        max(c["id"] for c in customers) + 1000,
        lambda r: r.update(email=["a@example.com"]),
    )

    # --- commercetools --------------------------------------------------------------------------
    ct = "commercetools"
    orders = _read(store, ct, "orders")
    base, other = orders[0], orders[1]
    n = iter(range(1000))
    new = lambda: str(uuid.uuid5(CT_NAMESPACE, str(next(n))))  # noqa: E731

    def cents(r: dict, amount: Any) -> None:
        r["totalPrice"] = {**r["totalPrice"], "centAmount": amount}

    add(ct, "orders", "id as number", "rejected", base, 123456, lambda r: None)
    add(ct, "orders", "missing lastModifiedAt", "rejected", base, new(), lambda r: r.pop("lastModifiedAt"))
    add(
        ct,
        "orders",
        "lastModifiedAt not a date",
        "rejected",
        base,
        new(),
        lambda r: r.update(lastModifiedAt="31/12/2025"),
    )
    add(ct, "orders", "lineItems is an object", "rejected", base, new(), lambda r: r.update(lineItems={}))
    add(
        ct,
        "orders",
        "totalPrice is text",
        "rejected",
        base,
        new(),
        lambda r: r.update(totalPrice="12.00 EUR"),
    )
    add(
        ct,
        "orders",
        "customerEmail is a number",
        "rejected",
        base,
        new(),
        lambda r: r.update(customerEmail=42),
    )
    add(
        ct,
        "orders",
        "lone surrogate in customerEmail",
        "rejected",
        base,
        new(),
        lambda r: r.update(customerEmail="a\udc80@example.com"),
    )
    add(
        ct,
        "orders",
        "lastModifiedAt in the future",
        "rejected",
        base,
        new(),
        lambda r: r.update(lastModifiedAt=FUTURE[ct]),
    )
    add(ct, "orders", "negative centAmount", "rejected", base, new(), lambda r: cents(r, -5000))
    add(ct, "orders", "absurd centAmount", "rejected", base, new(), lambda r: cents(r, 10**15))
    add(
        ct,
        "orders",
        "unknown currency",
        "loaded",
        base,
        new(),
        lambda r: r.update(totalPrice={**r["totalPrice"], "currencyCode": "QQQ"}),
    )
    add(ct, "orders", "null orderState", "loaded", base, new(), lambda r: r.update(orderState=None))
    add(
        ct,
        "orders",
        "duplicate id, newer version",
        "deduplicated",
        other,
        None,
        lambda r: r.update(lastModifiedAt=_later(ct, other["lastModifiedAt"]), version=other["version"] + 1),
    )
    products = _read(store, ct, "products")
    add(
        ct,
        "products",
        "masterData is text",
        "rejected",
        products[0],
        new(),
        lambda r: r.update(masterData="n/a"),
    )
    hostile_text_cases(store, add)
    return corpus + build_hardening(store)


# ================================================================================================
# Issue 14, part A: records that used to stop a platform's load (or the dbt build) on every run.
# ================================================================================================
NOT_UTF8 = "@@not-utf8@@"  # spliced into the line as the bytes below
OVERFLOW_1E400 = "@@1e400@@"  # spliced as the literal 1e400 (a float beyond double: inf)
DEEP = 3000  # levels: past what Python's json parser (and json.dumps) recurses, about 1,000
TOO_DEEP = "@@nested-3000-levels@@"  # spliced as {"a":{"a":...}} 3000 levels deep
SPLICE = {
    NOT_UTF8: b'"caf\xe9 \xff\xfe"',
    OVERFLOW_1E400: b"1e400",
    TOO_DEEP: b'{"a":' * DEEP + b'"bottom"' + b"}" * DEEP,
}


def build_hardening(store: Path) -> list[BadRecord]:
    """Each record here made a platform fail, on every run, before issue 14; now each is rejected once."""
    corpus: list[BadRecord] = []

    def add(platform: str, resource: str, what: str, base: dict, new_id: Any, change, reason: str) -> None:
        record = _renumber_nested(copy.deepcopy(base), 900 + len(corpus))
        record["id"] = new_id
        change(record)
        record[MARKER] = what
        splice = {k: v for k, v in SPLICE.items() if k in json.dumps(record)}
        corpus.append(BadRecord(platform, resource, what, "rejected", record, reason, splice))

    def line(record: dict, items: str, **values: Any) -> None:
        record[items][0].update(values)

    sp, wc, ct = "shopify", "woocommerce", "commercetools"
    orders = _read(store, sp, "orders")
    base = next(o for o in orders if o.get("line_items"))
    ids = iter(range(max(o["id"] for o in orders) + 5000, 10**15))
    add(
        sp,
        "orders",
        "updated_at overflows UTC (year 9999, -05:00)",
        base,
        next(ids),
        lambda r: r.update(updated_at="9999-12-31T23:59:59-05:00"),
        "out of range",
    )
    add(
        sp,
        "orders",
        "updated_at in year 1",
        base,
        next(ids),
        lambda r: r.update(updated_at="0001-01-01T00:00:00Z"),
        "before 1970",
    )
    add(
        sp,
        "orders",
        "checkout_id beyond signed 64 bits",
        base,
        next(ids),
        lambda r: r.update(checkout_id=2**64 - 1),
        "bigint range",
    )
    add(
        sp,
        "orders",
        "byte that is not UTF-8 in note",
        base,
        next(ids),
        lambda r: r.update(note=NOT_UTF8),
        "not valid UTF-8",
    )
    add(
        sp,
        "orders",
        f"note_attributes nested {DEEP} levels deep",
        base,
        next(ids),
        lambda r: r.update(note_attributes=[TOO_DEEP]),
        "levels deep",
    )
    add(
        sp,
        "orders",
        "line item quantity is text (two)",
        base,
        next(ids),
        lambda r: line(r, "line_items", quantity="two"),
        "line_items[0].quantity 'two' is not a number",
    )
    add(
        sp,
        "orders",
        "line item price is N/A",
        base,
        next(ids),
        lambda r: line(r, "line_items", price="N/A"),
        "line_items[0].price 'N/A' is not a number",
    )
    add(
        sp,
        "orders",
        "line item price is NaN",
        base,
        next(ids),
        lambda r: line(r, "line_items", price=float("nan")),
        "line_items[0].price 'nan' is not a number",
    )
    customers = _read(store, sp, "customers")
    add(
        sp,
        "customers",
        "id beyond signed 64 bits",
        customers[0],
        2**64 - 1,
        lambda r: None,
        "bigint range",
    )

    orders = _read(store, wc, "orders")
    base = next(o for o in orders if o.get("line_items"))
    ids = iter(range(max(o["id"] for o in orders) + 200_000, 10**9))
    add(
        wc,
        "orders",
        "line item price is Infinity",
        base,
        next(ids),
        lambda r: line(r, "line_items", price=float("inf")),
        "line_items[0].price 'inf' is not a number",
    )
    add(
        wc,
        "orders",
        "line item total is 1e400",
        base,
        next(ids),
        lambda r: line(r, "line_items", total=OVERFLOW_1E400),
        "line_items[0].total 'inf' is not a number",
    )
    add(
        wc,
        "orders",
        "customer_id beyond signed 64 bits",
        base,
        next(ids),
        lambda r: r.update(customer_id=2**64 - 1),
        "bigint range",
    )
    add(
        wc,
        "orders",
        "byte that is not UTF-8 in customer_note",
        base,
        next(ids),
        lambda r: r.update(customer_note=NOT_UTF8),
        "not valid UTF-8",
    )

    orders = _read(store, ct, "orders")
    base = next(o for o in orders if o.get("lineItems"))
    n = iter(range(1000, 2000))
    new = lambda: str(uuid.uuid5(CT_NAMESPACE, str(next(n))))  # noqa: E731
    add(
        ct,
        "orders",
        "lastModifiedAt overflows UTC (year 9999, -05:00)",
        base,
        new(),
        lambda r: r.update(lastModifiedAt="9999-12-31T23:59:59.000-05:00"),
        "out of range",
    )
    add(
        ct,
        "orders",
        "line item quantity is text (two)",
        base,
        new(),
        lambda r: line(r, "lineItems", quantity="two"),
        "lineItems[0].quantity 'two' is not a number",
    )
    add(
        ct,
        "orders",
        "line item centAmount is 1e400",
        base,
        new(),
        lambda r: r["lineItems"][0]["price"]["value"].update(centAmount=OVERFLOW_1E400),
        "lineItems[0].price.value.centAmount 'inf' is not a number",
    )
    add(
        ct,
        "orders",
        f"custom fields nested {DEEP} levels deep",
        base,
        new(),
        lambda r: r.update(custom={"fields": TOO_DEEP}),
        "levels deep",
    )
    return corpus


def inject(store: Path, build: Callable[[Path], list[BadRecord]] = build) -> list[BadRecord]:
    """Append the corpus `build` makes for this store (all of it by default) to the store's files."""
    corpus = build(store)
    for platform in PLATFORMS:
        for resource in ("customers", "products", "orders"):
            records = [b for b in corpus if b.platform == platform and b.resource == resource]
            if records:
                _append(store, platform, resource, records)
    return corpus


# =============================================================================================
# Issue 14, part B: text aimed at the places data meets SQL, shells and identifiers.
# Every record is representable, so every one must load as is (expect "loaded") and the
# dbt build must still pass: values are data, never SQL (dbt vars are checked separately,
# metric_pulse/dbt_vars.py), never shell, and long keys that PostgreSQL would truncate to the
# same 63 bytes stay distinct columns.
# =============================================================================================

SQL_BREAKOUT = "O'Brien'); drop table raw_shopify.orders; --"
AS_OF_INJECTION = "2026-01-31' as date) /* x */ --"
SHELL = "$(touch /tmp/mp-corpus-pwned) `id` ${HOME}"
LONG_KEY = "k" * 62  # two keys sharing these 62 characters agree in their first 63 bytes


def hostile_text_cases(store: Path, add: Callable[..., None]) -> None:
    """Twelve representable records carrying SQL, shell, Jinja, control and bidi text, and long keys."""

    def next_ids(platform: str, resource: str) -> Any:
        top = max(r["id"] for r in _read(store, platform, resource) if type(r.get("id")) is int)
        return iter(range(top + 500_000, top + 500_100))

    sp, wc, ct = "shopify", "woocommerce", "commercetools"
    orders, ids = _read(store, sp, "orders")[2], next_ids(sp, "orders")
    add(
        sp,
        "orders",
        "SQL quote and comment in note",
        "loaded",
        orders,
        next(ids),
        lambda r: r.update(note=SQL_BREAKOUT),
    )
    add(sp, "orders", "shell command in note", "loaded", orders, next(ids), lambda r: r.update(note=SHELL))
    add(
        sp,
        "orders",
        "two keys equal in their first 63 bytes",
        "loaded",
        orders,
        next(ids),
        lambda r: r.update({LONG_KEY + "_one": "first", LONG_KEY + "_two": "second"}),
    )
    add(sp, "orders", "a 200-character key", "loaded", orders, next(ids), lambda r: r.update({"z" * 200: 1}))
    customer = _read(store, sp, "customers")[2]
    add(
        sp,
        "customers",
        "SQL breakout in first_name",
        "loaded",
        customer,
        next(next_ids(sp, "customers")),
        lambda r: r.update(first_name="Robert'); DROP TABLE students;--"),
    )

    orders, ids = _read(store, wc, "orders")[2], next_ids(wc, "orders")
    add(
        wc,
        "orders",
        "SQL block comment in customer_note",
        "loaded",
        orders,
        next(ids),
        lambda r: r.update(customer_note="*/ select 1; /*"),
    )
    add(
        wc,
        "orders",
        "as_of injection text in billing city",
        "loaded",
        orders,
        next(ids),
        lambda r: r.update(billing={**r["billing"], "city": AS_OF_INJECTION}),
    )
    add(
        wc,
        "orders",
        "tab, CR, LF and backslash-N in customer_note",
        "loaded",
        orders,
        next(ids),
        lambda r: r.update(customer_note="a\tb\r\nc\\N end"),
    )
    customer = _read(store, wc, "customers")[2]
    add(
        wc,
        "customers",
        "quote and plus in the e-mail",
        "loaded",
        customer,
        next(next_ids(wc, "customers")),
        lambda r: r.update(email="o'brien+shop@example.com"),
    )

    order = _read(store, ct, "orders")[2]
    n = iter(range(1000))
    new = lambda: str(uuid.uuid5(CT_NAMESPACE, f"part-b-{next(n)}"))  # noqa: E731
    add(
        ct,
        "orders",
        "Jinja in a custom field",
        "loaded",
        order,
        new(),
        lambda r: r.update(custom_note="{{ var('as_of') }} {% raw %}"),
    )
    add(
        ct,
        "orders",
        "bidi override and zero-width in a custom field",
        "loaded",
        order,
        new(),
        lambda r: r.update(custom_note="RTL \u202e override \U0001f600 zero\u200bwidth"),
    )
    product = _read(store, ct, "products")[2]

    def quoted_name(r: dict) -> None:
        current = r["masterData"]["current"]
        current["name"] = {**current["name"], "en": 'Bob\'s "best"\nproduct'}

    add(ct, "products", "quotes and newline in a localized name", "loaded", product, new(), quoted_name)
