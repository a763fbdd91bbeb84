"""The raw `deleted_records` table every source writes (docs/analytics.md, "Deletes").

One row per deleted (or restored) order, customer or product, merged on (`resource`, `id`).
Writers: the id reconciliation (loaders/reconcile.py), Shopify's deletion events
(loaders/shopify/deletions.py) and commercetools Messages (loaders/commercetools/deletions.py);
each a resource of its own writing this one table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import dlt

from loaders.incremental import iso

DELETED_TABLE = "deleted_records"
COLUMNS: dict[str, dict[str, Any]] = {
    "resource": {"data_type": "text", "nullable": False},
    "id": {"data_type": "text", "nullable": False},
    "deleted_at": {"data_type": "timestamp", "nullable": True},
    "detected_by": {"data_type": "text", "nullable": False},
    "evidence": {"data_type": "text", "nullable": True},
    "checked_at": {"data_type": "timestamp", "nullable": False},
}


def deleted_records_resource(rows: Callable[[], Iterator[Any]], name: str) -> Any:
    """A dlt resource `name` merging the rows `rows()` yields into `deleted_records`."""
    return dlt.resource(
        rows,
        name=name,
        table_name=DELETED_TABLE,
        write_disposition="merge",
        primary_key=("resource", "id"),
        columns=COLUMNS,
    )


def incremental_deletions(
    name: str, read: Callable[[str | None, datetime], tuple[list[dict[str, Any]], str | None]]
) -> Any:
    """A resource reading a platform's deletion log since the newest entry of the last run.

    `read(since, checked_at)` -> (the rows, the newest entry's time, None when none); `since` is
    kept in the resource state (committed with the rows). The first run creates the table even
    without rows (staging reads it); later runs without deletes write nothing.
    """

    def rows() -> Iterator[Any]:
        state = dlt.current.resource_state()
        checked_at = datetime.now(UTC)
        found, newest = read(state.get("since"), checked_at)
        if found:
            yield found
        elif "checked_at" not in state:
            yield dlt.mark.materialize_table_schema()
        if newest:
            state["since"] = newest
        state["checked_at"] = iso(checked_at)

    return deleted_records_resource(rows, name)
