"""Paginated GraphQL listings: `orders/customers/products(first:, after:, sortKey: UPDATED_AT, query:)`.

A `CursorPaginator` walks one connection by its `pageInfo.endCursor`, in the spirit of
the other platforms' paginators (loaders/paging.py), and every listing runs under the
same `PageGuard`, so a server that repeats a cursor or a page cannot keep a run going.

What makes GraphQL different:

* **Cost.** Shopify prices a query before running it and refuses one over its
  single-query limit (or larger than the whole bucket). The refusal says the price,
  so the page is asked for again with `first` scaled down to fit, and that size is
  kept for the rest of the run (`ShopifyGraphQL.page_sizes`). A page that keeps
  failing with 5xx is halved, as on the other platforms.
* **Nested connections.** An order's `lineItems(first: 10)` holds the first ten lines
  only; `complete` reads every connection cut off at its page size to the end with
  `node(id:)` queries (an order with 300 line items loads all 300), then `flatten`
  turns the connections into plain lists for dlt (loaders/shopify/objects.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from loaders.errors import ApiError, ServerFailure
from loaders.paging import PageGuard, Paginator, PagingError, Params, listing_pages
from loaders.shopify.graphql import QueryTooCostly, ShopifyGraphQL
from loaders.shopify.objects import connection_items, flatten
from loaders.shopify.queries import NODES, Node, follow_query, listing_query, updated_since
from loaders.shopify.settings import MAX_PAGE_SIZE, PLATFORM

log = logging.getLogger(__name__)


class CursorPaginator(Paginator):
    """`first` + `after` over one connection, found in `data` at `path`; ends when `hasNextPage` is false."""

    resizable = True  # a cursor does not depend on the size of the pages before it

    def __init__(self, limit: int, path: tuple[str, ...], variables: Mapping[str, Any]) -> None:
        super().__init__()
        self.limit = limit
        self.path = path
        self.variables = dict(variables)
        self.after: str | None = None

    def next_request(self) -> Params:
        return {**self.variables, "first": self.limit, "after": self.after}

    def update_state(self, response: Any, records: list[Any]) -> None:
        info = connection_at(response, self.path).get("pageInfo") or {}
        if not info.get("hasNextPage"):
            self.has_next_page = False
            return
        cursor = info.get("endCursor")
        if not isinstance(cursor, str) or not cursor:
            raise PagingError("pageInfo.hasNextPage came without an endCursor")
        self.after = cursor


def connection_at(data: Any, path: tuple[str, ...]) -> dict[str, Any]:
    """The connection object at `path` in a query's `data` ({} when absent: a node deleted meanwhile)."""
    for name in path:
        data = data.get(name) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def connection_pages(
    client: ShopifyGraphQL,
    query: str,
    path: tuple[str, ...],
    variables: Mapping[str, Any],
    first: int,
    after: str | None = None,
) -> Iterator[list[Any]]:
    """Every page of nodes of the connection at `path` of `query` (from cursor `after`), under a `PageGuard`."""
    paginator = CursorPaginator(client.page_sizes.get(query, first), path, variables)
    paginator.after = after

    def resize(exc: Exception) -> bool:
        if isinstance(exc, QueryTooCostly) and paginator.limit > 1:
            paginator.limit = client.page_sizes[query] = exc.fitted(paginator.limit)
            log.info(
                "%s: %s costs too much per page; asking for %d at a time", PLATFORM, path[0], paginator.limit
            )
            return True
        return isinstance(exc, ServerFailure) and paginator.shrink_page()

    return listing_pages(
        paginator,
        PageGuard(PLATFORM, f"POST graphql {'.'.join(path)}"),
        lambda params: client.execute(query, params),
        lambda data: connection_items(connection) if (connection := connection_at(data, path)) else None,
        resize,
    )


def complete(client: ShopifyGraphQL, node: Node, obj: Any) -> Any:
    """`obj` (one `node` as returned) with each of its connections read to the end, at any depth."""
    if not isinstance(obj, dict):
        return obj
    for connection in node.connections:
        value = obj.get(connection.field)
        if not isinstance(value, dict) or not isinstance(value.get("nodes"), list):
            continue
        info = value.get("pageInfo") or {}
        if info.get("hasNextPage") and isinstance(obj.get("id"), str):
            if not isinstance(info.get("endCursor"), str):  # from the start again would repeat the first page
                raise ApiError(PLATFORM, f"{node.type}.{connection.field}: hasNextPage without an endCursor")
            # The first page is already here: the follow-up starts after its end cursor.
            rest = connection_pages(
                client,
                follow_query(node, connection),
                ("node", connection.field),
                {"id": obj["id"]},
                MAX_PAGE_SIZE,
                info.get("endCursor"),
            )
            value["nodes"] = value["nodes"] + [item for page in rest for item in page]
            value["pageInfo"] = {"hasNextPage": False, "endCursor": None}
        for item in value["nodes"]:
            complete(client, connection.node, item)
    for name, child in node.lists:
        for item in obj.get(name) or []:
            complete(client, child, item)
    return obj


def resource_pages(client: ShopifyGraphQL, resource: str, since: datetime | None) -> Iterator[list[Any]]:
    """Every page of `resource` changed at or after `since` (all when None), oldest change first, complete and
    flattened: the records `admitted()` reads."""
    variables = {"query": updated_since(since) if since is not None else None}
    node = NODES[resource]
    for page in connection_pages(
        client, listing_query(resource), (resource,), variables, client.config.page_size
    ):
        yield [flatten(complete(client, node, record)) for record in page]
