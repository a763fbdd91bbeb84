"""The Bulk Operation document of a resource, made from the same `Node` tree as its paginated query.

Both paths read the same fields (loaders/shopify/queries.py). Shopify's bulk rules
(shopify.dev, "Perform bulk operations": at most five connections, two levels of
nesting, no connection inside a list field) and its way of returning nested nodes
make three differences:

* connections lose their paging (`first:` and `pageInfo`): a bulk query returns every
  node, each on a line of its own; they are written `edges { node { ... } }`, the form
  of Shopify's bulk examples;
* the items of a list field (`Order.refunds`) keep their plain fields but not their
  connections (`refundLineItems`, `transactions`...): Shopify refuses those in a bulk
  query. `followed_lists` names such lists; bulk.py fetches their connections
  afterwards with paginated `nodes(ids:)` queries (docs/loaders.md);
* the root connection takes the paginated path's `updated_at:>=` filter.

`routes` says, for each type with connections, which connection a child line belongs
to, from the type in the child's GID (`gid://shopify/LineItem/1` -> `lineItems`); a
connection whose nodes have no id (discount applications) takes the children without one.
"""

from __future__ import annotations

import json
import re

from loaders.shopify.bulk_jsonl import NO_ID, Routes
from loaders.shopify.queries import Node

NESTED = re.compile(r"\{[^{}]*\}")


def selects_id(fields: str) -> bool:
    """Whether a selection asks for `id` at its own level (not only inside `variant { id }`)."""
    while NESTED.search(fields):
        fields = NESTED.sub(" ", fields)
    return "id" in fields.split()


def render_bulk(node: Node) -> str:
    """The selection of one `node` in a bulk document (see the module docstring)."""
    parts = [node.fields]
    parts += [f"{c.field} {{ edges {{ node {{ {render_bulk(c.node)} }} }} }}" for c in node.connections]
    parts += [f"{name} {{ {child.fields} }}" for name, child in node.lists]
    return " ".join(parts)


def bulk_document(resource: str, node: Node, search: str | None) -> str:
    """`{ <resource>(query: "<search>") { edges { node { ... } } } }` for `bulkOperationRunQuery`."""
    arguments = f"(query: {json.dumps(search)})" if search else ""
    return f"{{ {resource}{arguments} {{ edges {{ node {{ {render_bulk(node)} }} }} }} }}"


def followed_lists(node: Node) -> tuple[tuple[str, Node], ...]:
    """The list fields of `node` whose items have connections a bulk document leaves out."""
    return tuple((name, child) for name, child in node.lists if child.connections)


def routes(node: Node) -> Routes:
    """{type: {child type (NO_ID for nodes without an id): connection}} for `node` and the nodes below it."""
    found: dict[str, dict[str, str]] = {}
    pending = [node]
    while pending:
        parent = pending.pop()
        for connection in parent.connections:
            child = connection.node
            key = child.type if selects_id(child.fields) else NO_ID
            if key in found.setdefault(parent.type, {}):
                raise ValueError(f"{parent.type} has two connections of {key or 'id-less'} nodes")
            found[parent.type][key] = connection.field
            pending.append(child)
    return found
