"""WooCommerce's paging: page numbers, and for listings by modification time a moving `modified_after`.

Orders and products are read oldest change first (`orderby=modified&order=asc`,
`dates_are_gmt=true` so `modified_after` compares with `date_modified_gmt`).
Instead of walking `page=1,2,3…` (where a record modified mid-run shifts every
later page by one and a neighbour is skipped), each next request moves
`modified_after` up to one second before the newest record seen: records already
read come back only at that one-second seam and the incremental window drops them.
Page numbers are used only when a whole page shares one second.

Customers have no modified filter in the API: they are read in full, by id, page
after page; so are the ids of a reconciliation (`_fields=id`).

A WooCommerce older than 5.8 (woocommerce PR #30585 added `modified_after`) ignores
the parameter like any unknown one and answers from the oldest record again: a page
holding a record modified before the bound we asked for stops the listing with the
version needed, instead of paging the whole history every night.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from loaders.http_client import ApiResponse
from loaders.incremental import Rejected, parse_timestamp
from loaders.paging import MIN_PAGE_SIZE, Paginator, PagingError, Params

# The API's timestamps have whole seconds, so stepping back one second re-reads only ties.
SEAM = timedelta(seconds=1)


def modified(record: Any) -> datetime | None:
    """A record's `date_modified_gmt`, None if it has no usable one."""
    try:
        return parse_timestamp(record.get("date_modified_gmt"))
    except (Rejected, AttributeError):
        return None


# What a listing asks for besides its paging (`status=trash`, `_fields=id`).
Filters = Mapping[str, Any]

TOO_OLD = (
    "the store ignores modified_after (it answered records modified before the bound asked for): "
    "WooCommerce 5.8 or later is needed for incremental loads; update WooCommerce"
)


def by_modified(per_page: int, page: int, filters: Filters | None = None) -> dict[str, Any]:
    """The query of page `page` of a listing sorted oldest change first."""
    return {
        "per_page": per_page,
        "page": page,
        "orderby": "modified",
        "order": "asc",
        "dates_are_gmt": "true",
        **(filters or {}),
    }


def _gmt(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


class PageNumberPaginator(Paginator):
    """`page=1,2,3…` sorted by id, until a page comes back short."""

    def __init__(self, per_page: int, filters: Filters | None = None) -> None:
        super().__init__()
        self.per_page = per_page
        self.filters = dict(filters or {})
        self.page = 1

    @property
    def limit(self) -> int:
        return self.per_page

    def shrink_page(self) -> bool:
        """Halve the page and renumber it: page p of n records is pages 2p-1 and 2p of n/2, so no record
        shifts to another page (only an even size halves, not below MIN_PAGE_SIZE)."""
        if self.per_page % 2 or self.per_page // 2 < MIN_PAGE_SIZE:
            return False
        self.page, self.per_page = 2 * self.page - 1, self.per_page // 2
        return True

    def next_request(self) -> Params:
        return {"per_page": self.per_page, "page": self.page, "orderby": "id", "order": "asc", **self.filters}

    def update_state(self, response: ApiResponse, records: list[Any]) -> None:
        self.has_next_page = len(records) >= self.per_page
        self.page += 1


class ModifiedAfterPaginator(PageNumberPaginator):
    """Records modified after `since`, oldest first, by moving `modified_after` (pages only for ties).

    `total_records` is what the first page of a full load (no `since`) said the unfiltered
    listing holds (`X-WP-Total`): the undated records sit on its last pages (see the source),
    which `last_page` finds at the page size in use at the end (pages may have shrunk).
    """

    def __init__(self, per_page: int, since: datetime | None, filters: Filters | None = None) -> None:
        super().__init__(per_page, filters)
        self.since = since
        self.bound = since
        self.total_records = 0

    def next_request(self) -> Params:
        params: dict[str, Any] = by_modified(self.per_page, self.page, self.filters)
        if self.bound is not None:
            params["modified_after"] = _gmt(self.bound)
        return params

    @property
    def last_page(self) -> int:
        """The unfiltered listing's last page at the current page size (0 when unknown)."""
        return -(-self.total_records // self.per_page)

    def update_state(self, response: ApiResponse, records: list[Any]) -> None:
        if self.bound is not None:
            bound = _gmt(self.bound)  # whole seconds: what the store was asked for
            if any(m is not None and _gmt(m) < bound for m in map(modified, records)):
                raise PagingError(TOO_OLD)
        if self.since is None and self.bound is None and self.page == 1:
            self.total_records = int(response.headers.get("X-WP-Total") or 0)
        if len(records) < self.per_page:
            self.has_next_page = False
            return
        newest = max((m for m in map(modified, records) if m is not None), default=None)
        next_bound = None if newest is None else newest - SEAM
        if next_bound is None or (self.bound is not None and next_bound <= self.bound):
            self.page += 1  # a full page within one second: only page numbers make progress
        else:
            self.bound, self.page = next_bound, 1
