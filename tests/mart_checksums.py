"""Comparing the marts that two engines built from the same raw data: column checksums, silent NULLs.

One home for the DuckDB job (tests/test_dbt_duckdb.py) and the Spark job
(tests/test_dbt_spark.py, `make test-spark`): an `Engine` is how to run a query on one
engine and how to list a schema's tables and columns there (information_schema on
PostgreSQL and DuckDB; Spark's catalog, which has no information_schema).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from metric_pulse.dbt_runner import DBT_PROJECT_DIR
from tests.test_dbt_models import DBT_VARS, MART_KEYS, MARTS


def engine_dbt_args(target: str, target_path: Path, *args: str) -> list[str]:
    """`dbt <args>` on the project for the profile output `target`, with the shared vars (no executable)."""
    return [
        *args,
        "--target",
        target,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target_path),
        "--vars",
        json.dumps(DBT_VARS),
    ]


# when dlt loaded a row: two loads of the same data differ here by design
LOAD_TIME_COLUMNS = {"loaded_at", "first_loaded_at", "last_loaded_at"}

Query = Callable[[str], list[tuple]]  # SQL -> rows, on one engine


@dataclass(frozen=True)
class Engine:
    rows: Query
    columns: Callable[[str], dict[str, list[str]]]
    """schema -> {table: its column names in order}"""


def information_schema_columns(query: Query) -> Callable[[str], dict[str, list[str]]]:
    """`Engine.columns` read from information_schema (PostgreSQL, DuckDB)."""

    def columns(schema: str) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for table, column in query(
            "select table_name, column_name from information_schema.columns"
            f" where table_schema = '{schema}' order by table_name, ordinal_position"
        ):
            found.setdefault(table, []).append(column)
        return found

    return columns


def sql_engine(query: Query) -> Engine:
    return Engine(query, information_schema_columns(query))


def _canonical(value: object) -> str:
    """One text per value on every engine: numbers to 10 significant digits (a decimal and the
    same double agree; money has at most 4 decimals), timestamps and dates in ISO form, an
    instant in UTC without its offset (Spark returns instants as naive UTC values)."""
    if value is None:
        return "∅"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal | int | float):
        return f"{float(value):.10g}"
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None).isoformat()
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def column_checksums(columns: list[str], table: Iterable[tuple]) -> dict[str, str]:
    """{column: md5 of its values in key order}, load-time columns left out."""
    digests = {name: hashlib.md5() for name in columns if name not in LOAD_TIME_COLUMNS}
    for row in table:
        for name, value in zip(columns, row, strict=True):
            if name in digests:
                digests[name].update(_canonical(value).encode() + b"\x00")
    return {name: digest.hexdigest() for name, digest in digests.items()}


def mart_checksums(engine: Engine, mart: str) -> dict[str, str]:
    columns = engine.columns("analytics")[mart]
    return column_checksums(
        columns, engine.rows(f"select {', '.join(columns)} from analytics.{mart} order by {MART_KEYS[mart]}")
    )


def differing_columns(postgres: Engine, other: Engine) -> dict[str, list[str]]:
    """{mart: [columns whose checksums differ]} for every mart whose columns differ."""
    found = {}
    for mart in MARTS:
        pg_sums, other_sums = mart_checksums(postgres, mart), mart_checksums(other, mart)
        assert pg_sums.keys() == other_sums.keys(), (mart, sorted(pg_sums.keys() ^ other_sums.keys()))
        different = sorted(name for name in pg_sums if pg_sums[name] != other_sums[name])
        if different:
            found[mart] = different
    return found


# Staging columns NULL on every row of the generator's data, with the API field they come from: the
# generator never sends a value there. Any other all-NULL column is the silent-NULL failure (a JSON
# column read the wrong way on one engine left 15 commercetools columns NULL while every test passed).
NEVER_SENT = {
    "stg_commercetools__customers.external_id": ("commercetools", "customers", "externalId"),
    "stg_commercetools__customers.company_name": ("commercetools", "customers", "companyName"),
    "stg_commercetools__order_return_info.return_tracking_id": (
        "commercetools",
        "orders",
        "returnInfo",
        "returnTrackingId",
    ),
    "stg_commercetools__orders.completed_at": ("commercetools", "orders", "completedAt"),
    "stg_shopify__customers.phone": ("shopify", "customers", "defaultPhoneNumber"),
    "stg_shopify__product_variants.compare_at_price": ("shopify", "products", "variants", "compareAtPrice"),
    # fields the REST API had and the GraphQL Admin API does not (the columns stay, NULL)
    "stg_shopify__orders.order_number": ("shopify", "orders", "number"),
    # the loader reads an order's customer as a reference (id, legacyResourceId), its e-mail is the order's
    "stg_shopify__orders.customer_email": ("shopify", "orders", "customer", "defaultEmailAddress"),
    "stg_shopify__orders.line_items_total": ("shopify", "orders", "totalLineItemsPriceSet"),
    "stg_shopify__order_refunds.is_restock": ("shopify", "orders", "refunds", "restock"),
    "stg_shopify__order_refunds.processed_at": ("shopify", "orders", "refunds", "processedAt"),
    "stg_woocommerce__orders.parent_order_id": ("woocommerce", "orders", "parent_id"),
    "stg_woocommerce__products.sale_price": ("woocommerce", "products", "sale_price"),
    "stg_woocommerce__products.stock_quantity": ("woocommerce", "products", "stock_quantity"),
}


def all_null_staging_columns(engine: Engine) -> set[str]:
    """`model.column` of every staging column NULL on every row of a model that has rows."""
    found = set()
    for table, names in engine.columns("staging").items():
        counts = engine.rows(
            f"select count(*), {', '.join(f'count({name})' for name in names)} from staging.{table}"
        )[0]
        if counts[0]:
            found |= {f"{table}.{name}" for name, count in zip(names, counts[1:], strict=True) if count == 0}
    return found


def values_at(data: object, path: tuple[str, ...]) -> list[object]:
    """The values at `path` (keys; lists on the way are walked) in the API objects `data`."""
    if isinstance(data, list):
        return [value for item in data for value in values_at(item, path)]
    if not path:
        return [data]
    return values_at(data.get(path[0]), path[1:]) if isinstance(data, dict) else []


# When the record was deleted / trashed: NULL on every row of data where nothing is (the generator's);
# tests/test_dbt_deletes.py and the WooCommerce lifecycle tests fill them.
LIFECYCLE_COLUMNS = ("deleted_at", "trashed_at")


def assert_no_silent_nulls(engine: Engine, raw: dict) -> None:
    found = {c for c in all_null_staging_columns(engine) if c.rsplit(".", 1)[1] not in LIFECYCLE_COLUMNS}
    assert found == set(NEVER_SENT), sorted(found ^ set(NEVER_SENT))
    sent = [
        column
        for column, (platform, *path) in NEVER_SENT.items()
        if any(
            value not in (None, "", 0) for value in values_at(raw[platform], tuple(path))
        )  # 0: WooCommerce's "none"
    ]
    assert sent == [], "the raw data has values for these all-NULL staging columns"
