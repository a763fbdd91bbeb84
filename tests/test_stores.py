"""Several stores of one platform (`SHOPIFY_STORES=us,eu`): configuration, and real loads.

Each store is its own dlt pipeline and raw dataset (`raw_shopify__us`, ...), so it keeps its
own cursors and a full refresh of one store leaves the others alone. Two sandbox servers on
two generated data sets stand for two Shopify stores.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from conftest import cli_env, run_cli
from test_loaders_sandbox import change_orders, query, truth

from loaders.errors import ConfigError
from metric_pulse.config import DEFAULT_STORE, load_settings
from metric_pulse.extract import dataset_name, pipeline_name
from metric_pulse.sandbox.generate import generate
from metric_pulse.sandbox.server import SandboxServer
from metric_pulse.warehouse import DbSettings

TWO_SHOPS = {
    "SHOPIFY_STORES": "us,eu",
    "SHOPIFY_API_VERSION": "2026-07",  # platform-wide: both stores use it
    "SHOPIFY_US_STORE_URL": "us-shop.myshopify.com",
    "SHOPIFY_US_CLIENT_ID": "us-client-id-0123456789abcdef",  # a Dev Dashboard app
    "SHOPIFY_US_CLIENT_SECRET": "shpss_us_0123456789abcdef",
    "SHOPIFY_EU_STORE_URL": "eu-shop.myshopify.com",
    "SHOPIFY_EU_ACCESS_TOKEN": "shpat_eu_0123456789abcdef",  # an older custom app
    "SHOPIFY_EU_RATE_LIMIT": "4",  # only the EU store's own
}


# --- configuration --------------------------------------------------------------------------


def test_two_stores_read_their_own_settings_over_the_platform_wide_ones() -> None:
    settings = load_settings(TWO_SHOPS)
    us, eu = settings.stores
    assert (us.platform, us.label, eu.label) == ("shopify", "us", "eu")
    assert (us.config.store_url, eu.config.store_url) == (
        "https://us-shop.myshopify.com",
        "https://eu-shop.myshopify.com",
    )
    assert (us.config.client_secret, eu.config.access_token) == (
        "shpss_us_0123456789abcdef",
        "shpat_eu_0123456789abcdef",
    )
    assert us.config.api_version == eu.config.api_version == "2026-07"
    assert us.config.uses_client_credentials and not eu.config.uses_client_credentials
    assert (us.config.rate_limit.rate, eu.config.rate_limit.rate) == (10.0, 4.0)
    assert settings.platforms == ["shopify"]
    assert [s.name for s in settings.stores] == ["shopify/us", "shopify/eu"]
    assert (pipeline_name(eu), dataset_name(eu)) == ("metric_pulse_shopify__eu", "raw_shopify__eu")


def test_without_stores_the_platform_has_one_store_with_todays_names() -> None:
    settings = load_settings({"SHOPIFY_STORE_URL": "shop.myshopify.com", "SHOPIFY_ACCESS_TOKEN": "shpat_x"})
    (store,) = settings.stores
    assert (store.label, store.name) == (DEFAULT_STORE, "shopify")
    assert (pipeline_name(store), dataset_name(store)) == ("metric_pulse_shopify", "raw_shopify")
    # an existing store keeps its raw dataset and cursors when a second one is added as `default,eu`
    kept, added = load_settings(
        {
            "SHOPIFY_STORES": "default,eu",
            "SHOPIFY_STORE_URL": "shop.myshopify.com",
            "SHOPIFY_ACCESS_TOKEN": "shpat_x",
            "SHOPIFY_EU_STORE_URL": "shop-eu.myshopify.com",
        }
    ).stores
    assert (kept.name, kept.config, dataset_name(kept)) == ("shopify", store.config, "raw_shopify")
    assert (added.name, added.config.access_token, dataset_name(added)) == (
        "shopify/eu",
        "shpat_x",
        "raw_shopify__eu",
    )


TWO_WOO_SHOPS = {
    "WOOCOMMERCE_STORES": "de,at",
    "WOOCOMMERCE_CONSUMER_KEY": "ck_shared_key",
    "WOOCOMMERCE_CONSUMER_SECRET": "cs_shared_secret",
    "WOOCOMMERCE_DE_URL": "https://shop.example.de",
    "WOOCOMMERCE_AT_URL": "https://shop.example.at",
    "WOOCOMMERCE_AT_CONSUMER_SECRET": "cs_austria_secret",
}


def test_a_store_falls_back_to_every_platform_wide_setting() -> None:
    de, at = load_settings(TWO_WOO_SHOPS).stores
    assert (de.config.url, at.config.url) == ("https://shop.example.de", "https://shop.example.at")
    assert de.config.consumer_key == at.config.consumer_key == "ck_shared_key"
    assert (de.config.consumer_secret, at.config.consumer_secret) == ("cs_shared_secret", "cs_austria_secret")


@pytest.mark.parametrize(
    "stores, problem",
    [
        ("us,EU", "'EU' must be 1-20 lower-case letters or digits"),
        ("us,,eu", "'' must be 1-20"),
        ("us,e-u", "'e-u' must be"),
        ("a" * 21, "must be 1-20"),
        ("us,us", "names a store twice"),
    ],
)
def test_a_bad_store_label_is_refused_clearly(stores: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({**TWO_SHOPS, "SHOPIFY_STORES": stores})
    assert str(caught.value).startswith("SHOPIFY_STORES") and problem in str(caught.value), caught.value


def test_a_missing_setting_names_the_store() -> None:
    env = {k: v for k, v in TWO_SHOPS.items() if k != "SHOPIFY_EU_ACCESS_TOKEN"}
    with pytest.raises(ConfigError) as caught:
        load_settings(env)
    message = str(caught.value)
    assert message.startswith("shopify store eu (reads SHOPIFY_EU_*, else SHOPIFY_*): "), message
    assert "has no credentials" in message and "SHOPIFY_ACCESS_TOKEN" in message
    assert "shpat_us" not in message and "shpss_us" not in message


def test_a_listed_store_without_settings_is_an_error_unless_the_platform_is_disabled() -> None:
    env = {**TWO_SHOPS, "SHOPIFY_STORES": "us,eu,uk"}
    with pytest.raises(ConfigError, match="shopify store uk is listed in SHOPIFY_STORES but not configured"):
        load_settings(env)
    assert load_settings({**env, "ENABLE_SHOPIFY": "false"}).stores == ()


def test_every_stores_secrets_are_masked() -> None:
    env = {
        **TWO_SHOPS,
        **TWO_WOO_SHOPS,
        "COMMERCETOOLS_STORES": "b2b",
        "COMMERCETOOLS_B2B_PROJECT_KEY": "b2b-project",
        "COMMERCETOOLS_B2B_CLIENT_ID": "b2b-client-id",
        "COMMERCETOOLS_B2B_CLIENT_SECRET": "b2b-client-secret",
    }
    secrets = set(load_settings(env).secrets())
    expected = {v for k, v in env.items() if k.endswith(("_TOKEN", "_KEY", "_SECRET", "_CLIENT_ID"))}
    expected.discard("b2b-project")  # a project key is an identifier, not a secret
    assert expected <= secrets, expected - secrets


def test_the_filters_choose_stores_and_name_what_is_configured() -> None:
    settings = load_settings({**TWO_SHOPS, "WOOCOMMERCE_URL": "https://w.example", **_WOO_KEYS})
    assert [s.name for s in settings.select()] == ["shopify/us", "shopify/eu", "woocommerce"]
    assert [s.name for s in settings.select("shopify")] == ["shopify/us", "shopify/eu"]
    assert [s.name for s in settings.select(None, "eu")] == ["shopify/eu"]
    assert [s.name for s in settings.select("woocommerce", "default")] == ["woocommerce"]
    with pytest.raises(ConfigError) as caught:
        settings.select("woocommerce", "eu")
    assert str(caught.value) == (
        "--platform woocommerce --store eu: no such store is configured and enabled "
        "(configured: shopify/us, shopify/eu, woocommerce)"
    )


_WOO_KEYS = {"WOOCOMMERCE_CONSUMER_KEY": "ck_w_key", "WOOCOMMERCE_CONSUMER_SECRET": "cs_w_secret"}


# --- real loads of two Shopify stores -------------------------------------------------------


def _shopify_orders(db: DbSettings, schema: str) -> int:
    return query(db, f"select count(*) from {schema}.orders")[0][0]


def _summary(stdout: str) -> dict[str, str]:
    """The run summary's store lines by store name."""
    return {line.split()[0]: line for line in stdout.splitlines() if line.startswith("  shopify")}


def _loads(db: DbSettings) -> list[tuple[str, str, int]]:
    """(step, status, records_loaded) of the last run's store loads."""
    return query(
        db,
        "select step, status, records_loaded from ops.etl_logs where step like 'load:%%' and run_id = "
        "(select run_id from ops.etl_logs where step = 'run' order by started_at desc limit 1) order by step",
    )


def test_two_stores_of_one_platform_load_into_their_own_datasets_with_their_own_cursors(
    tmp_path: Path, pg_db: DbSettings
) -> None:
    us_data, eu_data = tmp_path / "us", tmp_path / "eu"
    generate(us_data, seed=3, customers=40, orders=150)
    generate(eu_data, seed=4, customers=30, orders=90)
    with (
        SandboxServer(us_data, rate_limits="off", shopify_plan="enterprise") as us,
        SandboxServer(eu_data, rate_limits="off", shopify_plan="enterprise") as eu,
    ):
        stores = {
            "SHOPIFY_STORES": "us,eu",
            "SHOPIFY_RATE_LIMIT": "50",  # platform-wide, shared by both
            "SHOPIFY_RATE_BURST": "50",
            "SHOPIFY_US_STORE_URL": us.env()["SHOPIFY_STORE_URL"],  # a Dev Dashboard app's credentials
            "SHOPIFY_US_CLIENT_ID": us.env()["SHOPIFY_CLIENT_ID"],
            "SHOPIFY_US_CLIENT_SECRET": us.env()["SHOPIFY_CLIENT_SECRET"],
            "SHOPIFY_EU_STORE_URL": eu.env()["SHOPIFY_STORE_URL"],  # an older custom app's token
            "SHOPIFY_EU_ACCESS_TOKEN": eu.credentials["shopify"]["access_token"],
        }
        env = cli_env(METRIC_PULSE_DATA_DIR=str(tmp_path / "state"), **pg_db.dbt_env(), **stores)

        us_orders, eu_orders = (len(truth(data, "shopify", "orders")) for data in (us_data, eu_data))
        first = run_cli("extract", env=env)
        assert first.returncode == 0, first.stdout + first.stderr
        assert _shopify_orders(pg_db, "raw_shopify__us") == us_orders
        assert _shopify_orders(pg_db, "raw_shopify__eu") == eu_orders != us_orders
        assert query(pg_db, "select to_regnamespace('raw_shopify')")[0][0] is None
        summary = _summary(first.stdout)
        assert (
            f"orders {us_orders} " in summary["shopify/us"]
            and f"orders {eu_orders} " in summary["shopify/eu"]
        )

        # Only the EU store changes: its cursor picks up exactly that, the US store's finds nothing.
        change_orders(eu_data, "shopify", changed=3, added=2, rng=random.Random(7))
        second = run_cli("extract", env=env)
        assert second.returncode == 0, second.stdout + second.stderr
        assert _summary(second.stdout)["shopify/us"].split()[1:] == "no new or changed records".split()
        assert [(step, loaded > 0) for step, _, loaded in _loads(pg_db)] == [
            ("load:shopify/eu", True),
            ("load:shopify/us", False),
        ]
        assert _shopify_orders(pg_db, "raw_shopify__eu") == len(truth(eu_data, "shopify", "orders"))

        # A full refresh of one store drops only its dataset.
        us_loads = query(pg_db, "select count(*) from raw_shopify__us._dlt_loads")[0][0]
        refreshed = run_cli("extract", "--store", "eu", "--full-refresh", env=env)
        assert refreshed.returncode == 0, refreshed.stdout + refreshed.stderr
        assert [step for step, _, _ in _loads(pg_db)] == ["load:shopify/eu"]
        assert query(pg_db, "select count(*) from raw_shopify__us._dlt_loads")[0][0] == us_loads
        assert _shopify_orders(pg_db, "raw_shopify__us") == us_orders
        assert _shopify_orders(pg_db, "raw_shopify__eu") == len(truth(eu_data, "shopify", "orders"))

        unknown = run_cli("extract", "--store", "uk", env=env)
        assert unknown.returncode == 2 and unknown.stderr.strip().splitlines()[-1] == (
            "metric-pulse: --store uk: no such store is configured and enabled "
            "(configured: shopify/us, shopify/eu)"
        ), unknown.stderr

        # One store's failure names it, the other still loads, and no store's secret is shown.
        broken = {**env, "SHOPIFY_EU_ACCESS_TOKEN": "shpat_eu_wrong_0123456789"}
        failed = run_cli("extract", env=broken)
        status = run_cli("status", env=broken)

    assert failed.returncode == 1, failed.stdout + failed.stderr
    eu_line = _summary(failed.stdout)["shopify/eu"].split()
    assert eu_line[1] == "FAILED:" and eu_line[2] != "shopify:" and "401" in eu_line, eu_line
    assert [(step, state) for step, state, _ in _loads(pg_db)] == [
        ("load:shopify/eu", "failed"),
        ("load:shopify/us", "success"),
    ]
    assert "shopify/eu=" in status.stdout and "shopify/us=" in status.stdout, status.stdout
    errors = " ".join(e or "" for (e,) in query(pg_db, "select error_message from ops.etl_logs"))
    for text in (failed.stdout, failed.stderr, status.stdout, errors):
        for secret in ("shpat_eu_wrong_0123456789", env["SHOPIFY_EU_ACCESS_TOKEN"]):
            assert secret not in text
