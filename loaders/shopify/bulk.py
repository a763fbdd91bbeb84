"""Backfills through Shopify's Bulk Operations, with the paginated queries as the fallback.

`pages()` is what the Shopify source asks for a resource's records. A first run, a full
refresh (no cursor) or a gap wider than `SHOPIFY_BULK_AFTER_DAYS` (see `wanted`) runs
one `bulkOperationRunQuery` for the resource; anything else goes to the paginated
queries. Both yield pages of the same objects (`objects.flatten`), so
`loaders.incremental.admitted` and dlt treat them alike: same merge key, same cursor.

The operation's life, and what is done when it goes wrong (docs/loaders.md says the same):

* Start: the document is made from the paginated node selection (`bulk_query`) with
  the same `updated_at:>=` filter. "Already in progress" / "limit reached" (another app,
  or five operations of ours, hold the shop's slots) is retried with backoff up to
  `SHOPIFY_BULK_WAIT_MINUTES`, then the resource falls back to paginated queries; so
  does a token refused bulk operations (ACCESS_DENIED).
* Poll `bulkOperation(id:)` with a backoff from 1 s growing 1.5 times up to 30 s, for
  at most `SHOPIFY_BULK_TIMEOUT_MINUTES`; past that the run fails for Shopify and the
  next run resumes the very operation.
* COMPLETED: the JSONL is downloaded in chunks (`ApiClient.download`: without the
  store's token; the URL is signed) into a private SQLite spill and read back root by
  root (`bulk_jsonl`), its size checked against the operation's `fileSize`. A result
  URL that is refused (expired) is asked for again through `bulkOperation(id:)`; if the
  fresh one is refused too, or the operation says EXPIRED, the operation is run anew
  (once).
* FAILED or CANCELED: its partial data (`partialDataUrl`) is NOT loaded. A partial
  file is cut anywhere and children need not follow their parent closely, so any order
  in it may miss line items; and loading it first would make the fallback's complete
  copy of the same (id, updatedAt) look already loaded to the incremental window. The
  resource falls back to paginated queries over the same window; nothing is lost, and
  the warning says how many objects the operation had reached.
* Killed runs: the operation's id (and a hash of its document) is written, as soon as
  Shopify accepts it, to the pipeline's private working directory (`bulk_state`: dlt's
  resource state is saved only when the extract step ends). The next run whose
  document is the same (same window: a killed run moved no cursor) polls that
  operation instead of starting another, or starts anew if it is gone, failed or
  expired. The entry is removed once the result has been read or abandoned. Rows are
  merged by id, so a resumed or restarted operation never duplicates a row; the cursor
  only moves when dlt commits the rows, so none is lost.
* Refunds' own lists (`refundLineItems`, `transactions`...) cannot ride in a bulk query
  (connections inside the list field `Order.refunds`): after the bulk result, the
  refunds of each page's refunded orders are fetched again with paginated
  `nodes(ids: [order ids])` queries, their connections followed to the end like any
  paginated page's (`_follow_lists`).
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import dlt

from loaders.errors import ApiError
from loaders.http_client import DownloadRefused
from loaders.incremental import iso, parse_timestamp
from loaders.shopify import bulk_jsonl, bulk_query, listing, objects, queries
from loaders.shopify.bulk_settings import BulkSettings
from loaders.shopify.bulk_state import OperationLog
from loaders.shopify.graphql import GraphQLError, QueryTooCostly, ShopifyGraphQL
from loaders.shopify.queries import Node, render
from loaders.shopify.settings import PLATFORM, ShopifyConfig

log = logging.getLogger(__name__)

Pages = Iterator[list[dict[str, Any]]]

LAST_RUN = "bulk_gap_from"
"""Resource state: when the last run that read all its pages started (see `wanted`)."""
MAX_LINE_BYTES = 64 * 1024 * 1024
ACTIVE = frozenset({"CREATED", "RUNNING", "CANCELING"})
BUSY_CODES = frozenset({"OPERATION_IN_PROGRESS", "LIMIT_REACHED"})

OPERATION_FIELDS = "id status errorCode objectCount rootObjectCount fileSize url partialDataUrl"
RUN = f"""mutation RunBulkQuery($query: String!) {{
  bulkOperationRunQuery(query: $query) {{ bulkOperation {{ {OPERATION_FIELDS} }} userErrors {{ field message code }} }}
}}"""
POLL = f"query BulkOperation($id: ID!) {{ bulkOperation(id: $id) {{ {OPERATION_FIELDS} }} }}"


def wanted(settings: BulkSettings, since: datetime | None, last_run: datetime | None, now: datetime) -> bool:
    """Whether a window starting at `since` (None: everything) is loaded through a Bulk Operation.

    The gap is counted from the later of the window's start and the start of the last run
    that completed its extract: a quiet store's window reaches back to its last change,
    weeks ago, yet holds only what changed since that run, which a few pages fetch faster
    than an operation could be started and polled.
    """
    if settings.after is None:
        return False
    if since is None:
        return True
    return now - max(since, last_run or since) > settings.after


class BulkUnavailable(Exception):
    """No usable result from a Bulk Operation: the caller falls back to paginated queries."""


@dataclass
class Operation:
    id: str
    status: str
    error_code: str | None = None
    object_count: int = 0
    file_size: int | None = None
    url: str | None = None
    partial_url: str | None = None

    @classmethod
    def read(cls, body: Any) -> Operation:
        if not isinstance(body, dict) or not isinstance(body.get("id"), str):
            raise ApiError(PLATFORM, f"expected a bulk operation, got {str(body)[:80]}")
        size = body.get("fileSize")
        return cls(
            id=body["id"],
            status=str(body.get("status")),
            error_code=body.get("errorCode"),
            object_count=int(body.get("objectCount") or 0),
            file_size=int(size) if size not in (None, "") else None,
            url=body.get("url"),
            partial_url=body.get("partialDataUrl"),
        )


class BulkJob:
    """One resource's Bulk Operation: start or resume it, wait for it, read its result."""

    def __init__(
        self,
        client: ShopifyGraphQL,
        resource: str,
        document: str,
        operations: OperationLog,
    ) -> None:
        self.client = client
        self.settings: BulkSettings = client.config.bulk
        self.resource = resource
        self.document = document
        self.operations = operations

    def objects(self, routes: bulk_jsonl.Routes, spill_dir: Path) -> Iterator[dict[str, Any]]:
        """Every object of the result, children attached; `BulkUnavailable` (before any object) to fall back."""
        try:
            yield from self._objects(routes, spill_dir)
        except BulkUnavailable:
            self.operations.drop(self.resource)
            raise

    def _objects(self, routes: bulk_jsonl.Routes, spill_dir: Path) -> Iterator[dict[str, Any]]:
        operation = self._resume() or self._start()
        restarted = False
        while True:
            operation = self._wait(operation)
            if operation.status == "COMPLETED":
                try:
                    spill = self._download(operation, spill_dir)
                except DownloadRefused:
                    if restarted:
                        raise
                    log.warning(
                        "%s: %s: the result URL was refused; running the operation again",
                        PLATFORM,
                        self.resource,
                    )
                    operation, restarted = self._start(), True
                    continue
                self.operations.drop(self.resource)
                log.info(
                    "%s: %s: bulk operation %s: %d objects",
                    PLATFORM,
                    self.resource,
                    operation.id,
                    operation.object_count,
                )
                with spill:
                    yield from spill.objects(routes)
                return
            if operation.status == "EXPIRED" and not restarted:
                operation, restarted = self._start(), True
                continue
            raise BulkUnavailable(
                f"bulk operation {operation.id} ended {operation.status}"
                f"{f' ({operation.error_code})' if operation.error_code else ''} after "
                f"{operation.object_count} objects; its partial data is not loaded"
            )

    def _graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        return self.client.execute(query, variables)

    def _resume(self) -> Operation | None:
        """Our operation for this document left by an earlier (killed) run, if Shopify still has it usable."""
        operation_id = self.operations.get(self.resource, self.document)
        if operation_id is None:
            return None
        operation = self._poll(operation_id)
        if operation is None or operation.status not in ACTIVE | {"COMPLETED"}:
            self.operations.drop(self.resource)
            return None
        log.info(
            "%s: %s: resuming bulk operation %s (%s) of an earlier run",
            PLATFORM,
            self.resource,
            operation.id,
            operation.status,
        )
        return operation

    def _start(self) -> Operation:
        """A new operation; `BulkUnavailable` when the shop's bulk slots stay busy for `busy_wait`."""
        deadline = time.monotonic() + self.settings.busy_wait.total_seconds()
        delay = self.settings.poll_first_seconds
        while True:
            try:
                payload = self._graphql(RUN, {"query": self.document}).get("bulkOperationRunQuery") or {}
            except GraphQLError as exc:
                if "ACCESS_DENIED" not in exc.codes:
                    raise
                # some tokens may not run bulk operations; the same fields page fine
                raise BulkUnavailable(f"bulk operations refused ({exc})") from None
            errors = payload.get("userErrors") or []
            if payload.get("bulkOperation") and not errors:
                operation = Operation.read(payload["bulkOperation"])
                self.operations.put(self.resource, self.document, operation.id)
                return operation
            busy = [
                e for e in errors if e.get("code") in BUSY_CODES or "in progress" in str(e.get("message"))
            ]
            if not busy or len(busy) != len(errors):
                messages = "; ".join(str(e.get("message")) for e in errors) or "no operation and no error"
                raise ApiError(PLATFORM, f"bulkOperationRunQuery for {self.resource} refused: {messages}")
            if time.monotonic() + delay > deadline:
                raise BulkUnavailable(
                    f"the shop's bulk operation slot stayed busy for "
                    f"{self.settings.busy_wait.total_seconds() / 60:g} min ({busy[0].get('message')})"
                )
            time.sleep(delay)
            delay = min(delay * 1.5, self.settings.poll_cap_seconds)

    def _poll(self, operation_id: str) -> Operation | None:
        body = self._graphql(POLL, {"id": operation_id}).get("bulkOperation")
        return None if body is None else Operation.read(body)

    def _wait(self, operation: Operation) -> Operation:
        """The operation once it is no longer running; `ApiError` past the timeout (the next run resumes)."""
        deadline = time.monotonic() + self.settings.timeout.total_seconds()
        delay = self.settings.poll_first_seconds
        while operation.status in ACTIVE:
            if time.monotonic() + delay > deadline:
                raise ApiError(
                    PLATFORM,
                    f"bulk operation {operation.id} for {self.resource} is still {operation.status} after "
                    f"{self.settings.timeout.total_seconds() / 60:g} min (SHOPIFY_BULK_TIMEOUT_MINUTES); "
                    "the next run picks it up",
                )
            time.sleep(delay)
            delay = min(delay * 1.5, self.settings.poll_cap_seconds)
            polled = self._poll(operation.id)
            if polled is None:
                raise BulkUnavailable(f"bulk operation {operation.id} disappeared while running")
            operation = polled
        return operation

    def _download(self, operation: Operation, spill_dir: Path) -> bulk_jsonl.Spill:
        """The result in a new spill; a URL refused (expired, even halfway) is asked for once more, fresh."""
        try:
            return self._fill(operation, spill_dir)
        except DownloadRefused:
            fresh = self._poll(operation.id)
            if fresh is None or fresh.status != "COMPLETED" or not fresh.url:
                raise
            return self._fill(fresh, spill_dir)

    def _fill(self, operation: Operation, spill_dir: Path) -> bulk_jsonl.Spill:
        """The lines at the operation's URL in a spill of their own (none: Shopify gives no URL when nothing
        matched), the byte count checked against `fileSize`."""
        received = 0

        def counted() -> Iterator[bytes]:
            nonlocal received
            for chunk in self.client.api.download(operation.url or ""):
                received += len(chunk)
                yield chunk

        spill = bulk_jsonl.Spill(spill_dir)
        try:
            spill.add(bulk_jsonl.split_lines(counted(), MAX_LINE_BYTES) if operation.url else ())
            if operation.url and operation.file_size is not None and received != operation.file_size:
                raise ApiError(
                    PLATFORM,
                    f"the result of bulk operation {operation.id} has {received} bytes, Shopify announced "
                    f"{operation.file_size}",
                )
        except BaseException:
            spill.close()
            raise
        return spill


FOLLOW_LIST = "query FollowLists($ids: [ID!]!) {{ nodes(ids: $ids) {{ ... on {type} {{ id {name} {{ {fields} }} }} }} }}"


def _follow_lists(client: ShopifyGraphQL, node: Node, page: list[dict[str, Any]]) -> None:
    """Give the objects of `page` the list fields (refunds) a bulk query could carry only in part (in place).

    The objects with a non-empty list are asked for again with paginated `nodes(ids:)`
    queries selecting just that list as the paginated path does (connections paged),
    each item's connections then read to their end (`listing.complete`): the lists come
    out exactly as on a paginated page.
    """
    for name, child in bulk_query.followed_lists(node):
        owners = {obj["id"]: obj for obj in page if obj.get(name) and isinstance(obj.get("id"), str)}
        query = FOLLOW_LIST.format(type=node.type, name=name, fields=render(child))
        ids, batch = list(owners), client.page_sizes.get(query, client.config.page_size)
        while ids:
            try:
                answered = client.execute(query, {"ids": ids[:batch]})["nodes"]
            except QueryTooCostly as exc:
                if batch <= 1:
                    raise
                batch = client.page_sizes[query] = exc.fitted(batch)
                continue
            if not isinstance(answered, list) or len(answered) != len(ids[:batch]):
                raise ApiError(
                    PLATFORM, f"nodes(ids:) answered {len(answered or [])} of {len(ids[:batch])} ids"
                )
            for asked, found in zip(ids[:batch], answered, strict=True):
                if found is None:  # deleted since the operation ran: say so, do not fail the load
                    client.warn(f"{asked} no longer answers: the lists inside its {name} were not loaded")
                    continue
                if (
                    not isinstance(found, dict)
                    or found.get("id") != asked
                    or not isinstance(found.get(name), list)
                ):
                    raise ApiError(PLATFORM, f"nodes(ids:) answered {str(found)[:80]} for {asked}")
                owners[asked][name] = [listing.complete(client, child, item) for item in found[name]]
            ids = ids[batch:]


def bulk_pages(
    client: ShopifyGraphQL,
    resource: str,
    since: datetime | None,
    *,
    state_dir: Path,
) -> Pages:
    """Pages of `resource` changed since `since`, from one Bulk Operation; `BulkUnavailable` to fall back."""
    node = queries.NODES[resource]
    search = queries.updated_since(since) if since is not None else None
    job = BulkJob(client, resource, bulk_query.bulk_document(resource, node, search), OperationLog(state_dir))
    # The spill of a killed run may still be there: only this resource's job uses this directory.
    spill_dir = state_dir / f"bulk-{resource}"
    shutil.rmtree(spill_dir, ignore_errors=True)
    spill_dir.mkdir(mode=0o700, parents=True)
    found = job.objects(bulk_query.routes(node), spill_dir)
    while page := list(islice(found, client.config.page_size)):
        _follow_lists(client, node, page)
        yield [objects.flatten(obj) for obj in page]


def pages(
    client: ShopifyGraphQL,
    config: ShopifyConfig,
    resource: str,
    since: datetime | None,
    paginated: Callable[[datetime | None], Pages],
) -> Pages:
    """The pages of `resource` since `since`: through a Bulk Operation when the gap is wide, else paginated.

    Runs inside the resource's dlt extract; the start of a run that yielded all its pages is
    kept in the resource state (committed with its rows) as `LAST_RUN`.
    """
    now = datetime.now(UTC)
    state = dlt.current.resource_state()
    last_run = parse_timestamp(state[LAST_RUN]) if state.get(LAST_RUN) else None
    if not wanted(config.bulk, since, last_run, now):
        yield from paginated(since)
    else:
        try:
            # BulkUnavailable comes, if at all, before the first page: the whole result is read first
            yield from bulk_pages(client, resource, since, state_dir=Path(dlt.current.pipeline().working_dir))
        except BulkUnavailable as exc:
            client.warn(f"{resource}: {exc}; loaded through paginated queries instead")
            yield from paginated(since)
    state[LAST_RUN] = iso(now)
