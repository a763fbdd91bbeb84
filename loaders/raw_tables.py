"""Reading the store's own raw tables while its source runs (ids already loaded, refunds already known).

A source runs inside its dlt pipeline, whose destination is the store's raw dataset:
`select` asks that dataset, so a loader can compare what the API says now with what
earlier runs loaded (reconciliation, refunds that changed) without any other connection.
"""

from __future__ import annotations

from typing import Any

import dlt
from dlt.destinations.exceptions import DatabaseUndefinedRelation


def select(table: str, columns: str, where: str = "", *params: Any) -> list[tuple] | None:
    """`select <columns> from <raw table> [where <where>]` as rows; None when the table does not exist yet."""
    with dlt.current.pipeline().sql_client() as client:
        sql = f"select {columns} from {client.make_qualified_table_name(table)}"
        try:
            rows = client.execute_sql(f"{sql} where {where}" if where else sql, *params)
        except DatabaseUndefinedRelation:
            return None
    return [tuple(row) for row in rows or []]
