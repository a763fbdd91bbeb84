"""`metric-pulse report`: write the HTML report of the marts (the CLI calls `register`)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from metric_pulse.config import load_environment
from metric_pulse.platforms import PLATFORMS
from metric_pulse.report.build import DEFAULT_DAYS, ReportOptions, make_report
from metric_pulse.report.files import default_report_path
from metric_pulse.warehouse import resolve_warehouse


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _report(args: argparse.Namespace) -> int:
    env = load_environment()
    out = Path(args.out).resolve() if args.out else default_report_path(env, args.platform, args.store)
    options = ReportOptions(out, args.as_of, args.days, args.platform, args.store)
    result = make_report(resolve_warehouse(env), options)
    print(f"report written to {result.path} ({result.customers:,} customers, {result.seconds:.1f}s)")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    report = subparsers.add_parser(
        "report",
        help="write a self-contained HTML report of the marts (`make elt` writes reports/latest.html)",
        description="Write one HTML file that works offline: revenue, orders, products, RFM segments, "
        "CLV and churn, cohorts and data health, from the analytics marts. The file holds customer "
        "data: it is created mode 0600 (see docs/report.md).",
    )
    report.add_argument(
        "--out",
        metavar="FILE",
        help="the HTML file (default $METRIC_PULSE_REPORT_DIR or reports/, latest.html; "
        "latest-<platform>-<store>.html when filtered)",
    )
    report.add_argument(
        "--as-of",
        type=_date,
        metavar="YYYY-MM-DD",
        help="last day of the period (default: the day the marts were measured to, their as_of)",
    )
    report.add_argument(
        "--days",
        type=int,
        default=DEFAULT_DAYS,
        help=f"length of the period in days (default {DEFAULT_DAYS})",
    )
    report.add_argument("--platform", choices=list(PLATFORMS), help="only this platform")
    report.add_argument(
        "--store", help="only this store: its identifier in the marts (shop domain, site host, project key)"
    )
    report.set_defaults(func=_report)
