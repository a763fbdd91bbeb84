"""What a compiled Python model sees at run time: DataFrame loading, a SQL session, the write.

`main(runtime)` at the end of the compiled code (macro `py_write_table`) builds
`dbt = dbtObj(runtime.load_df)`, calls `model(dbt, runtime.session)` and hands
the DataFrame to `runtime.write_table`. Everything goes through the dbt thread's
own psycopg2 connection, so it is one transaction with the rest of the model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
from dbt.adapters.pypostgres.frame_read import frame_from_cursor
from dbt.adapters.pypostgres.frame_write import FrameWriteError, write_frame


class TransactionGuardError(RuntimeError):
    """Model code tried to end the transaction dbt owns."""


class GuardedConnection:
    """The psycopg2 connection, minus what would end dbt's transaction early."""

    def __init__(self, connection: Any) -> None:
        object.__setattr__(self, "_connection", connection)

    def commit(self) -> None:
        raise TransactionGuardError(
            "do not commit in a Python model: dbt commits once the model's table is in place"
        )

    def rollback(self) -> None:
        raise TransactionGuardError(
            "do not roll back in a Python model: raise an exception to fail the model"
        )

    def close(self) -> None:
        raise TransactionGuardError("do not close the model's connection: dbt owns it")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "autocommit":
            raise TransactionGuardError(
                "the model's connection must stay in one transaction (autocommit off)"
            )
        setattr(self._connection, name, value)

    def __repr__(self) -> str:
        return f"<guarded {self._connection!r}>"


class Session:
    """The second argument of `model(dbt, session)`: SQL on the model's own connection.

    `session.sql(query, params)` returns a DataFrame (same dtypes as `dbt.ref`);
    `session.execute(statement, params)` runs a statement and returns its row count;
    `session.connection` is the raw psycopg2 connection. Never commit or roll it
    back: dbt commits once the model's table is in place.
    """

    def __init__(self, connection: Any, numeric_as: str) -> None:
        self.connection = GuardedConnection(connection)
        self._numeric_as = numeric_as

    def sql(self, query: str, params: Any = None) -> pd.DataFrame:
        with self.connection.cursor() as cursor:
            cursor.execute(query, params)
            return frame_from_cursor(cursor, numeric_as=self._numeric_as)

    def execute(self, statement: str, params: Any = None) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.rowcount

    def __repr__(self) -> str:
        return "<pypostgres session on the dbt thread's connection>"


class ModelRuntime:
    """Runs on the dbt thread's connection; holds the model's relevant config."""

    def __init__(
        self, connection: Any, config: Mapping[str, Any], log: Callable[[str], None] | None = None
    ) -> None:
        self.connection = connection
        self.config = config
        self.numeric_as = config.get("numeric_as") or "decimal"
        if self.numeric_as not in ("decimal", "float"):
            raise FrameWriteError(f"config numeric_as must be 'decimal' or 'float', not {self.numeric_as!r}")
        self.session = Session(connection, self.numeric_as)
        self.rows_written = 0
        self._log = log

    def transaction_id(self) -> int:
        """The id of the current transaction (assigning one if needed)."""
        with self.connection.cursor() as cursor:
            cursor.execute("select txid_current()")
            return cursor.fetchone()[0]

    def load_df(self, relation: str) -> pd.DataFrame:
        """`dbt.ref(...)` / `dbt.source(...)`: the whole relation as a DataFrame."""
        with self.connection.cursor() as cursor:
            cursor.execute(f"select * from {relation}")
            return frame_from_cursor(cursor, numeric_as=self.numeric_as)

    def column_types_of(self, relation: str) -> dict[str, str]:
        """Column name -> Postgres type (with modifiers) of an existing relation."""
        with self.connection.cursor() as cursor:
            cursor.execute(
                "select attname, format_type(atttypid, atttypmod) from pg_attribute "
                "where attrelid = %s::regclass and attnum > 0 and not attisdropped order by attnum",
                (relation,),
            )
            return dict(cursor.fetchall())

    def write_table(self, frame: Any, relation: str, temporary: bool = False, like: str | None = None) -> int:
        """Create `relation` holding `frame` (the model's return value).

        `like`: the existing target of an incremental run; columns whose type the
        DataFrame cannot tell (only NULLs, or no rows) take the target's type.
        """
        if not isinstance(frame, pd.DataFrame):
            to_pandas = getattr(frame, "to_pandas", None)
            if not callable(to_pandas):
                raise FrameWriteError(f"model() must return a pandas DataFrame, not {type(frame).__name__}")
            frame = to_pandas()
        with self.connection.cursor() as cursor:
            self.rows_written = write_frame(
                cursor,
                frame,
                relation,
                temporary=temporary,
                unlogged=bool(self.config.get("unlogged")) and not temporary,
                column_types=self.config.get("column_types"),
                fallback_types=self.column_types_of(like) if like else None,
                on_statement=self._log,
            )
        return self.rows_written
