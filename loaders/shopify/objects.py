"""GraphQL objects as dlt loads them: every connection replaced by the plain list of its nodes.

The Admin API wraps each paged list in a connection (`{"nodes": [...], "pageInfo":
{...}}`, or `{"edges": [{"node": ...}]}`); dlt would make `line_items__nodes` tables
of them and keep cursors nobody needs. Once a connection has been read to its end
(loaders/shopify/listing.py follows the truncated ones; a bulk operation's JSONL is
complete), `flatten` makes it the list itself, so `lineItems` becomes the child table
`orders__line_items`. The `__typename` of a connection goes with it; that of a node
(a discount application's `DiscountCodeApplication`...) is data and stays. Both the
paginated path and the bulk path (loaders/shopify/bulk.py) call it: same objects,
same rows.
"""

from __future__ import annotations

from typing import Any

CONNECTION_KEYS = frozenset({"nodes", "edges", "pageInfo", "__typename"})


def is_connection(value: Any) -> bool:
    """A connection object: only `nodes` and/or `edges`, with `pageInfo` or `__typename` at most."""
    return (
        isinstance(value, dict)
        and ("nodes" in value or "edges" in value)
        and CONNECTION_KEYS.issuperset(value)
        and isinstance(value.get("nodes", value.get("edges")), list)
    )


def connection_items(connection: dict[str, Any]) -> list[Any]:
    """The nodes of a connection, whether it was asked for with `nodes` or with `edges { node }`."""
    if "nodes" in connection:
        return connection["nodes"]
    return [edge.get("node") if isinstance(edge, dict) else edge for edge in connection["edges"]]


def flatten(value: Any) -> Any:
    """`value` with every connection, at any depth, replaced by the list of its (flattened) nodes."""
    if is_connection(value):
        return [flatten(item) for item in connection_items(value)]
    if isinstance(value, dict):
        return {key: flatten(item) for key, item in value.items()}
    if isinstance(value, list):
        return [flatten(item) for item in value]
    return value
