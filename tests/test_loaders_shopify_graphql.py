"""Shopify's GraphQL client over real HTTP on loopback, where a test must decide what Shopify answers:
client-credentials tokens (renewed before expiry and on a 401), bad credentials, the answered API
version, a query too costly for one page, and connections flattened for dlt.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs

import pytest
from fake_server import FakeServer, fake_server, send

from loaders.errors import AuthError
from loaders.pacing import RequestStats
from loaders.settings import LoadOptions, RateLimit
from loaders.shopify.graphql import ShopifyGraphQL
from loaders.shopify.listing import resource_pages
from loaders.shopify.objects import flatten
from loaders.shopify.settings import ShopifyConfig
from metric_pulse.config import load_settings
from metric_pulse.run import format_summary, run_pipeline

CLIENT_ID = "dev-dashboard-client-id-0123456789"
CLIENT_SECRET = "shpss_client_secret_0123456789abcdef"
SHOP = {"data": {"shop": {"myshopifyDomain": "fake.myshopify.com"}}}


@pytest.fixture
def shop() -> Iterator[tuple[str, FakeServer]]:
    with fake_server() as server:
        yield server


def _graphql(url: str, stats: RequestStats | None = None, **config: Any) -> ShopifyGraphQL:
    settings = {"store_url": url, "rate_limit": RateLimit(50.0, 50.0), **config}
    options = LoadOptions(request_timeout=5.0, max_retries=2, max_wait=1.0)
    return ShopifyGraphQL(ShopifyConfig(**settings), options, stats or RequestStats())


class TokenShop:
    """A store whose token endpoint hands out tok-1, tok-2... lasting `lifetime` seconds; `revoked` tokens get 401."""

    def __init__(self, server: FakeServer, lifetime: float) -> None:
        self.server = server
        self.lifetime = lifetime
        self.issued: list[str] = []
        self.revoked: set[str] = set()
        self.seen: list[str | None] = []  # the token of each GraphQL request

    def __call__(self, handler: BaseHTTPRequestHandler) -> None:
        if handler.path.endswith("/admin/oauth/access_token"):
            form = parse_qs(self.server.bodies[-1].decode())
            if form.get("client_secret") != [CLIENT_SECRET] or form.get("grant_type") != [
                "client_credentials"
            ]:
                send(
                    handler,
                    400,
                    {"error": "invalid_client", "error_description": "Client authentication failed"},
                )
                return
            self.issued.append(f"shpat_tok-{len(self.issued) + 1}")
            send(
                handler,
                200,
                {"access_token": self.issued[-1], "scope": "read_orders", "expires_in": self.lifetime},
            )
            return
        token = handler.headers.get("X-Shopify-Access-Token")
        self.seen.append(token)
        if token not in self.issued or token in self.revoked:
            send(
                handler,
                401,
                {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"},
            )
            return
        send(handler, 200, SHOP)


def test_a_client_credentials_token_is_fetched_once_and_kept_in_memory(shop) -> None:
    url, server = shop
    store = TokenShop(server, lifetime=86399)
    server.answer = store
    client = _graphql(url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    for _ in range(3):
        assert client.execute("{ shop { myshopifyDomain } }") == SHOP["data"]
    assert store.issued == ["shpat_tok-1"] and store.seen == ["shpat_tok-1"] * 3
    assert server.paths[0] == "/admin/oauth/access_token"


def test_a_token_is_renewed_before_it_expires(shop) -> None:
    """A token lasting a moment is renewed before the next request instead of being sent dying."""
    url, server = shop
    store = TokenShop(server, lifetime=0.001)
    server.answer = store
    client = _graphql(url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    for _ in range(3):
        client.execute("{ shop { myshopifyDomain } }")
    assert store.seen == ["shpat_tok-1", "shpat_tok-2", "shpat_tok-3"]


def test_a_revoked_token_is_renewed_once_on_401(shop) -> None:
    url, server = shop
    store = TokenShop(server, lifetime=86399)
    server.answer = store
    client = _graphql(url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    client.execute("{ shop { myshopifyDomain } }")
    store.revoked.add("shpat_tok-1")
    assert client.execute("{ shop { myshopifyDomain } }") == SHOP["data"]
    assert store.seen == ["shpat_tok-1", "shpat_tok-1", "shpat_tok-2"]
    store.revoked.update(store.issued + ["shpat_tok-3"])  # every token refused: believe the server
    with pytest.raises(AuthError, match="credentials rejected"):
        client.execute("{ shop { myshopifyDomain } }")
    assert store.seen[-2:] == ["shpat_tok-2", "shpat_tok-3"]  # one renewal, not a loop


def test_bad_client_credentials_are_one_line_naming_shopify_without_secrets(shop) -> None:
    url, server = shop
    server.answer = TokenShop(server, lifetime=86399)
    client = _graphql(url, client_id=CLIENT_ID, client_secret="shpss_wrong_secret_9876543210")
    with pytest.raises(AuthError) as caught:
        client.execute("{ shop { myshopifyDomain } }")
    message = str(caught.value)
    assert message.startswith("shopify: the access token request was refused: ") and "\n" not in message
    assert "HTTP 400 Client authentication failed" in message and "SHOPIFY_CLIENT_SECRET" in message
    assert CLIENT_ID not in message and "shpss_wrong_secret_9876543210" not in message
    assert len(server.paths) == 1  # a refused grant is not retried


def test_a_static_access_token_still_works(shop) -> None:
    url, server = shop
    store = TokenShop(server, lifetime=86399)
    store.issued.append("shpat_static_custom_app_token")
    server.answer = store
    client = _graphql(url, access_token="shpat_static_custom_app_token")
    assert client.execute("{ shop { myshopifyDomain } }") == SHOP["data"]
    store.revoked.add("shpat_static_custom_app_token")
    with pytest.raises(AuthError, match="check SHOPIFY_ACCESS_TOKEN") as caught:
        client.execute("{ shop { myshopifyDomain } }")
    assert "shpat_static_custom_app_token" not in str(caught.value)
    assert not any(p.endswith("access_token") for p in server.paths)


def test_an_answer_in_another_api_version_warns_once_per_run(shop, caplog) -> None:
    url, server = shop
    server.answer = lambda h: send(h, 200, SHOP, {"X-Shopify-Api-Version": "2026-01"})
    stats = RequestStats()
    client = _graphql(url, stats, access_token="shpat_x", api_version="2024-10")
    with caplog.at_level("WARNING", logger="loaders.shopify.graphql"):
        for _ in range(3):
            client.execute("{ shop { myshopifyDomain } }")
    assert len(stats.warnings()) == 1
    assert "asked for Admin API version 2024-10 but Shopify answered as 2026-01" in stats.warnings()[0]
    assert caplog.text.count("answered as 2026-01") == 1
    server.answer = lambda h: send(h, 200, SHOP, {"X-Shopify-Api-Version": "2026-10"})
    quiet = RequestStats()
    _graphql(url, quiet, access_token="shpat_x").execute("{ shop { myshopifyDomain } }")
    assert quiet.warnings() == []


def _order(n: int, lines: int) -> dict[str, Any]:
    return {
        "id": f"gid://shopify/Order/{n}",
        "updatedAt": f"2026-11-0{n}T00:00:00Z",
        "lineItems": {
            "pageInfo": {"hasNextPage": lines > 2, "endCursor": "line-2"},
            "nodes": [{"id": f"gid://shopify/LineItem/{n}{i}", "quantity": 1} for i in range(min(lines, 2))],
        },
        "refunds": [],
    }


def test_a_costly_page_is_asked_again_smaller_and_truncated_lines_are_followed(shop) -> None:
    """first: 250 costs too much: the listing asks again with what fits; an order's cut-off lines are read."""
    url, server = shop
    firsts: list[int] = []

    def answer(handler: BaseHTTPRequestHandler) -> None:
        request = json.loads(server.bodies[-1])
        if "accessScopes" in request["query"]:
            send(
                handler,
                200,
                {"data": {"currentAppInstallation": {"accessScopes": [{"handle": "read_orders"}]}}},
            )
            return
        first, after = request["variables"]["first"], request["variables"].get("after")
        if "node(id:" in request["query"]:  # the rest of order 1's lines, 3 at a time
            start = int(after.split("-")[1])
            nodes = [
                {"id": f"gid://shopify/LineItem/1{i}", "quantity": 1} for i in range(start, min(start + 3, 7))
            ]
            info = {"hasNextPage": start + 3 < 7, "endCursor": f"line-{start + 3}"}
            send(handler, 200, {"data": {"node": {"lineItems": {"pageInfo": info, "nodes": nodes}}}})
            return
        firsts.append(first)
        if first > 2:
            message = (
                f"Query cost is {first * 400 + 2}, which exceeds the single query max cost limit (1000)."
            )
            send(
                handler, 200, {"errors": [{"message": message, "extensions": {"code": "MAX_COST_EXCEEDED"}}]}
            )
            return
        page = {"pageInfo": {"hasNextPage": False, "endCursor": "o2"}, "nodes": [_order(1, 7), _order(2, 1)]}
        send(handler, 200, {"data": {"orders": page}})

    server.answer = answer
    pages = list(resource_pages(_graphql(url, access_token="shpat_x"), "orders", None))
    assert firsts == [250, 2]
    assert [len(order["lineItems"]) for order in pages[0]] == [7, 1]
    assert [line["id"] for line in pages[0][0]["lineItems"]] == [
        f"gid://shopify/LineItem/1{i}" for i in range(7)
    ]


def test_flatten_makes_connections_lists_and_keeps_node_typenames() -> None:
    order = {
        "id": "gid://shopify/Order/1",
        "lineItems": {"pageInfo": {"hasNextPage": False}, "nodes": [{"id": "a", "taxLines": []}]},
        "discountApplications": {"edges": [{"node": {"__typename": "DiscountCodeApplication", "code": "X"}}]},
        "refunds": [{"id": "r", "transactions": {"nodes": [], "__typename": "OrderTransactionConnection"}}],
        "customer": {"id": "c", "nodes": "not a connection"},
    }
    assert flatten(order) == {
        "id": "gid://shopify/Order/1",
        "lineItems": [{"id": "a", "taxLines": []}],
        "discountApplications": [{"__typename": "DiscountCodeApplication", "code": "X"}],
        "refunds": [{"id": "r", "transactions": []}],
        "customer": {"id": "c", "nodes": "not a connection"},
    }


def test_warnings_reach_the_summary_and_etl_logs(shop, pg_db, tmp_path) -> None:
    """A store answering as 2026-01 and granting only read_products: products load, the rest is skipped
    with a warning naming the scope, and every warning is in the summary and in etl_logs."""
    url, server = shop
    product = {
        "id": "gid://shopify/Product/1",
        "updatedAt": "2026-11-01T00:00:00Z",
        "title": "Mug",
        "variants": {"pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": []},
    }

    def answer(handler: BaseHTTPRequestHandler) -> None:
        query = json.loads(server.bodies[-1])["query"]
        if "accessScopes" in query:
            data = {"currentAppInstallation": {"accessScopes": [{"handle": "read_products"}]}}
        elif "myshopifyDomain" in query:
            data = SHOP["data"]
        elif "products(" in query:
            data = {"products": {"pageInfo": {"hasNextPage": False, "endCursor": "p1"}, "nodes": [product]}}
        else:
            data = {"events": {"nodes": [], "pageInfo": {"hasNextPage": False}}}
        send(handler, 200, {"data": data}, {"X-Shopify-Api-Version": "2026-01"})

    server.answer = answer
    env = {"SHOPIFY_STORE_URL": url, "SHOPIFY_ACCESS_TOKEN": "shpat_x", "SHOPIFY_BULK_AFTER_DAYS": "off"}
    outcome = run_pipeline(load_settings(env), pg_db, with_dbt=False, pipelines_dir=tmp_path / "dlt")
    assert outcome.status == "success", format_summary(outcome)
    assert outcome.loads[0].rows.get("products") == 1
    warnings = outcome.loads[0].warnings
    assert len(warnings) == 3, warnings
    assert "asked for Admin API version 2026-10 but Shopify answered as 2026-01" in warnings[0]
    assert any(w.startswith("orders skipped: the app lacks the access scope read_orders") for w in warnings)
    assert any(
        w.startswith("customers skipped: the app lacks the access scope read_customers") for w in warnings
    )
    assert all(f"warning: {w}" in format_summary(outcome) for w in warnings)
    conn = pg_db.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("select details -> 'warnings' from ops.etl_logs where step = 'load:shopify'")
            assert cur.fetchall() == [(warnings,)]
    finally:
        conn.close()


def test_a_throttled_answer_without_a_throttle_status_is_retried(shop) -> None:
    url, server = shop
    throttled = {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]}
    answers = iter([throttled, SHOP])
    server.answer = lambda h: send(h, 200, next(answers))
    stats = RequestStats()
    assert (
        _graphql(url, stats, access_token="shpat_x").execute("{ shop { myshopifyDomain } }") == SHOP["data"]
    )
    assert (stats.snapshot()["requests"], stats.snapshot()["retries"]) == (2, 1)
