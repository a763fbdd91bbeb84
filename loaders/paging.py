"""How listings page: a `Paginator` per platform, and a guard every listing runs its pages through.

A `Paginator` is the platform's knowledge of where the next page starts, in the
spirit of dlt rest_api's `BasePaginator`: `next_request()` gives the query of the
next request, `update_state()` reads a response (its records, its headers) and
decides whether there is another page. One loop drives it (`listing_pages`: REST
listings through `ApiClient.paginate`, Shopify's GraphQL connections through
loaders/shopify/listing.py), so the loop, the guard below and the page accounting
are written once; each platform holds only its rule (Shopify's connection
`endCursor`, WooCommerce's page numbers under a moving `modified_after`,
commercetools' keyset on `lastModifiedAt`/`id`). A paginator instance serves one
listing and is then thrown away.

The guard: our paging trusts the server to move: Shopify to hand out a new
`endCursor`, WooCommerce to honour `page` and `modified_after`,
commercetools its `where`. A server that repeats a cursor (537 requests in 25 s
with one cursor, never ending) or ignores the page or filter and answers the
same records again would keep a run going until its timeout. The guard stops the
listing with an `ApiError` naming the platform and the request path when

* a cursor (the next request's query: its endCursor / page / where) was already
  used in this listing, or
* `MAX_STALE_PAGES` full pages in a row bring no record id that the page before
  them did not already have. One such page is legitimate: a listing that moves a
  timestamp bound can re-read the records at the seam once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from loaders.errors import ApiError

if TYPE_CHECKING:
    from loaders.http_client import ApiResponse

MAX_STALE_PAGES = 2

# A request's query: a mapping, or pairs when a key repeats (commercetools' `sort`).
Params = Mapping[str, Any] | Sequence[tuple[str, Any]]


class PagingError(Exception):
    """A page the paginator cannot continue from; the client says which platform and listing."""


# The smallest page a listing shrinks to when a page keeps failing with 5xx.
MIN_PAGE_SIZE = 10


class Paginator(ABC):
    """Where one listing's next page starts; `has_next_page` turns False after the last page.

    `limit`: the records per page. A paginator whose next page does not depend on the
    size of the previous ones (a cursor or a keyset, not a page number) sets `resizable`,
    so `shrink_page` may halve `limit` when a page keeps failing with 5xx (a page too
    heavy for the server: Airbyte's Shopify source does the same).
    """

    resizable = False
    limit: int

    def __init__(self) -> None:
        self.has_next_page = True

    def shrink_page(self) -> bool:
        """Halve `limit` for the next request (not below MIN_PAGE_SIZE); False when it cannot."""
        if not self.resizable or self.limit <= MIN_PAGE_SIZE:
            return False
        self.limit = max(MIN_PAGE_SIZE, self.limit // 2)
        return True

    @abstractmethod
    def next_request(self) -> Params:
        """The query of the next request (the first one before any `update_state`)."""

    @abstractmethod
    def update_state(self, response: ApiResponse, records: list[Any]) -> None:
        """Learn from a page where the next one starts, or set `has_next_page` to False.

        Raises `PagingError` when the page gives no way to continue (a cursor missing).
        """


def query_key(params: Params) -> Hashable:
    """A request's query as a value the guard can remember."""
    return tuple(params.items()) if isinstance(params, Mapping) else tuple(params)


def _ids(records: list[Any]) -> set[Any]:
    return {r.get("id") for r in records if isinstance(r, dict) and isinstance(r.get("id"), Hashable)}


class PageGuard:
    """One listing's record of cursors used and of the previous page's ids."""

    def __init__(self, platform: str, what: str) -> None:
        self.platform = platform
        self.what = what  # "GET /path", never a query string
        self._cursors: set[Hashable] = set()
        self._previous: set[Any] = set()
        self._stale = 0
        self.pages = 0

    def stop(self, why: str) -> ApiError:
        """The error that ends this listing, saying why."""
        return ApiError(self.platform, f"{self.what}: {why} after {self.pages} pages; stopped this listing")

    def page(self, records: list[Any]) -> None:
        """A page arrived: raise if it is the MAX_STALE_PAGES-th full-but-nothing-new page in a row."""
        self.pages += 1
        ids = _ids(records)
        if ids and ids <= self._previous:
            self._stale += 1
            if self._stale >= MAX_STALE_PAGES:
                raise self.stop("the server keeps answering the same records (it ignores the page or filter)")
        else:
            self._stale = 0
        self._previous = ids

    def cursor(self, value: Hashable) -> None:
        """The next request's cursor: raise if this listing already used it."""
        if value in self._cursors:
            raise self.stop("the server handed out a cursor it had already given (the pages do not advance)")
        self._cursors.add(value)


def listing_pages(
    paginator: Paginator,
    guard: PageGuard,
    fetch: Callable[[Params], Any],
    select: Callable[[Any], list[Any] | None],
    resize: Callable[[Exception], bool],
) -> Iterator[list[Any]]:
    """The loop every listing runs: ask for the next page, guard it, yield it, learn where the next starts.

    `fetch(params)` sends one request; `select` picks its records (None ends the listing) and
    `paginator.update_state` reads it. When `fetch` raises, `resize(exc)` may change the
    paginator's page size and return True to ask for the same page again (a page too heavy for
    the server, a GraphQL query priced over its limit); otherwise the error stands.
    """
    while paginator.has_next_page:
        params = paginator.next_request()
        guard.cursor(query_key(params))
        try:
            response = fetch(params)
        except Exception as exc:
            if not resize(exc):
                raise
            continue
        records = select(response)
        if records is None:
            return
        guard.page(records)
        yield records
        try:
            paginator.update_state(response, records)
        except PagingError as exc:
            raise guard.stop(str(exc)) from None
