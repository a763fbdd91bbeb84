"""commercetools deletes: Messages when the project has them, else the id reconciliation.

Detected once per run (`messages_enabled`): a token with the extra scopes
`view_messages view_project_settings` and `GET /{projectKey}`, whose `messages.enabled`
says whether the project records Messages. A client without those scopes (the token
request is refused) or a project with Messages off falls back to the id reconciliation
(loaders/reconcile.py: every id by keyset on id, 500 per page, on its schedule).

With Messages, every run reads the `OrderDeleted`, `CustomerDeleted` and `ProductDeleted`
Messages created since the newest one read before, minus `LOOKBACK` (the API is
eventually consistent; the merge on (resource, id) makes re-reading harmless), by keyset
on (createdAt, id), 500 per page: one request per run while nothing is deleted. A project
keeps Messages `deleteDaysAfterCreation` days (15 by default): a loader that has not run
for longer, or the first run after an upgrade, should also run `--reconcile` once (the
reconciliation resource runs then, whatever the Messages).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from loaders.commercetools.paging import IdPaginator, KeysetPaginator, paged, quote, results
from loaders.commercetools.settings import PLATFORM
from loaders.deleted_records import incremental_deletions
from loaders.errors import ApiError
from loaders.http_client import ApiClient
from loaders.incremental import RecordShape, parse_timestamp
from loaders.pacing import RequestStats
from loaders.reconcile import IdListing, reconciliation_resource
from loaders.settings import LoadOptions

log = logging.getLogger(__name__)

PAGE_SIZE = 500
MESSAGE_SCOPES = ("view_messages", "view_project_settings")
DELETED_TYPES = {"OrderDeleted": "orders", "CustomerDeleted": "customers", "ProductDeleted": "products"}
MESSAGES = RecordShape((str,), "createdAt")
LOOKBACK = timedelta(minutes=10)


def messages_enabled(client: ApiClient, base: str) -> bool:
    """Whether the project records Messages and `client` (with MESSAGE_SCOPES) may read them: one token
    request and one GET of the project's settings."""
    try:
        project = client.get(base).body
    except ApiError as exc:
        log.info("%s: Messages not readable (%s); deletes found by the id reconciliation", PLATFORM, exc)
        return False
    enabled = isinstance(project, dict) and bool((project.get("messages") or {}).get("enabled"))
    if not enabled:
        log.info("%s: the project has Messages disabled; deletes found by the id reconciliation", PLATFORM)
    return enabled


def record_of(message: Any, checked_at: datetime) -> dict[str, Any] | None:
    """The `deleted_records` row of one *Deleted Message; None for anything else."""
    if not isinstance(message, dict):
        return None
    resource = DELETED_TYPES.get(str(message.get("type")))
    target = message.get("resource")
    if resource is None or not isinstance(target, dict) or not isinstance(target.get("id"), str):
        return None
    return {
        "resource": resource,
        "id": target["id"],
        "deleted_at": message.get("createdAt"),
        "detected_by": "message",
        "evidence": json.dumps({"message": message.get("id"), "type": message["type"]}),
        "checked_at": checked_at,
    }


def messages_resource(client: ApiClient, base: str) -> Any:
    """`deleted_records` from the deletion Messages since the newest createdAt of the last run (minus
    LOOKBACK)."""
    condition = "type in (" + ", ".join(quote(t) for t in DELETED_TYPES) + ")"

    def read(since: str | None, checked_at: datetime) -> tuple[list[dict[str, Any]], str | None]:
        start = parse_timestamp(since) - LOOKBACK if since else None
        paginator = KeysetPaginator(PAGE_SIZE, start, keyset=MESSAGES, condition=condition)
        found: list[dict[str, Any]] = []
        newest = since
        for page in client.paginate(f"{base}/messages", paginator, validate=paged, select=results):
            for message in page:
                row = record_of(message, checked_at)
                if row is not None:
                    found.append(row)
                    newest = max(newest or row["deleted_at"], row["deleted_at"])
        return found, newest

    return incremental_deletions("deletion_messages", read)


def id_listings(client: ApiClient, base: str) -> list[IdListing]:
    """Every order, customer and product id, paged by id (keyset: no record is skipped, no confirm needed)."""

    def ids(resource: str) -> Iterator[list[Any]]:
        return client.paginate(f"{base}/{resource}", IdPaginator(PAGE_SIZE), validate=paged, select=results)

    return [
        IdListing(
            resource, pages=lambda r=resource: ids(r), evidence=f"GET /{{projectKey}}/{resource}?sort=id asc"
        )
        for resource in ("orders", "customers", "products")
    ]


def deletion_resources(
    client: ApiClient,
    messages_client: Callable[[tuple[str, ...]], ApiClient],
    base: str,
    options: LoadOptions,
    stats: RequestStats,
) -> list[Any]:
    """Messages (plus the reconciliation when asked with --reconcile), else the reconciliation on its
    schedule. `messages_client(scopes)`: an API client whose token carries those scopes."""
    reconciliation = reconciliation_resource(PLATFORM, id_listings(client, base), options, stats)
    reader = messages_client(MESSAGE_SCOPES)
    if not messages_enabled(reader, base):
        reader.close()
        return [reconciliation]
    return [messages_resource(reader, base), *([reconciliation] if options.reconcile else [])]
