"""scripts/elt-cron.sh: overlapping runs never happen; schedule.sh prints the crontab line."""

from __future__ import annotations

import fcntl
import subprocess

from conftest import PROJECT_ROOT, cli_env


def test_second_run_exits_0_when_lock_is_held(tmp_path):
    lock = tmp_path / "elt.lock"
    with open(lock, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        proc = subprocess.run(
            [str(PROJECT_ROOT / "scripts" / "elt-cron.sh")],
            cwd="/",
            env=cli_env(ELT_LOCK_FILE=str(lock)),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 0, proc.stderr
    assert "another run holds" in proc.stdout
    assert "another run holds" in (PROJECT_ROOT / "logs" / "cron.log").read_text().splitlines()[-1]


def test_schedule_prints_crontab_line():
    proc = subprocess.run(
        ["make", "--no-print-directory", "schedule"],
        cwd=PROJECT_ROOT,
        env=cli_env(SCHEDULE_CRON="15 3 * * 1"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert (
        proc.stdout.strip()
        == f"15 3 * * 1 {PROJECT_ROOT}/scripts/elt-cron.sh # metric-pulse elt ({PROJECT_ROOT})"
    )
