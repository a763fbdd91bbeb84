"""`metric-pulse run` end to end: demo sandbox → raw → dbt marts (with CLV) → ops.etl_logs → status.

Real processes throughout: the CLI in a subprocess, the sandbox on loopback, the
embedded PostgreSQL, `dbt build` with the Python models.
"""

from __future__ import annotations

import json
import re
from datetime import date

from conftest import PROJECT_ROOT, cli_env, run_cli

from metric_pulse.dbt_runner import DBT_PROJECT_DIR, PARTIAL_PARSE
from metric_pulse.platforms import PLATFORMS
from metric_pulse.sandbox.generate import generate
from metric_pulse.sandbox.server import SandboxServer


def _query(db, sql: str):
    conn = db.connect()
    with conn.cursor() as cur:
        cur.execute(sql)
        rows = cur.fetchall()
    conn.close()
    return rows


def test_first_run_loads_everything_and_builds_marts(demo_runs):
    db, data_dir, first, _, _ = demo_runs
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "SANDBOX" in first.stderr, "the demo default must say it uses the sandbox"
    assert "status=success" in first.stdout and "dbt build: ok" in first.stdout
    assert (data_dir / "sandbox" / "shopify" / "orders.json").exists()
    orders = {p: n for p, n in _query(db, "select platform, count(*) from analytics.orders group by 1")}
    assert set(orders) == set(PLATFORMS) and min(orders.values()) > 0
    with_predictions = _query(
        db,
        """select count(*), count(predicted_clv), count(churn_probability)
                                     from analytics.customer_metrics""",
    )[0]
    assert with_predictions[0] > 0 and with_predictions[1] > 0 and with_predictions[2] > 0
    fits = _query(
        db,
        """select model, status, is_selected from analytics.clv_model_fits
                         where built_at = (select min(built_at) from analytics.clv_model_fits) order by model""",
    )
    assert [f[0] for f in fits] == ["bgnbd", "mbgnbd", "pnbd"] and ("pnbd", "ok", True) in fits
    builds = _query(db, "select count(distinct built_at), count(*) from analytics.clv_model_fits")[0]
    assert builds == (1, 3), "the second run is within clv_refit_days: it scores with the first run's fits"
    scored_with = _query(
        db,
        """select distinct fitted_as_of = (select as_of from analytics.clv_model_fits limit 1)
                                from analytics.customer_predictions""",
    )
    assert scored_with == [(True,)]


def test_second_run_loads_nothing_new_and_says_so(demo_runs):
    db, _, first, second, _ = demo_runs
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert "nothing new to load" in second.stdout
    raw = _query(db, "select count(*), count(distinct id) from raw_shopify.orders")[0]
    assert raw[0] == raw[1], "no order may be loaded twice"


def test_etl_logs_record_every_step(demo_runs):
    db, _, _, _, status = demo_runs
    rows = _query(
        db,
        """select step, status, records_loaded, requests from ops.etl_logs
                         where run_id = (select run_id from ops.etl_logs where step = 'run'
                                         order by started_at limit 1) order by step""",
    )
    steps = {r[0]: r for r in rows}
    assert set(steps) == {
        "run",
        "dbt:build",
        "load:shopify",
        "load:woocommerce",
        "load:commercetools",
        "report",
    }
    assert all(r[1] == "success" for r in rows)
    assert steps["load:shopify"][2] > 0 and steps["load:shopify"][3] > 0
    transformed = _query(db, "select records_transformed from ops.etl_logs where step = 'dbt:build' limit 1")[
        0
    ][0]
    assert transformed > 0
    assert status.returncode == 0 and status.stdout.count("success") >= 2


def _secrets_seen(text: str, secrets: list[str]) -> list[str]:
    return [s for s in secrets if s in text]


def test_wrong_credentials_and_faults_never_leak_secrets(tmp_path, pg_db):
    """One platform with a wrong secret, the others behind faults: clear errors, nothing leaked anywhere."""
    data = tmp_path / "store"
    generate(data, seed=7, customers=60, orders=240)
    wrong = "cs_WRONG_secret_value_0123456789abcdef"
    with SandboxServer(data, fail_rate=0.05, malformed_rate=0.02, seed=3, rate_limits="off") as server:
        env = cli_env(
            METRIC_PULSE_DATA_DIR=str(tmp_path / "state"),
            HTTP_TIMEOUT_SECONDS="5",
            **server.env(),
            **pg_db.dbt_env(),
        )
        env["WOOCOMMERCE_CONSUMER_SECRET"] = wrong
        proc = run_cli("extract", env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert re.search(r"woocommerce\s+FAILED: .*(401|credential|authenticat)", proc.stdout, re.I), proc.stdout
    assert "status=partial" in proc.stdout
    loaded = dict(_query(pg_db, "select platform, records_loaded from ops.etl_logs where step like 'load:%'"))
    assert loaded["shopify"] > 0 and loaded["commercetools"] > 0
    secrets = [
        wrong,
        env["SHOPIFY_CLIENT_SECRET"],
        server.credentials["shopify"]["access_token"],
        env["WOOCOMMERCE_CONSUMER_KEY"],
        env["COMMERCETOOLS_CLIENT_SECRET"],
        env["COMMERCETOOLS_CLIENT_ID"],
        pg_db.password,
    ]
    logs = "".join(p.read_text(errors="replace") for p in (PROJECT_ROOT / "logs").glob("*.log*"))
    etl = " ".join(str(r) for r in _query(pg_db, "select * from ops.etl_logs"))
    assert _secrets_seen(proc.stdout + proc.stderr, secrets) == []
    assert _secrets_seen(etl, secrets) == []
    assert _secrets_seen(logs, secrets) == []


def test_full_refresh_reloads_even_with_dbt_views_on_raw(demo_runs):
    """dbt's staging views select from the raw tables; a full refresh must still drop and reload them."""
    db, data_dir, _, _, _ = demo_runs
    before = _query(db, "select count(*) from raw_commercetools.orders")[0][0]
    env = cli_env(METRIC_PULSE_DATA_DIR=str(data_dir), **db.dbt_env())
    proc = run_cli("extract", "--platform", "commercetools", "--full-refresh", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"orders {before}" in proc.stdout, "a full refresh reloads every order"
    after = _query(db, "select count(*), count(distinct id) from raw_commercetools.orders")[0]
    assert after == (before, before)


def test_a_stores_own_data_errors_are_warnings_kept_for_the_user(tmp_path, pg_db):
    """Before: one Shopify order whose subtotal_price ignores its discounts failed the run, and one
    order dated 2300 made the CLV fit fail and skipped customer_metrics (issue 14, items 5 and 13).
    Now the run succeeds with warnings, keeps the keys in data_quality and counts them in etl_logs."""
    import json

    store = tmp_path / "store"
    generate(store, seed=5, customers=40, orders=120)
    path = store / "shopify" / "orders.json"
    orders = [json.loads(line.rstrip(",")) for line in path.read_text().splitlines()[1:-1]]
    plain = [o for o in orders if not o.get("test") and o["lineItems"]["nodes"] and not o["refunds"]]
    odd_subtotal, future = plain[0], plain[1]
    subtotal = odd_subtotal["subtotalPriceSet"]["shopMoney"]
    subtotal["amount"] = f"{float(subtotal['amount']) + 5:.2f}"
    future.update(createdAt="2300-01-01T15:00:00Z", processedAt="2300-01-01T15:00:00Z")
    path.write_text("[\n" + ",\n".join(json.dumps(o) for o in orders) + "\n]\n")
    with SandboxServer(store, rate_limits="off") as server:
        env = cli_env(METRIC_PULSE_DATA_DIR=str(tmp_path / "state"), DBT_THREADS="2", **server.env())
        env.update(pg_db.dbt_env())
        proc = run_cli("run", env=env, timeout=900)
        shop = server.credentials["shopify"]["shop_domain"]  # the store in every key, from the store itself
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "status=success" in proc.stdout and "with 2 data-quality warnings" in proc.stdout, proc.stdout
    assert re.search(
        r"warning: order_items_not_summing_to_subtotal: 1 rows in \S+\.data_quality\.", proc.stdout
    )
    assert re.search(r"warning: implausible_order_dates: 1 rows in \S+\.data_quality\.", proc.stdout)
    kept = _query(pg_db, "select order_key from data_quality.order_items_not_summing_to_subtotal")
    assert kept == [(f"shopify|{shop}|{odd_subtotal['legacyResourceId']}",)]
    kept = _query(pg_db, "select order_key from data_quality.implausible_order_dates")
    assert kept == [(f"shopify|{shop}|{future['legacyResourceId']}",)]
    assert _query(
        pg_db, f"select count(*) from analytics.orders where order_id = '{future['legacyResourceId']}'"
    ) == [(0,)]
    assert _query(pg_db, "select count(*) > 0 from analytics.customer_metrics") == [(True,)]
    logged = _query(
        pg_db, "select step, status, warnings from ops.etl_logs where warnings is not null order by step"
    )
    assert logged == [("dbt:build", "success", 2), ("run", "success", 2)]


def test_run_passes_vars_and_full_refresh_to_dbt_in_a_target_of_its_own(demo_runs):
    """`run --vars` and `run --full-refresh` reach dbt; someone's `metric-pulse dbt` results are left alone."""
    db, data_dir, _, _, _ = demo_runs
    env = cli_env(METRIC_PULSE_DATA_DIR=str(data_dir), DBT_THREADS="2", **db.dbt_env())
    by_hand = run_cli("dbt", "seed", "--select", "rfm_segments", env=env)
    assert by_hand.returncode == 0, by_hand.stdout[-3000:] + by_hand.stderr[-3000:]
    hand_results = (DBT_PROJECT_DIR / "target" / "run_results.json").read_text()
    nodes = [r["unique_id"] for r in json.loads(hand_results)["results"]]
    # the seed, after dbt's on-run-start hook (macros/validate_vars.sql)
    assert [n for n in nodes if not n.startswith("operation.")] == ["seed.metric_pulse.rfm_segments"]
    orders_table = (
        "select 'analytics.orders'::regclass::oid"  # an incremental model: kept unless full refresh
    )
    before = _query(db, orders_table)[0][0]

    proc = run_cli("run", "--platform", "shopify", "--full-refresh", "--vars", "{as_of: 2026-01-31}", env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert _query(db, "select distinct as_of_date from analytics.customer_metrics") == [(date(2026, 1, 31),)]
    assert _query(db, orders_table)[0][0] != before, "dbt rebuilt the incremental models"
    assert (DBT_PROJECT_DIR / "target" / "run_results.json").read_text() == hand_results
    pipeline_state = data_dir / "dbt" / "pipeline"
    assert [p.name for p in pipeline_state.iterdir()] == [PARTIAL_PARSE], "its own target, removed after"
