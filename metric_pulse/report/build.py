"""Make the report: query the marts, turn the rows into captioned sections and charts, write the file.

Every section says what to read in it and, when it has nothing to show, what is missing.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from metric_pulse.config import write_private
from metric_pulse.dbt_runner import DBT_PROJECT_DIR
from metric_pulse.report import charts, queries
from metric_pulse.report.files import (
    Movement,
    Snapshot,
    make_private_dir,
    movement,
    read_snapshot,
    write_snapshot,
)
from metric_pulse.report.page import Block, Cell, Money, Section, Table, change, num, render
from metric_pulse.report.queries import ReportError, Row, Scope
from metric_pulse.warehouse import DbSettings

DEFAULT_DAYS = 90


@dataclass(frozen=True)
class ReportOptions:
    out: Path
    as_of: date | None = None  # default: the date the marts were measured to (their as_of)
    days: int = DEFAULT_DAYS
    platform: str | None = None
    store: str | None = None


@dataclass
class ReportResult:
    path: Path
    seconds: float
    customers: int


def dbt_vars(overrides: Mapping[str, object] | None = None) -> dict[str, object]:
    """The project's dbt vars (dbt_project.yml) with a run's `--vars` on top."""
    with open(DBT_PROJECT_DIR / "dbt_project.yml", encoding="utf-8") as f:
        values = dict(yaml.safe_load(f).get("vars") or {})
    values.update(overrides or {})
    return values


def _timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ReportError(f"reporting_timezone {name!r} is not a known time zone") from exc


# ---------------------------------------------------------------- sections


def _revenue(conn, scope: Scope, money: Money, specs: dict) -> Section:
    daily = queries.daily_revenue(conn, scope)
    compare = queries.period_comparison(conn, scope)
    cmp_days = queries.COMPARE_DAYS
    blocks = []
    if any(r["orders"] or r["orders_before"] or r["net_revenue"] for r in compare):
        rows = []
        for r in compare:
            rows.append(
                [
                    Cell(r["platform"]),
                    num(money(r["revenue"])),
                    change(r["revenue"], r["revenue_before"]),
                    num(money(r["net_revenue"])),
                    change(r["net_revenue"], r["net_revenue_before"]),
                    num(f"{r['orders']:,}"),
                    change(r["orders"], r["orders_before"]),
                    num(money(r["aov"])),
                    change(r["aov"], r["aov_before"]),
                    num(f"{r['new_customers']:,}"),
                    change(r["new_customers"], r["new_customers_before"]),
                ]
            )
        table = Table.of(
            ["platform", "#revenue", "#vs before", "#net revenue", "#vs before", "#orders", "#vs before"]
            + ["#avg order", "#vs before", "#new customers", "#vs before"],
            rows,
            id="period-comparison",
        )
        blocks.append(
            Block(
                f"The last {cmp_days} days to {scope.end} against the {cmp_days} days before: "
                "green is growth, red decline.",
                table=table,
            )
        )
    else:
        blocks.append(
            Block(
                f"The last {cmp_days} days against the {cmp_days} before.",
                empty=f"No orders in the last {2 * cmp_days} days to {scope.end}.",
            )
        )
    if any(r["revenue"] or r["net_revenue"] for r in daily):
        specs["revenue"] = charts.daily_revenue(daily)
        blocks.append(
            Block(
                "Bars: each day's revenue (top) and net revenue after refunds (bottom), coloured by "
                "platform; line: the 7-day average of all platforms. Look for the trend of the line, "
                "not single days.",
                chart="revenue",
            )
        )
    else:
        blocks.append(
            Block("Revenue per day.", empty=f"No orders or refunds from {scope.start} to {scope.end}.")
        )
    return Section("revenue", "Revenue", blocks)


def _orders(conn, scope: Scope, specs: dict) -> Section:
    weekly = queries.weekly_orders(conn, scope)
    sources = queries.revenue_by_source(conn, scope)
    blocks = []
    if weekly:
        specs["weekly"] = charts.weekly_orders(weekly)
        blocks.append(
            Block(
                "Per week (Monday to Sunday; the first and last may be partial): orders, average order "
                "value, and customers ordering for the first time vs coming back. Growth that comes only "
                "from new customers means people do not return.",
                chart="weekly",
            )
        )
    else:
        blocks.append(Block("Orders per week.", empty=f"No orders from {scope.start} to {scope.end}."))
    if sources:
        specs["sources"] = charts.revenue_by_source(sources)
        blocks.append(
            Block(
                "Revenue of the period by sales channel (web, POS, apps, API, draft orders…): "
                "where sales come from.",
                heading="Revenue by source",
                chart="sources",
            )
        )
    else:
        blocks.append(
            Block("Revenue by sales channel.", heading="Revenue by source", empty="No revenue in the period.")
        )
    return Section("orders", "Orders and customers", blocks)


def _products(conn, scope: Scope, money: Money, specs: dict) -> Section:
    top = queries.top_products(conn, scope)
    if not top:
        return Section(
            "products",
            "Top products",
            [
                Block(
                    "Best sellers of the period.",
                    empty=f"No products sold from {scope.start} to {scope.end}.",
                )
            ],
        )
    specs["products"] = charts.top_products(top)
    table = Table.of(
        ["#", "product", "platform", "#revenue", "#units", "#orders"],
        [
            [num(str(i)), r["product"], r["platform"], num(money(r["revenue"])), num(f"{r['units']:,}")]
            + [num(f"{r['orders']:,}")]
            for i, r in enumerate(top, 1)
        ],
        id="top-products",
    )
    caption = (
        f"The {len(top)} products with the most revenue from {scope.start} to {scope.end} "
        "(line totals after discounts, before tax and shipping), with the units sold."
    )
    return Section("products", "Top products", [Block(caption, chart="products", table=table)])


def _segments(conn, scope: Scope, money: Money, specs: dict, moved: Movement | None, first: bool) -> Section:
    segs = queries.segments(conn, scope)
    blocks = []
    if any(r["customers"] for r in segs):
        specs["segments"] = charts.segments(segs)
        table = Table.of(
            ["segment", "what it means", "suggested action", "#customers", "#net spend"],
            [
                [r["segment"], r["description"] or "", r["action"] or "–", num(f"{r['customers']:,}")]
                + [num(money(r["revenue"]))]
                for r in segs
            ],
            id="segments",
        )
        blocks.append(
            Block(
                "Customers and their net spend to date per RFM segment (recency, frequency, money; rules "
                "in the seed rfm_segments): large Champions and Loyal segments are healthy; large At Risk "
                "and Cannot Lose segments are revenue about to leave.",
                chart="segments",
                table=table,
            )
        )
    else:
        blocks.append(Block("Customers per RFM segment.", empty="No customer has a counted order yet."))
    heading = "Movement since the previous report"
    if moved is None:
        reason = (
            "This is the first report at this path: movement between segments shows from the next one on."
            if first
            else "No customers to compare."
        )
        blocks.append(Block("Customers who changed segment.", heading=heading, empty=reason))
    elif not moved.moves:
        blocks.append(
            Block(
                "Customers who changed segment.",
                heading=heading,
                empty=f"No customer of the previous report (as of {moved.since.as_of}) is in this one.",
            )
        )
    else:
        specs["movement"] = charts.segment_movement(moved.moves, [r["segment"] for r in segs])
        blocks.append(
            Block(
                f"Customers by segment in the previous report (as of {moved.since.as_of}, made "
                f"{moved.since.generated_at}) and now: the diagonal stayed put, cells off it moved. "
                f"{moved.changed:,} changed segment, {moved.new:,} are new, {moved.gone:,} are no longer "
                "in scope.",
                heading=heading,
                chart="movement",
            )
        )
    return Section("segments", "RFM segments", blocks)


def _clv(conn, scope: Scope, money: Money, specs: dict) -> Section:
    blocks = []
    dist = queries.clv_distribution(conn, scope)
    if dist:
        bands = [
            {**r, "band": f"{money(r['clv_from'], cents=False)}+"}
            if r["open_ended"]
            else {**r, "band": f"{money(r['clv_from'], cents=False)}–{money(r['clv_to'], cents=False)}"}
            for r in dist
        ]
        horizon = queries.clv_horizon_months(conn)
        specs["clv"] = charts.clv_distribution(bands, f"predicted CLV, next {horizon} months")
        blocks.append(
            Block(
                "How many customers fall in each band of predicted CLV (discounted value of their purchases "
                "over the model's horizon): most value usually sits with a few customers on the right.",
                chart="clv",
            )
        )
    else:
        blocks.append(
            Block(
                "Predicted CLV per customer.",
                empty="No CLV predictions: the model needs at least 10 customers and 2 repeat buyers "
                "(see clv_status in customer_metrics).",
            )
        )
    churn = queries.churn_by_recency(conn, scope)
    heading = "Churn probability vs recency"
    if churn:
        specs["churn"] = charts.churn_by_recency(churn)
        blocks.append(
            Block(
                "Customers by days since their last order and the model's churn probability: churn rises "
                "with recency, faster for customers who used to buy often.",
                heading=heading,
                chart="churn",
            )
        )
    else:
        blocks.append(Block("Churn by recency.", heading=heading, empty="No churn probabilities yet."))
    risk = queries.valuable_at_risk(conn, scope)
    heading = f"The {queries.AT_RISK_LIMIT} most valuable customers at risk"
    caption = (
        f"Customers with churn probability of at least {queries.AT_RISK_CHURN:.0%}, highest predicted CLV "
        "first: worth a personal win-back. Shown by customer_key (look them up in analytics.customers); "
        "the report carries no names or e-mails."
    )
    if risk:
        table = Table.of(
            ["customer_key", "first seen on", "segment", "#orders", "#net spend", "#days since order"]
            + ["#churn prob.", "#predicted CLV"],
            [
                [
                    Cell(r["customer_key"], code=True),
                    r["platform"],
                    r["rfm_segment"],
                    num(f"{r['orders_count']:,}"),
                ]
                + [
                    num(money(r["net_spend"])),
                    num(f"{r['recency_days']:,}"),
                    num(f"{r['churn_probability']:.0%}"),
                ]
                + [num(money(r["predicted_clv"]))]
                for r in risk
            ],
            id="at-risk",
        )
        blocks.append(Block(caption, heading=heading, table=table))
    else:
        blocks.append(
            Block(
                caption, heading=heading, empty="No customer with a CLV prediction is likely to have churned."
            )
        )
    fits = queries.holdout_check(conn)
    heading = "Model check on held-out weeks"
    caption = (
        "Each candidate model refitted without the last weeks, then asked how many repeat purchases those "
        "weeks would hold: bars close to the actual one mean the model can be trusted (all platforms; "
        "the selected model scores the customers)."
    )
    checked = [f for f in fits if f["predicted"] is not None and f["actual"] is not None]
    if checked:
        specs["holdout"] = charts.holdout_check(checked)
        table = Table.of(
            ["model", "selected", "fitted as of", "#holdout weeks", "#customers", "#predicted", "#actual"]
            + ["#mean abs. error per customer"],
            [
                [f["model"], "yes" if f["is_selected"] else "", f["as_of"], num(f"{f['holdout_weeks']:.0f}")]
                + [num(f"{f['n_customers']:,}"), num(f"{f['predicted']:,.1f}"), num(f"{f['actual']:,.0f}")]
                + [num(f"{f['mean_abs_error']:.3f}" if f["mean_abs_error"] is not None else "–")]
                for f in checked
            ],
            id="holdout",
        )
        blocks.append(Block(caption, heading=heading, chart="holdout", table=table))
    else:
        why = "; ".join(f"{f['model']}: {f['holdout_status'] or f['status']}" for f in fits)
        blocks.append(
            Block(
                caption, heading=heading, empty=f"No holdout check in clv_model_fits ({why or 'no fit yet'})."
            )
        )
    return Section("clv", "Customer lifetime value and churn", blocks)


def _cohorts(conn, scope: Scope, specs: dict) -> Section:
    cohorts = queries.cohort_retention(conn, scope)
    caption = (
        "Customers grouped by the month of their first order (last 12 months); each cell is the share of "
        "the group ordering again that many months later. Read down a column to see whether newer "
        "customers come back more than older ones."
    )
    if not cohorts:
        return Section(
            "cohorts",
            "Acquisition cohorts",
            [Block(caption, empty=f"No first orders in the 12 months to {scope.end}.")],
        )
    specs["cohorts"] = charts.cohort_retention(cohorts)
    return Section("cohorts", "Acquisition cohorts", [Block(caption, chart="cohorts")])


def _warnings(conn, scope: Scope, runs: list[Row], rejected: list[Row]) -> list[str]:
    """Plain-language data-quality warnings; [] when everything looks right."""
    found = []
    build = queries.last_build_checks(conn)
    if build is None:
        found.append(
            "No dbt build is recorded in ops.etl_logs: these marts were not built by `metric-pulse run`."
        )
    elif build["status"] != "success" or build["fail"] or build["error"]:
        found.append(
            f"The last dbt build {build['status']}: {build['fail']} tests failed, {build['error']} errors "
            "(`metric-pulse dbt build` shows which)."
        )
    if build and build["warn"]:
        found.append(
            f"The last dbt build had {build['warn']} test warnings (`metric-pulse dbt build` shows which)."
        )
    if runs and runs[0]["status"] not in ("success", "running"):
        found.append(f"The last run {runs[0]['status']}: {runs[0]['error'] or 'see metric-pulse status'}.")
    total_rejected = sum(r["records"] for r in rejected)
    if total_rejected:
        found.append(f"{total_rejected:,} records were rejected at load (below); they are not in the marts.")
    checks = queries.data_checks(conn, scope)
    if checks["unconverted_orders"]:
        found.append(
            f"{checks['unconverted_orders']:,} orders of the period are in a currency missing from the seed "
            "currency_rates: their revenue is not counted."
        )
    if checks["customers_without_clv"]:
        found.append(
            f"{checks['customers_without_clv']:,} customers have no CLV prediction "
            f"(clv_status: {checks['clv_statuses'] or 'unknown'})."
        )
    return found


def _health(conn, scope: Scope, specs: dict) -> Section:
    runs = queries.recent_runs(conn, scope)
    rejected = queries.rejected_records(conn)
    blocks = []
    caption = "The last runs: records loaded, coloured by outcome. Anything but green deserves a look."
    if runs:
        specs["runs"] = charts.recent_runs(runs)
        table = Table.of(
            [f"started ({scope.timezone})", "status", "#seconds", "#loaded", "#rejected", "error"],
            [
                [r["started"], r["status"], num(f"{r['seconds'] or 0:,.0f}"), num(f"{r['loaded']:,}")]
                + [num(f"{r['rejected']:,}"), r["error"]]
                for r in runs
            ],
            id="runs",
        )
        blocks.append(Block(caption, heading="Last runs", chart="runs", table=table))
    else:
        blocks.append(Block(caption, heading="Last runs", empty="No run recorded in ops.etl_logs yet."))
    heading = "Rejected records"
    caption = "Records the loaders could not load, by reason (kept in raw_<platform>.rejected_records)."
    if rejected:
        table = Table.of(
            ["platform", "resource", "reason", "#records", "last rejected"],
            [
                [r["platform"], r["resource"], r["reason"], num(f"{r['records']:,}"), r["last_rejected"]]
                for r in rejected
            ],
            id="rejected",
        )
        blocks.append(Block(caption, heading=heading, table=table))
    else:
        blocks.append(Block(caption, heading=heading, empty="No rejected records: every record loaded."))
    heading = "Data-quality warnings"
    warnings = _warnings(conn, scope, runs, rejected)
    caption = "Checks on the data behind this report."
    if warnings:
        blocks.append(Block(caption, heading=heading, items=warnings))
    else:
        blocks.append(Block(caption, heading=heading, empty="No data-quality warnings."))
    fresh = queries.freshness(conn, scope)
    heading = "Freshness"
    caption = (
        "Per platform: the last day with orders and when its data last reached the marts. Hours since "
        "load much above a day mean the schedule is not running."
    )
    if fresh:
        table = Table.of(
            ["platform", "store", "last order day", f"last loaded ({scope.timezone})", "#hours since load"],
            [
                [r["platform"], r["store"], r["last_order_date"] or "–", r["last_loaded"] or "–"]
                + [num(f"{r['hours_since_load']:,.1f}" if r["hours_since_load"] is not None else "–")]
                for r in fresh
            ],
            id="freshness",
        )
        blocks.append(Block(caption, heading=heading, table=table))
    else:
        blocks.append(Block(caption, heading=heading, empty="No orders loaded yet."))
    return Section("health", "Data health", blocks)


# ---------------------------------------------------------------- the report


def make_report(
    db: DbSettings, options: ReportOptions, dbt_var_overrides: Mapping[str, object] | None = None
) -> ReportResult:
    """Write the report to `options.out` (0600) and its segment snapshot next to it."""
    started = time.monotonic()
    if options.days < 2 * queries.COMPARE_DAYS:
        raise ReportError(f"--days must be at least {2 * queries.COMPARE_DAYS}")
    project = dbt_vars(dbt_var_overrides)
    tz_name = str(project.get("reporting_timezone") or "UTC")
    tz = _timezone(tz_name)
    conn = db.connect()
    try:
        conn.set_session(readonly=True)
        queries.require_marts(conn)
        measured_to = queries.marts_as_of(conn)
        end = options.as_of or measured_to or datetime.now(tz).date()
        scope = Scope(end, options.days, tz_name, options.platform, options.store)
        currency = queries.reporting_currency(conn) or str(project.get("reporting_currency") or "USD")
        money = Money(currency)
        previous = read_snapshot(options.out)
        current = queries.customer_segments(conn, scope)
        moved = movement(previous, current) if previous is not None and current else None
        specs: dict[str, dict] = {}
        sections = [
            _revenue(conn, scope, money, specs),
            _orders(conn, scope, specs),
            _products(conn, scope, money, specs),
            _segments(conn, scope, money, specs, moved, first=previous is None),
            _clv(conn, scope, money, specs),
            _cohorts(conn, scope, specs),
            _health(conn, scope, specs),
        ]
    finally:
        conn.close()
    generated = datetime.now(tz).strftime("%Y-%m-%d %H:%M")
    where = " / ".join(x for x in (options.platform, options.store) if x) or "all platforms and stores"
    scope_line = f"{scope.start} to {scope.end} ({scope.days} days) · {where}"
    measured = f"RFM and CLV measured to {measured_to}" if measured_to else "No RFM or CLV yet"
    basis_line = (
        f"Money in {currency}, days in {tz_name}. {measured}. Made {generated} from the analytics marts."
    )
    html = render(
        scope_line=scope_line, basis_line=basis_line, sections=sections, charts=specs, currency=currency
    )
    try:
        make_private_dir(options.out.parent)
        write_private(options.out, html.encode("utf-8"))
        write_snapshot(options.out, Snapshot(str(scope.end), generated, dict(current)))
    except OSError as exc:
        raise ReportError(f"cannot write the report to {options.out}: {exc.strerror or exc}") from exc
    return ReportResult(options.out, time.monotonic() - started, len(current))
