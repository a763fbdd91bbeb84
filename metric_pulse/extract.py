"""Extract + load of one store into its raw schema: the entry point the run calls.

`load_store` builds the store's dlt pipeline `metric_pulse_<platform>` (destination:
the warehouse, PostgreSQL or what `DESTINATION` names; dataset `raw_<platform>`, working directory under the data dir; a store
labelled L other than `default` gets `metric_pulse_<platform>__L` / `raw_<platform>__L`,
so each store has its own cursors and dbt unions the datasets), first finishes whatever
an interrupted run left behind, then runs the platform's source. It never raises: the
outcome, with counters and a one-line error whose secrets are masked, comes back as a
`StoreLoad`, so the run can load the stores concurrently and one failing store does not
stop the others.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

# No phoning home: the only network a run needs is the stores and the warehouse.
os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"
# dlt warns about every all-null column on every run; errors are what an operator needs.
os.environ.setdefault("RUNTIME__LOG_LEVEL", "ERROR")
# A loaded package's job files are full copies of the rows (e-mails, addresses): delete them once
# the warehouse has committed them. Packages that failed keep theirs (dlt deletes nothing there).
os.environ.setdefault("LOAD__DELETE_COMPLETED_JOBS", "true")
# dlt gzips its extract and normalize files by default: a tenth of a Shopify backfill's time went into
# compressing files that live for seconds in the private working dir (bench/RESULTS.md, bulk throughput).
os.environ.setdefault("DATA_WRITER__DISABLE_COMPRESSION", "true")

import dlt  # noqa: E402
import psycopg2.errors  # noqa: E402  (telemetry must be off before dlt reads its config)
from dlt.common.exceptions import TerminalException  # noqa: E402
from dlt.common.schema.utils import get_root_table  # noqa: E402
from dlt.pipeline.exceptions import PipelineStepFailed  # noqa: E402

from loaders.errors import MetricPulseError  # noqa: E402
from loaders.incremental import REJECTED_TABLE  # noqa: E402
from loaders.masking import add_secrets, mask  # noqa: E402
from loaders.pacing import RequestStats  # noqa: E402
from loaders.store_identity import STORE_TABLE  # noqa: E402
from metric_pulse.config import Settings, Store, data_dir, ensure_private_dir  # noqa: E402
from metric_pulse.platforms import PLATFORMS  # noqa: E402
from metric_pulse.warehouse import DbSettings, Warehouse  # noqa: E402

log = logging.getLogger(__name__)


class _ThroughOurHandlers(logging.Handler):
    """dlt gives its logger its own stderr handler, which neither masks secrets nor writes logs/.

    Installed as that logger's first handler, it is the one dlt keeps (dlt reuses the
    first handler and only swaps its formatter), and it hands every record to the
    root handlers that `logging_setup` configured.
    """

    def emit(self, record: logging.LogRecord) -> None:
        logging.getLogger().handle(record)


def _route_dlt_logs() -> None:
    dlt_logger = logging.getLogger("dlt")
    if not any(isinstance(h, _ThroughOurHandlers) for h in dlt_logger.handlers[:1]):
        dlt_logger.handlers[:] = [_ThroughOurHandlers()]


def pipeline_name(store: Store) -> str:
    return f"metric_pulse_{store.platform}{store.suffix}"


def dataset_name(store: Store) -> str:
    return f"raw_{store.platform}{store.suffix}"


@dataclass
class StoreLoad:
    """What one store's extract + load did; `error` is None on success."""

    store: Store
    rows: dict[str, int] = field(default_factory=dict)
    rejected: int = 0
    requests: int = 0
    throttled: int = 0
    retries: int = 0
    waited_seconds: float = 0.0
    operation_wait_seconds: float = 0.0
    """Time spent waiting for the platform's own jobs to finish (Shopify's Bulk Operations)."""
    pages: int = 0
    reconcile_requests: int = 0
    seconds: float = 0.0
    extract_seconds: float = 0.0
    load_ids: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """What the loader warned about (an API version fallen forward, a scope missing...): for etl_logs."""
    error: str | None = None

    @property
    def platform(self) -> str:
        return self.store.platform

    @property
    def name(self) -> str:
        """The store's name in logs and the summary (the platform alone for a `default` store)."""
        return self.store.name


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and what caused it, outermost first (dlt wraps failures in several layers)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


# Control flow, not failures: an error raised while a generator was finishing carries one of
# these as its context, and "StopIteration:" is what the summary said instead of the real cause.
_NOT_A_CAUSE = (StopIteration, StopAsyncIteration, GeneratorExit)


def describe_failure(name: str, exc: BaseException, secrets: list[str]) -> str:
    """One line for the summary and etl_logs, starting with the store's `name` once: what failed, no secrets.

    Our own errors (the API refused, retries ran out) already say it all; for anything
    else the innermost real exception is the informative one (dlt wraps it in several
    layers), and dlt's step (sync = reading state from the warehouse, extract,
    normalize, load) says where it happened.
    """
    chain = _causes(exc)
    ours = next((e for e in chain if isinstance(e, MetricPulseError)), None)
    if ours is not None:
        # the loaders name the platform; the store's name (`shopify/eu`) replaces that prefix
        text = str(ours).removeprefix(f"{name.partition('/')[0]}: ")
    else:
        innermost = [e for e in chain if not isinstance(e, _NOT_A_CAUSE)][-1:] or chain[-1:]
        cause = innermost[0]
        step = getattr(exc, "step", None)
        text = f"{step + ' step' if step else 'load'} failed: {type(cause).__name__}: {cause}"
        if any(_is_disk_full(e) for e in chain):
            text = (
                "disk full: free space for the warehouse and the data dir (dlt's working "
                f"files), then rerun; nothing is half-loaded. {text}"
            )
    return mask(" ".join(f"{name}: {text}".split()), secrets)[:500]


def _is_disk_full(exc: BaseException) -> bool:
    """PostgreSQL's DiskFull, or an OSError ENOSPC from dlt writing its local files."""
    return isinstance(exc, psycopg2.errors.DiskFull) or isinstance(exc, OSError) and exc.errno == errno.ENOSPC


def _extract_seconds(pipeline: dlt.Pipeline) -> float:
    """Time dlt spent in the extract step, i.e. talking to the API (for rates: requests / this)."""
    trace = pipeline.last_trace
    steps = [s for s in (trace.steps if trace else []) if s.step == "extract" and s.finished_at]
    return sum((s.finished_at - s.started_at).total_seconds() for s in steps)


# Not rows of data a run reports: the rejects (counted apart) and the store's identity (one row, every run).
NOT_DATA = (REJECTED_TABLE, STORE_TABLE)


def _table_rows(pipeline: dlt.Pipeline) -> dict[str, int]:
    """Rows per data table normalized in the last run (dlt's own tables, rejects and identity left out)."""
    trace = pipeline.last_trace
    info = trace.last_normalize_info if trace else None
    if info is None:
        return {}
    return {
        table: count
        for table, count in info.row_counts.items()
        if not table.startswith("_dlt") and table not in NOT_DATA
    }


def _finish_interrupted(pipeline: dlt.Pipeline, result: StoreLoad) -> None:
    """Load the packages a killed run extracted but never loaded; abort them only if they can never load.

    A package carries its rows and the resource state (cursors) together, so completing
    it is safe (the merge makes a half-loaded package idempotent). A package the
    warehouse rejects for good (a terminal job failure, or one that cannot be
    normalized) would block every later run, so it is aborted: dlt rolls the local
    state back to before it and ignores its state row in the warehouse (no completed
    `_dlt_loads` entry), so its records are simply extracted again. Anything else (the
    warehouse is down) is raised, and the package waits for the next run.
    """
    if not pipeline.has_pending_data:
        return
    log.info("%s: completing the load interrupted in a previous run", result.name)
    try:
        info = pipeline.run()
    except PipelineStepFailed as exc:
        if exc.step != "normalize" and not any(isinstance(e, TerminalException) for e in _causes(exc)):
            raise
        log.warning(  # the description starts with the store
            "%s; aborting the interrupted run's unloadable package: its records are extracted again",
            describe_failure(result.name, exc, []),
        )
        pipeline.abort_packages()
        return
    if info is not None:
        result.load_ids.extend(info.loads_ids)
        _add_rows(result, _rows_in_warehouse(pipeline, info.loads_ids))
    # dlt commits a package before it saves the local state: a run killed in between
    # left the newer cursors only in the package we just loaded. Take them back.
    pipeline.sync_destination()


def _reset(
    pipeline: dlt.Pipeline, store: Store, settings: Settings, db: Warehouse, pipelines_dir: Path | None
) -> dlt.Pipeline:
    """Forget the store entirely: local state first, then its raw schema with CASCADE (no other store's).

    dlt's own `refresh` drops raw tables without CASCADE, which fails once dbt's staging
    views select from them; those views are recreated by the next `dbt build`. Local
    state goes first so that a kill in between leaves a normal incremental run behind.
    dlt's merge staging schema (`<dataset>_staging`) goes too: its tables keep the old
    column types, so a reload in a new shape (Shopify's GID ids) could not pass through it.
    Both are dropped through dlt's client of the destination, so any engine works.
    """
    log.info("%s: full refresh: dropping schema %s and its cursors", store.name, dataset_name(store))
    pipeline.drop()
    fresh = make_pipeline(store, settings, db, pipelines_dir)
    with fresh.sql_client() as client:
        if client.has_dataset():
            client.drop_dataset()  # DROP SCHEMA ... CASCADE
        with client.with_staging_dataset():
            if client.has_dataset():
                client.drop_dataset()
    return fresh


def _rows_in_warehouse(pipeline: dlt.Pipeline, load_ids: list[str]) -> dict[str, int]:
    """Rows per data table written by `load_ids`, counted in the warehouse.

    Only for packages a killed run left behind: they were normalized by that run, so
    this run's trace has no counts for them.
    """
    if not load_ids:
        return {}
    counts: dict[str, int] = {}
    schema = pipeline.default_schema
    with pipeline.sql_client() as client:
        for table in schema.data_table_names():
            if table in NOT_DATA:
                continue
            root = get_root_table(schema.tables, table)["name"]
            qualified, qualified_root = (
                client.make_qualified_table_name(table),
                client.make_qualified_table_name(root),
            )
            # Nested tables of merged resources carry no _dlt_load_id: their root row has it.
            ids = ", ".join(["%s"] * len(load_ids))
            sql = (
                f"select count(*) from {qualified} where _dlt_load_id in ({ids})"
                if root == table
                else f"select count(*) from {qualified} t join {qualified_root} r on r._dlt_id = t._dlt_root_id "
                f"where r._dlt_load_id in ({ids})"
            )
            rows = client.execute_sql(sql, *load_ids)
            if rows and rows[0][0]:
                counts[table] = int(rows[0][0])
    return counts


NESTED_KEYS = ("_dlt_parent_id", "_dlt_root_id")


def _index_name(table: str, column: str) -> str:
    """`<table><column>`, within PostgreSQL's 63 bytes (a hash keeps long names apart)."""
    name = f"{table}{column}"
    if len(name) <= 63:
        return name
    return f"{name[:54]}_{hashlib.sha1(name.encode()).hexdigest()[:8]}"


def _index_nested_tables(pipeline: dlt.Pipeline) -> None:
    """Index the links of nested tables (lines, refunds... to their order), once.

    dlt creates no indexes. With them an incremental dbt run reads the few changed
    orders' lines by index instead of scanning every line ever loaded, and dlt's
    merge deletes a changed order's old nested rows (by _dlt_root_id) without a scan.
    PostgreSQL only: column stores (DuckDB, Spark, Snowflake, BigQuery) scan by design.
    """
    schema = pipeline.default_schema
    with pipeline.sql_client() as client:
        for table in schema.data_table_names(seen_data_only=True):
            columns = schema.tables[table].get("columns", {})
            for column in NESTED_KEYS:
                if column not in columns or get_root_table(schema.tables, table)["name"] == table:
                    continue
                try:
                    client.execute_sql(
                        f"create index if not exists {client.escape_column_name(_index_name(table, column))} "
                        f"on {client.make_qualified_table_name(table)} ({client.escape_column_name(column)})"
                    )
                except Exception as exc:  # the data is loaded; a missing index only costs speed
                    log.warning("could not index %s.%s (dbt runs will scan it): %s", table, column, exc)


def _add_rows(result: StoreLoad, counts: Mapping[str, int]) -> None:
    for table, count in counts.items():
        result.rows[table] = result.rows.get(table, 0) + count


def make_pipeline(
    store: Store, settings: Settings, db: Warehouse, pipelines_dir: Path | None = None
) -> dlt.Pipeline:
    """The store's dlt pipeline; its state lives both in `pipelines_dir` and in the warehouse.

    Dataset names are used as given: dlt's normalization would fold `raw_shopify__us` into
    `raw_shopify_us`, and dbt finds a platform's stores by the `__` (our names are already
    lower-case identifiers: platform names and `[a-z0-9]` labels).
    """
    _route_dlt_logs()
    return dlt.pipeline(
        pipeline_name=pipeline_name(store),
        pipelines_dir=str(ensure_private_dir(pipelines_dir or data_dir(settings.env) / "dlt")),
        destination=db.dlt_destination(),
        dataset_name=dataset_name(store),
    )


def load_store(
    store: Store,
    settings: Settings,
    db: Warehouse,
    *,
    full_refresh: bool = False,
    pipelines_dir: Path | None = None,
    stats: RequestStats | None = None,
) -> StoreLoad:
    """Extract `store` and load it into its raw dataset; never raises (see `StoreLoad.error`).

    `full_refresh` drops the store's raw tables and cursors first and reloads everything.
    `stats` lets a caller watch the counters while the load runs (progress display).
    """
    started = time.monotonic()
    stats = stats or RequestStats()
    result = StoreLoad(store)
    secrets = [*settings.secrets(), db.password]
    add_secrets(secrets)
    try:
        pipeline = make_pipeline(store, settings, db, pipelines_dir)
        if full_refresh:
            pipeline = _reset(pipeline, store, settings, db, pipelines_dir)
        else:
            _finish_interrupted(pipeline, result)
        source = PLATFORMS[store.platform].loader.source(store.config, settings.load, stats)
        info = pipeline.run(source)
        if isinstance(db, DbSettings):
            _index_nested_tables(pipeline)
        result.extract_seconds = _extract_seconds(pipeline)
        result.load_ids.extend(info.loads_ids)
        _add_rows(result, _table_rows(pipeline))
    except Exception as exc:
        result.error = describe_failure(store.name, exc, secrets)
        # One line on stderr (the masking formatter drops the traceback there); the
        # traceback itself goes to logs/error.log for whoever debugs it.
        log.error("%s", result.error, exc_info=True)
    finally:
        counts = stats.snapshot()
        result.rejected = int(counts["rejected"])
        result.requests = int(counts["requests"])
        result.throttled = int(counts["throttled"])
        result.retries = int(counts["retries"])
        result.waited_seconds = float(counts["waited_seconds"])
        result.operation_wait_seconds = float(counts["operation_wait_seconds"])
        result.pages = int(counts["pages"])
        result.reconcile_requests = int(counts["reconcile_requests"])
        result.warnings = stats.warnings()
        result.seconds = time.monotonic() - started
    return result
