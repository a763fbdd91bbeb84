"""Credentials and connection manager: those of dbt-postgres under the profile type `pypostgres`."""

from __future__ import annotations

from dataclasses import dataclass

from dbt.adapters.postgres.connections import PostgresConnectionManager, PostgresCredentials
from dbt_common.exceptions import DbtRuntimeError


@dataclass
class PypostgresCredentials(PostgresCredentials):
    @property
    def type(self) -> str:
        return "pypostgres"


class PypostgresConnectionManager(PostgresConnectionManager):
    TYPE = "pypostgres"

    @classmethod
    def open(cls, connection):
        # A Python model reads its refs, writes its table and is committed in one
        # transaction; with autocommit every statement would commit on its own and a
        # failing model could leave a half-written table behind.
        if getattr(connection.credentials, "autocommit", False):
            raise DbtRuntimeError(
                "pypostgres: `autocommit: true` is not supported; each model (SQL or Python) "
                "runs in one transaction. Remove `autocommit` from the profile."
            )
        return super().open(connection)
