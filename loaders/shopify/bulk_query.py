"""The Bulk Operation document for a resource, made from the paginated query's node selection.

One selection per resource lives in `queries.py`; the bulk document is derived from it
so both paths ask for the same fields. Shopify's bulk restrictions (shopify.dev, "Perform
bulk operations": at most five connections, two levels of nesting, no connection inside a
list field) and its handling of pagination make three changes:

* connections directly on the root node (`lineItems`, `variants`...) lose their paging
  (`first:`/`after:` arguments and `pageInfo`): a bulk query returns every node, each on
  a line of its own, and `nodes { ... }` is written `edges { node { ... } }`, the form of
  Shopify's bulk examples;
* connections deeper down, i.e. inside a list field such as `Order.refunds` (its
  `refundLineItems`, `transactions`, `orderAdjustments`), are removed: Shopify refuses
  them in a bulk query. `deferred()` names them; bulk.py fetches them afterwards with
  paginated queries for the objects that have any (see docs/loaders.md);
* the root connection takes the same `query:` filter as the paginated path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from graphql import (
    ArgumentNode,
    FieldNode,
    NameNode,
    SelectionSetNode,
    parse,
    print_ast,
)
from graphql.language import OperationDefinitionNode

PAGING_ARGUMENTS = frozenset({"first", "after", "last", "before"})


@dataclass(frozen=True)
class Deferred:
    """A connection the bulk document leaves out: `path` below the root node, e.g. ("refunds",)."""

    path: tuple[str, ...]
    field: str
    selection: str
    """The field as the paginated query selects it (with its paging), for the follow-up query."""


def _is_connection(field: FieldNode) -> bool:
    return field.selection_set is not None and any(
        isinstance(s, FieldNode) and s.name.value in ("nodes", "edges")
        for s in field.selection_set.selections
    )


def _fields(selection_set: SelectionSetNode) -> list[FieldNode]:
    return [s for s in selection_set.selections if isinstance(s, FieldNode)]


def _node_selection(connection: FieldNode) -> SelectionSetNode:
    """The selection of one node of a connection written with `nodes` or `edges { node }`."""
    for field in _fields(connection.selection_set):
        if field.name.value == "nodes":
            return field.selection_set
        if field.name.value == "edges":
            for inner in _fields(field.selection_set):
                if inner.name.value == "node":
                    return inner.selection_set
    raise ValueError(f"{connection.name.value} selects neither nodes nor edges {{ node }}")


def _edges(connection: FieldNode, node: SelectionSetNode, arguments: tuple[ArgumentNode, ...]) -> FieldNode:
    """`connection(arguments) { edges { node { <node> } } }`."""
    node_field = FieldNode(name=NameNode(value="node"), arguments=(), directives=(), selection_set=node)
    edges = FieldNode(
        name=NameNode(value="edges"),
        arguments=(),
        directives=(),
        selection_set=SelectionSetNode(selections=(node_field,)),
    )
    return FieldNode(
        alias=connection.alias,
        name=connection.name,
        arguments=arguments,
        directives=connection.directives,
        selection_set=SelectionSetNode(selections=(edges,)),
    )


def _without_connections(
    selection_set: SelectionSetNode, path: tuple[str, ...], removed: list[Deferred]
) -> SelectionSetNode:
    """`selection_set` with every connection below it removed (and listed in `removed`)."""
    kept = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode) and _is_connection(selection):
            removed.append(Deferred(path, selection.name.value, print_ast(selection)))
            continue
        if isinstance(selection, FieldNode) and selection.selection_set is not None:
            inner = _without_connections(selection.selection_set, (*path, selection.name.value), removed)
            selection = FieldNode(
                alias=selection.alias,
                name=selection.name,
                arguments=selection.arguments,
                directives=selection.directives,
                selection_set=inner,
            )
        kept.append(selection)
    return SelectionSetNode(selections=tuple(kept))


def _root_node(selection: str) -> SelectionSetNode:
    document = parse(f"{{ {selection} }}")
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return operation.selection_set


def bulk_node(selection: str) -> tuple[SelectionSetNode, list[Deferred]]:
    """The root node's selection for a bulk query, and the connections it had to leave out."""
    removed: list[Deferred] = []
    kept = []
    for field in _root_node(selection).selections:
        if isinstance(field, FieldNode) and _is_connection(field):
            node = _without_connections(_node_selection(field), (field.name.value,), removed)
            arguments = tuple(a for a in field.arguments if a.name.value not in PAGING_ARGUMENTS)
            kept.append(_edges(field, node, arguments))
        elif isinstance(field, FieldNode) and field.selection_set is not None:
            inner = _without_connections(field.selection_set, (field.name.value,), removed)
            kept.append(
                FieldNode(
                    alias=field.alias,
                    name=field.name,
                    arguments=field.arguments,
                    directives=field.directives,
                    selection_set=inner,
                )
            )
        else:
            kept.append(field)
    return SelectionSetNode(selections=tuple(kept)), removed


def bulk_document(resource: str, selection: str, search: str | None) -> str:
    """`{ <resource>(query: "<search>") { edges { node { ... } } } }` for `bulkOperationRunQuery`."""
    node, _ = bulk_node(selection)
    arguments = f"(query: {json.dumps(search)})" if search else ""
    return f"{{ {resource}{arguments} {{ edges {{ node {print_ast(node)} }} }} }}"


def deferred(selection: str) -> list[Deferred]:
    """The connections of `selection` a bulk document cannot carry (inside list fields)."""
    return bulk_node(selection)[1]


def updated_since(since: datetime | None) -> str | None:
    """The search filter for records changed at or after `since` (to the second, rounded down)."""
    if since is None:
        return None
    return f"updated_at:>='{since.astimezone(UTC).replace(microsecond=0).strftime('%Y-%m-%dT%H:%M:%SZ')}'"
