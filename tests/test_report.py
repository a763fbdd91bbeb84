"""The HTML report: written by every successful run, self-contained, and drawn in a real Chromium with
the numbers the marts hold.

The marts are the shared demo build (`demo_runs`); the browser is Debian's `chromium`, driven by
playwright. Without Chromium the browser tests are skipped and say how to install it.
"""

from __future__ import annotations

import re
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import cli_env, run_cli
from reliability_support import query
from report_browser import INSTALL_HINT, chromium, open_report

from metric_pulse.report.files import Snapshot, read_snapshot, snapshot_path, write_snapshot
from metric_pulse.report.step import write_run_report
from metric_pulse.run_log import RunLog

CHARTS = {"revenue", "weekly", "sources", "products", "segments", "movement", "clv", "churn", "holdout"}
CHARTS |= {"cohorts", "runs"}


def _one(db, sql: str, *args):
    return query(db, sql, *args)[0][0]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(scope="module")
def demo_report(demo_runs, tmp_path_factory):
    """Two reports at one path, ending on the demo's last order day; before the second, the snapshot
    of the first is edited so that 5 customers moved, 3 are new and 2 left."""
    db, data_dir, *_ = demo_runs
    end = _one(db, "select max(date) from analytics.daily_metrics")
    out = tmp_path_factory.mktemp("report") / "demo.html"
    env = cli_env(METRIC_PULSE_DATA_DIR=str(data_dir), **db.dbt_env())
    args = ("report", "--out", str(out), "--as-of", end.isoformat())
    first = run_cli(*args, env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    first_html = out.read_text()
    previous = read_snapshot(out)
    keys = sorted(previous.segments)
    edited = dict(previous.segments)
    for key in keys[:5]:
        edited[key] = "Others" if edited[key] != "Others" else "Champions"
    for key in keys[5:8]:
        del edited[key]
    edited.update({"gone-customer-1": "Champions", "gone-customer-2": "Hibernating"})
    write_snapshot(out, Snapshot(previous.as_of, previous.generated_at, edited))
    second = run_cli(*args, env=env)
    assert second.returncode == 0, second.stdout + second.stderr
    return db, out, end, first_html, second


def test_every_successful_run_writes_the_report_and_names_it(demo_runs):
    db, data_dir, first, second, _ = demo_runs
    report = data_dir / "reports" / "latest.html"
    for run in (first, second):
        assert f"report: {report}" in run.stdout, run.stdout[-2000:]
    assert report.exists() and snapshot_path(report).exists()
    assert _mode(report) == 0o600 and _mode(snapshot_path(report)) == 0o600, "reports hold customer data"
    assert _mode(report.parent) == 0o700
    # the fixture's two runs come first; later tests may add runs of their own to this database
    steps = query(
        db,
        """select status from ops.etl_logs where step = 'report'
           and run_id in (select run_id from ops.etl_logs where step = 'run' order by started_at limit 2)""",
    )
    assert steps == [("success",), ("success",)]
    second_html = report.read_text()
    assert (
        "Movement since the previous report" in second_html and "first report at this path" not in second_html
    )


def test_the_report_holds_no_customer_pii(demo_report):
    db, out, *_ = demo_report
    html = out.read_text()
    emails = [e for (e,) in query(db, "select email from analytics.customers where email is not null")]
    names = query(db, "select first_name || ' ' || last_name from analytics.customers where last_name <> ''")
    assert emails and not [e for e in emails if e in html]
    assert names and not [n for (n,) in names if n in html]
    snapshot = snapshot_path(out).read_bytes()
    assert not [e for e in emails if e.encode() in snapshot]


def test_the_report_is_self_contained(demo_report):
    _, out, *_ = demo_report
    # the markup outside the inline scripts (the vega runtime's code mentions <img src=...> in strings)
    markup = re.sub(r"(<script\b[^>]*>).*?</script>", r"\1</script>", out.read_text(), flags=re.S | re.I)
    assert markup.count("<script") == 3, "the runtime, the chart specs and the code drawing them"
    assert not re.search(r"<(script|link|img|iframe|object|embed)\b[^>]*\b(src|href|data)\s*=", markup, re.I)
    assert "@import" not in markup and "url(" not in markup


def test_movement_since_the_previous_report(demo_report):
    _, out, _, first_html, _ = demo_report
    assert "This is the first report at this path" in first_html
    html = out.read_text()
    assert "5 changed segment, 3 are new, 2 are no longer in scope" in html


@pytest.mark.skipif(chromium() is None, reason=INSTALL_HINT)
def test_chromium_draws_every_chart_with_the_numbers_of_the_marts(demo_report, demo_runs):
    db, out, end, _, _ = demo_report
    shot = out.with_suffix(".png")
    page = open_report(out, shot)
    print(f"screenshot: {shot}")
    assert page.errors == [] and page.failed_requests == []
    assert page.requests == [out.resolve().as_uri()], "the report must request nothing but itself"
    assert page.state == "drawn" and set(page.marks) == CHARTS
    assert shot.stat().st_size > 50_000

    def marks(chart: str, name: str, *, areas: bool = True) -> list[dict]:
        """The drawn items of a mark; bars and cells (`areas`) must have a visible size."""
        drawn = page.marks[chart][f"{name}_marks"]
        assert drawn, f"{chart}: {name} drew nothing"
        assert not areas or any(m["_w"] > 0 and m["_h"] > 0 for m in drawn), f"{chart}: {name} invisible"
        return drawn

    start = end - timedelta(days=89)
    window = "date between %s and %s"
    revenue, net, orders = query(
        db,
        f"select sum(revenue), sum(net_revenue), sum(orders) from analytics.daily_metrics where {window}",
        start,
        end,
    )[0]
    bars = marks("revenue", "revenue_bars")
    assert sum(m["sum_value"] for m in bars if m["measure"] == "Revenue") == pytest.approx(float(revenue))
    assert sum(m["sum_value"] for m in bars if m["measure"] == "Net revenue") == pytest.approx(float(net))
    assert marks("revenue", "revenue_avg", areas=False)
    assert sum(m["orders"] for m in marks("weekly", "weekly_orders")) == orders
    assert sum(m["revenue"] for m in marks("sources", "sources")) == pytest.approx(float(revenue))
    top = query(
        db,
        f"""select sum(revenue) from analytics.product_daily_sales where {window}
            group by coalesce(product_key, platform || '|' || product_name) order by 1 desc limit 15""",
        start,
        end,
    )
    assert [m["revenue"] for m in marks("products", "products")] == pytest.approx([float(r) for (r,) in top])

    customers = _one(db, "select count(*) from analytics.customer_metrics")
    assert sum(m["customers"] for m in marks("segments", "segment_customers")) == customers
    spend = _one(db, "select sum(net_spend) from analytics.customer_metrics")
    assert sum(m["revenue"] for m in marks("segments", "segment_revenue")) == pytest.approx(float(spend))
    assert sum(m["customers"] for m in marks("movement", "movement")) == customers - 3
    predicted = _one(db, "select count(predicted_clv) from analytics.customer_metrics")
    assert sum(m["customers"] for m in marks("clv", "clv_hist")) == predicted
    churn = _one(db, "select count(churn_probability) from analytics.customer_metrics")
    assert sum(m["customers"] for m in marks("churn", "churn_recency")) == churn

    fits = query(
        db,
        """select model, holdout_predicted_repeat_purchases, holdout_actual_repeat_purchases
           from analytics.clv_model_fits
           where built_at = (select max(built_at) from analytics.clv_model_fits)""",
    )
    drawn = {(m["model"], m["kind"]): m["purchases"] for m in marks("holdout", "holdout")}
    assert drawn == pytest.approx(
        {**{(m, "predicted"): round(p, 1) for m, p, _ in fits}, **{(m, "actual"): a for m, _, a in fits}}
    )

    cohort_start = date(end.year - 1, end.month, 1)  # the 12 months up to and including end's month
    first_orders = _one(
        db,
        """select count(*) from (select min(ordered_date) as first from analytics.orders
                                 where not is_cancelled and customer_key is not null and ordered_date <= %s
                                 group by customer_key) f
           where first >= %s + interval '1 month'""",
        end,
        cohort_start,
    )
    cohort_cells = marks("cohorts", "cohorts")
    assert sum(m["customers"] for m in cohort_cells if m["months_after"] == 0) == first_orders
    assert all(m["retention"] == 1 for m in cohort_cells if m["months_after"] == 0)

    runs = query(db, "select records_loaded from ops.etl_logs where step = 'run' order by started_at")
    assert [m["loaded"] for m in marks("runs", "runs")] == [r for (r,) in runs]
    last_30 = _one(
        db, f"select sum(revenue) from analytics.daily_metrics where {window}", end - timedelta(29), end
    )
    assert f"${float(last_30):,.2f}" in page.text, "money in the reporting currency (USD) with its symbol"
    assert "Money in USD, days in UTC" in page.text


@pytest.mark.skipif(chromium() is None, reason=INSTALL_HINT)
def test_empty_periods_say_what_is_missing(demo_runs, tmp_path):
    db, data_dir, *_ = demo_runs
    out = tmp_path / "empty.html"
    env = cli_env(METRIC_PULSE_DATA_DIR=str(data_dir), **db.dbt_env())
    made = run_cli("report", "--out", str(out), "--as-of", "2001-01-31", env=env)
    assert made.returncode == 0, made.stdout + made.stderr
    page = open_report(out, tmp_path / "empty.png")
    assert page.errors == [] and page.state == "drawn"
    for missing in (
        "No orders in the last 60 days to 2001-01-31.",
        "No orders or refunds from 2000-11-03 to 2001-01-31.",
        "No products sold from 2000-11-03 to 2001-01-31.",
        "No first orders in the 12 months to 2001-01-31.",
    ):
        assert missing in page.text
    assert not {"revenue", "weekly", "sources", "products", "cohorts"} & set(page.marks)


def test_a_failing_report_fails_only_its_step(demo_runs, tmp_path):
    """The run's data is built: a report that cannot be written is logged, not a failed run."""
    db, *_ = demo_runs
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the report directory should be")
    run_log = RunLog(db, secrets=[])
    try:
        step = write_run_report(db, run_log, {"METRIC_PULSE_REPORT_DIR": str(blocked)}, None)
    finally:
        run_log.close()
    assert step.error and "FAILED" in step.summary_line() and "data run itself is fine" in step.summary_line()
    logged = query(
        db,
        "select status, error_message from ops.etl_logs where run_id = %s and step = 'report'",
        run_log.run_id,
    )
    assert logged[0][0] == "failed" and logged[0][1].startswith("report failed: ")


def test_bad_options_get_a_clear_error(demo_runs):
    db, data_dir, *_ = demo_runs
    env = cli_env(METRIC_PULSE_DATA_DIR=str(data_dir), **db.dbt_env())
    bad_date = run_cli("report", "--as-of", "31/01/2026", env=env)
    assert bad_date.returncode == 2 and "is not a date (YYYY-MM-DD)" in bad_date.stderr
    short = run_cli("report", "--days", "10", "--out", "/dev/null", env=env)
    assert short.returncode != 0 and "--days must be at least 60" in short.stderr
    unwritable = run_cli("report", "--out", "/dev/null/report.html", env=env)
    assert (
        unwritable.returncode == 1 and "cannot write the report to /dev/null/report.html" in unwritable.stderr
    )
    assert "unexpected error" not in unwritable.stderr


def test_unbuilt_marts_say_to_run_first(pg_env, tmp_path):
    made = run_cli("report", "--out", str(tmp_path / "r.html"), env=cli_env(**pg_env))
    assert made.returncode != 0 and "run `make elt`" in made.stderr
    assert not (tmp_path / "r.html").exists()
