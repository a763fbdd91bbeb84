"""Turning a raw transactions table into the canonical (customer_id, date, amount) frame.

Two modes, because the package has two kinds of caller:

* strict (the CLI, tests): the first problem raises `TransactionError` with a
  one-line message naming the column, the line and the offending value;
* lenient (`clv.predict.score_customers`, run inside a dbt build): bad rows are
  dropped and counted, so one odd order never fails the warehouse build.

Dates accepted: YYYY-MM-DD, YYYYMMDD, ISO 8601 date-times (with or without a
UTC offset; offsets are converted to UTC before the time is dropped), or
values that already are dates/timestamps. Only the calendar day is used.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

DATE_FORMATS_HELP = "YYYY-MM-DD, YYYYMMDD or ISO 8601 date-time"
DATE_NOTE = "date-times with a UTC offset are converted to UTC; only the calendar day is used"
CANONICAL = ("customer_id", "date", "amount")


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
    """Calendar days (datetime64, midnight, tz-naive); unparseable values become NaT."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return pd.to_datetime(values).dt.normalize()
    text = values.astype("string").str.strip()
    compact = text.str.fullmatch(r"\d{8}")
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if compact.fillna(False).any():
        m = compact.fillna(False).to_numpy(bool)
        out.loc[values.index[m]] = pd.to_datetime(text[m], format="%Y%m%d", errors="coerce").to_numpy()
    rest = (~compact.fillna(False)) & text.notna() & (text != "")
    if rest.any():
        m = rest.to_numpy(bool)
        parsed = pd.to_datetime(text[m], format="ISO8601", errors="coerce", utc=True)
        out.loc[values.index[m]] = parsed.dt.tz_localize(None).to_numpy()
    return out.dt.normalize()


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

    cust = df[customer_col]
    cust_ok = cust.notna() & (cust.astype("string").str.strip() != "")
    dates = parse_dates(df[date_col])
    date_ok = dates.notna()
    if amount_col is not None:
        amount = pd.to_numeric(df[amount_col], errors="coerce").astype(float)
        amount_ok = amount.notna() & np.isfinite(amount)
        nonneg = ~(amount < 0)
    else:
        amount = pd.Series(np.nan, index=df.index, dtype=float)
        amount_ok = nonneg = pd.Series(True, index=df.index)

    checks = [
        (~cust_ok, "missing_customer_id", lambda i: f"{_where(i, line_numbers)}: missing customer id in column '{customer_col}'"),
        (~date_ok, "bad_date", lambda i: f"{_where(i, line_numbers)}: cannot parse date {df.at[i, date_col]!r} in column "
                                         f"'{date_col}' (expected {DATE_FORMATS_HELP})"),
        (~amount_ok, "bad_amount", lambda i: f"{_where(i, line_numbers)}: amount {df.at[i, amount_col]!r} in column "
                                             f"'{amount_col}' is not a number"),
        (amount_ok & ~nonneg, "negative_amount", lambda i: f"{_where(i, line_numbers)}: negative amount "
                                                           f"{df.at[i, amount_col]!r} in column '{amount_col}' "
                                                           f"({int((amount < 0).sum())} negative row(s); refunds are not purchases)"),
    ]
    bad = pd.Series(False, index=df.index)
    for mask, key, message in checks:
        mask = mask & ~bad
        if mask.any():
            if strict:
                raise TransactionError(message(mask[mask].index[0]))
            report.dropped[key] = int(mask.sum())
            bad |= mask
    keep = ~bad
    out = pd.DataFrame({
        "customer_id": cust[keep].to_numpy(),
        "date": dates[keep].to_numpy(),
        "amount": amount[keep].to_numpy(),
    })
    report.rows_used = len(out)
    return out, report


def read_transactions_csv(path: str, customer_col: str, date_col: str, amount_col: str | None) -> pd.DataFrame:
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
