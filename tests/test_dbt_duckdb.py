"""The same dbt project on DuckDB (dbt-duckdb, target `duckdb`) gives PostgreSQL's marts.

The same raw data goes through dlt into both engines (tests/raw_fixtures.py, dlt's
postgres and duckdb destinations); `dbt build` runs on each (every model, seed, unit and
data test, the Python CLV models included), then an incremental run after the same small
changes. Every mart column is compared by a checksum: a column that one engine computes
differently (a rounding, a type, a time zone, a NULL) shows up by name. On both engines, no
staging column is NULL on every row while the raw data has values for it.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from metric_pulse.dbt_runner import DBT_PROJECT_DIR
from metric_pulse.warehouse import DbSettings
from tests.raw_fixtures import load_raw
from tests.test_dbt_models import (  # noqa: F401  (fixtures)
    DBT_VARS,
    MART_KEYS,
    MARTS,
    assert_ok,
    db,
    dbt,
    dbt_database,
    generated,
    rows,
    small_changes,
    target_dir,
)

# when dlt loaded a row: two loads of the same data differ here by design
LOAD_TIME_COLUMNS = {"loaded_at", "first_loaded_at", "last_loaded_at"}


def dbt_duckdb(path: Path, target: Path, *args: str) -> subprocess.CompletedProcess:
    """`dbt <args> --target duckdb` on the DuckDB file `path`, with the shared vars."""
    command = [
        str(Path(sys.executable).with_name("dbt")),
        *args,
        "--target",
        "duckdb",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target),
        "--vars",
        json.dumps(DBT_VARS),
    ]
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DUCKDB_PATH": str(path)}
    proc = subprocess.run(command, env=env, cwd=DBT_PROJECT_DIR, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-20000:]
    return proc


def duckdb_rows(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def _canonical(value: object) -> str:
    """One text per value on both engines: numbers to 10 significant digits (a decimal and the
    same double agree; money has at most 4 decimals), timestamps and dates in ISO form."""
    if value is None:
        return "∅"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal | int | float):
        return f"{float(value):.10g}"
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


Query = Callable[[str], list[tuple]]  # SQL -> rows, on one engine


def mart_checksums(query: Query, mart: str) -> dict[str, str]:
    columns = [
        r[0]
        for r in query(
            "select column_name from information_schema.columns"
            f" where table_schema = 'analytics' and table_name = '{mart}' order by ordinal_position"
        )
    ]
    return column_checksums(columns, query(f"select * from analytics.{mart} order by {MART_KEYS[mart]}"))


def differing_columns(postgres: Query, duck: Query) -> dict[str, list[str]]:
    """{mart: [columns whose checksums differ]} for every mart whose columns differ."""
    found = {}
    for mart in MARTS:
        pg_sums, duck_sums = mart_checksums(postgres, mart), mart_checksums(duck, mart)
        assert pg_sums.keys() == duck_sums.keys(), (mart, sorted(pg_sums.keys() ^ duck_sums.keys()))
        different = sorted(name for name in pg_sums if pg_sums[name] != duck_sums[name])
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


def all_null_staging_columns(query: Query) -> set[str]:
    """`model.column` of every staging column NULL on every row of a model that has rows."""
    columns: dict[str, list[str]] = {}
    for table, column in query(
        "select table_name, column_name from information_schema.columns"
        " where table_schema = 'staging' order by table_name, ordinal_position"
    ):
        columns.setdefault(table, []).append(column)
    found = set()
    for table, names in columns.items():
        counts = query(
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


def assert_no_silent_nulls(query: Query, raw: dict) -> None:
    found = {c for c in all_null_staging_columns(query) if c.rsplit(".", 1)[1] not in LIFECYCLE_COLUMNS}
    assert found == set(NEVER_SENT), sorted(found ^ set(NEVER_SENT))
    sent = [
        column
        for column, (platform, *path) in NEVER_SENT.items()
        if any(
            value not in (None, "", 0) for value in values_at(raw[platform], tuple(path))
        )  # 0: WooCommerce's "none"
    ]
    assert sent == [], "the raw data has values for these all-NULL staging columns"


def test_duckdb_builds_the_same_marts_as_postgres_full_and_incremental(
    db: DbSettings,  # noqa: F811  (fixtures of test_dbt_models)
    target_dir: Path,  # noqa: F811
    tmp_path: Path,
    generated: dict,  # noqa: F811
) -> None:
    duck = tmp_path / "warehouse.duckdb"
    on_postgres: Query = lambda sql: rows(db, sql)  # noqa: E731
    on_duckdb: Query = lambda sql: duckdb_rows(duck, sql)  # noqa: E731
    load_raw(db, generated, tmp_path / "dlt-postgres")
    load_raw(None, generated, tmp_path / "dlt-duckdb", duckdb_path=duck)

    assert_ok(dbt(db, target_dir, "build"))
    built = dbt_duckdb(duck, tmp_path / "target-duckdb", "build")
    assert "ERROR=0" in built.stdout and "PASS=" in built.stdout
    assert duckdb_rows(duck, "select count(*) from analytics.orders")[0][0] > 400
    assert differing_columns(on_postgres, on_duckdb) == {}
    assert_no_silent_nulls(on_postgres, generated)
    assert_no_silent_nulls(on_duckdb, generated)

    changes, _ = small_changes(generated)
    load_raw(db, changes, tmp_path / "dlt-postgres")
    load_raw(None, changes, tmp_path / "dlt-duckdb", duckdb_path=duck)
    assert_ok(dbt(db, target_dir, "build"))
    dbt_duckdb(duck, tmp_path / "target-duckdb", "build")
    assert differing_columns(on_postgres, on_duckdb) == {}


def test_compile_and_docs_generate_work_on_an_empty_duckdb(tmp_path: Path) -> None:
    """`dbt compile` and `dbt docs generate` before anything was loaded or built (a data team's CI)."""
    dbt_duckdb(tmp_path / "empty.duckdb", tmp_path / "target", "compile")
    dbt_duckdb(tmp_path / "empty.duckdb", tmp_path / "target", "docs", "generate")
