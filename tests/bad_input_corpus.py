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
`rejected_records.raw_json` or in raw (where it becomes a column); a Shopify record
carries it as a tag `corpus_case:<what>` instead, since the GraphQL Admin API serves
only the fields a query selects (`marker_of` reads either).

Shopify's records are what its GraphQL schema can serve: every value has the declared
type, so its bad input is in strings and custom scalars (DateTime, Decimal): dates that
are not dates or are out of range, amounts that are not amounts, text PostgreSQL
cannot hold. An id of the wrong type or a list where an object belongs cannot come
from Shopify any more (the other platforms still cover them). A record can
also say what its rejection `reason` must contain, and `splice` text that JSON
cannot produce into its line (a byte that is not UTF-8, the literal `1e400`).

`inject(store)` appends the corpus to the store's files (the generator's
one-object-per-line layout is kept) and returns it.
"""

from __future__ import annotations

import copy
import json
import re
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


def mark(platform: str, record: dict, what: str) -> None:
    """Label a corpus record so a test finds it again (Shopify: a tag, the one served field list)."""
    if platform == "shopify":
        record["tags"] = [*(record.get("tags") or []), f"{MARKER}:{what}"]
    else:
        record[MARKER] = what


def marker_of(record: Any) -> str | None:
    """The corpus case a record (from a store file, raw or rejected_records) was labelled with."""
    if not isinstance(record, dict):
        return None
    tags = record.get("tags") if isinstance(record.get("tags"), list) else []
    tagged = [t.split(":", 1)[1] for t in tags if isinstance(t, str) and t.startswith(f"{MARKER}:")]
    return record.get(MARKER) or (tagged[0] if tagged else None)


def shopify_ids(records: list[dict], kind: str, offset: int) -> Any:
    """Fresh GIDs of `kind` (`Order`...) after the store's highest legacy id plus `offset`."""
    top = max(int(r["legacyResourceId"]) for r in records) + offset
    return (f"gid://shopify/{kind}/{n}" for n in range(top, top + 100))


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
            gid = re.fullmatch(r"(gid://shopify/\w+/)(\d+)", str(out["id"]))
            if gid:  # a Shopify GID keeps its numeric form (the models read the number)
                number = int(gid.group(2)) + copy_number * 10**12
                out["id"] = f"{gid.group(1)}{number}"
                if "legacyResourceId" in out:
                    out["legacyResourceId"] = str(number)
            elif isinstance(out["id"], str):
                out["id"] = f"{out['id']}-c{copy_number}"
            elif type(out["id"]) is int:
                out["id"] = out["id"] + copy_number * 10**14
        return out
    if isinstance(value, list):
        return [_renumber_nested(v, copy_number, depth + 1) for v in value]
    return value


def _new_record(base: dict, new_id: Any, copy_number: int) -> dict:
    """A copy of `base` as a new record `new_id`: its line items, payments ... get new ids too."""
    record = _renumber_nested(copy.deepcopy(base), copy_number)
    record["id"] = new_id
    if "legacyResourceId" in record:  # Shopify: the number the GID ends in
        record["legacyResourceId"] = str(new_id).rsplit("/", 1)[-1]
    return record


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
        record = copy.deepcopy(base) if new_id is None else _new_record(base, new_id, len(corpus) + 1)
        change(record)
        mark(platform, record, what)  # how the test finds it again, in rejected_records or in raw
        corpus.append(BadRecord(platform, resource, what, expect, record))

    # --- Shopify ------------------------------------------------------------------------------
    orders = _read(store, "shopify", "orders")
    base = orders[0]
    ids = shopify_ids(orders, "Order", 1000)
    sp = "shopify"

    def total(r: dict, amount: str) -> None:
        r["totalPriceSet"] = {k: {**v, "amount": amount} for k, v in r["totalPriceSet"].items()}

    add(
        sp,
        "orders",
        "updatedAt not a date",
        "rejected",
        base,
        next(ids),
        lambda r: r.update(updatedAt="yesterday"),
    )
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
        "updatedAt in the future",
        "rejected",
        base,
        next(ids),
        lambda r: r.update(updatedAt=FUTURE[sp]),
    )
    add(sp, "orders", "negative totalPriceSet", "rejected", base, next(ids), lambda r: total(r, "-10.00"))
    add(sp, "orders", "totalPriceSet not a number", "rejected", base, next(ids), lambda r: total(r, "ten"))
    add(sp, "orders", "absurd totalPriceSet", "rejected", base, next(ids), lambda r: total(r, "1e20"))
    add(sp, "orders", "huge note (1 MB)", "loaded", base, next(ids), lambda r: r.update(note=HUGE))
    add(
        sp,
        "orders",
        "null email and customer",
        "loaded",
        base,
        next(ids),
        lambda r: r.update(email=None, customer=None),
    )
    lined = next(o for o in orders if o["lineItems"]["nodes"])

    def money(r: dict, path: str, amount: str) -> None:
        *where, last = path.split(".")
        for step in where:
            r = r[step]["nodes"][0] if isinstance(r[step], dict) and "nodes" in r[step] else r[step]
        r[last] = {k: {**v, "amount": amount} for k, v in r[last].items()}

    add(
        sp,
        "orders",
        "Infinity as a line item discount",
        "rejected",
        lined,
        next(ids),
        lambda r: money(r, "lineItems.totalDiscountSet", "Infinity"),
    )
    add(sp, "orders", "NaN as the tax", "rejected", base, next(ids), lambda r: money(r, "totalTaxSet", "NaN"))
    add(
        sp,
        "orders",
        "lone surrogate in email",
        "rejected",
        base,
        next(ids),
        lambda r: r.update(email=LONE_SURROGATE),
    )
    customers = _read(store, sp, "customers")
    customer_ids = shopify_ids(customers, "Customer", 1000)
    add(
        sp,
        "customers",
        "NUL byte in firstName",
        "rejected",
        customers[0],
        next(customer_ids),
        lambda r: r.update(firstName=NUL),
    )
    add(
        sp,
        "customers",
        "updatedAt in the future",
        "rejected",
        customers[0],
        next(customer_ids),
        lambda r: r.update(updatedAt=FUTURE[sp]),
    )
    add(
        sp,
        "customers",
        "lone surrogate in lastName",
        "rejected",
        customers[0],
        next(customer_ids),
        lambda r: r.update(lastName=LONE_SURROGATE),
    )
    add(
        sp,
        "customers",
        "huge displayName (1 MB)",
        "loaded",
        customers[0],
        next(customer_ids),
        lambda r: r.update(displayName=HUGE),
    )
    products = _read(store, sp, "products")
    product_ids = shopify_ids(products, "Product", 1000)

    def variant(r: dict, **values: str) -> None:
        r["variants"]["nodes"][0].update(values)

    add(
        sp,
        "products",
        "variant price is text",
        "rejected",
        products[0],
        next(product_ids),
        lambda r: variant(r, price="free"),
    )
    add(
        sp,
        "products",
        "variant compareAtPrice is NaN",
        "rejected",
        products[0],
        next(product_ids),
        lambda r: variant(r, compareAtPrice="NaN"),
    )
    add(
        sp,
        "products",
        "NUL byte in title",
        "rejected",
        products[0],
        next(product_ids),
        lambda r: r.update(title=NUL),
    )
    add(
        sp,
        "products",
        "updatedAt not a date",
        "rejected",
        products[0],
        next(product_ids),
        lambda r: r.update(updatedAt="31/12/2025"),
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
        record = _new_record(base, new_id, 900 + len(corpus))
        change(record)
        mark(platform, record, what)
        splice = {k: v for k, v in SPLICE.items() if k in json.dumps(record)}
        corpus.append(BadRecord(platform, resource, what, "rejected", record, reason, splice))

    def line(record: dict, items: str, **values: Any) -> None:
        record[items][0].update(values)

    sp, wc, ct = "shopify", "woocommerce", "commercetools"
    orders = _read(store, sp, "orders")
    base = next(o for o in orders if o["lineItems"]["nodes"])
    ids = shopify_ids(orders, "Order", 5000)

    def unit_price(record: dict, amount: str) -> None:
        record["lineItems"]["nodes"][0]["originalUnitPriceSet"]["shopMoney"]["amount"] = amount

    add(
        sp,
        "orders",
        "updatedAt overflows UTC (year 9999, -05:00)",
        base,
        next(ids),
        lambda r: r.update(updatedAt="9999-12-31T23:59:59-05:00"),
        "out of range",
    )
    add(
        sp,
        "orders",
        "updatedAt in year 1",
        base,
        next(ids),
        lambda r: r.update(updatedAt="0001-01-01T00:00:00Z"),
        "before 1970",
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
        "line item price is N/A",
        base,
        next(ids),
        lambda r: unit_price(r, "N/A"),
        "lineItems[0].originalUnitPriceSet.shopMoney.amount 'N/A' is not a number",
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
    """Representable records carrying SQL, shell, Jinja, control and bidi text, and long keys."""

    def next_ids(platform: str, resource: str) -> Any:
        top = max(r["id"] for r in _read(store, platform, resource) if type(r.get("id")) is int)
        return iter(range(top + 500_000, top + 500_100))

    sp, wc, ct = "shopify", "woocommerce", "commercetools"
    # Shopify serves only the fields a query selects: the long keys are the other platforms' cases.
    shopify_orders = _read(store, sp, "orders")
    orders, ids = shopify_orders[2], shopify_ids(shopify_orders, "Order", 500_000)
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
    customers = _read(store, sp, "customers")
    add(
        sp,
        "customers",
        "SQL breakout in firstName",
        "loaded",
        customers[2],
        next(shopify_ids(customers, "Customer", 500_000)),
        lambda r: r.update(firstName="Robert'); DROP TABLE students;--"),
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
