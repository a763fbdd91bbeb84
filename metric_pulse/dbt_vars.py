"""Every dbt var is checked before dbt runs: the models paste them into SQL.

`as_of`, `reporting_timezone`, `commercetools_locale` and friends are rendered into
the compiled SQL as literals, so `as_of: "2026-01-31' as date) /* x */ --"` became
SQL. The dbt project checks them itself (macros/validate_vars.sql, on-run-start), so
a plain `dbt build --vars …` is protected too; this module gives `metric-pulse run`
and `metric-pulse dbt` the same rules earlier, as one line naming the var, before a
dbt process starts. Keep the two in step: `RULES` here, the macro there.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

import yaml

from loaders.errors import ConfigError
from metric_pulse.platforms import PLATFORMS
from metric_pulse.warehouse import DbSettings, Warehouse

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME_ZONE = re.compile(r"[A-Za-z0-9_+\-/]{1,64}")
_CURRENCY = re.compile(r"[A-Za-z]{3}")
_LOCALE = re.compile(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*")
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}")
CLV_MODELS = ("pnbd", "mbgnbd", "bgnbd")


def _as_of(value: Any) -> str | None:
    if value in (None, "", "today"):
        return None
    if isinstance(value, date):
        return None
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            date.fromisoformat(value)
            return None
        except ValueError:
            pass
    return "must be a date YYYY-MM-DD (or empty for today)"


def _pattern(pattern: re.Pattern[str], what: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if isinstance(value, str) and pattern.fullmatch(value) else f"must be {what}"

    return check


def _whole(value: Any) -> str | None:
    if isinstance(value, bool) or not (
        isinstance(value, int) or isinstance(value, str) and value.strip().isdigit()
    ):
        return "must be a whole number >= 0"
    return None if int(value) >= 0 else "must be a whole number >= 0"


def _number(value: Any) -> str | None:
    try:
        number = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        number = math.nan
    return None if math.isfinite(number) and number >= 0 else "must be a number >= 0"


def _clv_model(value: Any) -> str | None:
    return None if value in CLV_MODELS else f"must be one of {', '.join(CLV_MODELS)}"


RULES: Mapping[str, Callable[[Any], str | None]] = {
    "as_of": _as_of,
    "reporting_timezone": _pattern(_TIME_ZONE, "a time zone name such as Europe/Berlin"),
    "reporting_currency": _pattern(_CURRENCY, "an ISO 4217 currency code such as USD"),
    "commercetools_locale": _pattern(_LOCALE, "a locale such as en or de-DE"),
    "incremental_lookback_days": _whole,
    "test_window_days": _whole,
    "clv_min_tenure_days": _whole,
    "clv_horizon_months": _whole,
    "clv_holdout_weeks": _whole,
    "clv_refit_days": _whole,
    "clv_expected_lifespan_years": _number,
    "clv_monthly_discount": _number,
    "clv_model": _clv_model,
    **{f"{platform}_raw_schema": _pattern(_IDENTIFIER, "a lower-case schema name") for platform in PLATFORMS},
}


def vars_in_args(args: Sequence[str]) -> dict[str, Any]:
    """The mapping a `--vars '<yaml>'` (or `--vars=<yaml>`) among dbt's arguments sets."""
    found: dict[str, Any] = {}
    for i, arg in enumerate(args):
        text = None
        if arg == "--vars" and i + 1 < len(args):
            text = args[i + 1]
        elif arg.startswith("--vars="):
            text = arg.split("=", 1)[1]
        if text is not None:
            try:
                parsed = yaml.safe_load(text)
            except yaml.YAMLError:
                raise ConfigError("dbt --vars is not valid YAML") from None
            if not isinstance(parsed, dict):
                raise ConfigError("dbt --vars must be a mapping, e.g. '{as_of: 2026-01-31}'")
            found.update(parsed)
    return found


def _known_time_zone(db: DbSettings, zone: str) -> bool:
    conn = db.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("select exists (select 1 from pg_timezone_names where name = %s)", (zone,))
            return bool(cur.fetchone()[0])
    finally:
        conn.close()


def check_dbt_vars(
    args: Sequence[str], dbt_vars: Mapping[str, Any] | None = None, db: Warehouse | None = None
) -> None:
    """Raise ConfigError naming the first var that may not reach SQL (from `args`' --vars or `dbt_vars`)."""
    given = {**vars_in_args(args), **(dbt_vars or {})}
    for name, value in given.items():
        rule = RULES.get(name)
        problem = rule(value) if rule else None
        if problem:
            raise ConfigError(f"dbt var {name} {problem}, got {str(value)[:60]!r}")
    zone = given.get("reporting_timezone")
    # PostgreSQL's list of zones; on other engines dbt's on-run-start check (validate_vars) asks the engine
    if zone and isinstance(db, DbSettings) and not _known_time_zone(db, zone):
        raise ConfigError(f"dbt var reporting_timezone {zone!r} is not a time zone this PostgreSQL knows")
