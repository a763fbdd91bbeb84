"""Shopify GraphQL Admin API emulator: the `orders` connection (and `order(id:)`) over the REST data,
and the `events` connection with the deletion events of orders, customers and products.

A small GraphQL reader (operations, variables with defaults, aliases, arguments,
named and inline fragments, @include/@skip) is enough for extraction queries;
mutations, introspection and bulk operations are not emulated.

Orders are the REST order objects of `DIR/shopify/orders.json` seen through the
GraphQL schema: `id` becomes the GID, timestamps UTC with `Z`, `*_set` money
becomes `MoneyBag{shopMoney presentmentMoney}`, `displayFinancialStatus` the
upper-cased status, `lineItems(first:)` a connection; any other field is looked
up by its snake_case name. Cost follows Shopify's published rules (object 1,
connection 2 + first × node cost, scalars 0) and is drawn from a `CostBucket`;
a query that does not fit gets the THROTTLED body (HTTP 200, no `data`).

`events` (API 2024-10+): a record removed from the store's orders, customers or
products file is a `BasicEvent` {id, action 'destroy', createdAt (when the sandbox
noticed, metric_pulse.sandbox.store), subjectId (the record's GID), subjectType
(ORDER, CUSTOMER, PRODUCT), message}, oldest first; `query:` filters by
`action`, `subject_type`, `created_at` and `id`; `first`/`after` page by the event id.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from metric_pulse.sandbox.http import Request, Response, json_response
from metric_pulse.sandbox.ratelimit import CostBucket, Throttle
from metric_pulse.sandbox.store import HIGHEST, Deletion, StoreFolder, full, parse_instant, scan

MAX_PAGE = 250
SORT_KEYS = {
    "ID": "id",
    "UPDATED_AT": "updated_at",
    "CREATED_AT": "created_at",
    "PROCESSED_AT": "processed_at",
}
RATE_LIMIT_DOC = "https://shopify.dev/api/usage/rate-limits"


class GraphQLError(Exception):
    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        path: list | None = None,
        line: int | None = None,
        column: int | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(message)
        self.message, self.code, self.path = message, code, path
        self.line, self.column, self.extensions = line, column, extensions

    def as_json(self) -> dict:
        error: dict[str, Any] = {"message": self.message}
        if self.line is not None:
            error["locations"] = [{"line": self.line, "column": self.column}]
        if self.path:
            error["path"] = self.path
        ext = dict(self.extensions)
        if self.code:
            ext["code"] = self.code
        if ext:
            error["extensions"] = ext
        return error


# -- reading GraphQL ------------------------------------------------------------------------

TOKEN = re.compile(
    r'''
    (?P<skip>[\s,\ufeff]+|\#[^\n]*)
  | (?P<block>"""(?:\\"""|[^"]|"(?!""))*""")
  | (?P<string>"(?:\\.|[^"\\\n])*")
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<name>[_A-Za-z][_0-9A-Za-z]*)
  | (?P<spread>\.\.\.)
  | (?P<punct>[!$():=@\[\]{}|&])
''',
    re.VERBOSE,
)


@dataclass
class Tok:
    kind: str
    text: str
    line: int
    column: int


@dataclass
class Var:
    name: str


@dataclass
class Enum:
    name: str


@dataclass
class Field:
    name: str
    alias: str | None
    args: dict[str, Any]
    directives: list[tuple[str, dict[str, Any]]]
    selections: list[Any] | None
    line: int
    column: int

    @property
    def key(self) -> str:
        return self.alias or self.name


@dataclass
class Spread:
    name: str
    directives: list[tuple[str, dict[str, Any]]]


@dataclass
class Inline:
    type_condition: str | None
    directives: list[tuple[str, dict[str, Any]]]
    selections: list[Any]


@dataclass
class Operation:
    kind: str
    name: str | None
    variables: dict[str, Any]  # name -> default value (or missing)
    selections: list[Any]


@dataclass
class Document:
    operations: list[Operation] = field(default_factory=list)
    fragments: dict[str, list[Any]] = field(default_factory=dict)


def tokenize(source: str) -> list[Tok]:
    tokens, pos, line, line_start = [], 0, 1, 0
    while pos < len(source):
        match = TOKEN.match(source, pos)
        if match is None:
            raise GraphQLError(
                f'Parse error on "{source[pos]}" at [{line}, {pos - line_start + 1}]',
                line=line,
                column=pos - line_start + 1,
            )
        kind = match.lastgroup or ""
        text = match.group()
        if kind != "skip":
            tokens.append(Tok(kind, text, line, pos - line_start + 1))
        newlines = text.count("\n")
        if newlines:
            line += newlines
            line_start = pos + text.rfind("\n") + 1
        pos = match.end()
    return tokens


class Parser:
    def __init__(self, source: str) -> None:
        self.tokens = tokenize(source)
        self.i = 0

    def peek(self, offset: int = 0) -> Tok | None:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def fail(self, tok: Tok | None, expected: str = "") -> GraphQLError:
        if tok is None:
            return GraphQLError(
                "Parse error on end of query" + (f", expected {expected}" if expected else "")
            )
        return GraphQLError(
            f'Parse error on "{tok.text}" ({tok.kind.upper()}) at [{tok.line}, {tok.column}]',
            line=tok.line,
            column=tok.column,
        )

    def take(self, text: str | None = None, kind: str | None = None) -> Tok:
        tok = self.peek()
        if tok is None or (text is not None and tok.text != text) or (kind is not None and tok.kind != kind):
            raise self.fail(tok, text or kind or "")
        self.i += 1
        return tok

    def at(self, text: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.text == text and tok.kind in ("punct", "spread", "name")

    def document(self) -> Document:
        doc = Document()
        if not self.tokens:
            raise GraphQLError("Parse error on end of query: the document is empty")
        while self.peek() is not None:
            tok = self.peek()
            if tok.text == "{":
                doc.operations.append(Operation("query", None, {}, self.selection_set()))
            elif tok.text in ("query", "mutation", "subscription"):
                doc.operations.append(self.operation())
            elif tok.text == "fragment":
                self.take("fragment")
                name = self.take(kind="name").text
                self.take("on")
                self.take(kind="name")
                self.directives()
                doc.fragments[name] = self.selection_set()
            else:
                raise self.fail(tok)
        return doc

    def operation(self) -> Operation:
        kind = self.take().text
        name = self.take(kind="name").text if self.peek() and self.peek().kind == "name" else None
        variables: dict[str, Any] = {}
        if self.at("("):
            self.take("(")
            while not self.at(")"):
                self.take("$")
                var = self.take(kind="name").text
                self.take(":")
                self.type_ref()
                variables[var] = self.value(const=True) if self.at("=") and self.take("=") else _MISSING
                self.directives()
            self.take(")")
        self.directives()
        return Operation(kind, name, variables, self.selection_set())

    def type_ref(self) -> None:
        if self.at("["):
            self.take("[")
            self.type_ref()
            self.take("]")
        else:
            self.take(kind="name")
        if self.at("!"):
            self.take("!")

    def directives(self) -> list[tuple[str, dict[str, Any]]]:
        found = []
        while self.at("@"):
            self.take("@")
            name = self.take(kind="name").text
            found.append((name, self.arguments()))
        return found

    def arguments(self) -> dict[str, Any]:
        args: dict[str, Any] = {}
        if self.at("("):
            self.take("(")
            while not self.at(")"):
                name = self.take(kind="name").text
                self.take(":")
                args[name] = self.value()
            self.take(")")
        return args

    def selection_set(self) -> list[Any]:
        self.take("{")
        selections: list[Any] = []
        while not self.at("}"):
            tok = self.peek()
            if tok is None:
                raise self.fail(tok, "}")
            if tok.kind == "spread":
                self.take()
                if self.at("on") or self.at("{") or self.at("@"):
                    condition = None
                    if self.at("on"):
                        self.take("on")
                        condition = self.take(kind="name").text
                    directives = self.directives()
                    selections.append(Inline(condition, directives, self.selection_set()))
                else:
                    name = self.take(kind="name").text
                    selections.append(Spread(name, self.directives()))
                continue
            name_tok = self.take(kind="name")
            alias, name = None, name_tok.text
            if self.at(":"):
                self.take(":")
                alias, name = name, self.take(kind="name").text
            args = self.arguments()
            directives = self.directives()
            sub = self.selection_set() if self.at("{") else None
            selections.append(Field(name, alias, args, directives, sub, name_tok.line, name_tok.column))
        self.take("}")
        return selections

    def value(self, const: bool = False) -> Any:
        tok = self.take()
        if tok.text == "$" and tok.kind == "punct" and not const:
            return Var(self.take(kind="name").text)
        if tok.kind == "number":
            return float(tok.text) if any(c in tok.text for c in ".eE") else int(tok.text)
        if tok.kind == "string":
            return json.loads(tok.text)
        if tok.kind == "block":
            return tok.text[3:-3].replace('\\"""', '"""').strip()
        if tok.kind == "name":
            literals = {"true": True, "false": False, "null": None}
            return literals[tok.text] if tok.text in literals else Enum(tok.text)
        if tok.text == "[":
            items = []
            while not self.at("]"):
                items.append(self.value(const))
            self.take("]")
            return items
        if tok.text == "{":
            obj = {}
            while not self.at("}"):
                key = self.take(kind="name").text
                self.take(":")
                obj[key] = self.value(const)
            self.take("}")
            return obj
        raise self.fail(tok)


_MISSING = object()


# -- executing ------------------------------------------------------------------------------


def to_utc_z(value: Any) -> Any:
    """Shopify GraphQL DateTime: UTC with a Z, whole seconds."""
    instant = parse_instant(value)
    if instant is None:
        return value
    return datetime.fromtimestamp(instant, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def gid(kind: str, ident: Any) -> Any:
    if ident is None or (isinstance(ident, str) and ident.startswith("gid://")):
        return ident
    return f"gid://shopify/{kind}/{ident}"


def upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


class Context:
    def __init__(self, variables: dict[str, Any], fragments: dict[str, list[Any]]) -> None:
        self.variables = variables
        self.fragments = fragments
        self.cost = 0

    def arg(self, value: Any) -> Any:
        if isinstance(value, Var):
            return self.variables.get(value.name)
        if isinstance(value, list):
            return [self.arg(v) for v in value]
        if isinstance(value, dict):
            return {k: self.arg(v) for k, v in value.items()}
        return value

    def args(self, f: Field) -> dict[str, Any]:
        return {k: self.arg(v) for k, v in f.args.items()}

    def fields(self, selections: list[Any] | None) -> Iterator[Field]:
        """Fields of a selection set with fragments expanded and @include/@skip applied."""
        for sel in selections or []:
            if not self.included(getattr(sel, "directives", [])):
                continue
            if isinstance(sel, Field):
                yield sel
            elif isinstance(sel, Inline):
                yield from self.fields(sel.selections)
            elif isinstance(sel, Spread):
                if sel.name not in self.fragments:
                    raise GraphQLError(
                        f"Fragment {sel.name} was used, but not defined", code="useAndDefineFragment"
                    )
                yield from self.fields(self.fragments[sel.name])

    def included(self, directives: list[tuple[str, dict[str, Any]]]) -> bool:
        for name, args in directives:
            condition = bool(self.arg(args.get("if")))
            if (name == "include" and not condition) or (name == "skip" and condition):
                return False
        return True


# Nested objects of an order and the GraphQL type each becomes (for GIDs and __typename).
CHILD_TYPES = {
    "customer": "Customer",
    "lineItems": "LineItem",
    "refunds": "Refund",
    "variant": "ProductVariant",
    "product": "Product",
    "shopMoney": "MoneyV2",
    "presentmentMoney": "MoneyV2",
    "billingAddress": "MailingAddress",
    "shippingAddress": "MailingAddress",
    "refundLineItems": "RefundLineItem",
    "transactions": "OrderTransaction",
}


def order_special(record: dict, name: str) -> tuple[bool, Any]:
    """Order fields whose GraphQL form differs from the REST one: (handled, value)."""
    if name == "id":
        return True, record.get("admin_graphql_api_id") or gid("Order", record.get("id"))
    if name == "legacyResourceId":
        return True, str(record.get("id"))
    if name == "closed":
        return True, record.get("closed_at") is not None
    if name == "cancelled":
        return True, record.get("cancelled_at") is not None
    if name == "displayFinancialStatus":
        return True, upper(record.get("financial_status"))
    if name == "displayFulfillmentStatus":
        return True, upper(record.get("fulfillment_status")) or "UNFULFILLED"
    if name == "cancelReason":
        return True, upper(record.get("cancel_reason"))
    if name == "currencyCode":
        return True, record.get("currency")
    if name == "presentmentCurrencyCode":
        return True, record.get("presentment_currency") or record.get("currency")
    if name == "tags":
        tags = record.get("tags") or ""
        return True, [t.strip() for t in tags.split(",") if t.strip()] if isinstance(tags, str) else tags
    if name == "lineItems":
        return True, record.get("line_items") or []
    if name == "billingAddress":
        return True, record.get("billing_address")
    if name == "shippingAddress":
        return True, record.get("shipping_address")
    return False, None


def line_item_special(record: dict, name: str) -> tuple[bool, Any]:
    if name == "variant":
        vid = record.get("variant_id")
        return True, None if vid is None else {"id": vid}
    if name == "product":
        pid = record.get("product_id")
        return True, None if pid is None else {"id": pid}
    if name == "originalUnitPriceSet":
        return True, record.get("price_set")
    return False, None


# Fields of these types that exist in the schema but may be absent from a REST record (then null);
# any other missing field of these types is an undefinedField error, as Shopify answers.
NULLABLE = {
    "Order": {
        "customer",
        "email",
        "phone",
        "note",
        "processedAt",
        "cancelledAt",
        "closedAt",
        "sourceName",
        "test",
        "refunds",
        "confirmed",
        "subtotalPriceSet",
        "totalPriceSet",
        "totalTaxSet",
        "totalDiscountsSet",
        "totalShippingPriceSet",
        "currentTotalPriceSet",
        "totalRefundedSet",
        "createdAt",
        "updatedAt",
        "name",
        "discountCodes",
        "paymentGatewayNames",
        "customerLocale",
        "clientIp",
        "landingSite",
        "referringSite",
        "sourceIdentifier",
        "poNumber",
        "taxesIncluded",
        "estimatedTaxes",
        "taxExempt",
        "shippingLines",
        "taxLines",
        "noteAttributes",
        "fulfillments",
    },
    "LineItem": {
        "sku",
        "name",
        "title",
        "quantity",
        "vendor",
        "variantTitle",
        "requiresShipping",
        "taxable",
        "giftCard",
        "fulfillableQuantity",
        "discountedUnitPriceSet",
        "totalDiscountSet",
        "taxLines",
    },
}

SPECIAL: dict[str, Callable[[dict, str], tuple[bool, Any]]] = {
    "Order": order_special,
    "LineItem": line_item_special,
}


class Executor:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def obj(self, record: dict, typename: str, selections: list[Any] | None, path: list) -> dict:
        self.ctx.cost += 1
        out: dict[str, Any] = {}
        for f in self.ctx.fields(selections):
            out[f.key] = self.value_of(record, typename, f, path + [f.key])
        return out

    def value_of(self, record: dict, typename: str, f: Field, path: list) -> Any:
        if f.name == "__typename":
            return typename
        special = SPECIAL.get(typename)
        handled, raw = special(record, f.name) if special else (False, None)
        if not handled:
            if f.name == "id":
                raw = (
                    gid(typename, record.get("id")) if typename in CHILD_TYPES.values() else record.get("id")
                )
                handled = True
            else:
                key = snake(f.name)
                if key not in record and typename in NULLABLE and f.name not in NULLABLE[typename]:
                    raise GraphQLError(
                        f"Field '{f.name}' doesn't exist on type '{typename}'",
                        code="undefinedField",
                        path=path,
                        line=f.line,
                        column=f.column,
                        typeName=typename,
                        fieldName=f.name,
                    )
                raw = record.get(key)
                if f.selections is None and f.name.endswith("At"):
                    raw = to_utc_z(raw)
        child = CHILD_TYPES.get(f.name, f.name[:1].upper() + f.name[1:])
        if f.selections is None:
            return raw
        if raw is None:
            return None
        args = self.ctx.args(f)
        if isinstance(raw, list):
            items = [r for r in raw if isinstance(r, dict)]
            if "first" in args or "last" in args:
                return self.list_connection(items, child, f, args, path)
            return [self.obj(item, child, f.selections, path + [i]) for i, item in enumerate(items)]
        if isinstance(raw, dict):
            return self.obj(raw, child, f.selections, path)
        raise GraphQLError(
            f"Selections can't be made on scalars (field '{f.name}' returns a scalar)",
            code="selectionMismatch",
            path=path,
            line=f.line,
            column=f.column,
        )

    def list_connection(self, items: list[dict], typename: str, f: Field, args: dict, path: list) -> Any:
        """A nested connection over a list already inside the record (e.g. lineItems(first: 10))."""
        first, last, n = args.get("first"), args.get("last"), len(items)
        if isinstance(first, int):
            indexes = range(0, min(max(first, 0), n))
        elif isinstance(last, int):
            indexes = range(max(0, n - max(last, 0)), n)
        else:
            indexes = range(n)
        has_nodes = any(sub.name in ("nodes", "edges", "pageInfo") for sub in self.ctx.fields(f.selections))
        if not has_nodes:  # a plain list with a first: argument (refunds(first: 5))
            return [self.obj(items[i], typename, f.selections, path + [i]) for i in indexes]
        self.ctx.cost += 2
        return self.connection(
            [(i, items[i]) for i in indexes],
            typename,
            f,
            path,
            has_next=indexes.stop < n,
            has_previous=indexes.start > 0,
            cursor_of=lambda i: encode({"i": i}),
        )

    def connection(
        self,
        rows: list[tuple[Any, dict]],
        typename: str,
        f: Field,
        path: list,
        *,
        has_next: bool,
        has_previous: bool,
        cursor_of: Callable[[Any], str],
    ) -> dict:
        out: dict[str, Any] = {}
        for sub in self.ctx.fields(f.selections):
            if sub.name == "__typename":
                out[sub.key] = f"{typename}Connection"
            elif sub.name == "nodes":
                out[sub.key] = [
                    self.obj(full(r), typename, sub.selections, path + [sub.key, i])
                    for i, (_, r) in enumerate(rows)
                ]
            elif sub.name == "edges":
                edges = []
                for i, (key, record) in enumerate(rows):
                    edge: dict[str, Any] = {}
                    for part in self.ctx.fields(sub.selections):
                        if part.name == "cursor":
                            edge[part.key] = cursor_of(key)
                        elif part.name == "node":
                            edge[part.key] = self.obj(
                                full(record), typename, part.selections, path + [sub.key, i, part.key]
                            )
                        elif part.name == "__typename":
                            edge[part.key] = f"{typename}Edge"
                        else:
                            raise GraphQLError(
                                f"Field '{part.name}' doesn't exist on type '{typename}Edge'",
                                code="undefinedField",
                                line=part.line,
                                column=part.column,
                            )
                    edges.append(edge)
                out[sub.key] = edges
            elif sub.name == "pageInfo":
                info = {
                    "hasNextPage": has_next,
                    "hasPreviousPage": has_previous,
                    "startCursor": cursor_of(rows[0][0]) if rows else None,
                    "endCursor": cursor_of(rows[-1][0]) if rows else None,
                }
                out[sub.key] = {
                    p.key: ("PageInfo" if p.name == "__typename" else info.get(p.name))
                    for p in self.ctx.fields(sub.selections)
                }
            else:
                raise GraphQLError(
                    f"Field '{sub.name}' doesn't exist on type '{typename}Connection'",
                    code="undefinedField",
                    line=sub.line,
                    column=sub.column,
                )
        return out


def requested_cost(ctx: Context, selections: list[Any] | None) -> int:
    """Shopify's static cost: scalars 0, objects 1, connections 2 + (first|last) x the cost of one node."""
    total = 0
    for f in ctx.fields(selections):
        if f.selections is None:
            continue
        args = ctx.args(f)
        size = args.get("first") if args.get("first") is not None else args.get("last")
        if size is not None:
            node_selections: list[Any] = []
            plain = True
            for sub in ctx.fields(f.selections):
                if sub.name == "nodes":
                    node_selections += sub.selections or []
                    plain = False
                elif sub.name == "edges":
                    plain = False
                    for part in ctx.fields(sub.selections):
                        if part.name == "node":
                            node_selections += part.selections or []
                elif sub.name == "pageInfo":
                    plain = False
            if plain:
                node_selections = f.selections
            total += 2 + int(size) * (1 + requested_cost(ctx, node_selections))
        else:
            total += 1 + requested_cost(ctx, f.selections)
    return total


# -- the `query:` search syntax --------------------------------------------------------------

SEARCH_TERM = re.compile(r"""(?P<neg>-)?(?P<field>\w+):(?P<op><=|>=|<|>|=)?(?P<value>'[^']*'|"[^"]*"|\S+)""")
DATE_FIELDS = {"updated_at", "created_at", "processed_at"}


def search_filter(query: str | None, now: float) -> tuple[Callable[[dict], bool], dict[str, tuple]]:
    """(predicate, ranges) for terms like `updated_at:>'2024-01-01T00:00:00Z' status:open`; unknown terms are ignored."""
    checks: list[Callable[[dict], bool]] = []
    ranges: dict[str, list] = {}
    for m in SEARCH_TERM.finditer(query or ""):
        fieldname, op, raw = m.group("field").lower(), m.group("op") or "=", m.group("value")
        value = raw[1:-1] if raw[:1] in "'\"" else raw
        negate = bool(m.group("neg"))
        if fieldname in DATE_FIELDS:
            instant = parse_instant(value)
            if instant is None:
                continue  # Shopify ignores a term it cannot read (with a search warning)
            check = _compare(lambda r, f=fieldname: parse_instant(r.get(f)), op, instant)
            if not negate:
                lo, hi = ranges.setdefault(fieldname, [None, None])
                if op in (">", ">=", "="):
                    ranges[fieldname][0] = instant if lo is None else max(lo, instant)
                if op in ("<", "<=", "="):
                    ranges[fieldname][1] = instant if hi is None else min(hi, instant)
        elif fieldname == "id":
            try:
                number = int(value.rsplit("/", 1)[-1])
            except ValueError:
                continue
            check = _compare(lambda r: r.get("id"), op, number)
        elif fieldname == "status":
            state = value.lower()
            check = {
                "open": lambda r: r.get("closed_at") is None and r.get("cancelled_at") is None,
                "closed": lambda r: r.get("closed_at") is not None,
                "cancelled": lambda r: r.get("cancelled_at") is not None,
            }.get(state, lambda r: True)
        elif fieldname in (
            "financial_status",
            "fulfillment_status",
            "email",
            "name",
            "source_name",
            "action",  # events
            "subject_type",
        ):
            check = lambda r, f=fieldname, v=value.lower(): str(r.get(f) or "").lower() == v  # noqa: E731, B008 (binds now)
        elif fieldname == "test":
            check = lambda r, v=value.lower() == "true": bool(r.get("test")) == v  # noqa: E731, B008 (binds now)
        elif fieldname == "customer_id":
            check = lambda r, v=value: str((r.get("customer") or {}).get("id")) == v  # noqa: E731
        else:
            continue
        checks.append((lambda r, c=check: not c(r)) if negate else check)

    def keep(record: dict) -> bool:
        return all(c(record) for c in checks)

    return keep, {k: tuple(v) for k, v in ranges.items()}


def _compare(get: Callable[[dict], Any], op: str, value: Any) -> Callable[[dict], bool]:
    def check(record: dict) -> bool:
        have = get(record)
        if have is None:
            return False
        return {
            "=": have == value,
            ">": have > value,
            ">=": have >= value,
            "<": have < value,
            "<=": have <= value,
        }[op]

    return check


# The GraphQL type and event subject type of each resource file.
SUBJECTS = {
    "orders": ("Order", "ORDER"),
    "customers": ("Customer", "CUSTOMER"),
    "products": ("Product", "PRODUCT"),
}


def deletion_event(deletion: Deletion) -> dict:
    """A removal from the data files as the `BasicEvent` Shopify records for a deleted resource."""
    typename, subject_type = SUBJECTS[deletion.resource]
    return {
        "seq": deletion.sequence,
        "id": f"gid://shopify/BasicEvent/{deletion.sequence}",
        "action": "destroy",
        "created_at": datetime.fromtimestamp(int(deletion.deleted_at), UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        ),  # whole seconds, as Shopify
        "subject_id": gid(typename, deletion.id),
        "subject_type": subject_type,
        "message": f"{typename} was deleted.",
    }


def encode(payload: dict) -> str:
    return base64.b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()


def decode(cursor: str) -> dict:
    try:
        payload = json.loads(base64.b64decode(cursor.encode(), validate=True))
    except (ValueError, TypeError):
        payload = None
    if not isinstance(payload, dict) or "k" not in payload:
        raise GraphQLError("Invalid cursor for current pagination sort.", code="INVALID_CURSOR")
    return payload


def _as_key(value: Any) -> Any:
    return tuple(_as_key(v) for v in value) if isinstance(value, list) else value


class GraphQL:
    """POST /admin/api/{version}/graphql.json"""

    def __init__(
        self,
        store: StoreFolder,
        cost: CostBucket,
        *,
        read_all_orders: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.bucket = cost
        self.read_all_orders = read_all_orders
        self.clock = clock

    def handle(self, req: Request) -> Response:
        try:
            query, variables, operation_name = self._body(req)
            doc = Parser(query).document()
            operation = self._operation(doc, operation_name)
            ctx = Context(self._variables(operation, variables), doc.fragments)
            requested = requested_cost(ctx, operation.selections)
        except GraphQLError as exc:
            return json_response(200, {"errors": [exc.as_json()]})
        if requested > self.bucket.maximum_available:
            return json_response(
                200,
                {
                    "errors": [
                        GraphQLError(
                            f"Query cost is {requested}, which exceeds the single query max cost limit "
                            f"({self.bucket.maximum_available:g}).",
                            code="MAX_COST_EXCEEDED",
                            cost=requested,
                            maxCost=self.bucket.maximum_available,
                        ).as_json()
                    ]
                },
            )
        allowed, status = self.bucket.charge(requested)
        if not allowed:
            response = json_response(
                200,
                {
                    "errors": [
                        {
                            "message": "Throttled",
                            "extensions": {"code": "THROTTLED", "documentation": RATE_LIMIT_DOC},
                        }
                    ],
                    "extensions": {"cost": self._cost(requested, None, status)},
                },
            )
            response.rate_limited = True
            return response
        executor = Executor(ctx)
        try:
            data = self._root(executor, operation)
        except GraphQLError as exc:
            status = self.bucket.refund(requested)
            return json_response(
                200, {"errors": [exc.as_json()], "extensions": {"cost": self._cost(requested, 0, status)}}
            )
        actual = min(requested, ctx.cost)
        status = self.bucket.refund(requested - actual)
        return json_response(
            200, {"data": data, "extensions": {"cost": self._cost(requested, actual, status)}}
        )

    @staticmethod
    def _cost(requested: int, actual: int | None, status: Throttle) -> dict:
        return {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": status.as_json(),
        }

    @staticmethod
    def _body(req: Request) -> tuple[str, dict, str | None]:
        content_type = (req.header("Content-Type") or "").split(";")[0].strip().lower()
        if content_type == "application/graphql":
            return req.body.decode("utf-8", "replace"), {}, None
        try:
            body = json.loads(req.body or b"{}")
        except ValueError:
            raise GraphQLError("The request body is not valid JSON", code="BAD_REQUEST") from None
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            raise GraphQLError("No query string was present", code="BAD_REQUEST")
        variables = body.get("variables") or {}
        if isinstance(variables, str):
            variables = json.loads(variables or "{}")
        return body["query"], variables if isinstance(variables, dict) else {}, body.get("operationName")

    @staticmethod
    def _operation(doc: Document, name: str | None) -> Operation:
        if not doc.operations:
            raise GraphQLError("No operations in the document")
        if name:
            for op in doc.operations:
                if op.name == name:
                    chosen = op
                    break
            else:
                raise GraphQLError(f'No operation named "{name}"')
        elif len(doc.operations) > 1:
            raise GraphQLError("An operation name is required")
        else:
            chosen = doc.operations[0]
        if chosen.kind != "query":
            raise GraphQLError(f"The sandbox only answers queries, not {chosen.kind}s", code="NOT_SUPPORTED")
        return chosen

    @staticmethod
    def _variables(operation: Operation, given: dict) -> dict:
        values = {}
        for name, default in operation.variables.items():
            if name in given:
                values[name] = given[name]
            elif default is not _MISSING:
                values[name] = default.name if isinstance(default, Enum) else default
        return values

    def _root(self, executor: Executor, operation: Operation) -> dict:
        data: dict[str, Any] = {}
        for f in executor.ctx.fields(operation.selections):
            if f.name == "__typename":
                data[f.key] = "QueryRoot"
            elif f.name == "orders":
                data[f.key] = self._orders({}, executor.ctx, f, executor)
            elif f.name == "events":
                data[f.key] = self._events(executor.ctx, f, executor)
            elif f.name == "order":
                ident = str(executor.ctx.args(f).get("id") or "")
                try:
                    record = self.store.get("orders").by_id(int(ident.rsplit("/", 1)[-1]))
                except ValueError:
                    record = None
                if record is not None and not self._visible(record):
                    record = None
                data[f.key] = (
                    None if record is None else executor.obj(full(record), "Order", f.selections, [f.key])
                )
            else:
                raise GraphQLError(
                    f"Field '{f.name}' doesn't exist on type 'QueryRoot'",
                    code="undefinedField",
                    path=["query", f.key],
                    line=f.line,
                    column=f.column,
                    typeName="QueryRoot",
                    fieldName=f.name,
                )
        return data

    def _events(self, ctx: Context, f: Field, executor: Executor) -> dict:
        """The deletion events (oldest first), `first` of them after the cursor, filtered by `query:`."""
        args = ctx.args(f)
        size = args.get("first")
        if not isinstance(size, int) or size < 0 or size > MAX_PAGE:
            raise GraphQLError(
                f"The sandbox pages events with first: 0..{MAX_PAGE} (got {size!r})",
                code="BAD_USER_INPUT",
                path=[f.key],
                line=f.line,
                column=f.column,
            )
        keep, _ranges = search_filter(args.get("query"), self.clock())
        after = decode(args["after"])["k"] if args.get("after") else 0
        events = [e for e in map(deletion_event, self.store.deletions()) if e["seq"] > after and keep(e)]
        rows = [(e["seq"], e) for e in events[:size]]
        return executor.connection(
            rows,
            "BasicEvent",
            f,
            [f.key],
            has_next=len(events) > size,
            has_previous=after > 0,
            cursor_of=lambda seq: encode({"k": seq}),
        )

    def _visible(self, record: dict) -> bool:
        if self.read_all_orders:
            return True
        t = parse_instant(record.get("created_at"))
        return t is not None and t >= self.clock() - 60 * 86400

    def _orders(self, _parent: dict, ctx: Context, f: Field, executor: Executor) -> dict:
        args = ctx.args(f)
        first, last = args.get("first"), args.get("last")
        where = [f.key]
        if first is None and last is None:
            raise GraphQLError(
                "you must provide one of first or last", path=where, line=f.line, column=f.column
            )
        size = first if first is not None else last
        if not isinstance(size, int) or size < 0 or size > MAX_PAGE:
            raise GraphQLError(
                f"The maximum page size is {MAX_PAGE} (got {size!r}); first and last must be "
                f"between 0 and {MAX_PAGE}",
                code="BAD_USER_INPUT",
                path=where,
                line=f.line,
                column=f.column,
            )
        sort_arg = args.get("sortKey", "ID")
        sort_name = sort_arg.name if isinstance(sort_arg, Enum) else str(sort_arg)
        if sort_name not in SORT_KEYS:
            raise GraphQLError(
                f"Argument 'sortKey' on Field 'orders' has an invalid value ({sort_name}). "
                "Expected type 'OrderSortKeys'.",
                code="argumentLiteralsIncompatible",
                path=where,
                line=f.line,
                column=f.column,
            )
        reverse = bool(args.get("reverse", False))
        keep, ranges = search_filter(args.get("query"), self.clock())
        if not self.read_all_orders:
            inner = keep
            keep = lambda r: inner(r) and self._visible(r)  # noqa: E731
        from metric_pulse.sandbox.shopify_api import sort_key  # one sorted view per field, shared with REST

        fieldname = SORT_KEYS[sort_name]
        view = self.store.get("orders").sorted_view(("shopify", fieldname), sort_key(fieldname))
        start, stop = 0, len(view.keys)
        if fieldname in ranges:
            lo, hi = ranges[fieldname]
            if lo is not None:
                start = view.range(((1, lo),))[0]
            if hi is not None:
                stop = max(start, view.range(None, ((1, hi), HIGHEST))[1])
        after = _as_key(decode(args["after"])["k"]) if args.get("after") else None
        before = _as_key(decode(args["before"])["k"]) if args.get("before") else None
        # In walking order ("reverse" flips it), `after` bounds the start and `before` the end.
        if not reverse:
            if after is not None:
                start = max(start, view.after(after))
            if before is not None:
                stop = min(stop, view.range(None, before)[1])
        else:
            if after is not None:
                stop = min(stop, view.range(None, after)[1])
            if before is not None:
                start = max(start, view.after(before))
        stop = max(start, stop)
        from_end = first is None
        rows: list[tuple[tuple, dict]] = []
        for index, record in scan(view, start, stop, reverse != from_end, keep):
            rows.append((view.keys[index], record))
            if len(rows) > size:
                break
        overflow = len(rows) > size
        rows = rows[:size]
        if from_end:
            rows.reverse()
        executor.ctx.cost += 2
        return executor.connection(
            rows,
            "Order",
            f,
            where,
            has_next=overflow if not from_end else before is not None,
            has_previous=overflow if from_end else after is not None,
            cursor_of=lambda key: encode({"k": key, "s": sort_name}),
        )
