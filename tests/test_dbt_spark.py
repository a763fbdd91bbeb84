"""The same dbt project on local Spark (dbt-spark, session method) gives PostgreSQL's marts.

`make test-spark` runs this in `.venv-spark` (pyspark and dbt-spark beside the project;
Java 17 from Debian's openjdk-17-jre-headless). The same generated raw data goes through
dlt into PostgreSQL and into DuckDB; DuckDB's raw tables are exported to parquet and
registered as Spark tables, one database per raw dataset (JSON columns arrive as strings,
as they do from dlt's Databricks destination). Then a full-refresh `dbt build` on each
engine, every model, seed, unit and data test, the Python CLV models included, and every
mart column compared by a checksum (tests/mart_checksums.py).

dbt runs in this process: dbt-spark's session method uses the process's SparkSession, so
the tables it builds are there to compare. Its Python-model submission targets Databricks
clusters; `SessionSubmission` below runs a model's code on that same session instead
(test-only). Incremental runs need Delta (merge), whose jars cannot be fetched offline:
the incremental logic is covered on PostgreSQL and DuckDB (tests/test_dbt_duckdb.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

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
    target_dir,
)

# Spark starts slowly and runs every node as a job: about 6 minutes alone on 2 cores, far longer
# on a machine shared with other test runs (the suite's default timeout is 600 s).
pytestmark = [pytest.mark.spark, pytest.mark.timeout(1800)]


def export_raw_to_parquet(duck: Path, out: Path) -> list[tuple[str, str]]:
    """Every raw table of the DuckDB file as `out/<dataset>/<table>/data.parquet`; the (dataset, table) pairs."""
    exported = []
    with duckdb.connect(str(duck), read_only=True) as conn:
        for dataset, table in conn.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema like 'raw\\_%' escape '\\' and table_schema not like '%\\_staging' escape '\\'"
        ).fetchall():
            (out / dataset / table).mkdir(parents=True)
            conn.execute(
                f"copy {dataset}.\"{table}\" to '{out / dataset / table / 'data.parquet'}' (format parquet)"
            )
            exported.append((dataset, table))
    return exported


@pytest.fixture
def spark(tmp_path: Path) -> Iterator:
    """A local SparkSession (2 threads, UTC, tables under tmp_path), stopped afterwards."""
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("metric-pulse-test")
        .config("spark.sql.warehouse.dir", str(tmp_path / "spark-warehouse"))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        # dbt-spark asks for Hive support: its Derby metastore files go here, not into the working directory
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={tmp_path / 'derby'}")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def session_submission():
    """dbt-spark's Python-model submission, on the process's own SparkSession (test-only).

    dbt-spark runs a Python model by sending its compiled code to a Databricks cluster
    (`all_purpose_cluster`, the default, or `job_cluster`); with the session method there
    is no cluster. The compiled code expects a `spark` session in its globals and writes
    the model's table itself (`saveAsTable`), so running it here is the whole job.
    """
    from dbt.adapters.base import PythonJobHelper
    from pyspark.sql import SparkSession

    class SessionSubmission(PythonJobHelper):
        def __init__(self, parsed_model: dict, credentials: object) -> None:
            self.name = f"{parsed_model['schema']}.{parsed_model['alias']}"

        def submit(self, compiled_code: str) -> None:
            # the default session, not the active one: dbt runs the model in a worker thread
            exec(compile(compiled_code, self.name, "exec"), {"spark": SparkSession.builder.getOrCreate()})

    return SessionSubmission


def dbt_spark(target: Path, monkeypatch: pytest.MonkeyPatch, *args: str):
    """`dbt <args> --target spark_local` in this process; the dbtRunnerResult."""
    from dbt.adapters.spark.impl import SparkAdapter
    from dbt.cli.main import dbtRunner

    helper = session_submission()
    monkeypatch.setattr(
        SparkAdapter, "python_submission_helpers", property(lambda self: {"all_purpose_cluster": helper})
    )
    monkeypatch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return dbtRunner().invoke(engine_dbt_args("spark_local", target, *args))


def spark_engine(spark) -> Engine:  # noqa: ANN001 (a SparkSession)
    """Queries and columns on Spark, whose catalog has no information_schema."""

    def columns(schema: str) -> dict[str, list[str]]:
        return {t.name: spark.table(f"{schema}.{t.name}").columns for t in spark.catalog.listTables(schema)}

    return Engine(lambda sql: [tuple(row) for row in spark.sql(sql).collect()], columns)


def test_spark_builds_the_same_marts_as_postgres(
    db: DbSettings,  # noqa: F811  (fixtures of test_dbt_models)
    target_dir: Path,  # noqa: F811
    tmp_path: Path,
    generated: dict,  # noqa: F811
    spark,  # noqa: ANN001
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A data team's CI compiles (and writes docs) before anything is loaded: on an empty catalog too.
    for command in ("compile", "docs generate"):
        empty = dbt_spark(tmp_path / "target-empty", monkeypatch, *command.split())
        assert empty.success, f"dbt {command} on an empty Spark catalog: {empty.exception}"

    duck = tmp_path / "raw.duckdb"
    load_raw(db, generated, tmp_path / "dlt-postgres")
    load_raw(None, generated, tmp_path / "dlt-duckdb", duckdb_path=duck)
    for dataset, table in export_raw_to_parquet(duck, tmp_path / "parquet"):
        spark.sql(f"create database if not exists {dataset}")
        location = tmp_path / "parquet" / dataset / table
        spark.sql(f"create table {dataset}.`{table}` using parquet location '{location}'")

    assert_ok(dbt(db, target_dir, "build"))
    built = dbt_spark(tmp_path / "target-spark", monkeypatch, "build", "--full-refresh")
    assert built.result is not None, built.exception
    statuses = [str(result.status) for result in built.result.results]
    failed = [
        f"{result.node.unique_id}: {(result.message or '')[:300]}"
        for result in built.result.results
        if str(result.status) not in ("success", "pass")
    ]
    print(f"spark: {len(statuses)} nodes, {sum(s in ('success', 'pass') for s in statuses)} passed")
    assert failed == [] and built.success, "\n".join(failed)
    assert spark.sql("select count(*) from analytics.orders").collect()[0][0] > 400

    on_spark = spark_engine(spark)
    assert differing_columns(sql_engine(lambda sql: rows(db, sql)), on_spark) == {}
    assert_no_silent_nulls(on_spark, generated)
