"""dbt Python models on Postgres through the `pypostgres` adapter plugin (adapters/).

One real `dbt build` of tests/dbt_fixtures/python_models per batch, on a fresh
database of the embedded server, then `dbt docs generate`:
  build 1 (batch 1)                 -> every model and yaml test passes;
  build 2 (batch 2, fail_now=true)  -> incremental models merge / delete+insert /
                                       append / full-refresh-swap; py_fails deletes its
                                       own rows and raises, so its old table must survive;
  docs generate                     -> the catalog lists the Python models' columns.
A few fast tests exercise the DataFrame <-> Postgres conversion without dbt.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psycopg2
import pytest
from dbt.adapters.pypostgres.frame_read import frame_from_cursor
from dbt.adapters.pypostgres.frame_write import FrameWriteError, column_definitions, infer_pg_type, is_missing
from dbt.adapters.pypostgres.impl import python_source
from dbt.adapters.pypostgres.model_runtime import ModelRuntime, TransactionGuardError

from metric_pulse.warehouse import DbSettings, ensure_database

FIXTURE = Path(__file__).resolve().parent / "dbt_fixtures" / "python_models"
DBT = Path(sys.executable).with_name("dbt")
SCHEMA = "analytics"
TEXT_DTYPE = "str" if int(pd.__version__.split(".")[0]) >= 3 else "object"


# --------------------------------------------------------------------------- the dbt runs


@dataclass
class DbtRun:
    args: list[str]
    returncode: int
    output: str
    results: dict[str, dict[str, Any]] = field(default_factory=dict)  # unique_id -> run result

    def status(self, unique_id: str) -> str:
        return self.results[unique_id]["status"]

    def explain(self) -> str:
        return f"dbt {' '.join(self.args)} exited {self.returncode}:\n{self.output[-6000:]}"


@dataclass
class Project:
    settings: DbSettings
    path: Path
    build1: DbtRun
    after_build1: dict[str, list[tuple]]
    build2: DbtRun
    docs: DbtRun

    def rows(self, table: str, order_by: str = "1") -> list[tuple]:
        return query(self.settings, f'select * from {SCHEMA}."{table}" order by {order_by}')


def query(settings: DbSettings, sql: str, params: Any = None) -> list[tuple]:
    conn = settings.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        conn.close()


def run_dbt(path: Path, settings: DbSettings, *args: str) -> DbtRun:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DB_") and k != "DATABASE_URL"}
    env.update(settings.dbt_env(), DBT_SEND_ANONYMOUS_USAGE_STATS="false", DBT_USE_COLORS="false")
    cmd = [str(DBT), *args, "--project-dir", str(path), "--profiles-dir", str(path)]
    proc = subprocess.run(cmd, cwd=path, env=env, capture_output=True, text=True, timeout=600)
    run = DbtRun(list(args), proc.returncode, proc.stdout + proc.stderr)
    results_file = path / "target" / "run_results.json"
    if results_file.exists():
        run.results = {r["unique_id"]: r for r in json.loads(results_file.read_text())["results"]}
        results_file.unlink()
    return run


@pytest.fixture(scope="module")
def project(pg_server: DbSettings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """The fixture project built twice and documented, on a database of its own.

    Module-scoped (the dbt runs are the slow part), so it makes its database from the
    session's `pg_server` the way conftest's function-scoped `pg_env` does.
    """
    settings = pg_server.with_database(f"mp_test_pymodels_{uuid.uuid4().hex[:8]}")
    ensure_database(settings)
    path = tmp_path_factory.mktemp("dbt") / "python_models"
    shutil.copytree(FIXTURE, path)
    try:
        build1 = run_dbt(path, settings, "build", "--vars", "{batch: 1}")
        snapshot = {}
        if build1.returncode == 0:
            for table in (
                "py_fails",
                "py_orders_merge",
                "py_orders_delete_insert",
                "py_orders_append",
                "py_orders_rebuilt",
            ):
                snapshot[table] = query(settings, f'select * from {SCHEMA}."{table}" order by 1')
        build2 = run_dbt(path, settings, "build", "--vars", "{batch: 2, fail_now: true}")
        docs = run_dbt(path, settings, "docs", "generate")
        yield Project(settings, path, build1, snapshot, build2, docs)
    finally:
        conn = pg_server.connect()
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'drop database if exists "{settings.database}" with (force)')
        conn.close()


def node(name: str, kind: str = "model") -> str:
    return f"{kind}.python_models.{name}"


# --------------------------------------------------------------------------- build 1


def test_first_build_runs_python_models_and_their_yaml_tests(project: Project) -> None:
    run = project.build1
    assert run.returncode == 0, run.explain()
    for name in (
        "py_customer_totals",
        "py_orders_merge",
        "py_orders_append",
        "py_orders_delete_insert",
        "py_orders_rebuilt",
        "py_fails",
        "py_roundtrip_write",
        "py_roundtrip_read",
        "py_roundtrip_copy",
    ):
        assert run.status(node(name)) == "success", name
    python_model_tests = [
        uid for uid in run.results if uid.startswith("test.") and "py_customer_totals" in uid
    ]
    assert len(python_model_tests) == 4, python_model_tests
    assert all(run.status(uid) == "pass" for uid in python_model_tests)


def test_python_table_model_reads_ref_and_source_and_uses_dbt_context(project: Project) -> None:
    assert project.build1.returncode == 0, project.build1.explain()
    rows = project.rows("py_customer_totals")
    utc = dt.UTC
    assert [(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows] == [
        (1, "Ada", "GB", Decimal("184.50"), 3, dt.datetime(2024, 1, 10, tzinfo=utc), True),
        (2, "Grace", "US", Decimal("123.00"), 3, dt.datetime(2024, 1, 8, tzinfo=utc), False),
        (3, "Linus", "FI", Decimal("153.75"), 3, dt.datetime(2024, 1, 9, tzinfo=utc), True),
    ]
    # dbt.config.get reads the yaml config; dbt.this renders the model's own relation.
    assert {r[7] for r in rows} == {"customer Ada", "customer Grace", "customer Linus"}
    assert {r[8] for r in rows} == {f'"{project.settings.database}"."{SCHEMA}"."py_customer_totals"'}
    types = dict(
        query(
            project.settings,
            "select attname, format_type(atttypid, atttypmod) from pg_attribute "
            "where attrelid = %s::regclass and attnum > 0 and not attisdropped",
            (f"{SCHEMA}.py_customer_totals",),
        )
    )
    assert types == {
        "customer_id": "bigint",
        "name": "text",
        "country": "text",
        "total_paid": "numeric(18,2)",  # pinned by config(column_types=...)
        "payments": "bigint",
        "last_paid_at": "timestamp with time zone",
        "is_big_spender": "boolean",
        "label": "text",
        "built_into": "text",
    }


# --------------------------------------------------------------------------- build 2


def test_failing_python_model_leaves_previous_table_intact(project: Project) -> None:
    run = project.build2
    assert run.returncode == 1, run.explain()
    assert run.status(node("py_fails")) == "error"
    assert "deliberate failure after deleting every row" in run.results[node("py_fails")]["message"]
    source = (FIXTURE / "models" / "py_fails.py").read_text().splitlines()
    raise_line = next(n for n, line in enumerate(source, 1) if "raise RuntimeError" in line)
    # the traceback points into the model, at the line that raised
    assert f'py_fails.py (compiled)", line {raise_line}, in model' in run.output
    others = [uid for uid, r in run.results.items() if uid != node("py_fails")]
    assert all(run.results[uid]["status"] in ("success", "pass") for uid in others), run.explain()
    # The model's own `delete from this` and everything else it did were rolled back.
    assert project.after_build1["py_fails"] == [(1, "first run"), (2, "first run"), (3, "first run")]
    assert project.rows("py_fails") == project.after_build1["py_fails"]
    leftovers = query(
        project.settings,
        "select table_name from information_schema.tables "
        "where table_name like 'py_fails%%' and table_name <> 'py_fails'",
    )
    assert leftovers == []


def test_incremental_python_models_follow_their_strategy(project: Project) -> None:
    assert project.build1.returncode == 0, project.build1.explain()
    assert [r[0] for r in project.after_build1["py_orders_merge"]] == [1, 2, 3]
    assert [r[0] for r in project.after_build1["py_orders_append"]] == [1, 2, 3]
    assert project.after_build1["py_orders_rebuilt"] == [(1, "placed"), (2, "placed"), (3, "placed")]

    # merge on order_id: orders 1 and 2 updated in place, 4-6 added, new column appended
    merged = project.rows("py_orders_merge")
    assert [(r[0], r[2], r[6], r[7]) for r in merged] == [
        (1, "shipped", "SHIPPED", "later"),
        (2, "shipped", "SHIPPED", "later"),
        (3, "placed", "PLACED", None),
        (4, "placed", "PLACED", "later"),
        (5, "placed", "PLACED", "later"),
        (6, "placed", "PLACED", "later"),
    ]
    # delete+insert (unique_key, no strategy): same outcome, numeric and date columns kept
    di = project.rows("py_orders_delete_insert")
    assert [(r[0], r[1], r[2], r[3]) for r in di] == [
        (
            i,
            "shipped" if i <= 2 else "placed",
            Decimal(i * 125) / 100,
            dt.date(2024, 1, 1) + dt.timedelta(days=i),
        )
        for i in range(1, 7)
    ]
    assert [str(r[2]) for r in di][:2] == ["1.25", "2.50"]
    # append (no unique_key): only the new orders were added
    assert project.rows("py_orders_append") == [(i, (i % 3) + 1) for i in range(1, 7)]
    # full refresh: rebuilt through the intermediate table and swapped in
    assert project.rows("py_orders_rebuilt") == [(i, "shipped" if i <= 2 else "placed") for i in range(1, 7)]
    assert "py_orders_rebuilt__dbt_tmp" in (project.path / "logs" / "dbt.log").read_text()


# --------------------------------------------------------------------------- docs


def test_docs_generate_lists_python_model_columns(project: Project) -> None:
    assert project.docs.returncode == 0, project.docs.explain()
    catalog = json.loads((project.path / "target" / "catalog.json").read_text())
    assert not catalog.get("errors")
    entry = catalog["nodes"][node("py_customer_totals")]
    assert entry["metadata"]["type"] == "BASE TABLE"
    columns = {name: col["type"] for name, col in entry["columns"].items()}
    assert columns["total_paid"] == "numeric(18,2)"
    assert columns["customer_id"] == "bigint"
    assert set(columns) == {
        "customer_id",
        "name",
        "country",
        "total_paid",
        "payments",
        "last_paid_at",
        "is_big_spender",
        "label",
        "built_into",
    }
    assert "seen_in_batch" in catalog["nodes"][node("py_orders_merge")]["columns"]


# --------------------------------------------------------------------------- round trip


def roundtrip_source() -> pd.DataFrame:
    """The DataFrame py_roundtrip_write returns, from the model file itself."""
    spec = importlib.util.spec_from_file_location(
        "py_roundtrip_write", FIXTURE / "models" / "py_roundtrip_write.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.frame()


def canonical(value: Any) -> Any:
    """A value as a comparable, type-revealing token: exact repr, instants compared in UTC."""
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return ("instant", repr(value.astimezone(dt.UTC).replace(tzinfo=None)))
    return (type(value).__name__, repr(value))


def test_round_trip_through_postgres_is_exact(project: Project) -> None:
    assert project.build1.returncode == 0, project.build1.explain()
    source = roundtrip_source()
    expected = [tuple(canonical(v) for v in row) for row in source.astype(object).itertuples(index=False)]
    for table in ("py_roundtrip_write", "py_roundtrip_copy"):  # written, and read via dbt.ref then rewritten
        got = [tuple(canonical(v) for v in row) for row in project.rows(table, order_by="id")]
        assert got == expected, table
    written = {r[0]: r for r in project.rows("py_roundtrip_write", order_by="id")}
    assert written[5][1] == "\\N" and written[6][1] == "" and written[8][1] is None  # \N and '' are not NULL
    assert written[1][3] == 2**62 and written[4][3] == -(2**63)
    assert written[1][4] == Decimal("12345678901234567890.123456789012345678")
    assert written[5][5] is None  # NaN is NULL
    types = dict(
        query(
            project.settings,
            "select column_name, data_type from information_schema.columns "
            "where table_name = 'py_roundtrip_write'",
        )
    )
    assert types == {
        "id": "bigint",
        "txt": "text",
        "txt_str": "text",
        "big": "bigint",
        "num": "numeric",
        "dbl": "double precision",
        "flag": "boolean",
        "day": "date",
        "ts_tz": "timestamp with time zone",
        "ts": "timestamp without time zone",
        "all_null": "text",
    }


def test_round_trip_through_dbt_ref_is_exact(project: Project) -> None:
    """py_roundtrip_read reports dtype and repr of every cell dbt.ref gave it."""
    assert project.build1.returncode == 0, project.build1.explain()
    read_dtypes = {
        "id": "Int64",
        "txt": TEXT_DTYPE,
        "txt_str": TEXT_DTYPE,
        "big": "Int64",
        "num": "object",
        "dbl": "float64",
        "flag": "boolean",
        "day": "object",
        "ts_tz": "datetime64[us, UTC]",
        "ts": "datetime64[us]",
        "all_null": TEXT_DTYPE,
    }
    source = roundtrip_source()
    expected = set()
    for column, dtype in read_dtypes.items():
        values = source[column].astype(dtype) if TEXT_DTYPE == "str" and dtype == "str" else source[column]
        assert str(values.dtype) == dtype, column
        expected |= {(column, dtype, i, repr(v)) for i, v in enumerate(values.tolist())}
    got = set(
        query(
            project.settings,
            f"select column_name, dtype, position, value_repr from {SCHEMA}.py_roundtrip_read",
        )
    )
    assert got == expected


# --------------------------------------------------------------------------- no dbt


def test_compiled_code_indentation_is_repaired() -> None:
    body = "def model(dbt, session):\n    return 1\n\ndef main(runtime):\n    return model(None, None)\n"
    for rendered in (
        body,
        "    " + body,
        "".join("  " + line if line else line for line in body.splitlines(True)),
    ):
        namespace: dict[str, Any] = {}
        source = python_source(rendered)
        exec(compile(source, "<model>", "exec"), namespace)
        assert namespace["main"](None) == 1
        assert source.count("\n") == rendered.count("\n")  # line numbers kept for tracebacks


def test_type_inference_and_refusals() -> None:
    infer = lambda values, dtype=None: infer_pg_type(pd.Series(values, dtype=dtype, name="c"))  # noqa: E731
    assert infer(["a", None], "str" if TEXT_DTYPE == "str" else "string") == "text"
    assert infer(["a", None], object) == "text"
    assert infer([1, None], "Int64") == "bigint"
    assert infer([1, 2], "int32") == "bigint"
    assert infer([2**64 - 1], "uint64") == "numeric"
    assert infer([1.5, None]) == "double precision"
    assert infer([True, None], "boolean") == "boolean"
    assert infer([Decimal("1.1"), None, 2], object) == "numeric"
    assert infer([2**70, 1], object) == "numeric"
    assert infer([dt.date(2024, 1, 1), None], object) == "date"
    assert infer([dt.datetime(2024, 1, 1, tzinfo=dt.UTC)], object) == "timestamptz"
    assert infer(pd.to_datetime(["2024-01-01"]).tz_localize("Europe/Berlin")) == "timestamptz"
    assert infer(pd.to_datetime(["2024-01-01"])) == "timestamp"
    assert infer([{"a": 1}], object) == "jsonb"
    assert infer([None, None], object) is None  # decided by column_types, the target's type, or text
    with pytest.raises(FrameWriteError, match="column_types"):
        infer(["a", 1], object)
    frame = pd.DataFrame({"a": [1], "b": ["x"]})
    with pytest.raises(FrameWriteError, match="does not have"):
        column_definitions(frame, {"nope": "text"})
    assert column_definitions(frame, {"a": "numeric(10,2)"}) == [("a", "numeric(10,2)"), ("b", "text")]
    with pytest.raises(FrameWriteError, match="more than once"):
        column_definitions(pd.DataFrame([[1, 2]], columns=["a", "a"]), None)


def _connect(pg_env: dict[str, str]) -> Any:
    """A plain psycopg2 connection to the test database (no dbt in between)."""
    return psycopg2.connect(
        host=pg_env["DB_HOST"],
        port=pg_env["DB_PORT"],
        user=pg_env["DB_USER"],
        password=pg_env["DB_PASSWORD"] or None,
        dbname=pg_env["DB_NAME"],
    )


def test_runtime_on_a_plain_connection(pg_env: dict[str, str]) -> None:
    """Empty incremental batches take the target's types; NUL is refused; numeric_as='float';
    the session's connection refuses to end dbt's transaction."""
    conn = _connect(pg_env)
    try:
        with conn.cursor() as cur:
            cur.execute("create table target (id bigint, amount numeric(12,2), day date, note text)")
        runtime = ModelRuntime(conn, {})
        empty = pd.DataFrame(
            {
                "id": pd.array([], dtype="Int64"),
                "amount": pd.Series([], dtype=object),
                "day": pd.Series([], dtype=object),
                "note": pd.Series([], dtype=object),
            }
        )
        assert runtime.write_table(empty, '"batch"', temporary=True, like='"target"') == 0
        assert runtime.column_types_of('"batch"') == {
            "id": "bigint",
            "amount": "numeric(12,2)",
            "day": "date",
            "note": "text",
        }
        with pytest.raises(FrameWriteError, match="NUL"):
            runtime.write_table(pd.DataFrame({"t": ["a\x00b"]}), '"bad"')
        conn.rollback()
        with conn.cursor() as cur:
            cur.execute("select 1.25::numeric as n, null::numeric as m")
            assert frame_from_cursor(cur).iloc[0].tolist()[0] == Decimal("1.25")
        floats = ModelRuntime(conn, {"numeric_as": "float"}).session.sql(
            "select 1.25::numeric as n, null::numeric as m"
        )
        assert str(floats["n"].dtype) == "float64" and floats["n"][0] == 1.25 and np.isnan(floats["m"][0])
        for end_transaction in (runtime.session.connection.commit, runtime.session.connection.rollback):
            with pytest.raises(TransactionGuardError):
                end_transaction()
        with pytest.raises(TransactionGuardError):
            runtime.session.connection.autocommit = True
    finally:
        conn.close()


def test_values_postgres_cannot_hold_are_written_explicitly(pg_env: dict[str, str]) -> None:
    """Before (issue 14, item 15): NaN inside a dict and a lone surrogate failed the COPY, and two
    column names equal in their first 63 bytes failed with PostgreSQL's "specified more than once"."""
    conn = _connect(pg_env)
    try:
        runtime = ModelRuntime(conn, {})
        frame = pd.DataFrame(
            {
                "doc": [{"score": float("nan"), "list": [1.5, float("inf")], "name": "bad \udc80 x"}],
                "note": ["bad \udc80 escape"],
            }
        )
        assert runtime.write_table(frame, '"odd"') == 1
        with conn.cursor() as cur:
            cur.execute("select doc, note from odd")
            doc, note = cur.fetchone()
        assert doc == {"score": None, "list": [1.5, None], "name": "bad \\udc80 x"}
        assert note == "bad \\udc80 escape"

        long = "x" * 62
        with pytest.raises(FrameWriteError, match="the same column to PostgreSQL.*63 bytes"):
            runtime.write_table(pd.DataFrame({long + "_a": [1], long + "_b": [2]}), '"collide"')
        wide = "é" * 40  # 80 bytes: cut at a character boundary
        assert runtime.write_table(pd.DataFrame({wide: [1]}), '"wide"') == 1
    finally:
        conn.rollback()
        conn.close()
