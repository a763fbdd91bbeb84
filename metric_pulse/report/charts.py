"""The report's charts as Vega-Lite specifications, built with altair from the rows of `queries`.

Each function returns a spec (a dict) ready for vega-embed. Every mark has a name (`<name>_marks`
in the compiled Vega view, from the unit chart's `name`) so the browser test can find each chart's
drawn marks and compare their data with the marts. Money axes use d3's `$` format, which
vega-embed renders with the reporting currency's symbol (see `page.format_locale`). Dates are
calendar days of the reporting time zone sent as 'YYYY-MM-DD' and read as UTC, so no browser
time zone can shift them by a day.
"""

from __future__ import annotations

from typing import Any

import altair as alt

from metric_pulse.platforms import PLATFORMS
from metric_pulse.report.queries import Row

Spec = dict[str, Any]

WIDTH = 760
MONEY = "$,.0f"
MONEY_CENTS = "$,.2f"
# One colour per platform, in the registry's order (a platform keeps its colour in every chart).
_PALETTE = ("#5e8e3e", "#7f54b3", "#2f6fba", "#c0692b", "#b8405e", "#3a8f8f", "#8c6d1f", "#5a5a5a")
PLATFORM_COLORS = alt.Scale(
    domain=list(PLATFORMS), range=[_PALETTE[i % len(_PALETTE)] for i in range(len(PLATFORMS))]
)


def _spec(chart: alt.TopLevelMixin) -> Spec:
    return chart.configure_view(stroke=None).configure_axis(labelFontSize=11, titleFontSize=11).to_dict()


def _day(field: str = "date", title: str = "day") -> alt.X:
    return alt.X(f"utcyearmonthdate({field}):T", title=title, axis=alt.Axis(format="%b %d", labelAngle=0))


def daily_revenue(data: list[Row]) -> Spec:
    """Revenue and net revenue per day, stacked by platform, each with the 7-day average of the total."""
    folded = [
        {
            "date": r["date"],
            "platform": r["platform"],
            "measure": label,
            "value": r[field],
            "avg_7d": r[f"{field}_7d"],
        }
        for r in data
        for label, field in (("Revenue", "revenue"), ("Net revenue", "net_revenue"))
    ]
    base = alt.Chart(alt.Data(values=folded)).properties(width=WIDTH, height=170)
    bars = (
        base.properties(name="revenue_bars")
        .mark_bar()
        .encode(
            x=_day(),
            y=alt.Y("sum(value):Q", title=None, axis=alt.Axis(format=MONEY)),
            color=alt.Color("platform:N", scale=PLATFORM_COLORS, title=None, legend=alt.Legend(orient="top")),
            tooltip=[
                alt.Tooltip("utcyearmonthdate(date):T", title="day"),
                "platform:N",
                alt.Tooltip("value:Q", title="amount", format=MONEY_CENTS),
            ],
        )
    )
    average = (
        base.properties(name="revenue_avg")
        .mark_line(color="#222", strokeWidth=1.5)
        .encode(
            x=_day(),
            y=alt.Y("sum(avg_7d):Q"),
            tooltip=[
                alt.Tooltip("utcyearmonthdate(date):T", title="day"),
                alt.Tooltip("sum(avg_7d):Q", title="7-day average, all platforms", format=MONEY_CENTS),
            ],
        )
    )
    chart = alt.layer(bars, average).facet(
        row=alt.Row(
            "measure:N",
            title=None,
            sort=["Revenue", "Net revenue"],
            header=alt.Header(
                labelAngle=0, labelOrient="top", labelAnchor="start", labelFontWeight="bold", labelFontSize=12
            ),
        )
    )
    return _spec(chart)


def weekly_orders(data: list[Row]) -> Spec:
    """Three small multiples sharing the week axis: orders, average order value, new vs returning."""
    # Discrete weeks (bands), labelled by their Monday.
    week = alt.X("utcyearmonthdate(week):O", title="week starting", axis=alt.Axis(format="%b %d"))
    base = alt.Chart(alt.Data(values=data)).properties(width=250, height=160)
    orders = (
        base.properties(name="weekly_orders")
        .mark_bar(color="#4c78a8")
        .encode(x=week, y=alt.Y("orders:Q", title="orders"), tooltip=["utcyearmonthdate(week):T", "orders:Q"])
    )
    aov = (
        base.properties(name="weekly_aov")
        .mark_line(point=True, color="#f58518")
        .encode(
            x=week,
            y=alt.Y("aov:Q", title="average order value", axis=alt.Axis(format=MONEY)),
            tooltip=["utcyearmonthdate(week):T", alt.Tooltip("aov:Q", format=MONEY_CENTS)],
        )
    )
    customers = (
        base.transform_fold(["new_customers", "returning_customers"], as_=["kind", "customers"])
        .properties(name="weekly_customers")
        .mark_bar()
        .encode(
            x=week,
            y=alt.Y("customers:Q", title="customers ordering"),
            color=alt.Color(
                "kind:N",
                title=None,
                scale=alt.Scale(
                    domain=["new_customers", "returning_customers"], range=["#54a24b", "#9d755d"]
                ),
                legend=alt.Legend(orient="bottom", labelExpr="replace(datum.label, '_customers', '')"),
            ),
            tooltip=["utcyearmonthdate(week):T", "kind:N", "customers:Q"],
        )
    )
    return _spec(alt.hconcat(orders, aov, customers))


def _ranked_bars(data: list[Row], name: str, label: str, *, label_title: str, extra: list) -> Spec:
    """Horizontal bars of revenue per `label`, in the order of `data` (largest first)."""
    chart = (
        alt.Chart(alt.Data(values=data))
        .properties(name=name)
        .mark_bar(color="#4c78a8")
        .encode(
            y=alt.Y(f"{label}:N", sort=None, title=label_title, axis=alt.Axis(labelLimit=260)),
            x=alt.X("revenue:Q", title="revenue", axis=alt.Axis(format=MONEY)),
            tooltip=[f"{label}:N", alt.Tooltip("revenue:Q", format=MONEY_CENTS), *extra],
        )
        .properties(width=WIDTH - 300, height=alt.Step(18))
    )
    return _spec(chart)


def revenue_by_source(data: list[Row]) -> Spec:
    return _ranked_bars(data, "sources", "source", label_title="sales channel", extra=["orders:Q"])


def top_products(data: list[Row]) -> Spec:
    return _ranked_bars(data, "products", "product", label_title=None, extra=["units:Q", "platform:N"])


def segments(data: list[Row]) -> Spec:
    """Customers and revenue per RFM segment, side by side, in the seed's priority order."""
    order = [r["segment"] for r in data]
    base = alt.Chart(alt.Data(values=data)).properties(width=300, height=alt.Step(20))
    y = alt.Y("segment:N", sort=order, title=None)
    customers = (
        base.properties(name="segment_customers")
        .mark_bar(color="#72b7b2")
        .encode(y=y, x=alt.X("customers:Q", title="customers"), tooltip=["segment:N", "customers:Q"])
    )
    revenue = (
        base.properties(name="segment_revenue")
        .mark_bar(color="#4c78a8")
        .encode(
            y=alt.Y("segment:N", sort=order, title=None, axis=None),
            x=alt.X("revenue:Q", title="net spend to date", axis=alt.Axis(format=MONEY)),
            tooltip=["segment:N", alt.Tooltip("revenue:Q", format=MONEY_CENTS)],
        )
    )
    return _spec(alt.hconcat(customers, revenue))


def _heatmap(
    data: list[Row], name: str, *, x: alt.X, y: alt.Y, value: str, value_format: str, tooltip: list
) -> alt.Chart:
    """Cells coloured by `value` with the value written in each cell."""
    base = alt.Chart(alt.Data(values=data)).encode(x=x, y=y)
    cells = (
        base.properties(name=name)
        .mark_rect()
        .encode(color=alt.Color(f"{value}:Q", scale=alt.Scale(scheme="blues"), legend=None), tooltip=tooltip)
    )
    text = (
        base.properties(name=f"{name}_labels")
        .mark_text(fontSize=10)
        .encode(
            text=alt.Text(f"{value}:Q", format=value_format),
            color=alt.condition(
                f"datum.{value} > 0.6 * {_max(data, value)}", alt.value("white"), alt.value("#222")
            ),
        )
    )
    return alt.layer(cells, text)


def _max(data: list[Row], field: str) -> float:
    return max((float(r[field]) for r in data), default=0.0)


def segment_movement(data: list[Row], order: list[str]) -> Spec:
    """Customers per (segment in the previous report, segment now), segments in `order`."""
    chart = _heatmap(
        data,
        "movement",
        x=alt.X("now:N", sort=order, title="segment now", axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("before:N", sort=order, title="segment in the previous report"),
        value="customers",
        value_format="d",
        tooltip=["before:N", "now:N", "customers:Q"],
    ).properties(width=520, height=alt.Step(22))
    return _spec(chart)


def clv_distribution(data: list[Row], title: str) -> Spec:
    """Customers per CLV band; rows carry their `band` label, in order."""
    chart = (
        alt.Chart(alt.Data(values=data))
        .properties(name="clv_hist")
        .mark_bar(color="#4c78a8")
        .encode(
            x=alt.X("band:N", sort=None, title=title),
            y=alt.Y("customers:Q", title="customers"),
            tooltip=["band:N", "customers:Q"],
        )
        .properties(width=WIDTH, height=200)
    )
    return _spec(chart)


def churn_by_recency(data: list[Row]) -> Spec:
    chart = _heatmap(
        data,
        "churn_recency",
        x=alt.X("recency_from:O", title="days since last order (30-day bands; last: 720+)"),
        y=alt.Y(
            "churn_from:O",
            sort="descending",
            title="churn probability (band start)",
            axis=alt.Axis(format=".1f"),
        ),
        value="customers",
        value_format="d",
        tooltip=["recency_from:O", alt.Tooltip("churn_from:O", format=".1f"), "customers:Q"],
    ).properties(width=WIDTH - 60, height=alt.Step(22))
    return _spec(chart)


def holdout_check(data: list[Row]) -> Spec:
    """Predicted vs actual repeat purchases in the holdout weeks, per candidate model."""
    chart = (
        alt.Chart(alt.Data(values=data))
        .transform_fold(["predicted", "actual"], as_=["kind", "purchases"])
        .properties(name="holdout")
        .mark_bar()
        .encode(
            x=alt.X("model:N", title="purchase model"),
            xOffset=alt.XOffset("kind:N", sort=["predicted", "actual"]),
            y=alt.Y("purchases:Q", title="repeat purchases in the holdout weeks"),
            color=alt.Color(
                "kind:N",
                title=None,
                sort=["predicted", "actual"],
                scale=alt.Scale(range=["#4c78a8", "#e45756"]),
            ),
            tooltip=["model:N", "kind:N", alt.Tooltip("purchases:Q", format=",.1f")],
        )
        .properties(width=360, height=200)
    )
    return _spec(chart)


def cohort_retention(data: list[Row]) -> Spec:
    chart = _heatmap(
        data,
        "cohorts",
        x=alt.X("months_after:O", title="months after the first order", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("cohort:O", title="first order in"),
        value="retention",
        value_format=".0%",
        tooltip=[
            "cohort:O",
            "months_after:O",
            "customers:Q",
            "cohort_size:Q",
            alt.Tooltip("retention:Q", format=".1%"),
        ],
    ).properties(width=WIDTH - 100, height=alt.Step(22))
    return _spec(chart)


def recent_runs(data: list[Row]) -> Spec:
    """Rows loaded per run, coloured by the run's status (oldest on the left)."""
    chart = (
        alt.Chart(alt.Data(values=list(reversed(data))))
        .properties(name="runs")
        .mark_bar()
        .encode(
            x=alt.X("started:O", sort=None, title="run started", axis=alt.Axis(labelAngle=-30)),
            y=alt.Y("loaded:Q", title="records loaded"),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(
                    domain=["success", "partial", "failed", "interrupted", "running"],
                    range=["#54a24b", "#f58518", "#e45756", "#b279a2", "#bab0ac"],
                ),
            ),
            tooltip=["started:O", "status:N", "loaded:Q", "rejected:Q", "seconds:Q"],
        )
        .properties(width=alt.Step(40), height=160)
    )
    return _spec(chart)
