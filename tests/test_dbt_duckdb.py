"""The same dbt project on DuckDB (dbt-duckdb, target `duckdb`) gives PostgreSQL's marts.

The same raw data goes through dlt into both engines (tests/raw_fixtures.py, dlt's
postgres and duckdb destinations); `dbt build` runs on each (every model, seed, unit and
data test, the Python CLV models included), then an incremental run after the same small
changes. Every mart column is compared by a checksum: a column that one engine computes
differently (a rounding, a type, a time zone, a NULL) shows up by name. On both engines, no
staging column is NULL on every row while the raw data has values for it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from metric_pulse.dbt_runner import DBT_PROJECT_DIR
from metric_pulse.warehouse import DbSettings
from tests.mart_checksums import (
    Engine,
    assert_no_silent_nulls,
    differing_columns,
    engine_dbt_args,
    sql_engine,
)
from tests.raw_fixtures import load_raw
from tests.test_dbt_models import (  # noqa: F401  (fixtures)
    assert_ok,
    db,
    dbt,
    dbt_database,
    generated,
    rows,
    small_changes,
    target_dir,
)


def dbt_duckdb(path: Path, target: Path, *args: str) -> subprocess.CompletedProcess:
    """`dbt <args> --target duckdb` on the DuckDB file `path`, with the shared vars."""
    command = [str(Path(sys.executable).with_name("dbt")), *engine_dbt_args("duckdb", target, *args)]
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DUCKDB_PATH": str(path)}
    proc = subprocess.run(command, env=env, cwd=DBT_PROJECT_DIR, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-20000:]
    return proc


def duckdb_rows(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def test_duckdb_builds_the_same_marts_as_postgres_full_and_incremental(
    db: DbSettings,  # noqa: F811  (fixtures of test_dbt_models)
    target_dir: Path,  # noqa: F811
    tmp_path: Path,
    generated: dict,  # noqa: F811
) -> None:
    duck = tmp_path / "warehouse.duckdb"
    on_postgres: Engine = sql_engine(lambda sql: rows(db, sql))
    on_duckdb: Engine = sql_engine(lambda sql: duckdb_rows(duck, sql))
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
