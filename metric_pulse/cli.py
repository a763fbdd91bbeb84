"""`metric-pulse`: the command line. Each subcommand module adds its own parser.

Known failures (MetricPulseError) print one line and return their exit code;
anything unexpected prints one line and leaves the traceback in logs/error.log.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

import yaml

from loaders.errors import MetricPulseError
from loaders.masking import mask
from metric_pulse.clv.cli import register as register_clv
from metric_pulse.config import data_dir, load_environment, load_settings, secrets_in
from metric_pulse.dbt_runner import run_dbt
from metric_pulse.demo import demo_or_configured
from metric_pulse.logging_setup import setup_logging
from metric_pulse.platforms import PLATFORMS
from metric_pulse.report.cli import register as register_report
from metric_pulse.run import format_summary, run_pipeline
from metric_pulse.run_log import RunInProgress, run_in_progress
from metric_pulse.sandbox.cli import register as register_sandbox
from metric_pulse.schedule import run_forever
from metric_pulse.shell_env import export_lines
from metric_pulse.status import report
from metric_pulse.warehouse import EmbeddedPostgres, external_settings, resolve_destination, resolve_warehouse

log = logging.getLogger("metric_pulse")


def _db_url(args: argparse.Namespace) -> int:
    print(resolve_warehouse(load_environment()).url())
    return 0


def _db_env(args: argparse.Namespace) -> int:
    """Print `export` lines for running dbt or psql by hand (the password included: it is your shell)."""
    sys.stdout.write(export_lines(resolve_warehouse(load_environment()).dbt_env()))
    return 0


def _db_stop(args: argparse.Namespace) -> int:
    env = load_environment()
    if external_settings(env) is not None:
        print("DB_* / DATABASE_URL point at an external server; nothing to stop.")
        return 0
    embedded = EmbeddedPostgres(data_dir(env) / "postgres")
    # A run in progress would die mid-load with "connection already closed".
    if not args.force and embedded.running_port() is not None and run_in_progress(embedded.start()):
        raise RunInProgress(
            "a metric-pulse run is using the embedded PostgreSQL; wait for it to finish "
            "(metric-pulse status), or stop the server anyway with `metric-pulse db stop --force`"
        )
    stopped = embedded.stop()
    print("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running")
    return 0


def _dbt(args: argparse.Namespace) -> int:
    db = resolve_destination(load_environment())
    return run_dbt(args.dbt_args, db).returncode


def _pipeline(args: argparse.Namespace, *, with_dbt: bool) -> int:
    """One run: real stores if any is configured, else the demo sandbox for the duration of the run."""
    env = load_environment()
    settings = load_settings(env)
    db = resolve_destination(env)
    with demo_or_configured(settings) as active:
        outcome = run_pipeline(
            active,
            db,
            stores=active.select(args.platform, args.store),
            full_refresh=args.full_refresh,
            reconcile=args.reconcile,
            with_dbt=with_dbt,
            dbt_vars=getattr(args, "vars", None),
        )
    print(format_summary(outcome))
    return outcome.exit_code


def _run(args: argparse.Namespace) -> int:
    if not args.schedule:
        return _pipeline(args, with_dbt=True)
    cron = load_settings(load_environment()).schedule_cron
    run_forever(cron, lambda: _pipeline(args, with_dbt=True))
    return 0


def _yaml_mapping(text: str) -> dict:
    """`run --vars`, read as dbt reads its own `--vars`: a YAML mapping."""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise argparse.ArgumentTypeError(f"not YAML: {exc}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("expected a YAML mapping, e.g. '{as_of: 2026-01-31}'")
    return value


def _extract(args: argparse.Namespace) -> int:
    return _pipeline(args, with_dbt=False)


def _status(args: argparse.Namespace) -> int:
    env = load_environment()
    max_age = (
        args.max_age_hours if args.max_age_hours is not None else float(env.get("STATUS_MAX_AGE_HOURS") or 26)
    )
    text, code = report(resolve_destination(env), limit=args.limit, max_age_hours=max_age)
    print(text)
    return code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="metric-pulse",
        description="E-commerce ELT: Shopify, WooCommerce and commercetools into PostgreSQL, modelled with dbt.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = sub.add_parser("db", help="the warehouse connection (embedded or external PostgreSQL)")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser("url", help="print a libpq URL of the warehouse (without the password)").set_defaults(
        func=_db_url
    )
    db_sub.add_parser("env", help="print export lines (DB_*) for running dbt/psql by hand").set_defaults(
        func=_db_env
    )
    stop = db_sub.add_parser(
        "stop", help="stop the embedded PostgreSQL server (refused while a run is using it; exit 3)"
    )
    stop.add_argument("--force", action="store_true", help="stop it even while a run is using it")
    stop.set_defaults(func=_db_stop)

    run = sub.add_parser(
        "run",
        help="extract + load every configured store, then dbt build (what `make elt` runs)",
        description="Extract and load every configured store concurrently, then `dbt build`, then print a summary. "
        "With no platform configured, runs against the built-in sandbox stores. Exit 0 on success, "
        "1 if any step failed, 2 on configuration/warehouse errors, 3 if a run is already in progress.",
    )
    extract = sub.add_parser(
        "extract",
        help="extract + load only (no dbt)",
        description="Extract and load every configured store into raw_<platform> (raw_<platform>__<label> for "
        "a store labelled in <PLATFORM>_STORES); no dbt.",
    )
    for command, also in (
        (run, "; rebuild dbt's incremental models (dbt build --full-refresh)"),
        (extract, ""),
    ):
        command.add_argument("--platform", choices=list(PLATFORMS), help="only this platform's stores")
        command.add_argument(
            "--store",
            metavar="LABEL",
            help="only the stores with this label (from <PLATFORM>_STORES; `default` without it)",
        )
        command.add_argument(
            "--full-refresh",
            action="store_true",
            help=f"drop the chosen stores' raw tables and cursors, then reload everything{also}",
        )
        command.add_argument(
            "--reconcile",
            action="store_true",
            help="compare every id with the store now to find permanent deletes (WooCommerce; commercetools "
            "without Messages), instead of waiting for RECONCILE_EVERY_DAYS (default 7)",
        )
    run.add_argument(
        "--vars",
        type=_yaml_mapping,
        metavar="YAML",
        help="dbt vars for this run's dbt build, e.g. '{as_of: 2026-01-31}' (dbt_project.yml lists them)",
    )
    run.add_argument(
        "--schedule",
        action="store_true",
        help="stay in the foreground and run at every SCHEDULE_CRON time (default 0 2 * * *)",
    )
    run.set_defaults(func=_run)
    extract.set_defaults(func=_extract)

    status = sub.add_parser(
        "status",
        help="show the last runs; exit 1 if the last run failed, 4 if data is stale, 5 if never run",
        description="Show the last runs from ops.etl_logs. Exit codes for monitoring: 0 ok, 1 last run "
        "failed/partial/interrupted, 2 warehouse unreachable, 4 stale data, 5 no run recorded.",
    )
    status.add_argument("--limit", type=int, default=10, help="how many runs to show (default 10)")
    status.add_argument(
        "--max-age-hours",
        type=float,
        default=None,
        help="data older than this is stale (default $STATUS_MAX_AGE_HOURS or 26)",
    )
    status.set_defaults(func=_status)

    dbt = sub.add_parser(
        "dbt", help="run dbt on dbt_project/ with the warehouse settings, e.g. `metric-pulse dbt build`"
    )
    dbt.add_argument("dbt_args", nargs=argparse.REMAINDER, help="arguments passed to dbt")
    dbt.set_defaults(func=_dbt)

    register_sandbox(sub)
    register_clv(sub)
    register_report(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Everything we (and dlt, dbt) write is the owner's only: dlt's files hold customer data.
    os.umask(0o077)
    args = build_parser().parse_args(argv)
    env = load_environment()
    secrets = secrets_in(env)  # before any setting is parsed: a parse error may quote a value
    setup_logging(secrets, verbose=args.verbose)
    try:
        return int(args.func(args) or 0)
    except MetricPulseError as exc:
        log.debug("failure detail", exc_info=True)
        print(f"metric-pulse: {mask(str(exc), secrets)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("metric-pulse: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one line here, the traceback in logs/error.log
        log.error("unexpected error: %s", exc, exc_info=True)
        print("metric-pulse: unexpected error (traceback in logs/error.log)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
