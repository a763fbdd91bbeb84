"""Turning a raw transactions table into the canonical (customer_id, date, amount) frame.

Two modes, because the package has two kinds of caller:

* strict (the CLI, tests): the first problem raises `TransactionError` with a
  one-line message naming the column, the line and the offending value;
* lenient (`metric_pulse.clv.predict.score_customers`, run inside a dbt build): bad rows are
  dropped and counted, so one odd order never fails the warehouse build.

Dates accepted: YYYY-MM-DD, YYYYMMDD, ISO 8601 date-times (with or without a
UTC offset; offsets are converted to UTC before the time is dropped), or
values that already are dates/timestamps. Only the calendar day is used.
Dates are kept at microsecond resolution (`DATE_UNIT`, what PostgreSQL and the
dbt Python models use): nanoseconds only reach 1677-2262, and numpy converts
silently, so 1500-01-01 used to become 2084-07-20. Which dates are plausible
for an order is the warehouse's call (int_orders_unioned), not this module's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

DATE_FORMATS_HELP = "YYYY-MM-DD, YYYYMMDD or ISO 8601 date-time"
DATE_NOTE = "date-times with a UTC offset are converted to UTC; only the calendar day is used"
CANONICAL = ("customer_id", "date", "amount")
DATE_UNIT = "datetime64[us]"


class TransactionError(ValueError):
    """Malformed input; the message is one line meant for the user."""


@dataclass
class CleaningReport:
    """What lenient cleaning did, for the fit record."""

    rows_in: int = 0
    rows_used: int = 0
    dropped: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {"rows_in": self.rows_in, "rows_used": self.rows_used, "dropped": dict(self.dropped)}


def parse_dates(values: pd.Series) -> pd.Series:
    """Calendar days (datetime64[us], midnight, tz-naive); unparseable values become NaT."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC").dt.tz_localize(None).astype(DATE_UNIT).dt.normalize()
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values.astype(DATE_UNIT).dt.normalize()
    # positional work on a fresh RangeIndex: the caller's index may have duplicates
    text = pd.Series(values.to_numpy(), dtype="string").str.strip()
    compact = text.str.fullmatch(r"\d{8}").fillna(False).to_numpy(bool)
    rest = ~compact & text.notna().to_numpy(bool) & (text != "").fillna(False).to_numpy(bool)
    out = np.full(len(text), np.datetime64("NaT"), dtype=DATE_UNIT)
    if compact.any():
        out[compact] = pd.to_datetime(text[compact], format="%Y%m%d", errors="coerce").to_numpy(DATE_UNIT)
    if rest.any():
        parsed = pd.to_datetime(text[rest], format="ISO8601", errors="coerce", utc=True)
        out[rest] = parsed.dt.tz_localize(None).to_numpy(DATE_UNIT)
    return pd.Series(out, index=values.index).dt.normalize()


def _where(label: object, line_numbers: bool) -> str:
    return f"line {label}" if line_numbers else f"row {label}"


def normalize_transactions(
    df: pd.DataFrame,
    customer_col: str = "customer_id",
    date_col: str = "date",
    amount_col: str | None = "amount",
    *,
    strict: bool = True,
    line_numbers: bool = False,
) -> tuple[pd.DataFrame, CleaningReport]:
    """Canonical frame with columns customer_id, date (day), amount (float; NaN if no amount column).

    Strict mode raises TransactionError for: a missing column, a missing
    customer id, a date it cannot parse, a missing/non-numeric or negative
    amount. Lenient mode drops those rows (a negative amount is a refund, not a
    purchase) and counts them. Zero amounts are kept: the order still happened.
    With `line_numbers`, the index is taken to be the CSV line number.
    """
    report = CleaningReport(rows_in=len(df))
    wanted = [c for c in (customer_col, date_col, amount_col) if c is not None]
    missing = [c for c in wanted if c not in df.columns]
    if missing:
        have = ", ".join(map(str, df.columns)) or "none"
        raise TransactionError(f"missing column(s) {', '.join(missing)} (columns found: {have})")

    # positional numpy arrays throughout: the caller's index may have duplicates
    cust = df[customer_col].to_numpy()
    cust_text = pd.Series(cust, dtype="string").str.strip()
    cust_ok = (cust_text.notna() & (cust_text != "")).fillna(False).to_numpy(bool)
    dates = parse_dates(df[date_col]).to_numpy(DATE_UNIT)
    date_ok = ~np.isnat(dates)
    if amount_col is not None:
        amount = pd.to_numeric(pd.Series(df[amount_col].to_numpy()), errors="coerce").to_numpy(
            float, na_value=np.nan
        )
        amount_ok = np.isfinite(amount)
        negative = amount_ok & (amount < 0)
    else:
        amount = np.full(len(df), np.nan)
        amount_ok = np.ones(len(df), dtype=bool)
        negative = np.zeros(len(df), dtype=bool)

    def where(pos: int) -> str:
        return _where(df.index[pos], line_numbers)

    def shown(col: str, pos: int) -> str:
        return repr(df[col].iloc[pos])

    checks = [
        (
            ~cust_ok,
            "missing_customer_id",
            lambda i: f"{where(i)}: missing customer id in column '{customer_col}'",
        ),
        (
            ~date_ok,
            "bad_date",
            lambda i: (
                f"{where(i)}: cannot parse date {shown(date_col, i)} in column "
                f"'{date_col}' (expected {DATE_FORMATS_HELP})"
            ),
        ),
        (
            ~amount_ok,
            "bad_amount",
            lambda i: f"{where(i)}: amount {shown(amount_col, i)} in column '{amount_col}' is not a number",
        ),
        (
            negative,
            "negative_amount",
            lambda i: (
                f"{where(i)}: negative amount {shown(amount_col, i)} in column "
                f"'{amount_col}' ({int(negative.sum())} negative row(s); "
                f"refunds are not purchases)"
            ),
        ),
    ]
    bad = np.zeros(len(df), dtype=bool)
    for mask, key, message in checks:
        mask = mask & ~bad
        if mask.any():
            if strict:
                raise TransactionError(message(int(np.flatnonzero(mask)[0])))
            report.dropped[key] = int(mask.sum())
            bad |= mask
    keep = ~bad
    out = pd.DataFrame({"customer_id": cust[keep], "date": dates[keep], "amount": amount[keep]})
    report.rows_used = len(out)
    return out, report


def read_transactions_csv(
    path: str, customer_col: str, date_col: str, amount_col: str | None
) -> pd.DataFrame:
    """Read and strictly validate a transactions CSV; raises TransactionError with a one-line reason."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], skipinitialspace=True)
    except FileNotFoundError:
        raise TransactionError(f"{path}: no such file") from None
    except pd.errors.EmptyDataError:
        raise TransactionError(f"{path}: empty file (expected a header line and transactions)") from None
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise TransactionError(f"{path}: not a readable CSV ({first})") from None
    raw.columns = [str(c).strip() for c in raw.columns]
    if raw.empty:
        raise TransactionError(f"{path}: header only, no transactions")
    raw.index = pd.RangeIndex(2, len(raw) + 2)  # line numbers: the header is line 1
    tx, _ = normalize_transactions(raw, customer_col, date_col, amount_col, strict=True, line_numbers=True)
    return tx
