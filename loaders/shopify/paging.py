"""Shopify's cursor paging: the `page_info` of the `Link` header's rel=next.

The first request carries the filters and the order; later ones only `limit` and
the `page_info` (Shopify answers 400 otherwise: the filters live inside the cursor).
The next URL is never followed as given: only its `page_info` is taken and sent to
our own base URL, so a Link header cannot send the access token to another host.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from loaders.http_client import ApiResponse
from loaders.paging import Paginator, PagingError, Params


class LinkHeaderPaginator(Paginator):
    """`first` for the first page, then `limit` + the Link header's `page_info` until there is no rel=next."""

    resizable = True  # page_info is a cursor: any limit may follow it

    def __init__(self, first: Mapping[str, Any], limit: int) -> None:
        super().__init__()
        self.limit = limit
        self._next: Params = dict(first)

    def next_request(self) -> Params:
        return {**self._next, "limit": self.limit}

    def update_state(self, response: ApiResponse, records: list[Any]) -> None:
        url = (response.links.get("next") or {}).get("url")
        if not url:
            self.has_next_page = False
            return
        values = parse_qs(urlsplit(url).query).get("page_info")
        if not values:
            raise PagingError("a Link rel=next header came without page_info")
        self._next = {"limit": self.limit, "page_info": values[0]}
