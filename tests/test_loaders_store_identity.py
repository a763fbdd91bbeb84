"""The store's identity comes from the store, and the loaders stay loaders.

Every source loads a `store` table (one row, replaced each run) naming the store the
data came from: Shopify's `myshopifyDomain` (GraphQL `shop`), the WordPress site's home
host (the public REST index), commercetools' project key. Over real HTTP to the
sandbox, into the embedded PostgreSQL. A failing identity request fails its platform
with one clear line, like any other request.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from fake_server import fake_server, send

from loaders.woocommerce import site_id
from metric_pulse.config import load_settings
from metric_pulse.extract import load_store
from metric_pulse.platforms import PLATFORMS
from metric_pulse.sandbox.generator import generate
from metric_pulse.sandbox.server import SandboxServer
from metric_pulse.warehouse import DbSettings

# The sandbox's default stores (fixed by the design of issue 15, so marts can be compared).
SANDBOX_STORE_IDS = {
    "shopify": "metric-pulse-sandbox.myshopify.com",
    "woocommerce": "woocommerce.sandbox.metric-pulse.test",
    "commercetools": "sandbox-store",
}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("identity-store")
    generate(out, customers=20, orders=40)
    return out


def _query(db: DbSettings, sql: str) -> list[tuple]:
    conn = db.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("platform", list(PLATFORMS))
def test_the_store_table_names_the_store_after_every_run(
    platform: str, dataset: Path, pg_db: DbSettings, tmp_path: Path
) -> None:
    with SandboxServer(dataset, rate_limits="off") as server:
        settings = load_settings(server.env())
        first = load_store(settings.store(platform), settings, pg_db, pipelines_dir=tmp_path / "dlt")
        again = load_store(settings.store(platform), settings, pg_db, pipelines_dir=tmp_path / "dlt")
    assert (first.error, again.error) == (None, None)
    rows = _query(pg_db, f"select store_id, checked_at from raw_{platform}.store")
    assert [store_id for store_id, _ in rows] == [SANDBOX_STORE_IDS[platform]]  # replaced, not appended
    assert rows[0][1] is not None
    assert "store" not in first.rows and again.rows == {}  # not data: a run with no changes loads nothing


@pytest.mark.parametrize(
    ("home", "expected"),
    [
        ("https://shop.example.com", "shop.example.com"),
        ("https://Shop.Example.com:8443/", "shop.example.com"),
        ("https://example.com/store/", "example.com/store"),
    ],
)
def test_a_woocommerce_site_is_named_by_its_home_host_and_path(home: str, expected: str) -> None:
    assert site_id(home) == expected


@pytest.fixture
def failing_shop() -> Iterator[str]:
    """A Shopify store whose listings are empty and whose `shop` query fails (with the token in its body)."""
    with fake_server() as (url, server):

        def answer(handler: BaseHTTPRequestHandler) -> None:
            query = json.loads(server.bodies[-1])["query"]
            if "myshopifyDomain" in query:
                send(
                    handler,
                    500,
                    {"errors": f"internal error for {handler.headers['X-Shopify-Access-Token']}"},
                )
            elif "accessScopes" in query:
                send(handler, 200, {"data": {"currentAppInstallation": {"accessScopes": []}}})
            else:  # no scope granted: every listing is skipped; no deletion events
                send(handler, 200, {"data": {"events": {"nodes": [], "pageInfo": {"hasNextPage": False}}}})

        server.answer = answer
        yield url


def test_a_failing_identity_request_fails_the_platform_in_one_clear_line(
    failing_shop: str, pg_db: DbSettings, tmp_path: Path
) -> None:
    token = "shpat_identity_secret_0123456789"
    settings = load_settings(
        {"SHOPIFY_STORE_URL": failing_shop, "SHOPIFY_ACCESS_TOKEN": token, "HTTP_MAX_RETRIES": "1"}
    )
    load = load_store(settings.store("shopify"), settings, pg_db, pipelines_dir=tmp_path / "dlt")
    assert load.error is not None
    assert load.error.startswith("shopify: POST /admin/api/2026-10/graphql.json failed after 2 attempts"), (
        load.error
    )
    assert "HTTP 500" in load.error and "\n" not in load.error
    assert token not in load.error
