"""One pipeline run: load every configured store concurrently, then `dbt build`, recording each step.

This is what `make elt` (via `metric-pulse run`) executes. A store that fails is
recorded and reported, the others still load, and dbt still builds on what is there;
the exit code says whether everything succeeded. After a successful dbt build the run
writes the HTML report (metric_pulse/report/step.py), which never changes the run's status.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from loaders.pacing import RequestStats
from metric_pulse.config import Settings, Store, data_dir
from metric_pulse.dbt_runner import DbtResult, private_target, run_dbt
from metric_pulse.extract import StoreLoad, load_store
from metric_pulse.progress import ProgressReporter
from metric_pulse.report.step import ReportStep, write_run_report
from metric_pulse.run_log import EngineRunLog, RunLog, StepCounts, open_run_log
from metric_pulse.upgrades import pending_rebuilds, record_rebuilds, stores_to_reload
from metric_pulse.warehouse import DbSettings, Warehouse

log = logging.getLogger(__name__)


@dataclass
class RunOutcome:
    run_id: str
    loads: list[StoreLoad] = field(default_factory=list)
    dbt: DbtResult | None = None
    seconds: float = 0.0
    report: ReportStep | None = None  # written after a successful dbt build; never changes the status

    @property
    def failed_stores(self) -> list[str]:
        return [load.name for load in self.loads if load.error]

    @property
    def status(self) -> str:
        dbt_failed = self.dbt is not None and not self.dbt.ok
        if not self.failed_stores and not dbt_failed:
            return "success"
        all_loads_failed = self.loads and len(self.failed_stores) == len(self.loads)
        return "failed" if all_loads_failed or dbt_failed and not self.loads else "partial"

    @property
    def exit_code(self) -> int:
        return 0 if self.status == "success" else 1


def _load_counts(load: StoreLoad) -> StepCounts:
    rows = sum(load.rows.values())
    return StepCounts(
        extracted=rows + load.rejected,
        loaded=rows,
        rejected=load.rejected,
        requests=load.requests,
        throttled=load.throttled,
        details={
            "rows": load.rows,
            "retries": load.retries,
            "reconcile_requests": load.reconcile_requests,
            "rate_limit_wait_seconds": round(load.waited_seconds, 1),
            "seconds": round(load.seconds, 1),
            **({"warnings": load.warnings} if load.warnings else {}),
        },
    )


def _extract_all(
    settings: Settings,
    db: Warehouse,
    run_log: RunLog | EngineRunLog,
    stores: list[Store],
    refresh: Collection[str],
    pipelines_dir: Path | None,
) -> list[StoreLoad]:
    """Load every store at once, each in its own thread, pipeline and dataset (`load:<store>` steps).

    `refresh`: the names of the stores reloaded from scratch (full refresh).
    """
    for store in stores:
        run_log.start(f"load:{store.name}", platform=store.platform)
        log.info("loading %s%s", store.name, " (full refresh)" if store.name in refresh else "")

    stats = {store.name: RequestStats() for store in stores}

    def one(store: Store) -> StoreLoad:
        name = store.name
        load = load_store(
            store, settings, db, full_refresh=name in refresh, pipelines_dir=pipelines_dir, stats=stats[name]
        )
        if not load.error:  # a failure was logged where it happened, traceback included
            log.info(
                "%s: loaded %d rows in %.1fs (%d requests, %d x 429)",
                name,
                sum(load.rows.values()),
                load.seconds,
                load.requests,
                load.throttled,
            )
        run_log.finish(f"load:{name}", "failed" if load.error else "success", _load_counts(load), load.error)
        return load

    with (
        ProgressReporter(stats),
        ThreadPoolExecutor(max_workers=max(1, len(stores)), thread_name_prefix="load") as pool,
    ):
        return list(pool.map(one, stores))


def _dbt_build(
    settings: Settings,
    db: Warehouse,
    run_log: RunLog | EngineRunLog,
    dbt_vars: Mapping[str, object] | None,
    full_refresh: bool,
) -> DbtResult:
    """`dbt build` in a target directory of its own; `full_refresh` rebuilds the incremental models."""
    run_log.start("dbt:build")
    args = ["build"] if sys.stdout.isatty() else ["--no-use-colors", "build"]
    if full_refresh:
        args.append("--full-refresh")
    with private_target(data_dir(settings.env) / "dbt" / "pipeline") as target:
        result = run_dbt(args, db, dbt_vars=dbt_vars, target_path=target)
    error = (
        None
        if result.ok
        else (
            f"dbt build failed ({len(result.failures())} failing nodes: {', '.join(result.failures()[:5])})"
            if result.failures()
            else f"dbt build exited {result.returncode} (see the dbt output above)"
        )
    )
    counts = StepCounts(
        transformed=result.rows_affected(),
        warnings=result.count("warn"),
        details={
            "success": result.count("success"),
            "pass": result.count("pass"),
            "error": result.count("error"),
            "fail": result.count("fail"),
            "warn": result.count("warn"),
        },
    )
    run_log.finish("dbt:build", "success" if result.ok else "failed", counts, error)
    return result


def run_pipeline(
    settings: Settings,
    db: Warehouse,
    *,
    stores: list[Store] | None = None,
    full_refresh: bool = False,
    reconcile: bool = False,
    with_dbt: bool = True,
    dbt_vars: Mapping[str, object] | None = None,
    pipelines_dir: Path | None = None,
) -> RunOutcome:
    """Extract + load the chosen stores (every configured one by default), then build dbt.

    `full_refresh` reloads the chosen stores' raw tables from scratch and rebuilds dbt's
    incremental models; `reconcile` compares every id with the stores now (see
    `loaders.reconcile`); `dbt_vars` go to `dbt build --vars`.
    """
    chosen = stores or list(settings.stores)
    rebuilds: dict[str, str] = {}
    reloads: dict[str, str] = {}
    if reconcile:
        settings = replace(settings, load=replace(settings.load, reconcile=True))
    run_log = open_run_log(db, settings.secrets())
    try:
        run_log.acquire()
        outcome = RunOutcome(run_log.run_id)
        started = time.monotonic()
        run_log.start("run")
        try:
            # a store whose raw data an older loader wrote in a shape that cannot be merged into
            reloads = {} if full_refresh else stores_to_reload(db, chosen)
            for name, why in reloads.items():
                log.warning("upgrade: %s: %s; reloading the store from scratch (full refresh)", name, why)
            refresh = {store.name for store in chosen} if full_refresh else reloads.keys()
            outcome.loads = _extract_all(settings, db, run_log, chosen, refresh, pipelines_dir)
            if with_dbt:
                rebuilds = pending_rebuilds(db)
                if rebuilds and not full_refresh:
                    log.warning(
                        "upgrade: rebuilding the dbt models once (dbt build --full-refresh): %s",
                        "; ".join(rebuilds.values()),
                    )
                outcome.dbt = _dbt_build(settings, db, run_log, dbt_vars, full_refresh or bool(rebuilds))
                # A store that failed to load has no `store` table yet: its keys change on the next
                # run, so the rebuild counts as done only when every store loaded.
                if outcome.dbt.ok and not outcome.failed_stores:
                    record_rebuilds(db, rebuilds)
        finally:
            outcome.seconds = time.monotonic() - started
            loads = outcome.loads
            errors = [load.error for load in loads if load.error]  # each names its store once
            if outcome.dbt is not None and not outcome.dbt.ok:
                errors.append("dbt build failed")
            status = outcome.status if loads or outcome.dbt else "failed"
            run_log.finish(
                "run",
                status,
                StepCounts(
                    extracted=sum(sum(load.rows.values()) + load.rejected for load in loads),
                    loaded=sum(sum(load.rows.values()) for load in loads),
                    transformed=outcome.dbt.rows_affected() if outcome.dbt else None,
                    rejected=sum(load.rejected for load in loads),
                    warnings=outcome.dbt.count("warn") if outcome.dbt else None,
                    requests=sum(load.requests for load in loads),
                    throttled=sum(load.throttled for load in loads),
                    details={
                        "platforms": [store.name for store in chosen],
                        "full_refresh": full_refresh,
                        **({"upgrade_rebuilds": list(rebuilds)} if rebuilds else {}),
                        **({"upgrade_reloads": list(reloads)} if reloads else {}),
                        "reconcile_requests": sum(load.reconcile_requests for load in loads),
                        "seconds": round(outcome.seconds, 1),
                    },
                ),
                "; ".join(errors) or None,
            )
        if outcome.dbt is not None and outcome.dbt.ok:
            if isinstance(db, DbSettings):
                outcome.report = write_run_report(db, run_log, settings.env, dbt_vars)
            else:  # its queries are PostgreSQL's (docs/scaling-out.md)
                log.info("report: not written: the HTML report reads PostgreSQL, DESTINATION is %s", db.kind)
        return outcome
    finally:
        run_log.close()


def _store_line(load: StoreLoad) -> str:
    if load.error:
        return f"  {load.name:<14} FAILED: {load.error.removeprefix(f'{load.name}: ')}"
    if not load.rows:
        return f"  {load.name:<14} no new or changed records"
    top = {t: n for t, n in load.rows.items() if "__" not in t}
    child = sum(n for t, n in load.rows.items() if "__" in t)
    tables = "  ".join(f"{t} {n}" for t, n in sorted(top.items()))
    return f"  {load.name:<14} {tables}  (+{child} child rows)"


def format_summary(outcome: RunOutcome) -> str:
    """The one-screen summary printed at the end of every run."""
    lines = [f"run {outcome.run_id[:12]}  status={outcome.status}  {outcome.seconds:.1f}s"]
    if outcome.dbt is not None and outcome.dbt.count("warn"):
        lines[0] += f"  with {outcome.dbt.count('warn')} data-quality warnings (listed below)"
    for load in outcome.loads:
        lines.append(_store_line(load))
        lines.append(
            f"  {'':<14} {load.requests} requests, {load.throttled} x 429, {load.retries} retries, "
            f"{load.waited_seconds:.1f}s waiting for rate limits, {load.rejected} rejected, "
            f"{load.seconds:.1f}s"
            + (
                f", {load.reconcile_requests} of the requests reconciling ids"
                if load.reconcile_requests
                else ""
            )
        )
        lines += [f"  {'':<14} warning: {warning}" for warning in load.warnings]
    if outcome.loads and not any(load.rows for load in outcome.loads) and not outcome.failed_stores:
        lines.append("  nothing new to load: every store is up to date")
    if outcome.dbt is not None:
        d = outcome.dbt
        lines.append(
            f"  dbt build: {'ok' if d.ok else 'FAILED'}  models/seeds {d.count('success')}, "
            f"tests passed {d.count('pass')}, failed {d.count('fail')}, errors {d.count('error')}, "
            f"warnings {d.count('warn')}"
        )
        for node in d.failures()[:10]:
            lines.append(f"    failed: {node}")
        for warning in d.warnings()[:10]:  # a store's own data errors: the run still succeeds
            lines.append(f"    warning: {warning}")
    if outcome.report is not None:
        lines.append(outcome.report.summary_line())
    return "\n".join(lines)
