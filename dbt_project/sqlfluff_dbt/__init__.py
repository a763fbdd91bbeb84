"""dbt's run-time context as sqlfluff's jinja templater sees it (`.sqlfluff`: library_path).

sqlfluff renders our models offline, without dbt or a database. Its dbt builtins cover
ref/source/config/is_incremental/this; these names cover the rest our macros use, as they
are while dbt parses a project (`execute` false: no query runs), and `var` returns the
values in dbt_project.yml, so models render with the settings they really get.
"""

from __future__ import annotations

import datetime
import itertools
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml

_VARS: dict[str, Any] = yaml.safe_load((Path(__file__).parents[1] / "dbt_project.yml").read_text())["vars"]

execute = False
target = SimpleNamespace(name="default", schema="analytics", type="postgres")
# the Python modules dbt exposes to Jinja as `modules` (the ones our macros use)
modules = SimpleNamespace(datetime=datetime, itertools=itertools, re=re)


def var(name: str, default: Any = None) -> Any:
    """The project's value of a dbt var (dbt_project.yml), else the default given in the call."""
    return _VARS.get(name, default)


class _Adapter:
    """The adapter methods our macros call; nothing exists in a database that is not there."""

    @staticmethod
    def quote(identifier: str) -> str:
        return f'"{identifier}"'

    @staticmethod
    def get_relation(*args: Any, **kwargs: Any) -> None:
        return None

    @staticmethod
    def get_columns_in_relation(relation: Any) -> list:
        return []

    @staticmethod
    def dispatch(name: str, macro_namespace: str | None = None) -> Any:
        """A dialect macro (macros/dialect.sql) as SQL of the same shape as its postgres body."""
        return _DIALECT.get(name, lambda *args: f"{name}({', '.join(map(str, args))})")


# what the dialect macros render to, where a plain function call would not parse in their place
_DIALECT: dict[str, Any] = {
    "money_type": lambda: "numeric(18,4)",
    "json_type": lambda: "jsonb",
    "regex_matches": lambda expression, pattern: f"({expression} ~ '{pattern}')",
    "json_path": lambda document, path, as_text=True: f"({document} #>> '{{{','.join(path)}}}')",
    "in_subquery": lambda column, subquery: f"{column} in ({subquery})",
    "join_json_array": lambda document, alias: (
        f"cross join lateral jsonb_array_elements({document}) with ordinality as {alias} (value, position)"
    ),
    "analyze_table": lambda relation: "",
    "time_zone_exists": lambda zone: True,
    "first_row_per": lambda partition_by, columns, from_sql, order_by: (
        f"select distinct on ({partition_by}) {', '.join(columns)} {from_sql} order by {partition_by}, {order_by}"
    ),
    "first_in_order": lambda value, keys: f"(array_agg({value} order by {', '.join(keys)}))[1]",
    "sorted_distinct_list": lambda column, separator: (
        f"string_agg(distinct {column}, {separator} order by {column})"
    ),
    "join_rate_on_date": lambda alias, currency: (
        f"left join lateral (select rates.units_per_usd from rates where rates.currency_code = {currency}"
        " order by rates.valid_from > order_dates.rate_date limit 1)"
        f" as {alias} on true"
    ),
    "days_between": lambda later, earlier: f"({later} - {earlier})",
    "earliest_date": lambda: "cast('-infinity' as date)",
    "double_type": lambda: "double precision",
}


adapter = _Adapter()
# dbt's cross-database macros our SQL calls, with dbt-postgres's values
dbt = SimpleNamespace(
    type_string=lambda: "text",
    type_numeric=lambda: "numeric(28,6)",
    listagg=lambda measure, delimiter_text="','", order_by_clause=None, limit_num=None: (
        f"string_agg({measure}, {delimiter_text} {order_by_clause or ''})"
    ),
)
