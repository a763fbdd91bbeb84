"""dbt adapter plugin `pypostgres`: dbt-postgres plus dbt Python models run in-process.

Profiles use `type: pypostgres` with the same keys as `type: postgres`. SQL models
behave exactly as on dbt-postgres; Python models are executed by the dbt thread
itself, on its own connection and inside its transaction (see docs/python-models.md).
"""

from dbt.adapters.base import AdapterPlugin
from dbt.adapters.pypostgres.connections import PypostgresConnectionManager, PypostgresCredentials
from dbt.adapters.pypostgres.impl import PypostgresAdapter
from dbt.include import pypostgres

Plugin = AdapterPlugin(
    adapter=PypostgresAdapter,  # type: ignore[arg-type]
    credentials=PypostgresCredentials,
    include_path=pypostgres.PACKAGE_PATH,
    dependencies=["postgres"],
)

__all__ = ["Plugin", "PypostgresAdapter", "PypostgresConnectionManager", "PypostgresCredentials"]
