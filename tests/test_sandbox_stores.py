"""The sandbox serves what the registry lists: routing by prefix, and several stores of one platform."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from sandbox_fixtures import full_store, running, session, shopify_order_ids, two_of_each

from metric_pulse import platforms as registry
from metric_pulse.sandbox.server import SandboxServer

EXTRA = [("shopify", "eu"), ("woocommerce", "eu"), ("commercetools", "eu")]


def registered_prefixes() -> list[str]:
    return [f"/{p.name}{r.suffix}" for p in registry.PLATFORMS.values() for r in p.emulator.routes]


def test_requests_are_routed_by_the_registered_prefixes(tmp_path: Path) -> None:
    with running(full_store(tmp_path), rate_limits="off") as server:
        assert server.prefixes == registered_prefixes()
        assert "/shopify" in server.prefixes and "/commercetools/auth" in server.prefixes
        http = session()
        missing = http.get(f"{server.url}/magento/rest/V1/orders", timeout=10)
        assert missing.status_code == 404
        assert missing.json() == {
            "errors": f"Not Found: the sandbox serves {', '.join(registered_prefixes())}"
        }
        assert (
            http.post(f"{server.url}/shopifyx/admin/api/2026-10/graphql.json", timeout=10).status_code == 404
        )
        index = http.get(f"{server.url}/", timeout=10).json()
        assert index == {"sandbox": "metric-pulse", **server.env()}
        # each prefix reaches its own emulator: the platform's own 401 body proves who answered
        assert http.post(f"{server.url}/shopify/admin/api/2026-10/graphql.json", timeout=10).json() == {
            "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
        }
        assert http.get(f"{server.url}/woocommerce/wp-json/wc/v3/orders/1", timeout=10).json()["code"] == (
            "woocommerce_rest_cannot_view"
        )
        assert http.post(f"{server.url}/commercetools/auth/oauth/token", timeout=10).json()["error"] == (
            "invalid_client"
        )
        assert set(server.stats()) == set(registry.PLATFORMS)


def test_one_store_per_platform_keeps_the_single_store_settings(tmp_path: Path) -> None:
    with running(full_store(tmp_path)) as server:
        env, url = server.env(), server.url
    assert not any(key.endswith("_STORES") for key in env)
    assert env["SHOPIFY_STORE_URL"] == f"{url}/shopify"
    assert env["COMMERCETOOLS_PROJECT_KEY"] == "sandbox-store"
    assert server.credentials["shopify"]["shop_domain"] == "metric-pulse-sandbox.myshopify.com"
    assert server.credentials["woocommerce"]["home_url"] == "https://woocommerce.sandbox.metric-pulse.test"


def test_two_stores_of_each_platform_side_by_side(tmp_path: Path) -> None:
    with running(two_of_each(tmp_path), rate_limits="off", extra_stores=EXTRA) as server:
        env = server.env()
        assert env["SHOPIFY_STORES"] == "default,eu"
        assert env["SHOPIFY_STORE_URL"] == f"{server.url}/shopify"  # the default store: platform-wide names
        assert env["SHOPIFY_EU_STORE_URL"] == f"{server.url}/shopify-eu"
        assert env["WOOCOMMERCE_EU_URL"] == f"{server.url}/woocommerce-eu"
        assert env["COMMERCETOOLS_EU_API_URL"] == f"{server.url}/commercetools-eu/api"
        assert env["COMMERCETOOLS_EU_AUTH_URL"] == f"{server.url}/commercetools-eu/auth"
        assert env["COMMERCETOOLS_EU_PROJECT_KEY"] == "sandbox-store-eu"
        identity = server.credentials
        assert identity["shopify__eu"]["shop_domain"] == "metric-pulse-sandbox-eu.myshopify.com"
        assert identity["woocommerce__eu"]["home_url"] == "https://woocommerce-eu.sandbox.metric-pulse.test"
        assert "/shopify-eu" in server.prefixes and "/commercetools-eu/auth" in server.prefixes

        http = session()

        assert shopify_order_ids(env, "SHOPIFY", 250) == list(range(1, 121))
        assert shopify_order_ids(env, "SHOPIFY_EU", 250) == [501, 502, 503]

        def woo_total(names: str) -> str:
            r = http.get(
                f"{env[f'{names}_URL']}/wp-json/wc/v3/orders",
                auth=(env[f"{names}_CONSUMER_KEY"], env[f"{names}_CONSUMER_SECRET"]),
                timeout=10,
            )
            return r.headers["X-WP-Total"]

        assert (woo_total("WOOCOMMERCE"), woo_total("WOOCOMMERCE_EU")) == ("25", "2")

        def ct_get(names: str, project: str) -> requests.Response:
            token = http.post(
                f"{env[f'{names}_AUTH_URL']}/oauth/token",
                auth=(env[f"{names}_CLIENT_ID"], env[f"{names}_CLIENT_SECRET"]),
                data={"grant_type": "client_credentials"},
                timeout=10,
            ).json()["access_token"]
            return http.get(
                f"{env[f'{names}_API_URL']}/{project}/orders",
                headers={"Authorization": f"Bearer {token}"},
                params={"limit": 1},
                timeout=10,
            )

        assert ct_get("COMMERCETOOLS", "sandbox-store").json()["total"] == 30
        assert ct_get("COMMERCETOOLS_EU", "sandbox-store-eu").json()["total"] == 30
        assert ct_get("COMMERCETOOLS_EU", "sandbox-store").status_code == 403  # another project's key

        stats = server.stats()
        assert stats["shopify"]["requests"] == 2 and stats["shopify__eu"]["requests"] == 2  # token, query
        assert stats["commercetools__eu"]["requests"] == 4  # two tokens, two queries: auth counts too


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([("magento", "eu")], "unknown platform"),
        ([("shopify", "EU")], "lower-case letters or digits"),
        ([("shopify", "default")], "not 'default'"),
        ([("shopify", "eu"), ("shopify", "eu")], "given twice"),
    ],
)
def test_bad_extra_stores_are_refused_clearly(tmp_path: Path, extra: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SandboxServer(tmp_path, extra_stores=extra)


def test_platform_options_reach_every_store_and_unknown_ones_are_refused(tmp_path: Path) -> None:
    server = SandboxServer(tmp_path, extra_stores=[("shopify", "eu")], shopify_bucket_size=7, token_ttl=9.0)
    assert (
        server.stores["shopify"].api.bucket.maximum_available
        == server.stores["shopify__eu"].api.bucket.maximum_available
        == 7
    )
    assert server.stores["commercetools"].api.token_ttl == 9.0
    with pytest.raises(TypeError, match="shopify_bucket_sise"):
        SandboxServer(tmp_path, shopify_bucket_sise=7)
