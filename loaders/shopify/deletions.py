"""Shopify deletes: the GraphQL Admin API's deletion events, read incrementally into `deleted_records`.

Since API 2024-10 the `events` connection lists a `BasicEvent` with action `destroy` for a
deleted order, customer or product (`subjectType` ORDER, CUSTOMER, PRODUCT; `subjectId` its
GID). One query per page asks for every destroy event created since the last run's newest
(`created_at:>=`: createdAt has whole seconds, so the newest second is read again and the
merge on (resource, id) makes that harmless); events of other subjects (collections...) are
skipped. The cursor is kept in the resource's dlt state (loaders/deleted_records.py). Cost: one
request per 250 deletion events, plus one per run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from loaders.deleted_records import incremental_deletions
from loaders.shopify.graphql import GraphQLError, ShopifyGraphQL
from loaders.shopify.listing import connection_pages

PAGE_SIZE = 250
SUBJECTS = {"ORDER": "orders", "CUSTOMER": "customers", "PRODUCT": "products"}
EVENTS_QUERY = """query Deletions($first: Int!, $after: String, $query: String!) {
  events(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {
    nodes { id createdAt ... on BasicEvent { action subjectId subjectType } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def record_of(event: Any, checked_at: datetime) -> dict[str, Any] | None:
    """The `deleted_records` row of one destroy event of an order, customer or product; None otherwise."""
    if not isinstance(event, dict) or event.get("action") != "destroy":
        return None
    resource = SUBJECTS.get(str(event.get("subjectType")))
    subject, created = event.get("subjectId"), event.get("createdAt")
    if resource is None or not isinstance(subject, str) or not isinstance(created, str):
        return None
    return {
        "resource": resource,
        "id": subject,  # the GID: the raw tables' key
        "deleted_at": created,
        "detected_by": "event",
        "evidence": json.dumps(
            {"event": event.get("id"), "action": "destroy", "subjectType": event["subjectType"]}
        ),
        "checked_at": checked_at,
    }


def deletion_pages(client: ShopifyGraphQL, since: str | None) -> Iterator[list[dict[str, Any]]]:
    """Every page of destroy events created at or after `since` (all of them when None), oldest first.

    An app without access to the events (ACCESS_DENIED) loads no deletions and says so once;
    the records themselves still load.
    """
    search = "action:destroy" + (f" AND created_at:>='{since}'" if since else "")
    try:
        yield from connection_pages(client, EVENTS_QUERY, ("events",), {"query": search}, PAGE_SIZE)
    except GraphQLError as exc:
        if "ACCESS_DENIED" not in exc.codes:
            raise
        client.warn(f"deletion events not readable, deletes are not detected: {exc}")


def deletions_resource(client: ShopifyGraphQL) -> Any:
    """`deleted_records` from the deletion events since the newest createdAt of the last run."""

    def read(since: str | None, checked_at: datetime) -> tuple[list[dict[str, Any]], str | None]:
        found: list[dict[str, Any]] = []
        newest = since
        for page in deletion_pages(client, since):
            for event in page:
                row = record_of(event, checked_at)
                if row is not None:
                    found.append(row)
                created = event.get("createdAt") if isinstance(event, dict) else None
                if isinstance(created, str) and (newest is None or created > newest):
                    newest = created
        return found, newest

    return incremental_deletions("deletion_events", read)
