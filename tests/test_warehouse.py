"""The warehouse: embedded server reuse, database creation, clear connection errors."""

from __future__ import annotations

import psycopg2
import pytest
from conftest import cli_env, run_cli

from loaders.errors import WarehouseError
from metric_pulse.warehouse import EmbeddedPostgres, external_settings, resolve_warehouse


def test_embedded_server_is_reused_and_database_created(pg_server, pg_db):
    again = EmbeddedPostgres().start()
    assert again.port == pg_server.port, "a running embedded server must be reused, not restarted"
    resolved = resolve_warehouse(
        {
            "DB_HOST": pg_db.host,
            "DB_PORT": str(pg_db.port),
            "DB_USER": pg_db.user,
            "DB_PASSWORD": pg_db.password,
            "DB_NAME": pg_db.database + "_new",
        }
    )
    conn = resolved.connect()
    with conn.cursor() as cur:
        cur.execute("select current_database()")
        assert cur.fetchone()[0] == pg_db.database + "_new"
    conn.close()
    admin = pg_server.connect()
    admin.autocommit = True
    admin.cursor().execute(f'drop database "{pg_db.database}_new" with (force)')
    admin.close()


def test_external_settings_from_database_url():
    s = external_settings({"DATABASE_URL": "postgresql://ana%40x:p%2Fw@db.example:6543/shop"})
    assert (s.host, s.port, s.database, s.user, s.password) == ("db.example", 6543, "shop", "ana@x", "p/w")
    assert "p/w" not in s.url() and "p%2Fw" not in s.url()
    assert external_settings({}) is None


def test_wrong_password_is_one_clear_line_with_exit_2(pg_db):
    secret = "Wr0ng-Passw0rd-XYZ"
    env = cli_env(
        DB_HOST=pg_db.host,
        DB_PORT=str(pg_db.port),
        DB_USER=pg_db.user,
        DB_NAME=pg_db.database,
        DB_PASSWORD=secret,
    )
    proc = run_cli("db", "url", env=env)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    for part in (
        f"host={pg_db.host}",
        f"port={pg_db.port}",
        f"database={pg_db.database}",
        f"user={pg_db.user}",
        "wrong password",
    ):
        assert part in lines[0]
    assert secret not in proc.stderr + proc.stdout


def test_unreachable_host_exit_2():
    with pytest.raises(WarehouseError, match="port=1 .*unreachable"):
        resolve_warehouse({"DB_HOST": "127.0.0.1", "DB_PORT": "1", "DB_PASSWORD": "zzzz-secret"})


def test_db_url_has_no_password(pg_server):
    proc = run_cli("db", "url")
    assert proc.returncode == 0, proc.stderr
    url = proc.stdout.strip()
    assert url.startswith("postgresql://postgres@127.0.0.1:") and url.endswith("/ecommerce_analytics")
    password = EmbeddedPostgres().password_file.read_text().strip()
    assert password not in proc.stdout + proc.stderr
    # and the URL plus the password really connects
    conn = psycopg2.connect(url, password=password)
    conn.close()
