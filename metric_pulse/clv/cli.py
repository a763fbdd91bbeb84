"""`metric-pulse clv fit`: fit the purchase and spend models on a transactions CSV, print JSON.

The project CLI calls `register(subparsers)`; `python -m metric_pulse.clv.cli ...` builds a
parser of its own with the same `clv` subcommand, so the command can be run
and tested without the rest of the project.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from metric_pulse.clv.models import MODELS
from metric_pulse.clv.predict import fit_purchase_model, fit_spend_model
from metric_pulse.clv.summary import as_day, summarize
from metric_pulse.clv.transactions import (
    DATE_FORMATS_HELP,
    DATE_NOTE,
    TransactionError,
    read_transactions_csv,
)

DEFAULT_MODEL = "pnbd"
PROG = "metric-pulse clv fit"

FIT_DESCRIPTION = f"""\
Fit a purchase-count model (BG/NBD, Pareto/NBD or MBG/NBD) and the Gamma-Gamma
spend model on a transactions CSV and print one JSON object.

Input: a CSV file with a header line and one row per order (extra columns are ignored):
  customer column (--customer-col, default customer_id)  any text; same value = same customer
  date column     (--date-col, default date)             {DATE_FORMATS_HELP}
  amount column   (--amount-col, default amount)         order value, a plain number >= 0
  ({DATE_NOTE})

How the data are read (the conventions of the published CDNOW fits):
  * purchases by one customer on the same calendar day are merged into one
    purchase (amounts summed);
  * the calibration end is inclusive: orders dated on it count, later ones are
    ignored; T runs from a customer's first purchase day to that day;
  * time is continuous in --time-unit (week = 7 days, e.g. 38.857 weeks from
    1997-01-01 to 1997-09-30);
  * the spend model uses repeat buyers with positive mean repeat spend (first
    purchase excluded).

Output (stdout, one line):
  {{"model", "params": {{"r","alpha","a","b"}} (pnbd: {{"r","alpha","s","beta"}}),
   "log_likelihood", "converged", "n_customers", "fit_seconds",
   "spend": {{"params": {{"p","q","v"}}, "log_likelihood", "n_customers", "converged"}}}}

Exit codes: 0 fitted; 1 fitted but the optimiser starts disagree (converged
false); 2 bad input: missing file or column, unparseable date, negative or
non-numeric amount, or data that cannot support a fit (no repeat buyers).
"""


def _error(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 2


def _spend_json(rec: dict[str, Any]) -> dict[str, Any]:
    out = {k: rec[k] for k in ("params", "log_likelihood", "n_customers", "converged")}
    if rec["status"] != "ok":
        out.update(status=rec["status"], reason=rec["reason"])
    return out


def fit_command(args: argparse.Namespace) -> int:
    """Handler of `clv fit`: returns the exit code, prints JSON or one error line."""
    try:
        cal_end = as_day(args.calibration_end)
    except (ValueError, TypeError):
        return _error(f"--calibration-end {args.calibration_end!r} is not a date (use YYYY-MM-DD)")
    try:
        tx = read_transactions_csv(args.transactions, args.customer_col, args.date_col, args.amount_col)
        summary = summarize(tx, cal_end, time_unit=args.time_unit)
    except TransactionError as exc:
        return _error(str(exc))
    purchase, prec = fit_purchase_model(summary, args.model)
    if purchase is None:
        return _error(f"cannot fit {args.model} on transactions up to {cal_end.date()}: {prec['reason']}")
    _, srec = fit_spend_model(summary)
    result = {
        "model": args.model,
        "params": prec["params"],
        "log_likelihood": prec["log_likelihood"],
        "converged": prec["converged"],
        "n_customers": prec["n_customers"],
        "fit_seconds": prec["fit_seconds"],
        "spend": _spend_json(srec),
    }
    print(json.dumps(result))
    return 0 if prec["converged"] else 1


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `clv fit` to a CLI's subparsers; the handler is set as `func`."""
    clv = subparsers.add_parser(
        "clv",
        help="predictive CLV: fit purchase (BG/NBD, Pareto/NBD, MBG/NBD) and spend models",
        description="Predictive customer lifetime value and churn models.",
    )
    actions = clv.add_subparsers(dest="clv_command", required=True, metavar="ACTION")
    fit = actions.add_parser(
        "fit",
        help="fit the models on a transactions CSV and print one JSON object",
        description=FIT_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    fit.add_argument(
        "--transactions", required=True, metavar="FILE.csv", help="transactions CSV (format above)"
    )
    fit.add_argument(
        "--calibration-end",
        required=True,
        metavar="YYYY-MM-DD",
        help="last day of the calibration period (inclusive); later rows are ignored",
    )
    fit.add_argument(
        "--model",
        choices=list(MODELS),
        default=DEFAULT_MODEL,
        help=f"purchase model (default {DEFAULT_MODEL})",
    )
    fit.add_argument(
        "--time-unit",
        choices=["week", "day"],
        default="week",
        help="time unit of t_x, T and alpha/beta (default week)",
    )
    fit.add_argument(
        "--customer-col", default="customer_id", metavar="C", help="customer id column (default customer_id)"
    )
    fit.add_argument("--date-col", default="date", metavar="D", help="order date column (default date)")
    fit.add_argument(
        "--amount-col", default="amount", metavar="A", help="order value column (default amount)"
    )
    fit.set_defaults(func=fit_command)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="metric-pulse", description="metric-pulse CLV commands")
    register(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
