"""dbt vars never reach SQL unchecked: in metric-pulse (Python, before dbt starts) and in dbt itself.

Before (issue 14, item 12): `as_of: "2026-01-31' as date) /* x */ --"` compiled into the
models' SQL (`cast('2026-01-31' as date) /* x */ --' as date)`) and ran.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import cli_env, run_cli

from loaders.errors import ConfigError
from metric_pulse.dbt_runner import DBT_PROJECT_DIR, dbt_environment
from metric_pulse.dbt_vars import check_dbt_vars

INJECTION = "2026-01-31' as date) /* x */ --"

BAD = [
    ("as_of", INJECTION),
    ("as_of", "2026-02-30"),
    ("as_of", "yesterday"),
    ("reporting_timezone", "UTC' --"),
    ("reporting_timezone", "Mars/Olympus_Mons"),
    ("reporting_currency", "US'D"),
    ("reporting_currency", "EURO"),
    ("commercetools_locale", "en'||'"),
    ("incremental_lookback_days", "3; drop table x"),
    ("test_window_days", -1),
    ("clv_expected_lifespan_years", "3) or (1=1"),
    ("clv_model", "pnbd'"),
    ("shopify_raw_schema", 'raw"; drop'),
]
GOOD = {
    "as_of": "2026-01-31",
    "reporting_timezone": "Europe/Berlin",
    "reporting_currency": "eur",
    "commercetools_locale": "de-DE",
    "incremental_lookback_days": 3,
    "test_window_days": "0",
    "clv_expected_lifespan_years": 2.5,
    "clv_model": "bgnbd",
}


@pytest.mark.parametrize("name, value", BAD, ids=[f"{n}={v!r}" for n, v in BAD])
def test_python_refuses_each_bad_var_naming_it(name, value, pg_db):
    with pytest.raises(ConfigError) as caught:
        check_dbt_vars(["build", "--vars", json.dumps({name: value})], None, pg_db)
    message = str(caught.value)
    assert message.startswith(f"dbt var {name} ") and "\n" not in message


def test_python_accepts_sensible_vars(pg_db):
    check_dbt_vars(["build", "--vars", json.dumps(GOOD)], None, pg_db)
    check_dbt_vars(["build", "--vars={as_of: 2026-01-31}"], {"clv_refit_days": 0}, pg_db)


def test_metric_pulse_dbt_stops_before_dbt_runs(pg_db, tmp_path):
    proc = run_cli("dbt", "seed", "--vars", json.dumps({"as_of": INJECTION}), env=cli_env(**pg_db.dbt_env()))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("metric-pulse: dbt var as_of must be a date")
    assert "Running with dbt" not in proc.stdout  # dbt never started


def _dbt(db, target: Path, *args: str) -> subprocess.CompletedProcess:
    """dbt itself, as a user typing `dbt` would run it (no metric-pulse in between)."""
    dbt = Path(sys.executable).with_name("dbt")
    return subprocess.run(
        [
            str(dbt),
            *args,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target),
        ],
        env=dbt_environment(db),
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.parametrize(
    "name, value", [("as_of", INJECTION), ("reporting_timezone", "Mars/Olympus_Mons")], ids=["as_of", "tz"]
)
def test_plain_dbt_refuses_a_bad_var_before_running_anything(name, value, pg_db, tmp_path):
    proc = _dbt(
        pg_db, tmp_path / "target", "seed", "--select", "rfm_segments", "--vars", json.dumps({name: value})
    )
    assert proc.returncode != 0, proc.stdout
    assert f"dbt var {name}" in proc.stdout
    conn = pg_db.connect()
    with conn.cursor() as cur:
        cur.execute("select to_regclass('reference.rfm_segments')")
        assert cur.fetchone()[0] is None  # nothing ran
    conn.close()


def test_plain_dbt_runs_with_good_vars(pg_db, tmp_path):
    proc = _dbt(pg_db, tmp_path / "target", "seed", "--select", "rfm_segments", "--vars", json.dumps(GOOD))
    assert proc.returncode == 0, proc.stdout
    proc = _dbt(
        pg_db, tmp_path / "target", "seed", "--select", "rfm_segments", "--vars", "{as_of: 2026-01-31}"
    )
    assert proc.returncode == 0, proc.stdout
