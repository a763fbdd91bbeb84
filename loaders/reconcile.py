"""Finding permanent deletes by comparing ids: the platform's ids against the ids already in raw.

A platform that keeps no tombstones (WooCommerce; commercetools without Messages) lets a
deleted record simply vanish from its API, so incremental reads never see it go. Every
few days (`LoadOptions.reconcile_every_days`), on the first run that has no record of a
reconciliation (the first run after an upgrade), and when asked (`--reconcile`), the
`reconciliation` resource lists every id of each resource (ids only, the largest page the
API allows), reads the ids of the same resource from the store's raw table, and writes
`deleted_records` rows (merge on `resource`, `id`):

* an id in raw that the API no longer lists, confirmed absent by `IdListing.confirm`
  (a page-number listing can skip an id when a record is deleted while it pages), is
  deleted: `deleted_at` is the time we noticed (the API cannot say when),
  `detected_by='reconciliation'`;
* an id marked deleted that the API lists again comes back: `deleted_at` NULL.

Ids already marked deleted are not written again, so `deleted_at` keeps the first
detection. A listing that comes back with most of raw missing (a wrong store URL, a key
that lost its permissions) writes nothing and is tried again next run: a reconciliation
must never wipe a store. Each id page is one request; `RequestStats.reconcile_requests`
counts them for the run summary and etl_logs.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import dlt

from loaders.deleted_records import DELETED_TABLE, deleted_records_resource
from loaders.incremental import iso, parse_timestamp
from loaders.pacing import RequestStats
from loaders.raw_tables import select
from loaders.settings import LoadOptions

log = logging.getLogger(__name__)

# Above this share of raw ids missing, the listing is distrusted (and nothing written).
MAX_MISSING_SHARE = 0.5
# ...unless so few ids are involved that a small store deleting most of its records is plausible.
MIN_IDS_TO_DISTRUST = 20


@dataclass(frozen=True)
class IdListing:
    """How to list one resource's ids on a platform."""

    resource: str
    """'orders', 'customers' or 'products': the `deleted_records.resource` and the raw table."""
    pages: Callable[[], Iterator[list[Any]]]
    """Every id the platform lists now, one page per request."""
    evidence: str
    """What was asked (`GET /wp-json/wc/v3/orders?_fields=id`), kept as the row's evidence."""
    confirm: Callable[[list[str]], Iterator[list[Any]]] | None = None
    """Pages of those of these ids (absent from the listing) that the platform still has, one page per
    request; None: trust the listing."""


def is_due(state: dict[str, Any], options: LoadOptions, now: datetime) -> bool:
    """Asked for, never done (state has no time), or the last one is `reconcile_every_days` old."""
    last = state.get("reconciled_at")
    if options.reconcile or not last:
        return True
    return now - parse_timestamp(last) >= timedelta(days=options.reconcile_every_days)


def _raw_ids(table: str) -> set[str]:
    """The ids in the store's raw `table`, as text (none when it does not exist yet)."""
    return {str(row[0]) for row in select(table, "id") or []}


def _marked_deleted(resource: str) -> set[str]:
    """The ids of `resource` that `deleted_records` marks deleted now."""
    rows = select(DELETED_TABLE, "id", "resource = %s and deleted_at is not null", resource)
    return {str(row[0]) for row in rows or []}


def changes(listed: set[str], in_raw: set[str], deleted: set[str]) -> tuple[list[str], list[str]]:
    """(ids in raw the listing lacks and not yet marked deleted, ids marked deleted the listing has)."""
    return sorted(in_raw - listed - deleted), sorted(deleted & listed)


def rows_for(
    resource: str, missing: Iterable[str], back: Iterable[str], evidence: str, now: datetime
) -> list[dict[str, Any]]:
    """The `deleted_records` rows of one resource's reconciliation."""
    proof = json.dumps({"absent_from": evidence})
    out = [
        {
            "resource": resource,
            "id": i,
            "deleted_at": now,
            "detected_by": "reconciliation",
            "evidence": proof,
            "checked_at": now,
        }
        for i in missing
    ]
    out += [
        {
            "resource": resource,
            "id": i,
            "deleted_at": None,
            "detected_by": "reconciliation",
            "evidence": json.dumps({"listed_again_by": evidence}),
            "checked_at": now,
        }
        for i in back
    ]
    return out


def _ids(pages: Iterator[list[Any]], stats: RequestStats) -> set[str]:
    """The ids of a listing's pages as text, counting each page as a reconciliation request."""
    ids: set[str] = set()
    for page in pages:
        stats.add(reconcile_requests=1)
        ids.update(str(r["id"]) for r in page if isinstance(r, dict) and r.get("id") is not None)
    return ids


def reconcile(
    platform: str, listings: Sequence[IdListing], stats: RequestStats, now: datetime
) -> Iterator[dict[str, Any]]:
    """The `deleted_records` rows of one reconciliation of every listing's resource."""
    for listing in listings:
        in_raw = _raw_ids(listing.resource)
        if not in_raw:
            continue  # nothing loaded yet: nothing can have been deleted
        listed = _ids(listing.pages(), stats)
        missing, back = changes(listed, in_raw, _marked_deleted(listing.resource))
        if missing and listing.confirm is not None:
            present = _ids(listing.confirm(missing), stats)
            missing = [i for i in missing if i not in present]
        if len(in_raw) >= MIN_IDS_TO_DISTRUST and len(missing) > MAX_MISSING_SHARE * len(in_raw):
            log.warning(
                "%s: reconciliation of %s found %d of %d ids missing; not trusting that listing "
                "(wrong store or permissions?): nothing marked deleted",
                platform,
                listing.resource,
                len(missing),
                len(in_raw),
            )
            raise Distrusted(listing.resource)
        log.info(
            "%s: reconciliation of %s: %d deleted, %d back",
            platform,
            listing.resource,
            len(missing),
            len(back),
        )
        yield from rows_for(listing.resource, missing, back, listing.evidence, now)


class Distrusted(Exception):
    """A listing missing most of raw: the reconciliation stops and is tried again next run."""


def reconciliation_resource(
    platform: str,
    listings: Sequence[IdListing],
    options: LoadOptions,
    stats: RequestStats,
    *,
    name: str = "reconciliation",
) -> Any:
    """A resource merging reconciliation rows into `deleted_records`; its state keeps `reconciled_at`.

    `name` lets a source with another resource writing `deleted_records` (commercetools
    Messages) keep both. The state moves only when every listing was compared, in the
    same load package as the rows.
    """

    def rows() -> Iterator[list[dict[str, Any]]]:
        state = dlt.current.resource_state()
        now = datetime.now(UTC)
        if not is_due(state, options, now):
            return
        try:
            found = list(reconcile(platform, listings, stats, now))
        except Distrusted:
            return
        # the table exists from the first run on, rows or not: staging selects from it
        yield found or dlt.mark.materialize_table_schema()
        state["reconciled_at"] = iso(now)

    return deleted_records_resource(rows, name)
