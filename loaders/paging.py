"""A guard every listing runs its pages through: a server that does not advance cannot loop us forever.

Our paging trusts the server to move: Shopify's `Link` header to hand out a new
`page_info`, WooCommerce to honour `page` and `modified_after`, commercetools its
`where`. A server that repeats a cursor (537 requests in 25 s with one `page_info`,
never ending) or ignores the page or filter and answers the same records again
would keep a run going until its timeout. The guard stops the listing with an
`ApiError` naming the platform and the request path when

* a cursor (the next request's page_info / page / where) was already used in this
  listing, or
* `MAX_STALE_PAGES` full pages in a row bring no record id that the page before
  them did not already have. One such page is legitimate: a listing that moves a
  timestamp bound can re-read the records at the seam once.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from loaders.http_client import ApiError

MAX_STALE_PAGES = 2


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

    def _stop(self, why: str) -> ApiError:
        return ApiError(self.platform, f"{self.what}: {why} after {self.pages} pages; stopped this listing")

    def page(self, records: list[Any]) -> None:
        """A page arrived: raise if it is the MAX_STALE_PAGES-th full-but-nothing-new page in a row."""
        self.pages += 1
        ids = _ids(records)
        if ids and ids <= self._previous:
            self._stale += 1
            if self._stale >= MAX_STALE_PAGES:
                raise self._stop(
                    "the server keeps answering the same records (it ignores the page or filter)"
                )
        else:
            self._stale = 0
        self._previous = ids

    def cursor(self, value: Hashable) -> None:
        """The next request's cursor: raise if this listing already used it."""
        if value in self._cursors:
            raise self._stop("the server handed out a cursor it had already given (the pages do not advance)")
        self._cursors.add(value)
