"""Runs dbt as a subprocess with the warehouse's connection settings in its environment.

A subprocess (not dbt's in-process runner) keeps dbt's global state and logging out
of ours, lets a killed dbt leave our process able to record the failure, and is
exactly what a user typing `dbt build` gets.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from metric_pulse.config import PROJECT_ROOT
from metric_pulse.dbt_vars import check_dbt_vars
from metric_pulse.warehouse import Warehouse

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
PARTIAL_PARSE = "partial_parse.msgpack"  # dbt's parse cache, in the target directory
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


@dataclass(frozen=True)
class DbtResult:
    returncode: int
    results: list[dict]  # run_results.json "results", empty if dbt did not get that far

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.get("status") == status)

    def failures(self) -> list[str]:
        return [r["unique_id"] for r in self.results if r.get("status") in {"error", "fail"}]

    def warnings(self) -> list[str]:
        """One line per warning test: its name, how many rows it found, and the table keeping them.

        The tests of a store's own data warn instead of failing (docs/analytics.md, "Data
        quality") and store their rows (`store_failures`) in the schema data_quality.
        """
        lines = []
        for r in self.results:
            if r.get("status") != "warn":
                continue
            where = f" in {r['relation_name'].replace(chr(34), '')}" if r.get("relation_name") else ""
            lines.append(f"{r['unique_id'].split('.')[-1]}: {r.get('failures') or 0} rows{where}")
        return lines

    def rows_affected(self) -> int:
        return sum(
            int((r.get("adapter_response") or {}).get("rows_affected") or 0)
            for r in self.results
            if r.get("unique_id", "").startswith("model.")
        )


def _load_prctl():
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux
        return None


_PRCTL = _load_prctl()  # resolved here: the child between fork and exec must not load libraries


def die_with_parent():
    """A `preexec_fn` that makes the child get SIGKILL when the process that started it dies (Linux).

    Without it a `kill -9` of metric-pulse (or the OOM killer choosing it) leaves dbt
    building on its own: the run lock dies with our connection, the next run starts a
    second dbt on the same tables, and that run fails ("relation ... already exists").
    None where prctl is missing.
    """
    if _PRCTL is None:
        return None
    parent = os.getpid()

    def preexec() -> None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(1)

    return preexec


def dbt_environment(db: Warehouse, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(db.dbt_env())
    env.setdefault("DBT_PROFILES_DIR", str(DBT_PROJECT_DIR))
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env.update(extra or {})
    return env


@contextmanager
def private_target(state_dir: Path) -> Iterator[Path]:
    """A target directory of its own for one dbt invocation, removed afterwards.

    dbt writes run_results.json, manifest.json and compiled SQL into its target directory,
    so two invocations sharing one (a nightly run and someone's `dbt docs generate`) read
    each other's results. Partial parsing survives: the invocation starts with the parse
    cache the last one of its kind (`state_dir`) left, and leaves its own there.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    target = Path(tempfile.mkdtemp(prefix="target-", dir=state_dir))
    try:
        if (state_dir / PARTIAL_PARSE).exists():
            shutil.copyfile(state_dir / PARTIAL_PARSE, target / PARTIAL_PARSE)
        yield target
        if (target / PARTIAL_PARSE).exists():
            os.replace(target / PARTIAL_PARSE, state_dir / PARTIAL_PARSE)  # atomic: same file system
    finally:
        shutil.rmtree(target, ignore_errors=True)


def run_dbt(
    args: Sequence[str],
    db: Warehouse,
    *,
    dbt_vars: Mapping[str, object] | None = None,
    target_path: Path | None = None,
    capture: bool = False,
    extra_env: Mapping[str, str] | None = None,
) -> DbtResult:
    """Run `dbt <args>` on our project; output streams to the terminal unless `capture`.

    `target_path` is where dbt writes and we read run_results.json back (the pipeline
    passes a `private_target`). Without it this is dbt by hand: dbt picks the directory
    (dbt_project/target, or the caller's own `--target-path`) and no results are read.
    A warehouse other than PostgreSQL builds the profile's output of its name (`--target duckdb`).
    """
    check_dbt_vars(args, dbt_vars, db)  # a var that may not reach SQL stops here, in one line
    dbt = Path(sys.executable).with_name("dbt")
    command = [str(dbt), *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    if db.dbt_target and not {"--target", "-t"} & set(args):
        command += ["--target", db.dbt_target]
    if dbt_vars:
        command += ["--vars", json.dumps(dict(dbt_vars), default=str)]  # str: YAML dates
    run_results = None
    if target_path is not None:
        command += ["--target-path", str(target_path)]
        run_results = target_path / "run_results.json"
        run_results.unlink(missing_ok=True)
    proc = subprocess.run(
        command,
        env=dbt_environment(db, extra_env),
        cwd=DBT_PROJECT_DIR,
        preexec_fn=die_with_parent(),
        stdout=subprocess.PIPE if capture else None,
        stderr=subprocess.STDOUT if capture else None,
        text=True,
    )
    results: list[dict] = []
    if run_results is not None and run_results.exists():
        results = [  # nodes only: the on-run-start hook (macros/validate_vars.sql) is not one
            r
            for r in json.loads(run_results.read_text()).get("results", [])
            if not str(r.get("unique_id", "")).startswith("operation.")
        ]
    if capture and proc.returncode != 0:
        sys.stderr.write(proc.stdout[-20000:])
    return DbtResult(proc.returncode, results)
