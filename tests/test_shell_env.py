"""What reaches a real bash: `eval "$(metric-pulse db env)"` and the operator scripts' reading of `.env`.

Before: `db env` quoted with Python's repr (a password `it's$(touch …)x` ran the command
under eval), and scripts/dotenv.sh parsed `.env` by hand, differently from python-dotenv:
an uncommented line of .env.example kept its inline comment, so ELT_TIMEOUT_SECONDS made
elt-cron.sh exit 125 and SCHEDULE_CRON printed a crontab line that was a comment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, cli_env
from psycopg2 import sql

from metric_pulse.config import load_environment
from metric_pulse.warehouse import DbSettings

BASH = shutil.which("bash") or "/bin/bash"


def _bash(script: str, env: dict[str, str], cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([BASH, "-c", script], env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_db_env_survives_eval_with_a_hostile_password(pg_server: DbSettings, pg_db: DbSettings, tmp_path):
    marker = tmp_path / "pwned"
    password = f"it's$(touch {marker})x`touch {marker}`\"$HOME\\"
    role = f"mp_role_{uuid.uuid4().hex[:8]}"
    conn = pg_server.connect()
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(
                sql.SQL("create role {} login password {}").format(
                    sql.Identifier(role), sql.Literal(password)
                )
            )
        env = cli_env(DB_HOST=pg_db.host, DB_PORT=str(pg_db.port), DB_NAME=pg_db.database, DB_USER=role)
        env["DB_PASSWORD"] = password
        exe = Path(sys.executable).with_name("metric-pulse")
        shown = _bash(
            f'out=$({exe} db env) && unset DB_PASSWORD && eval "$out" && printf "%s" "$DB_PASSWORD"',
            env,
        )
        assert shown.returncode == 0, shown.stderr
        assert not marker.exists(), "db env output ran a command under eval"
        assert shown.stdout == password
    finally:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(role)))
        conn.close()


def _project_copy(tmp_path: Path, dotenv: str) -> Path:
    """The operator scripts in a throwaway project dir with its own .env, using the real .venv.

    The Makefile is a stub whose `elt` records the environment `make elt` would start
    metric-pulse with, so elt-cron.sh runs for real without loading anything.
    """
    project = tmp_path / "project"
    shutil.copytree(PROJECT_ROOT / "scripts", project / "scripts")
    (project / ".venv").symlink_to(PROJECT_ROOT / ".venv")
    (project / "Makefile").write_text("venv:\n\t@true\nelt:\n\t@env > elt-env.txt\n")
    (project / ".env").write_text(dotenv)
    return project


def _uncommented_example() -> str:
    """Every `# KEY=value  # comment` line of .env.example with its leading '# ' removed, as written."""
    lines = []
    for line in (PROJECT_ROOT / ".env.example").read_text().splitlines():
        body = line.removeprefix("# ")
        if body[:1].isalpha() and "=" in body.split()[0]:
            lines.append(body)
    return "\n".join(lines) + "\n"


def _clean_env() -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    return {k: os.environ[k] for k in keep if k in os.environ}


def _shell_reads(project: Path, env: dict[str, str]) -> dict[str, str]:
    """The variables scripts/dotenv.sh exports for project/.env (nothing else in the environment)."""
    before = _bash("env -0", env).stdout
    after = _bash(f". {project}/scripts/dotenv.sh && load_dotenv {project}/.env && env -0", env)
    assert after.returncode == 0, after.stderr
    parse = lambda text: dict(item.split("=", 1) for item in text.split("\0") if "=" in item)  # noqa: E731
    old = parse(before)
    return {k: v for k, v in parse(after.stdout).items() if old.get(k) != v and k not in ("SHLVL", "_")}


def test_every_line_of_env_example_means_the_same_to_the_shell_and_to_python(tmp_path):
    project = _project_copy(tmp_path, _uncommented_example())
    python_view = load_environment(project, environ={})
    assert "ELT_TIMEOUT_SECONDS" in python_view and "SCHEDULE_CRON" in python_view
    assert _shell_reads(project, _clean_env()) == python_view


@pytest.mark.parametrize(
    "line, key, value",
    [
        ('QUOTED="a \\"b\\" c"', "QUOTED", 'a "b" c'),
        ("SPACED = v", "SPACED", "v"),
        ("CRLF=value\r", "CRLF", "value"),
        ("REF=${BASE}/x", "REF", "/base/x"),
        ("COMMENTED=14400   # seconds", "COMMENTED", "14400"),
        ("export EXPORTED=1", "EXPORTED", "1"),
        ("SHELLISH=$(touch pwned)`touch pwned`", "SHELLISH", "$(touch pwned)`touch pwned`"),
    ],
)
def test_tricky_dotenv_lines_read_alike(tmp_path, line: str, key: str, value: str):
    project = _project_copy(tmp_path, f"BASE=/base\n{line}\n")
    assert load_environment(project, environ={})[key] == value
    assert _shell_reads(project, _clean_env())[key] == value
    assert not (PROJECT_ROOT / "pwned").exists() and not (project / "pwned").exists()


def test_the_real_environment_wins_over_dotenv_in_the_shell(tmp_path):
    project = _project_copy(tmp_path, "SCHEDULE_CRON=0 2 * * *\n")
    shown = _bash(
        f'. {project}/scripts/dotenv.sh && load_dotenv {project}/.env && printf %s "$SCHEDULE_CRON"',
        {**_clean_env(), "SCHEDULE_CRON": "5 4 * * *"},
    )
    assert shown.stdout == "5 4 * * *"


def test_cron_scripts_run_with_env_example_uncommented(tmp_path):
    """elt-cron.sh used to exit 125 (timeout: invalid duration) and schedule.sh to print a comment."""
    project = _project_copy(tmp_path, _uncommented_example())
    env = _clean_env()
    cron = subprocess.run(
        [str(project / "scripts" / "elt-cron.sh")],
        cwd="/",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cron.returncode == 0, (cron.stdout, cron.stderr)
    elt_env = dict(
        line.split("=", 1) for line in (project / "elt-env.txt").read_text().splitlines() if "=" in line
    )
    assert elt_env["ELT_TIMEOUT_SECONDS"] == "14400"
    line = subprocess.run(
        [str(project / "scripts" / "schedule.sh"), "print"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert line.returncode == 0, line.stderr
    assert line.stdout.strip() == (f"0 2 * * * {project}/scripts/elt-cron.sh # metric-pulse elt ({project})")
