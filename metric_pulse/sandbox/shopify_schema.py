"""The Shopify GraphQL Admin API's schema as the sandbox serves it, and what is read off a query
without touching data: Shopify's validation messages and its calculated query cost.

`SCHEMA` is `shopify_schema.graphql` built by graphql-core (the resolvers are attached by
`metric_pulse.sandbox.shopify_graphql`). `check` validates a document with graphql-core's rules,
two of them replaced by Shopify's wording (`undefinedField`, `argumentNotAccepted`). `Cost` prices
an operation by Shopify's published rules: scalars and enums 0, objects 1, connections 2 +
(first|last) x the cost of one node, interfaces and unions their costliest type, mutations 10;
requested before running, actual from the answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    build_schema,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    parse,
    validate,
)
from graphql.execution.values import get_argument_values
from graphql.validation import ValidationRule, specified_rules
from graphql.validation.rules.fields_on_correct_type import FieldsOnCorrectTypeRule
from graphql.validation.rules.known_argument_names import (
    KnownArgumentNamesOnDirectivesRule,
    KnownArgumentNamesRule,
)

SCHEMA: GraphQLSchema = build_schema(Path(__file__).with_name("shopify_schema.graphql").read_text())
MUTATION_COST = 10


def gid_type(value: Any) -> str | None:
    """`gid://shopify/Order/1` -> "Order"."""
    match = re.match(r"^gid://shopify/(\w+)/", str(value))
    return match.group(1) if match else None


def gid_number(value: Any) -> int:
    """`gid://shopify/Order/123` -> 123 (sorts ids as numbers, as Shopify does); -1 if there is none."""
    match = re.match(r"^gid://shopify/\w+/(\d+)", str(value))
    return int(match.group(1)) if match else -1


def selected_fields(selection: SelectionSetNode | None) -> Iterator[FieldNode]:
    """The fields of a selection set, through fragments (their type conditions ignored)."""
    for node in selection.selections if selection else []:
        if isinstance(node, FieldNode):
            yield node
        elif isinstance(node, InlineFragmentNode):
            yield from selected_fields(node.selection_set)


def unwrap(type_: Any) -> Any:
    """A field's type without its non-null wrapper (`[Refund!]!` -> `[Refund!]`)."""
    return get_nullable_type(type_)


def node_selections(field_node: FieldNode) -> Iterator[tuple[list[str], SelectionSetNode | None]]:
    """(answer keys down to the node list, the node's selection) of a connection field: `["nodes"]`, or
    `["edges", "node"]` (response keys: aliases honoured)."""
    for part in selected_fields(field_node.selection_set):
        key = (part.alias or part.name).value
        if part.name.value == "nodes":
            yield [key], part.selection_set
        elif part.name.value == "edges":
            for inner in selected_fields(part.selection_set):
                if inner.name.value == "node":
                    yield [key, (inner.alias or inner.name).value], inner.selection_set


def answered_nodes(value: Mapping[str, Any], keys: list[str]) -> Iterator[Mapping]:
    """The nodes of a connection's answer found under `keys` (see `node_selections`)."""
    items = value.get(keys[0]) or []
    if len(keys) == 2:
        items = [e.get(keys[1]) for e in items if isinstance(e, Mapping)]
    return (item for item in items if isinstance(item, Mapping))


# -- validation with Shopify's messages -----------------------------------------------------------


def query_path(ancestors: list, node: FieldNode) -> list[str]:
    """Where a field sits, as Shopify's errors say it: `["query Name", "orders", "nodes", "id"]`."""
    where = []
    for ancestor in ancestors:
        if isinstance(ancestor, OperationDefinitionNode):
            label = ancestor.operation.value
            where.append(f"{label} {ancestor.name.value}" if ancestor.name else label)
        elif isinstance(ancestor, FieldNode):
            where.append((ancestor.alias or ancestor.name).value)
    return [*where, (node.alias or node.name).value]


class UndefinedFieldRule(ValidationRule):
    """Shopify's error for a field that does not exist: `Field 'x' doesn't exist on type 'Order'`."""

    def enter_field(self, node: FieldNode, _key: Any, _parent: Any, _path: Any, ancestors: list) -> None:
        parent_type = self.context.get_parent_type()
        name = node.name.value
        if parent_type is None or name.startswith("__") or name in getattr(parent_type, "fields", {}):
            return
        self.report_error(
            GraphQLError(
                f"Field '{name}' doesn't exist on type '{parent_type.name}'",
                node,
                path=query_path(ancestors, node),
                extensions={"code": "undefinedField", "typeName": parent_type.name, "fieldName": name},
            )
        )


class UnknownArgumentRule(KnownArgumentNamesOnDirectivesRule):
    """Shopify's error for an argument a field does not take: `Field 'orders' doesn't accept argument
    'frist'` (directives' arguments are checked as graphql-core does)."""

    def enter_argument(
        self, node: ArgumentNode, _key: Any, _parent: Any, _path: Any, ancestors: list
    ) -> None:
        definition = self.context.get_field_def()
        field_node = next((a for a in reversed(ancestors) if isinstance(a, FieldNode)), None)
        if definition is None or field_node is None or node.name.value in definition.args:
            return
        name = field_node.name.value
        self.report_error(
            GraphQLError(
                f"Field '{name}' doesn't accept argument '{node.name.value}'",
                node,
                path=[*query_path(ancestors[: ancestors.index(field_node)], field_node), node.name.value],
                extensions={
                    "code": "argumentNotAccepted",
                    "name": name,
                    "typeName": "Field",
                    "argumentName": node.name.value,
                },
            )
        )


SHOPIFY_RULES = {FieldsOnCorrectTypeRule: UndefinedFieldRule, KnownArgumentNamesRule: UnknownArgumentRule}
RULES = [SHOPIFY_RULES.get(rule, rule) for rule in specified_rules]


def check(document: DocumentNode) -> list[GraphQLError]:
    """The validation errors of a parsed query against the schema (Shopify's messages where we know them)."""
    return validate(SCHEMA, document, RULES)


def parse_query(query: str) -> tuple[DocumentNode | None, list[GraphQLError]]:
    try:
        document = parse(query)
    except GraphQLError as exc:
        return None, [exc]
    return document, check(document)


# -- cost ------------------------------------------------------------------------------------------


class Cost:
    """Shopify's calculated query cost of one operation: `requested()` before, `actual(data)` after."""

    def __init__(
        self, document: DocumentNode, operation: OperationDefinitionNode, variables: Mapping[str, Any]
    ):
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.operation = operation
        self.variables = dict(variables)

    def requested(self) -> int:
        return self._root(None)

    def actual(self, data: Mapping[str, Any] | None) -> int:
        return self._root(data or {})

    def _root(self, data: Mapping[str, Any] | None) -> int:
        if self.operation.operation.value == "mutation":
            return MUTATION_COST
        return self._selection(self.operation.selection_set, SCHEMA.query_type, data)

    def _selection(self, selection: SelectionSetNode | None, parent: Any, data: Any) -> int:
        """Plain fields add up; fragments on other types of an abstract parent count the costliest."""
        if selection is None:
            return 0
        total, alternatives = 0, [0]
        for node in selection.selections:
            if isinstance(node, FieldNode):
                total += self._field(node, parent, data)
                continue
            if isinstance(node, FragmentSpreadNode):
                fragment = self.fragments.get(node.name.value)
                if fragment is None:
                    continue
                condition, inner = fragment.type_condition, fragment.selection_set
            elif isinstance(node, InlineFragmentNode):
                condition, inner = node.type_condition, node.selection_set
            else:
                continue
            target = SCHEMA.get_type(condition.name.value) if condition else parent
            if data is not None and isinstance(data, Mapping) and target is not parent:
                if not _is_a(data, target):
                    continue
            cost = self._selection(inner, target, data)
            if target is parent or not is_abstract_type(parent):
                total += cost
            else:
                alternatives.append(cost)
        return total + max(alternatives)

    def _field(self, node: FieldNode, parent: Any, data: Any) -> int:
        definition: GraphQLField | None = getattr(parent, "fields", {}).get(node.name.value)
        if definition is None:
            return 0
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return 0
        value = data.get((node.alias or node.name).value) if isinstance(data, Mapping) else None
        if data is not None and value is None:
            return 0
        if named.name.endswith("Connection"):
            return self._connection(node, definition, named, value)
        if isinstance(value, list):  # a list of objects in the answer: each one costs
            return sum(1 + self._selection(node.selection_set, named, item) for item in value)
        per = 1 + self._selection(node.selection_set, named, value)
        if data is None and is_list_type(unwrap(definition.type)):
            return per * max(1, self._size(node, definition) or 1)
        return per

    def _connection(self, node: FieldNode, definition: GraphQLField, connection_type: Any, value: Any) -> int:
        """2 + the costliest way the nodes are selected (`nodes`, `edges { node }`): first x one node
        before running, the nodes answered after."""
        node_type = get_named_type(connection_type.fields["nodes"].type)
        best = 0
        for keys, selection in node_selections(node):
            if value is None:
                per_node = 1 + self._selection(selection, node_type, None)
                best = max(best, (self._size(node, definition) or 0) * per_node)
                continue
            items = list(answered_nodes(value, keys))
            best = max(best, sum(1 + self._selection(selection, node_type, item) for item in items))
        return 2 + best

    def _size(self, node: FieldNode, definition: GraphQLField) -> int | None:
        try:
            args = get_argument_values(definition, node, self.variables)
        except GraphQLError:
            return None
        size = args.get("first") if args.get("first") is not None else args.get("last")
        if size is None and isinstance(args.get("ids"), list):  # nodes(ids:): one per id
            size = len(args["ids"])
        return size if isinstance(size, int) else None


def _is_a(value: Mapping[str, Any], target: Any) -> bool:
    """Whether an answered object is of `target` (an object type, or an abstract type it implements)."""
    typename = value.get("__typename") or gid_type(value.get("id"))
    if typename is None or not is_abstract_type(target):
        return typename is None or typename == target.name
    concrete = SCHEMA.get_type(typename)
    return concrete is not None and SCHEMA.is_sub_type(target, concrete)
