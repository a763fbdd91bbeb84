"""commercetools' keyset paging: by (lastModifiedAt, id), never by offset (offsets stop at 10 000).

`sort=lastModifiedAt asc&sort=id asc&withTotal=false&limit=500` and a `where` that
starts after the last record of the previous page:
`lastModifiedAt > "t" or (lastModifiedAt = "t" and id > "last-id")`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from loaders.http_client import ApiResponse, MalformedBody
from loaders.incremental import RecordShape, Rejected
from loaders.paging import Paginator, PagingError, Params

# The keyset every resource pages by; a record without it cannot be a page boundary.
KEYSET = RecordShape((str,), "lastModifiedAt")


def paged(body: Any) -> None:
    """A PagedQueryResponse: an object with a `results` list."""
    if not isinstance(body, dict) or not isinstance(body.get("results"), list):
        raise MalformedBody("expected a paged response with a results list")


def results(body: Any) -> list[Any]:
    return body["results"]


def ct_timestamp(moment: datetime) -> str:
    """commercetools' own format: UTC with milliseconds and a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def quote(value: str) -> str:
    """A string literal of commercetools' query predicate language."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _last_key(records: list[Any], keyset: RecordShape = KEYSET) -> tuple[str, str] | None:
    """(keyset field, id) of the last well-formed record on a page: where the next page starts."""
    for record in reversed(records):
        try:
            keyset.key(record)
        except Rejected:
            continue
        return record[keyset.cursor], record["id"]
    return None


def _and(condition: str | None, predicate: str | None) -> str | None:
    """Both predicates (either may be absent), the second in parentheses."""
    if condition and predicate:
        return f"{condition} and ({predicate})"
    return condition or predicate


class KeysetPaginator(Paginator):
    """Pages sorted by (lastModifiedAt, id), each starting strictly after the previous one.

    `keyset`: another timestamp to page by (Messages: createdAt); `condition`: a predicate
    every page also carries (Messages: the deletion types).
    """

    resizable = True  # a keyset: the next page starts after the last record, whatever the page size

    def __init__(
        self,
        limit: int,
        since: datetime | None,
        *,
        keyset: RecordShape = KEYSET,
        condition: str | None = None,
    ) -> None:
        super().__init__()
        self.limit = limit
        self.keyset = keyset
        self.condition = condition
        self.where = None if since is None else f"{keyset.cursor} >= {quote(ct_timestamp(since))}"

    def next_request(self) -> Params:
        params: list[tuple[str, Any]] = [
            ("sort", f"{self.keyset.cursor} asc"),
            ("sort", "id asc"),
            ("withTotal", "false"),
            ("limit", self.limit),
        ]
        where = _and(self.condition, self.where)
        if where:
            params.append(("where", where))
        return params

    def update_state(self, response: ApiResponse, records: list[Any]) -> None:
        if len(records) < self.limit:
            self.has_next_page = False
            return
        key = _last_key(records, self.keyset)
        if key is None:
            raise PagingError(f"a full page without one usable ({self.keyset.cursor}, id) to continue from")
        at, last_id = (quote(v) for v in key)
        field = self.keyset.cursor
        self.where = f"{field} > {at} or ({field} = {at} and id > {last_id})"


class IdPaginator(Paginator):
    """Records paged by id (`condition`: only those matching it), e.g. every id for the reconciliation."""

    resizable = True  # a keyset: the next page starts after the last record, whatever the page size

    def __init__(self, limit: int, condition: str | None = None) -> None:
        super().__init__()
        self.limit = limit
        self.condition = condition
        self.after: str | None = None

    def next_request(self) -> Params:
        where = _and(self.condition, f"id > {quote(self.after)}" if self.after else None)
        params: list[tuple[str, Any]] = [("sort", "id asc"), ("withTotal", "false"), ("limit", self.limit)]
        return params + ([("where", where)] if where else [])

    def update_state(self, response: ApiResponse, records: list[Any]) -> None:
        last = records[-1] if records else None
        if len(records) < self.limit or not isinstance(last, dict) or not isinstance(last.get("id"), str):
            self.has_next_page = False
            return
        self.after = last["id"]


class UndatedPaginator(IdPaginator):
    """The records without `lastModifiedAt`, paged by id (no keyset predicate matches them)."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit, "lastModifiedAt is not defined")
