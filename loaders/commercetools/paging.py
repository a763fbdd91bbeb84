"""commercetools' keyset paging: by (lastModifiedAt, id), never by offset (offsets stop at 10 000).

`sort=lastModifiedAt asc&sort=id asc&withTotal=false&limit=500` and a `where` that
starts after the last record of the previous page:
`lastModifiedAt > "t" or (lastModifiedAt = "t" and id > "last-id")`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from loaders.http_client import ApiResponse
from loaders.incremental import RecordShape, Rejected
from loaders.paging import Paginator, PagingError, Params

# The keyset every resource pages by; a record without it cannot be a page boundary.
KEYSET = RecordShape((str,), "lastModifiedAt")


def ct_timestamp(moment: datetime) -> str:
    """commercetools' own format: UTC with milliseconds and a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def quote(value: str) -> str:
    """A string literal of commercetools' query predicate language."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _last_key(records: list[Any]) -> tuple[str, str] | None:
    """(lastModifiedAt, id) of the last well-formed record on a page: where the next page starts."""
    for record in reversed(records):
        try:
            KEYSET.key(record)
        except Rejected:
            continue
        return record["lastModifiedAt"], record["id"]
    return None


class KeysetPaginator(Paginator):
    """Pages sorted by (lastModifiedAt, id), each starting strictly after the previous one."""

    def __init__(self, limit: int, since: datetime | None) -> None:
        super().__init__()
        self.limit = limit
        self.where = None if since is None else f"lastModifiedAt >= {quote(ct_timestamp(since))}"

    def next_request(self) -> Params:
        params: list[tuple[str, Any]] = [
            ("sort", "lastModifiedAt asc"),
            ("sort", "id asc"),
            ("withTotal", "false"),
            ("limit", self.limit),
        ]
        if self.where:
            params.append(("where", self.where))
        return params

    def update_state(self, response: ApiResponse, records: list[Any]) -> None:
        if len(records) < self.limit:
            self.has_next_page = False
            return
        key = _last_key(records)
        if key is None:
            raise PagingError("a full page without one usable (lastModifiedAt, id) to continue from")
        modified, last_id = (quote(v) for v in key)
        self.where = f"lastModifiedAt > {modified} or (lastModifiedAt = {modified} and id > {last_id})"


class UndatedPaginator(Paginator):
    """The records without `lastModifiedAt`, paged by id (no keyset predicate matches them)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.after: str | None = None

    def next_request(self) -> Params:
        where = "lastModifiedAt is not defined" + (f" and id > {quote(self.after)}" if self.after else "")
        return [("sort", "id asc"), ("withTotal", "false"), ("limit", self.limit), ("where", where)]

    def update_state(self, response: ApiResponse, records: list[Any]) -> None:
        last = records[-1] if records else None
        if len(records) < self.limit or not isinstance(last, dict) or not isinstance(last.get("id"), str):
            self.has_next_page = False
            return
        self.after = last["id"]
