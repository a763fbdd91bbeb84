"""Every number in the report, aggregated in SQL from the marts (schema `analytics`), `ops.etl_logs`
and the staged rejected records: no query returns more rows than a chart draws, so a store with
millions of orders renders as fast as a small one.

Each function takes the open connection and the `Scope` (period and platform/store filter) and
returns plain rows (dicts of JSON-ready values).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from loaders.errors import MetricPulseError
from metric_pulse.platforms import PLATFORMS

Row = dict[str, Any]

COMPARE_DAYS = 30  # "last 30 days against the 30 before"
COHORT_MONTHS = 12  # acquisition cohorts shown in the heat map
TOP_PRODUCTS = 15
AT_RISK_LIMIT = 20
AT_RISK_CHURN = 0.5  # "at risk" = churn probability at least this


class ReportError(MetricPulseError):
    """The report cannot be made (marts missing, bad option)."""


@dataclass(frozen=True)
class Scope:
    """What the report covers: the days `start`..`end` (reporting time zone) and an optional filter."""

    end: date
    days: int
    timezone: str
    platform: str | None = None
    store: str | None = None

    @property
    def start(self) -> date:
        return self.end - timedelta(days=self.days - 1)

    def params(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "platform": self.platform,
            "store": self.store,
            "tz": self.timezone,
            "compare_days": COMPARE_DAYS,
        }

    def where(self, alias: str = "") -> str:
        """SQL conditions for the platform/store filter (always true when no filter is set)."""
        prefix = f"{alias}." if alias else ""
        return (
            f"(%(platform)s::text is null or {prefix}platform = %(platform)s)"
            f" and (%(store)s::text is null or {prefix}store = %(store)s)"
        )


def _plain(value: Any) -> Any:
    """A value JSON and the charts understand: whole numbers as int, other numbers as float, dates as
    ISO strings (sums of integer columns come back as numeric)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def rows(conn, sql: str, params: dict[str, Any]) -> list[Row]:
    with conn.cursor() as cur:
        cur.execute(sql, params)
        names = [c.name for c in cur.description]
        return [{n: _plain(v) for n, v in zip(names, r, strict=True)} for r in cur.fetchall()]


def existing(conn, relations: Sequence[str]) -> set[str]:
    """The relations (schema.name) of `relations` that exist."""
    with conn.cursor() as cur:
        cur.execute("select r from unnest(%s::text[]) r where to_regclass(r) is not null", (list(relations),))
        return {r for (r,) in cur.fetchall()}


MARTS = (
    "analytics.daily_metrics",
    "analytics.product_daily_sales",
    "analytics.customer_metrics",
    "analytics.orders",
    "analytics.clv_model_fits",
    "analytics.customer_predictions",
    "reference.rfm_segments",
)


def require_marts(conn) -> None:
    missing = sorted(set(MARTS) - existing(conn, MARTS))
    if missing:
        raise ReportError(
            f"the marts are not built ({', '.join(missing)} missing): run `make elt` "
            "(or `metric-pulse run`) first"
        )


def marts_as_of(conn) -> date | None:
    """The date RFM and CLV were measured to (dbt var as_of, default the day of the build)."""
    with conn.cursor() as cur:
        cur.execute("select max(as_of_date) from analytics.customer_metrics")
        return cur.fetchone()[0]


def reporting_currency(conn) -> str | None:
    """The currency the marts hold money in (dbt var reporting_currency), None before any order."""
    with conn.cursor() as cur:
        cur.execute(
            """select coalesce((select reporting_currency from analytics.daily_metrics limit 1),
                               (select reporting_currency from analytics.customer_metrics limit 1))"""
        )
        return cur.fetchone()[0]


# ---------------------------------------------------------------- revenue


def daily_revenue(conn, scope: Scope) -> list[Row]:
    """Revenue and net revenue per day and platform, with each platform's trailing 7-day averages.

    Every day of the period has a row per platform (0 when nothing sold), so the averages are over
    calendar days, not over days with orders.
    """
    return rows(
        conn,
        f"""
        with days as (
            select d::date as date
            from generate_series(%(start)s::date - 6, %(end)s::date, interval '1 day') d
        ),
        platforms as (
            select distinct platform from analytics.daily_metrics
            where date between %(start)s::date - 6 and %(end)s and {scope.where()}
        ),
        sums as (
            select date, platform, sum(revenue) as revenue, sum(net_revenue) as net_revenue
            from analytics.daily_metrics
            where date between %(start)s::date - 6 and %(end)s and {scope.where()}
            group by 1, 2
        ),
        filled as (
            select days.date, p.platform,
                   coalesce(s.revenue, 0) as revenue, coalesce(s.net_revenue, 0) as net_revenue
            from days cross join platforms p
            left join sums s on s.date = days.date and s.platform = p.platform
        ),
        averaged as (
            select *,
                   avg(revenue) over w as revenue_7d,
                   avg(net_revenue) over w as net_revenue_7d
            from filled
            window w as (partition by platform order by date rows between 6 preceding and current row)
        )
        select date, platform, revenue, net_revenue,
               round(revenue_7d, 2) as revenue_7d, round(net_revenue_7d, 2) as net_revenue_7d
        from averaged where date >= %(start)s
        order by date, platform
        """,
        scope.params(),
    )


def period_comparison(conn, scope: Scope) -> list[Row]:
    """The last 30 days against the 30 before, per platform and in total (platform 'all')."""
    return rows(
        conn,
        f"""
        with m as (
            select *, date > %(end)s::date - %(compare_days)s as is_current
            from analytics.daily_metrics
            where date > %(end)s::date - 2 * %(compare_days)s and date <= %(end)s and {scope.where()}
        )
        select coalesce(platform, 'all') as platform,
               coalesce(sum(revenue) filter (where is_current), 0) as revenue,
               coalesce(sum(revenue) filter (where not is_current), 0) as revenue_before,
               coalesce(sum(net_revenue) filter (where is_current), 0) as net_revenue,
               coalesce(sum(net_revenue) filter (where not is_current), 0) as net_revenue_before,
               coalesce(sum(orders) filter (where is_current), 0) as orders,
               coalesce(sum(orders) filter (where not is_current), 0) as orders_before,
               round(sum(revenue) filter (where is_current)
                     / nullif(sum(orders) filter (where is_current), 0), 2) as aov,
               round(sum(revenue) filter (where not is_current)
                     / nullif(sum(orders) filter (where not is_current), 0), 2) as aov_before,
               coalesce(sum(new_customers) filter (where is_current), 0) as new_customers,
               coalesce(sum(new_customers) filter (where not is_current), 0) as new_customers_before
        from m
        group by grouping sets ((platform), ())
        order by grouping(platform), platform
        """,
        scope.params(),
    )


def weekly_orders(conn, scope: Scope) -> list[Row]:
    """Orders, average order value and new vs returning customers per week (weeks start on Monday)."""
    return rows(
        conn,
        f"""
        select date_trunc('week', date)::date as week,
               sum(orders) as orders,
               round(sum(revenue) / nullif(sum(orders), 0), 2) as aov,
               sum(new_customers) as new_customers,
               sum(returning_customers) as returning_customers
        from analytics.daily_metrics
        where date between %(start)s and %(end)s and {scope.where()}
        group by 1
        having sum(orders) > 0
        order by 1
        """,
        scope.params(),
    )


def revenue_by_source(conn, scope: Scope) -> list[Row]:
    return rows(
        conn,
        f"""
        select source, sum(revenue) as revenue, sum(orders) as orders
        from analytics.daily_metrics
        where date between %(start)s and %(end)s and {scope.where()}
        group by 1
        having sum(revenue) <> 0 or sum(orders) > 0
        order by revenue desc, source
        """,
        scope.params(),
    )


def top_products(conn, scope: Scope) -> list[Row]:
    """The best sellers of the period by revenue (line totals after discounts, before tax and shipping)."""
    return rows(
        conn,
        f"""
        select max(product_name) as product, max(platform) as platform,
               sum(revenue) as revenue, sum(units) as units, sum(orders) as orders
        from analytics.product_daily_sales
        where date between %(start)s and %(end)s and {scope.where()}
        group by coalesce(product_key, platform || '|' || product_name)
        order by revenue desc, units desc, product
        limit {TOP_PRODUCTS}
        """,
        scope.params(),
    )


# ---------------------------------------------------------------- customers


def segments(conn, scope: Scope) -> list[Row]:
    """Customers and net spend per RFM segment, with each segment's meaning and suggested action.

    Segments and their order come from the seed rfm_segments; the action from rfm_segment_actions
    (when that seed is built). Segments nobody is in are kept, so the table reads the same every time.
    """
    actions = "reference.rfm_segment_actions"
    action_sql = (
        f"(select a.action from {actions} a where a.segment = s.segment)"
        if existing(conn, [actions])
        else "null::text"
    )
    return rows(
        conn,
        f"""
        with c as (
            select rfm_segment, count(*) as customers, sum(net_spend) as revenue
            from analytics.customer_metrics where {scope.where()}
            group by 1
        ),
        s as (  -- several rules may share a segment: the first rule's description speaks for it
            select segment, min(priority) as priority,
                   (array_agg(description order by priority))[1] as description
            from reference.rfm_segments group by segment
        )
        select s.segment, s.description, {action_sql} as action,
               coalesce(c.customers, 0) as customers, coalesce(c.revenue, 0) as revenue
        from s left join c on c.rfm_segment = s.segment
        order by s.priority
        """,
        scope.params(),
    )


def customer_segments(conn, scope: Scope) -> list[tuple[str, str]]:
    """(customer_key, segment) of every customer in scope: the snapshot the next report compares to."""
    with conn.cursor() as cur:
        cur.execute(
            f"select customer_key, rfm_segment from analytics.customer_metrics where {scope.where()}",
            scope.params(),
        )
        return cur.fetchall()


def clv_distribution(conn, scope: Scope, bins: int = 20) -> list[Row]:
    """Customers per band of predicted CLV; the last band is open-ended from the 99th percentile on."""
    return rows(
        conn,
        f"""
        with c as (
            select greatest(predicted_clv, 0) as v from analytics.customer_metrics
            where predicted_clv is not null and {scope.where()}
        ),
        top as (select percentile_cont(0.99) within group (order by v) as hi from c),
        binned as (
            select least(floor(v / nullif(top.hi / {bins}, 0)), {bins - 1})::int as bin,
                   top.hi / {bins} as width
            from c, top
        )
        select coalesce(bin, 0) as bin,
               round((coalesce(bin, 0) * coalesce(width, 0))::numeric, 2) as clv_from,
               round(((coalesce(bin, 0) + 1) * coalesce(width, 0))::numeric, 2) as clv_to,
               coalesce(bin, 0) = {bins - 1} as open_ended, count(*) as customers
        from binned group by 1, 2, 3, 4 order by 1
        """,
        scope.params(),
    )


def clv_horizon_months(conn) -> int | None:
    """The horizon of predicted_clv (dbt var clv_horizon_months at the last build)."""
    with conn.cursor() as cur:
        cur.execute("select max(horizon_months) from analytics.customer_predictions")
        return cur.fetchone()[0]


def churn_by_recency(conn, scope: Scope) -> list[Row]:
    """Customers per (recency band of 30 days, churn-probability band of 0.1); the last recency band
    is open-ended from 720 days on."""
    return rows(
        conn,
        f"""
        select least(recency_days / 30, 24) * 30 as recency_from,
               least(floor(churn_probability * 10), 9)::int / 10.0 as churn_from,
               count(*) as customers
        from analytics.customer_metrics
        where churn_probability is not null and {scope.where()}
        group by 1, 2 order by 1, 2
        """,
        scope.params(),
    )


def valuable_at_risk(conn, scope: Scope) -> list[Row]:
    """The customers with the highest predicted CLV among those likely to have churned.

    Identified by customer_key (a hash of the e-mail), never by name or e-mail: the report is a file.
    """
    return rows(
        conn,
        f"""
        select customer_key, platform, rfm_segment, orders_count, net_spend, recency_days,
               round(churn_probability::numeric, 3) as churn_probability,
               round(predicted_clv::numeric, 2) as predicted_clv
        from analytics.customer_metrics
        where churn_probability >= {AT_RISK_CHURN} and predicted_clv is not null and {scope.where()}
        order by predicted_clv desc, customer_key
        limit {AT_RISK_LIMIT}
        """,
        scope.params(),
    )


def holdout_check(conn) -> list[Row]:
    """The newest refit's candidate models: predicted vs actual repeat purchases in the holdout weeks."""
    return rows(
        conn,
        """
        select model, is_selected, status, as_of, holdout_weeks, n_customers, holdout_status,
               round(holdout_predicted_repeat_purchases::numeric, 1) as predicted,
               holdout_actual_repeat_purchases as actual,
               round(holdout_mean_abs_error::numeric, 3) as mean_abs_error
        from analytics.clv_model_fits
        where built_at = (select max(built_at) from analytics.clv_model_fits)
        order by is_selected desc, model
        """,
        {},
    )


def cohort_retention(conn, scope: Scope) -> list[Row]:
    """Monthly acquisition cohorts (first counted order in scope): the share still ordering n months on."""
    return rows(
        conn,
        f"""
        with o as (
            select customer_key, date_trunc('month', ordered_date)::date as month
            from analytics.orders
            where not is_cancelled and customer_key is not null and ordered_date <= %(end)s
              and {scope.where()}
            group by 1, 2
        ),
        first as (select customer_key, min(month) as cohort from o group by 1),
        active as (
            select f.cohort,
                   ((extract(year from o.month) - extract(year from f.cohort)) * 12
                    + extract(month from o.month) - extract(month from f.cohort))::int as months_after,
                   count(*) as customers
            from o join first f using (customer_key)
            where f.cohort > date_trunc('month', %(end)s::date) - interval '{COHORT_MONTHS} months'
            group by 1, 2
        )
        select to_char(a.cohort, 'YYYY-MM') as cohort, a.months_after, a.customers,
               s.customers as cohort_size, round(a.customers::numeric / s.customers, 3) as retention
        from active a join active s on s.cohort = a.cohort and s.months_after = 0
        order by 1, 2
        """,
        scope.params(),
    )


# ---------------------------------------------------------------- data health

RUNS_SHOWN = 10


def recent_runs(conn, scope: Scope) -> list[Row]:
    """The last runs from ops.etl_logs (times in the reporting time zone); [] when none is recorded."""
    if not existing(conn, ["ops.etl_logs"]):
        return []
    return rows(
        conn,
        f"""
        select to_char(started_at at time zone %(tz)s, 'YYYY-MM-DD HH24:MI') as started,
               round(extract(epoch from finished_at - started_at)::numeric, 0) as seconds,
               status, coalesce(records_loaded, 0) as loaded, coalesce(records_rejected, 0) as rejected,
               left(split_part(coalesce(error_message, ''), E'\\n', 1), 160) as error
        from ops.etl_logs where step = 'run'
        order by started_at desc limit {RUNS_SHOWN}
        """,
        scope.params(),
    )


def rejected_records(conn) -> list[Row]:
    """Rejected records per platform, resource and reason (never the records themselves)."""
    views = [f"staging.stg_{p}__rejected_records" for p in PLATFORMS]
    present = [v for v in views if v in existing(conn, views)]
    if not present:
        return []
    union = " union all ".join(f"select platform, resource, reason, rejected_at from {v}" for v in present)
    return rows(
        conn,
        f"""
        select platform, resource, left(reason, 120) as reason, count(*) as records,
               max(rejected_at)::date as last_rejected
        from ({union}) r
        group by 1, 2, 3 order by records desc, 1, 2, 3 limit 20
        """,
        {},
    )


def last_build_checks(conn) -> Row | None:
    """Test results of the newest dbt build recorded in ops.etl_logs (pass/warn/fail/error counts)."""
    if not existing(conn, ["ops.etl_logs"]):
        return None
    found = rows(
        conn,
        """
        select status, coalesce((details ->> 'warn')::int, 0) as warn,
               coalesce((details ->> 'fail')::int, 0) as fail,
               coalesce((details ->> 'error')::int, 0) as error
        from ops.etl_logs where step = 'dbt:build' and status <> 'running'
        order by started_at desc limit 1
        """,
        {},
    )
    return found[0] if found else None


def data_checks(conn, scope: Scope) -> Row:
    """Counts behind the data-quality warnings: unconverted money, customers without CLV predictions."""
    return rows(
        conn,
        f"""
        select (select coalesce(sum(unconverted_orders), 0) from analytics.daily_metrics
                where date between %(start)s and %(end)s and {scope.where()}) as unconverted_orders,
               (select count(*) from analytics.customer_metrics
                where predicted_clv is null and {scope.where()}) as customers_without_clv,
               (select string_agg(distinct clv_status, ', ') from analytics.customer_metrics
                where clv_status <> 'ok' and {scope.where()}) as clv_statuses
        """,
        scope.params(),
    )[0]


def freshness(conn, scope: Scope) -> list[Row]:
    """Per platform: the newest order day, the newest load into the marts, and its age in hours
    (last_loaded_at is a UTC timestamp without time zone)."""
    return rows(
        conn,
        f"""
        select platform, store,
               max(date) filter (where orders > 0) as last_order_date,
               to_char(max(last_loaded_at) at time zone 'UTC' at time zone %(tz)s, 'YYYY-MM-DD HH24:MI')
                   as last_loaded,
               round((extract(epoch from (now() at time zone 'UTC') - max(last_loaded_at)) / 3600)::numeric,
                     1) as hours_since_load
        from analytics.daily_metrics where {scope.where()}
        group by 1, 2 order by 1, 2
        """,
        scope.params(),
    )
