"""Shopify GraphQL Admin API over the sandbox's data files, executed by graphql-core.

Queries are parsed and validated against `shopify_schema.graphql` (the types and fields
metric-pulse uses, with Shopify's names), so a misspelled field fails with Shopify's
`undefinedField` error before anything runs. The data files already hold GraphQL nodes
(`metric_pulse.sandbox.generate.shopify`), so most fields resolve by their own name; the
resolvers here do what Shopify does around them:

- `orders` / `customers` / `products`: `first`/`after`, `last`/`before`, `reverse`, `sortKey`
  (ID, CREATED_AT, UPDATED_AT, PROCESSED_AT, PUBLISHED_AT, TITLE …) and the `query` search
  syntax (`updated_at:>'2026-01-01T00:00:00Z'`, `>=`, `<`, `<=`, `id:>N`, `status:open` …) over
  a sorted view of the file; `pageInfo`, `nodes` and `edges { cursor node }`.
- nested connections (`lineItems`, `variants`, `refundLineItems` …) page the node's own list
  with their own `first`/`after`; lists with `first` (`refunds(first:)`) are cut.
- `order|customer|product(id:)`, `node(id:)`, `nodes(ids:)`; `shop`; `currentAppInstallation`.
- `events`: a removal from a data file is a `BasicEvent` {action 'destroy', subjectId (the
  record's GID), subjectType ORDER|CUSTOMER|PRODUCT, createdAt (when the sandbox noticed,
  `metric_pulse.sandbox.store`)}, oldest first; `query:` filters by action, subject_type,
  created_at and id.
- scopes: a resource outside the token's scopes answers ACCESS_DENIED (`data.<field>` null);
  without `read_all_orders` orders created more than 60 days ago are invisible.
- protected customer data not granted: names, e-mails, phones and street addresses are null.
- cost: `Cost` in `metric_pulse.sandbox.shopify_schema` (with the schema and Shopify's validation
  messages).

Bulk operations (`bulkOperationRunQuery` …) live in `metric_pulse.sandbox.shopify_bulk`; they run
the same resolvers over every record (`Context.bulk`).
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLUnionType,
    OperationDefinitionNode,
    execute,
    get_named_type,
    is_list_type,
)

from metric_pulse.sandbox.shopify_schema import (
    SCHEMA,
    Cost,
    gid_number,
    gid_type,
    parse_query,
    selected_fields,
    unwrap,
)
from metric_pulse.sandbox.store import Deletion, Record, StoreFolder, full, parse_instant, scan, sortable

MAX_PAGE = 250
ORDERS_WINDOW_DAYS = 60  # without read_all_orders, Shopify shows the last 60 days of orders
ACCESS_DOC = "https://shopify.dev/api/usage/access-scopes"


@dataclass(frozen=True)
class Resource:
    """A data file served as a top-level connection: its node type, the scope it needs, its sort keys."""

    name: str  # the file and the connection: orders
    typename: str  # Order
    scope: str  # read_orders
    sort_fields: Mapping[str, str]  # sortKey -> node field (ID sorts by the GID's number)
    subject: str  # the events' subjectType of a deleted one


RESOURCES = {
    "orders": Resource(
        "orders",
        "Order",
        "read_orders",
        {"CREATED_AT": "createdAt", "UPDATED_AT": "updatedAt", "PROCESSED_AT": "processedAt"},
        "ORDER",
    ),
    "customers": Resource(
        "customers",
        "Customer",
        "read_customers",
        {"CREATED_AT": "createdAt", "UPDATED_AT": "updatedAt"},
        "CUSTOMER",
    ),
    "products": Resource(
        "products",
        "Product",
        "read_products",
        {
            "CREATED_AT": "createdAt",
            "UPDATED_AT": "updatedAt",
            "PUBLISHED_AT": "publishedAt",
            "TITLE": "title",
            "VENDOR": "vendor",
            "PRODUCT_TYPE": "productType",
        },
        "PRODUCT",
    ),
}
BY_TYPE = {r.typename: r for r in RESOURCES.values()}
REFERENCED = {*BY_TYPE, "ProductVariant"}  # node types another node may refer to (`reference`)

# `query:` terms: search field -> node field (equality, case-insensitive); dates separately
SEARCH_DATES = {
    "updated_at": "updatedAt",
    "created_at": "createdAt",
    "processed_at": "processedAt",
    "published_at": "publishedAt",
}
SEARCH_EQUALS = {
    "financial_status": "displayFinancialStatus",
    "fulfillment_status": "displayFulfillmentStatus",
    "email": "email",
    "name": "name",
    "source_name": "sourceName",
    "test": "test",
    "vendor": "vendor",
    "product_type": "productType",
    "handle": "handle",
    "action": "action",  # events
    "subject_type": "subjectType",
    "operation_type": "type",  # bulk operations
}

# Protected customer data (level 2: name, e-mail, phone, address): fields nulled when not granted
PROTECTED = {
    "Customer": ("firstName", "lastName", "defaultPhoneNumber"),
    "Order": ("email", "phone"),
    "MailingAddress": (
        "firstName",
        "lastName",
        "name",
        "company",
        "address1",
        "address2",
        "city",
        "zip",
        "phone",
    ),
}


# -- GIDs and cursors ---------------------------------------------------------------------------


def encode_cursor(payload: Mapping[str, Any]) -> str:
    return base64.b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str) -> dict:
    try:
        payload = json.loads(base64.b64decode(cursor.encode(), validate=True))
    except (ValueError, TypeError):
        payload = None
    if not isinstance(payload, dict) or "k" not in payload:
        raise GraphQLError(
            "Invalid cursor for current pagination sort.", extensions={"code": "INVALID_CURSOR"}
        )
    return payload


def as_key(value: Any) -> Any:
    """JSON turns key tuples into lists; turn them back so they compare with the view's keys."""
    return tuple(as_key(v) for v in value) if isinstance(value, list) else value


def utc_z(instant: float) -> str:
    return datetime.fromtimestamp(int(instant), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- the `query:` search syntax ---------------------------------------------------------------------

SEARCH_TERM = re.compile(r"""(?P<neg>-)?(?P<field>\w+):(?P<op><=|>=|<|>|=)?(?P<value>'[^']*'|"[^"]*"|\S+)""")
COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


def search_filter(query: str | None) -> tuple[Callable[[dict], bool], dict[str, tuple]]:
    """(predicate, instant ranges per node field) for `updated_at:>'2024-01-01T00:00:00Z' status:open`.

    Unknown terms and unreadable dates are ignored, as Shopify ignores them (with a search warning).
    """
    checks: list[Callable[[dict], bool]] = []
    ranges: dict[str, list] = {}
    for m in SEARCH_TERM.finditer(query or ""):
        term, op, raw = m.group("field").lower(), m.group("op") or "=", m.group("value")
        value = raw[1:-1] if raw[:1] in "'\"" else raw
        negate = bool(m.group("neg"))
        check: Callable[[dict], bool]
        if term in SEARCH_DATES:
            node_field, instant = SEARCH_DATES[term], parse_instant(value)
            if instant is None:
                continue
            check = _compare(lambda r, f=node_field: parse_instant(r.get(f)), op, instant)
            if not negate:
                lo, hi = ranges.setdefault(node_field, [None, None])
                if op in (">", ">=", "="):
                    ranges[node_field][0] = instant if lo is None else max(lo, instant)
                if op in ("<", "<=", "="):
                    ranges[node_field][1] = instant if hi is None else min(hi, instant)
        elif term == "id":
            number = (
                gid_number(value) if value.startswith("gid://") else int(value) if value.isdigit() else None
            )
            if number is None:
                continue
            check = _compare(lambda r: gid_number(r.get("id")), op, number)
        elif term == "status":
            check = _status(value.lower())
        elif term in SEARCH_EQUALS:
            check = _equals(SEARCH_EQUALS[term], value.lower())
        else:
            continue
        checks.append((lambda r, c=check: not c(r)) if negate else check)
    return (lambda record: all(c(record) for c in checks)), {k: tuple(v) for k, v in ranges.items()}


def _status(state: str) -> Callable[[dict], bool]:
    """`status:` of orders (open/closed/cancelled/any) and products (active/draft/archived)."""
    orders = {
        "open": lambda r: r.get("closedAt") is None and r.get("cancelledAt") is None,
        "closed": lambda r: r.get("closedAt") is not None,
        "cancelled": lambda r: r.get("cancelledAt") is not None,
        "any": lambda r: True,
    }
    return orders.get(state) or (lambda r: str(r.get("status")).lower() == state)


def _equals(node_field: str, wanted: str) -> Callable[[dict], bool]:
    return lambda record: str(record.get(node_field)).lower() == wanted


def _compare(get: Callable[[dict], Any], op: str, value: Any) -> Callable[[dict], bool]:
    def check(record: dict) -> bool:
        have = get(record)
        return have is not None and COMPARE[op](have, value)

    return check


# -- request context ---------------------------------------------------------------------------------


@dataclass
class Context:
    """What the resolvers of one request see."""

    store: StoreFolder
    shop: Mapping[str, Any]  # the Shop node
    scopes: frozenset[str]
    now: float  # wall-clock seconds (the 60-day order window)
    protected_data: bool = True  # False: level-2 customer fields come back null
    bulk: list[dict] | None = None  # a bulk operation's batch of root nodes (connections unpaged)
    bulk_ops: Any = None  # the store's `shopify_bulk.BulkOperations` (None: not offered)
    base_url: str = ""  # how the client reached the store (bulk result URLs are built on it)

    def require(self, scope: str, field_name: str) -> None:
        if scope not in self.scopes:
            raise access_denied(field_name, f"`{scope}` access scope.")

    def visible(self, resource: Resource, record: dict | None) -> dict | None:
        """The node a request may see: None outside the scopes' view, protected fields nulled."""
        if record is None:
            return None
        if resource.name == "orders" and "read_all_orders" not in self.scopes:
            created = parse_instant(record.get("createdAt"))  # a summary field: no parse of the record
            if created is None or created < self.now - ORDERS_WINDOW_DAYS * 86400:
                return None
        node = full(record)
        return node if self.protected_data else redact(resource.typename, node)


def access_denied(field_name: str, required: str) -> GraphQLError:
    return GraphQLError(
        f"Access denied for {field_name} field. Required access: {required}",
        extensions={"code": "ACCESS_DENIED", "documentation": ACCESS_DOC, "requiredAccess": required},
    )


def redact(typename: str, node: dict) -> dict:
    """A copy of `node` with its level-2 protected customer fields (and those of its addresses) null."""
    out = {**node, **{name: None for name in PROTECTED.get(typename, ()) if name in node}}
    if typename == "Customer":
        out["displayName"] = ""
        if out.get("defaultEmailAddress"):
            out["defaultEmailAddress"] = {**out["defaultEmailAddress"], "emailAddress": None}
        for key in ("defaultAddress",):
            if out.get(key):
                out[key] = redact("MailingAddress", out[key])
        if isinstance(out.get("addressesV2"), dict):
            out["addressesV2"] = {"nodes": [redact("MailingAddress", a) for a in out["addressesV2"]["nodes"]]}
    if typename == "Order":
        for key in ("billingAddress", "shippingAddress"):
            if out.get(key):
                out[key] = redact("MailingAddress", out[key])
        if out.get("customer"):
            out["customer"] = redact("Customer", out["customer"])
    return out


# -- connections ---------------------------------------------------------------------------------------


def page_size(args: Mapping[str, Any], field_name: str) -> int:
    first, last = args.get("first"), args.get("last")
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last")
    size = first if first is not None else last
    if size < 0 or size > MAX_PAGE:
        raise GraphQLError(
            f"The maximum page size of {field_name} is {MAX_PAGE} (got {size}); first and last must be "
            f"between 0 and {MAX_PAGE}",
            extensions={"code": "BAD_USER_INPUT"},
        )
    return size


def connection(
    nodes: list[dict], keys: list[Any], *, has_next: bool, has_previous: bool, cursor_of: Callable[[Any], str]
) -> dict:
    """A connection value with everything a selection may ask for (graphql-core picks the fields)."""
    cursors = [cursor_of(k) for k in keys]
    return {
        "nodes": nodes,
        "edges": [{"cursor": c, "node": n} for c, n in zip(cursors, nodes, strict=True)],
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": has_previous,
            "startCursor": cursors[0] if cursors else None,
            "endCursor": cursors[-1] if cursors else None,
        },
    }


def sort_key(node_field: str | None) -> Callable[[dict], tuple]:
    """Records by a node field, then by the GID's number (`None`: by the number alone, sortKey ID)."""
    if node_field is None:
        return lambda r: (gid_number(r.get("id")),)
    return lambda r: (sortable(r.get(node_field)), gid_number(r.get("id")))


def rows(
    ctx: Context, resource: Resource, args: Mapping[str, Any], *, from_end: bool = False
) -> Iterator[tuple]:
    """(sort key, visible node) of a resource file in the requested order, lazily: sortKey, reverse,
    `query:` and the after/before cursors applied (`from_end`: walked backwards, for `last`)."""
    node_field = resource.sort_fields.get(args.get("sortKey") or "ID")  # other keys (RELEVANCE …): by id
    view = ctx.store.get(resource.name).sorted_view(("shopify", node_field), sort_key(node_field))
    keep, ranges = search_filter(args.get("query"))
    start, stop = 0, len(view.keys)
    if node_field in ranges:
        lo, hi = ranges[node_field]
        if lo is not None:
            start = view.range(((1, lo),))[0]
        if hi is not None:
            stop = max(start, view.range(None, ((1, hi), math.inf))[1])
    after = as_key(decode_cursor(args["after"])["k"]) if args.get("after") else None
    before = as_key(decode_cursor(args["before"])["k"]) if args.get("before") else None
    reverse = bool(args.get("reverse"))
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
    for index, record in scan(view, start, max(start, stop), reverse != from_end, keep):
        node = ctx.visible(resource, record)
        if node is not None:
            yield view.keys[index], node


def top_connection(
    ctx: Context, resource: Resource, args: Mapping[str, Any], info: GraphQLResolveInfo
) -> dict:
    """One page of a resource file in the requested order (in a bulk operation: the batch it is given)."""
    ctx.require(resource.scope, info.field_name)
    if ctx.bulk is not None:
        return connection(
            ctx.bulk, list(range(len(ctx.bulk))), has_next=False, has_previous=False, cursor_of=str
        )
    size = page_size(args, info.field_name)
    from_end = args.get("first") is None
    page = list(islice(rows(ctx, resource, args, from_end=from_end), size + 1))
    overflow = len(page) > size
    page = page[:size]
    if from_end:
        page.reverse()
    sort_name = args.get("sortKey") or "ID"
    return connection(
        [n for _, n in page],
        [k for k, _ in page],
        has_next=overflow if not from_end else bool(args.get("before")),
        has_previous=overflow if from_end else bool(args.get("after")),
        cursor_of=lambda key: encode_cursor({"k": key, "s": sort_name}),
    )


def nested_connection(parent: Mapping[str, Any], info: GraphQLResolveInfo, **args: Any) -> dict:
    """A connection over a list inside the node (`lineItems`, `variants` …), paged by index."""
    raw = parent.get(info.field_name)
    items = list((raw.get("nodes") if isinstance(raw, dict) else raw) or [])
    ctx: Context = info.context
    if ctx.bulk is not None:
        return connection(items, list(range(len(items))), has_next=False, has_previous=False, cursor_of=str)
    return list_connection(items, args, info.field_name)


def list_connection(items: list[dict], args: Mapping[str, Any], field_name: str) -> dict:
    """A page of a list held in memory: first/after, last/before and reverse, cursors by position."""
    size = page_size(args, field_name)
    indexes = list(range(len(items)))
    if args.get("reverse"):
        indexes.reverse()
    if args.get("after"):
        position = decode_cursor(args["after"])["k"]
        indexes = indexes[indexes.index(position) + 1 :] if position in indexes else []
    if args.get("before"):
        position = decode_cursor(args["before"])["k"]
        indexes = indexes[: indexes.index(position)] if position in indexes else indexes
    page = indexes[:size] if args.get("first") is not None else indexes[max(0, len(indexes) - size) :]
    has_next = len(page) < len(indexes) and args.get("first") is not None or bool(args.get("before"))
    has_previous = bool(args.get("after")) or (args.get("first") is None and len(page) < len(indexes))
    return connection(
        [items[i] for i in page],
        page,
        has_next=has_next,
        has_previous=has_previous,
        cursor_of=lambda i: encode_cursor({"k": i}),
    )


def cut_list(parent: Mapping[str, Any], info: GraphQLResolveInfo, first: int | None = None) -> Any:
    """A list field with a `first` argument (`refunds(first: 5)`): its first n items."""
    items = parent.get(info.field_name) or []
    return items if first is None else items[: max(0, first)]


# -- the events (deletions) --------------------------------------------------------------------------


def deletion_event(deletion: Deletion) -> dict:
    """A removal from the data files as the `BasicEvent` Shopify records for a deleted resource."""
    resource = RESOURCES[deletion.resource]
    subject = deletion.id if gid_type(deletion.id) else f"gid://shopify/{resource.typename}/{deletion.id}"
    return {
        "__typename": "BasicEvent",
        "id": f"gid://shopify/BasicEvent/{deletion.sequence}",
        "action": "destroy",
        "createdAt": utc_z(deletion.deleted_at),  # whole seconds, as Shopify
        "subjectId": subject,
        "subjectType": resource.subject,
        "message": f"{resource.typename} was deleted.",
    }


def events(ctx: Context, args: Mapping[str, Any], info: GraphQLResolveInfo) -> dict:
    """The deletion events (oldest first), `first` of them after the cursor, filtered by `query:`."""
    size = page_size(args, info.field_name)
    keep, _ = search_filter(args.get("query"))
    after = decode_cursor(args["after"])["k"] if args.get("after") else 0
    found = [
        (d.sequence, e) for d in ctx.store.deletions() if d.sequence > after and keep(e := deletion_event(d))
    ]
    page = found[:size]
    return connection(
        [e for _, e in page],
        [s for s, _ in page],
        has_next=len(found) > size,
        has_previous=after > 0,
        cursor_of=lambda seq: encode_cursor({"k": seq}),
    )


# -- root resolvers ----------------------------------------------------------------------------------


def lookup(ctx: Context, ident: str, field_name: str) -> dict | None:
    """`node(id:)`: an order, customer or product by GID (or a bulk operation); None if unknown or unseen."""
    typename = gid_type(ident)
    if typename == "BulkOperation" and ctx.bulk_ops is not None:
        return ctx.bulk_ops.get(ident)
    if typename == "Refund":
        return refund(ctx, ident, field_name)
    resource = BY_TYPE.get(typename or "")
    if resource is None:
        return None
    ctx.require(resource.scope, field_name)
    return ctx.visible(resource, ctx.store.get(resource.name).by_id(ident))


def refund(ctx: Context, ident: str, field_name: str) -> dict | None:
    """A refund by GID: found in its order (an index of refund -> order), seen as the order is seen."""
    orders = RESOURCES["orders"]
    ctx.require(orders.scope, field_name)
    dataset = ctx.store.get("orders")
    entry = dataset.derived("refunds", refund_orders).by_id(ident)
    order = ctx.visible(orders, dataset.by_id(entry["order"])) if entry else None
    return next((r for r in (order or {}).get("refunds") or [] if r.get("id") == ident), None)


def refund_orders(records: list[dict]) -> list[dict]:
    """{id: refund GID, order: order GID} of every refund; orders without refunds are not parsed."""
    out = []
    for record in records:
        if isinstance(record, Record) and b'"refunds":[]' in record.raw():
            continue
        node = full(record)
        out.extend({"id": r.get("id"), "order": node.get("id")} for r in node.get("refunds") or [])
    return out


def reference(parent: Mapping[str, Any], info: GraphQLResolveInfo) -> Any:
    """A node another node refers to (`customer`, `product`, `variant`, `lastOrder`): the stored copy
    when it holds every field asked for, else the node itself from its file (as Shopify reads it live)."""
    stored = parent.get(info.field_name)
    if not isinstance(stored, Mapping) or not stored.get("id"):
        return stored
    asked = {f.name.value for node in info.field_nodes for f in selected_fields(node.selection_set)}
    if asked <= set(stored) | {"__typename"}:
        return stored
    ctx: Context = info.context
    typename = gid_type(stored["id"])
    if typename == "ProductVariant":
        if "read_products" not in ctx.scopes:
            return stored
        found = ctx.store.get("products").derived("variants", variant_nodes).by_id(stored["id"])
        return found or stored
    resource = BY_TYPE.get(typename or "")
    if resource is None or resource.scope not in ctx.scopes:
        return stored
    return ctx.visible(resource, ctx.store.get(resource.name).by_id(stored["id"])) or stored


def variant_nodes(products: list[dict]) -> list[dict]:
    """Every product's variants as nodes of their own (with `product`), for lookups by GID."""
    out = []
    for record in products:
        product = full(record)
        ref = {k: product.get(k) for k in ("id", "legacyResourceId", "title", "handle", "vendor")}
        variants = product.get("variants") or {}
        for variant in variants.get("nodes", []) if isinstance(variants, dict) else variants:
            out.append({**variant, "product": ref})
    return out


def by_type(typename: str) -> Callable[..., dict | None]:
    def resolve(_root: Any, info: GraphQLResolveInfo, id: str) -> dict | None:  # noqa: A002 (the argument)
        if gid_type(id) != typename:
            return None
        return lookup(info.context, id, info.field_name)

    return resolve


def resolve_abstract(value: Mapping[str, Any], info: GraphQLResolveInfo, abstract: Any) -> str | None:
    """The concrete type of an interface or union value: its `__typename`, else its GID's type."""
    return (
        value.get("__typename")
        or gid_type(value.get("id"))
        or ("PricingPercentageValue" if "percentage" in value else "MoneyV2")
    )


def bulk_field(method: str) -> Callable[..., Any]:
    """A root field answered by the store's bulk operations (`metric_pulse.sandbox.shopify_bulk`)."""

    def resolve(_root: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        ctx: Context = info.context
        if ctx.bulk_ops is None:
            raise GraphQLError("Bulk operations are not available here", extensions={"code": "ACCESS_DENIED"})
        return getattr(ctx.bulk_ops, method)(ctx, **args)

    return resolve


ROOT: dict[str, Callable[..., Any]] = {
    "shop": lambda _r, info: info.context.shop,
    "currentAppInstallation": lambda _r, info: {
        "id": "gid://shopify/AppInstallation/1",
        "accessScopes": [
            {"handle": s, "description": s.replace("_", " ")} for s in sorted(info.context.scopes)
        ],
    },
    "node": lambda _r, info, id: lookup(info.context, id, info.field_name),  # noqa: A002
    "nodes": lambda _r, info, ids: [lookup(info.context, i, info.field_name) for i in ids],
    "order": by_type("Order"),
    "customer": by_type("Customer"),
    "product": by_type("Product"),
    "events": lambda _r, info, **args: events(info.context, args, info),
    "bulkOperation": bulk_field("get_field"),
    "currentBulkOperation": bulk_field("current"),
    "bulkOperations": bulk_field("listing"),
    "bulkOperationRunQuery": bulk_field("run"),
    "bulkOperationCancel": bulk_field("cancel"),
}
for _name, _resource in RESOURCES.items():
    ROOT[_name] = lambda _r, info, _res=_resource, **args: top_connection(info.context, _res, args, info)


def _wire(schema: GraphQLSchema) -> None:
    """Attach the resolvers: root fields, nested connections, cut lists, abstract types."""
    root_types = {schema.query_type, schema.mutation_type}
    for named in schema.type_map.values():
        if isinstance(named, (GraphQLInterfaceType, GraphQLUnionType)):
            named.resolve_type = resolve_abstract
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        for name, definition in named.fields.items():
            if named in root_types:
                definition.resolve = ROOT[name]
            elif get_named_type(definition.type).name.endswith("Connection"):
                definition.resolve = nested_connection
            elif is_list_type(unwrap(definition.type)) and "first" in definition.args:
                definition.resolve = cut_list
            elif get_named_type(definition.type).name in REFERENCED and not is_list_type(
                unwrap(definition.type)
            ):
                definition.resolve = reference


_wire(SCHEMA)


# -- running one query ----------------------------------------------------------------------------------


@dataclass
class Prepared:
    """A parsed, validated operation ready to run, with its requested cost."""

    document: DocumentNode
    operation: OperationDefinitionNode
    variables: dict[str, Any]
    cost: Cost
    requested: int


def prepare(
    query: str, variables: Mapping[str, Any] | None, operation_name: str | None
) -> Prepared | list[dict]:
    """The operation to run, or Shopify-shaped errors (parse, validation, operation choice)."""
    document, errors = parse_query(query)
    if errors:
        return [error_json(e) for e in errors]
    assert document is not None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        chosen = [o for o in operations if o.name and o.name.value == operation_name]
        if not chosen:
            return [{"message": f'No operation named "{operation_name}"'}]
        operation = chosen[0]
    elif len(operations) == 1:
        operation = operations[0]
    else:
        return [{"message": "An operation name is required"}]
    cost = Cost(document, operation, variables or {})
    return Prepared(document, operation, dict(variables or {}), cost, cost.requested())


def run(prepared: Prepared, ctx: Context) -> tuple[dict | None, list[dict]]:
    """Execute a prepared operation: (data, errors as Shopify formats them)."""
    result = execute(
        SCHEMA,
        prepared.document,
        context_value=ctx,
        variable_values=prepared.variables,
        operation_name=prepared.operation.name.value if prepared.operation.name else None,
        is_awaitable=lambda _value: False,  # every resolver here is synchronous: skip the check per value
    )
    return result.data, [error_json(e) for e in result.errors or []]


def error_json(error: GraphQLError) -> dict:
    out = error.formatted
    if error.path is None and "path" in out:
        del out["path"]
    return dict(out)


def shop_node(domain: str, plan: str) -> dict:
    """The Shop node of a sandbox store (`myshopifyDomain` is its identity)."""
    return {
        "id": "gid://shopify/Shop/548380009",
        "name": domain.removesuffix(".myshopify.com"),
        "email": f"owner@{domain}",
        "myshopifyDomain": domain,
        "currencyCode": "USD",
        "ianaTimezone": "America/New_York",
        "timezoneAbbreviation": "EST",
        "billingAddress": {"countryCodeV2": "US", "provinceCode": "NY", "city": "New York"},
        "plan": {
            "displayName": {"standard": "Basic", "advanced": "Advanced", "plus": "Shopify Plus"}.get(
                plan, "Commerce Components"
            ),
            "partnerDevelopment": False,
            "shopifyPlus": plan in ("plus", "enterprise"),
        },
        "createdAt": "2023-01-02T15:00:00Z",
        "updatedAt": "2024-06-01T16:00:00Z",
    }
