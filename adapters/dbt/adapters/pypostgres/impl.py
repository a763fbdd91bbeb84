"""The pypostgres adapter: PostgresAdapter plus in-process execution of dbt Python models."""

from __future__ import annotations

import linecache
import textwrap
import traceback
from dataclasses import dataclass
from typing import Any

from dbt.adapters.base.impl import log_code_execution
from dbt.adapters.contracts.connection import AdapterResponse
from dbt.adapters.events.logging import AdapterLogger
from dbt.adapters.postgres.impl import PostgresAdapter, PostgresConfig
from dbt.adapters.pypostgres.connections import PypostgresConnectionManager
from dbt.adapters.pypostgres.model_runtime import ModelRuntime
from dbt_common.exceptions import DbtRuntimeError

logger = AdapterLogger("pypostgres")


@dataclass
class PypostgresConfig(PostgresConfig):
    # Python models: Postgres type per output column, e.g. {"amount": "numeric(18,2)"}.
    column_types: dict[str, str] | None = None
    # Python models: how `numeric` columns arrive in DataFrames: "decimal" (default) or "float".
    numeric_as: str | None = None


def python_source(compiled_code: str) -> str:
    """The compiled model code made executable, keeping its line numbers.

    Jinja may indent the whole text, or only its first line, by the indentation
    of the tag it was rendered from.
    """
    code = textwrap.dedent(compiled_code)
    lines = code.split("\n")
    for i, line in enumerate(lines):
        if line.strip():
            lines[i] = line.lstrip()
            break
    return "\n".join(lines)


class PypostgresAdapter(PostgresAdapter):
    ConnectionManager = PypostgresConnectionManager
    AdapterSpecificConfigs = PypostgresConfig

    @property
    def default_python_submission_method(self) -> str:
        return "in_process"

    @log_code_execution
    def submit_python_job(self, parsed_model: dict, compiled_code: str) -> AdapterResponse:
        """Run the compiled model in this process, inside the dbt thread's transaction.

        No commit here: the materialization commits after the rename swap (or the
        incremental merge); if anything raises, the transaction is rolled back and
        the previous table is untouched.
        """
        connection = self.connections.get_thread_connection()
        if not connection.transaction_open:
            self.connections.begin()
        handle = connection.handle
        if getattr(handle, "autocommit", False):
            raise DbtRuntimeError(
                "pypostgres: the connection is in autocommit mode; Python models need a transaction"
            )

        name = parsed_model.get("original_file_path") or parsed_model.get("unique_id", "python model")
        filename = f"{name} (compiled)"
        source = python_source(compiled_code)
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        try:
            runtime = ModelRuntime(handle, parsed_model.get("config") or {}, log=logger.debug)
            transaction = runtime.transaction_id()
            namespace: dict[str, Any] = {"__name__": "__dbt_python_model__", "__file__": filename}
            exec(compile(source, filename, "exec"), namespace)
            main = namespace.get("main")
            if not callable(main):
                raise DbtRuntimeError(
                    "pypostgres: the compiled code has no main(runtime); run Python models with the "
                    "table or incremental materialization"
                )
            main(runtime)
            if runtime.transaction_id() != transaction:
                raise DbtRuntimeError(
                    "pypostgres: the model ended dbt's transaction (a COMMIT or ROLLBACK through "
                    "session); its work may be partly committed. Leave transactions to dbt."
                )
        except Exception as exc:
            self.connections.rollback_if_open()
            if isinstance(exc, DbtRuntimeError):
                raise
            # Start the traceback at the model's code, not at this method.
            tb = exc.__traceback__.tb_next if exc.__traceback__ is not None else None
            detail = "".join(traceback.format_exception(type(exc), exc, tb)).rstrip()
            raise DbtRuntimeError(f"Python model {name} failed:\n{detail}") from exc
        finally:
            linecache.cache.pop(filename, None)

        rows = runtime.rows_written
        return AdapterResponse(_message=f"OK {rows}", code="OK", rows_affected=rows)
