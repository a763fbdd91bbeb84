"""Fault injection, live reload and the Python API of the sandbox, over real HTTP."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
import requests
from sandbox_fixtures import full_store, running, session, shopify_order, write

from metric_pulse.sandbox.server import SandboxServer


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return full_store(tmp_path_factory.mktemp("faults"))


SHOPIFY_CUSTOMERS = {"query": "{ customers(first: 5) { nodes { id } } }"}


class ShopifySession(requests.Session):
    """Shopify lists by POSTing a GraphQL query: `get(url)` here sends the customers query."""

    def get(self, url: str, **kwargs: object) -> requests.Response:  # type: ignore[override]
        return self.post(url, json=SHOPIFY_CUSTOMERS, **kwargs)


def clients(server: SandboxServer) -> dict[str, tuple[requests.Session, str]]:
    """An authenticated session and a list URL per platform."""
    env, c = server.env(), server.credentials
    shop = ShopifySession()
    shop.headers["X-Shopify-Access-Token"] = c["shopify"]["access_token"]
    woo = session()
    woo.auth = (c["woocommerce"]["consumer_key"], c["woocommerce"]["consumer_secret"])
    ct = session()
    tok = requests.post(
        f"{env['COMMERCETOOLS_AUTH_URL']}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(c["commercetools"]["client_id"], c["commercetools"]["client_secret"]),
    )
    assert tok.status_code == 200  # the token endpoint is exempt from faults
    ct.headers["Authorization"] = "Bearer " + tok.json()["access_token"]
    return {
        "shopify": (shop, f"{env['SHOPIFY_STORE_URL']}/admin/api/2026-10/graphql.json"),
        "woocommerce": (woo, f"{env['WOOCOMMERCE_URL']}/wp-json/wc/v3/customers"),
        "commercetools": (
            ct,
            f"{env['COMMERCETOOLS_API_URL']}/{c['commercetools']['project_key']}/customers",
        ),
    }


def test_fail_rate_sends_each_platforms_5xx_body(data_dir: Path) -> None:
    with running(data_dir, fail_rate=1.0) as server:
        c = clients(server)
        shop, woo, ct = (c[p][0].get(c[p][1]) for p in ("shopify", "woocommerce", "commercetools"))
        assert shop.status_code == 500 and shop.json() == {"errors": "Internal Server Error"}
        assert shop.headers["X-Shopify-Api-Version"] == "2026-10"
        assert woo.status_code == 500
        assert woo.json()["code"] == "internal_server_error" and woo.json()["data"] == {"status": 500}
        assert ct.status_code in (500, 503)
        body = ct.json()
        assert body["statusCode"] == ct.status_code
        assert body["errors"][0]["code"] == {500: "General", 503: "OverCapacity"}[ct.status_code]
        statuses = {c["commercetools"][0].get(c["commercetools"][1]).status_code for _ in range(12)}
        assert statuses == {500, 503}
        # errors of the contract itself are never replaced
        assert requests.post(c["shopify"][1], json=SHOPIFY_CUSTOMERS).status_code == 401
        assert server.stats()["shopify"]["faults"] == {"fail": 1}


def test_throttle_rate_is_the_only_commercetools_429(data_dir: Path) -> None:
    with running(data_dir, throttle_rate=1.0) as server:
        c = clients(server)
        r = c["commercetools"][0].get(c["commercetools"][1])
        assert r.status_code == 429 and r.json()["statusCode"] == 429
        assert c["woocommerce"][0].get(c["woocommerce"][1]).status_code == 200
        assert server.stats()["commercetools"]["rate_limited"] == 1


def test_malformed_rate_truncates_the_json(data_dir: Path) -> None:
    with running(data_dir, malformed_rate=1.0) as server:
        for platform, (http, url) in clients(server).items():
            r = http.get(url)
            assert r.status_code == 200, platform
            assert int(r.headers["Content-Length"]) == len(r.content)
            with pytest.raises(ValueError):
                json.loads(r.content)


def test_drop_rate_closes_the_connection_mid_body(data_dir: Path) -> None:
    with running(data_dir, drop_rate=1.0) as server:
        for http, url in clients(server).values():
            with pytest.raises(
                (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)
            ):
                http.get(url)
        assert server.stats()["woocommerce"]["faults"] == {"drop": 1}


def test_slow_rate_outlasts_the_client_timeout_and_stop_wakes_it(data_dir: Path) -> None:
    with running(data_dir, slow_rate=1.0, slow_delay=1.5) as server:
        http, url = clients(server)["woocommerce"]
        started = time.monotonic()
        with pytest.raises(requests.exceptions.ReadTimeout):
            http.get(url, timeout=(2, 0.3))
        assert time.monotonic() - started < 1.0
        r = http.get(url, timeout=5)  # a patient client gets the answer
        assert r.status_code == 200 and time.monotonic() - started >= 1.5
        server_stop_started = time.monotonic()
    assert time.monotonic() - server_stop_started < 1.0


def test_faults_are_reproducible_per_seed(data_dir: Path) -> None:
    def statuses(seed: int) -> list[int]:
        with running(data_dir, fail_rate=0.5, seed=seed) as server:
            http, url = clients(server)["woocommerce"]
            return [http.get(url).status_code for _ in range(16)]

    first = statuses(7)
    assert first == statuses(7)
    assert {200, 500} == set(first)
    assert first != statuses(8)


def test_edits_to_the_data_directory_are_served_without_restart(tmp_path: Path) -> None:
    path = write(tmp_path, "shopify", "orders", [shopify_order(1)])
    with running(tmp_path, rate_limits="off") as server:
        http = session()
        http.headers["X-Shopify-Access-Token"] = server.credentials["shopify"]["access_token"]
        url = f"{server.env()['SHOPIFY_STORE_URL']}/admin/api/2026-10/graphql.json"
        query = {"query": "{ orders(first: 10, sortKey: ID) { nodes { legacyResourceId } } }"}

        def ids() -> list[str]:
            return [
                o["legacyResourceId"] for o in http.post(url, json=query).json()["data"]["orders"]["nodes"]
            ]

        assert ids() == ["1"]
        write(tmp_path, "shopify", "orders", [shopify_order(1), shopify_order(2)], layout="pretty")
        assert ids() == ["1", "2"]
        # a half-written file keeps the last good version in service
        path.write_text('[{"id": 3')
        os.utime(path, ns=(time.time_ns(), time.time_ns() + 5_000_000))
        assert ids() == ["1", "2"]
        path.unlink()  # a missing file is an empty store
        assert ids() == []


def test_python_api(data_dir: Path) -> None:
    server = SandboxServer(data_dir, port=0)
    with pytest.raises(RuntimeError):
        server.url  # noqa: B018 (reading the property is the test: it raises before start)
    with server:
        env = server.env()
        assert list(env) == [
            "SHOPIFY_STORE_URL",
            "SHOPIFY_CLIENT_ID",
            "SHOPIFY_CLIENT_SECRET",
            "SHOPIFY_API_VERSION",
            "WOOCOMMERCE_URL",
            "WOOCOMMERCE_CONSUMER_KEY",
            "WOOCOMMERCE_CONSUMER_SECRET",
            "COMMERCETOOLS_PROJECT_KEY",
            "COMMERCETOOLS_CLIENT_ID",
            "COMMERCETOOLS_CLIENT_SECRET",
            "COMMERCETOOLS_API_URL",
            "COMMERCETOOLS_AUTH_URL",
        ]
        assert env["SHOPIFY_STORE_URL"] == f"http://127.0.0.1:{server.port}/shopify"
        assert env["COMMERCETOOLS_AUTH_URL"] == f"{server.url}/commercetools/auth"
        index = requests.get(server.url + "/").json()
        assert index["WOOCOMMERCE_URL"] == env["WOOCOMMERCE_URL"]
        assert requests.get(server.url + "/magento").status_code == 404
        clients(server)["shopify"][0].get(clients(server)["shopify"][1])
        stats = server.stats()
        assert stats["shopify"]["requests"] == 1 and stats["shopify"]["statuses"] == {200: 1}
        assert stats["commercetools"]["requests"] == 2  # two token requests
    with pytest.raises(ValueError):
        SandboxServer(data_dir, rate_limits="sometimes")
    with pytest.raises(ValueError):
        SandboxServer(data_dir, fail_rate=1.5)
