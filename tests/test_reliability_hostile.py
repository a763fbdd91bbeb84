"""Hostile servers and URLs, over real HTTP on loopback: nothing stalls a run for long or leaks a token.

Before (issue 14, items 6-7): `Retry-After: 100000` or `X-Shopify-Shop-Api-Call-Limit:
1000000/1` made the client sleep for days, a body trickled one byte at a time had no
overall deadline, a `Link` header repeating its `page_info` (or a listing ignoring its
page/filter) looped forever, any response size was read into memory, and a store URL
`http://<other host>\\@127.0.0.1` passed the https-or-loopback check while requests
connected to the other host.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import socket
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest
from conftest import cli_env, run_cli
from fake_server import FakeServer, fake_server, send

from loaders import commercetools, woocommerce
from loaders.errors import ConfigError
from loaders.http_client import ApiClient, ApiError
from loaders.pacing import RequestStats
from loaders.settings import LoadOptions, RateLimit
from loaders.shopify.graphql import ShopifyGraphQL
from loaders.shopify.listing import resource_pages
from loaders.shopify.settings import ShopifyConfig
from metric_pulse.config import load_settings
from metric_pulse.platforms import PLATFORMS


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.2:9\\@127.0.0.1",
        "http://127.0.0.2:9\\@127.0.0.1/shop",
        "http://user:password@127.0.0.1:9",
        "https://token@shop.example.com",
        "http://127.0.0.1:9 @evil",
    ],
)
def test_store_urls_with_user_info_or_backslashes_are_refused(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"SHOPIFY_STORE_URL": url, "SHOPIFY_ACCESS_TOKEN": "shpat_x"})
    assert "password" not in str(caught.value)


def test_plain_http_only_on_loopback() -> None:
    woo = {"WOOCOMMERCE_CONSUMER_KEY": "ck_1", "WOOCOMMERCE_CONSUMER_SECRET": "cs_1"}
    with pytest.raises(ConfigError, match="must use https"):
        load_settings({"WOOCOMMERCE_URL": "http://shop.example.com", **woo})
    for url in ("http://[::1]:8080", "http://127.0.0.1:8080/shop", "https://shop.example.com"):
        assert load_settings({"WOOCOMMERCE_URL": url, **woo}).store("woocommerce")


def test_backslash_url_is_refused_before_any_request() -> None:
    """A listener on 127.0.0.2 stands in for the other host: it must never see a connection."""
    with socket.socket() as other_host:
        other_host.bind(("127.0.0.2", 0))
        other_host.listen(8)
        other_host.settimeout(0.5)
        port = other_host.getsockname()[1]
        token = "shpat_hostile_url_test_token"
        proc = run_cli(
            "extract",
            env=cli_env(SHOPIFY_STORE_URL=f"http://127.0.0.2:{port}\\@127.0.0.1", SHOPIFY_ACCESS_TOKEN=token),
            timeout=300,
        )
        try:
            other_host.accept()[0].close()
            connected = True
        except TimeoutError:
            connected = False
    assert not connected, "the token was sent to the host before the backslash"
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "SHOPIFY_STORE_URL must not contain" in proc.stderr
    assert token not in proc.stdout + proc.stderr


# --- a tiny hostile server ------------------------------------------------------------------


@pytest.fixture
def hostile() -> Iterator[tuple[str, FakeServer]]:
    with fake_server() as server:
        yield server


class Sleeps:
    """The client's sleep: records every wait it is asked for and waits at most a moment."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        time.sleep(min(seconds, 0.01))


LOADERS = {name: platform.loader for name, platform in PLATFORMS.items()}


def _client(platform: str = "shopify", sleeps: Sleeps | None = None, **options: float) -> ApiClient:
    settings = {"request_timeout": 2.0, "max_retries": 2, "max_wait": 5.0, **options}
    return ApiClient(
        platform,
        RateLimit(50.0, 50.0),
        LoadOptions(**settings),  # type: ignore[arg-type]
        RequestStats(),
        rate_limit_signal=LOADERS[platform].rate_limit_signal,
        sleep=sleeps or Sleeps(),
        backoff_base=0.01,
    )


@pytest.mark.timeout(60)  # before the cap: a 100000 s wait
def test_a_huge_retry_after_is_capped_and_logged(hostile, caplog) -> None:
    url, server = hostile
    answers = iter([(429, {"Retry-After": "100000"}), (200, {})])

    def answer(handler: BaseHTTPRequestHandler) -> None:
        status, headers = next(answers)
        send(handler, status, {"orders": []}, headers)

    server.answer = answer
    sleeps = Sleeps()
    with caplog.at_level(logging.WARNING, logger="loaders.pacing"):
        assert _client(sleeps=sleeps).get(f"{url}/orders.json").body == {"orders": []}
    assert sleeps.asked and max(sleeps.asked) <= 5.0
    assert "shopify: Retry-After 100000 asks for a wait of 100000s; waiting 5s instead" in caplog.text


@pytest.mark.timeout(60)  # before the cap: a wait of 10**9 s
def test_an_absurd_query_cost_wait_is_capped(hostile, caplog) -> None:
    """A THROTTLED body whose throttle status asks for 10**9 points at 1 point/s is a 31-year wait."""
    url, server = hostile
    cost = {
        "requestedQueryCost": 10**9,
        "throttleStatus": {"maximumAvailable": 2 * 10**9, "currentlyAvailable": 0, "restoreRate": 1},
    }
    answers = iter(
        [
            {
                "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
                "extensions": {"cost": cost},
            }
        ]
    )
    server.answer = lambda h: send(h, 200, next(answers, {"data": {"shop": {"myshopifyDomain": "x"}}}))
    sleeps = Sleeps()
    with caplog.at_level(logging.WARNING, logger="loaders.pacing"):
        _client(sleeps=sleeps).post(f"{url}/graphql.json", json={"query": "{ shop { myshopifyDomain } }"})
    assert sleeps.asked and max(sleeps.asked) <= 5.0
    assert "shopify: a throttle pause asks for a wait of 1000000000s; waiting 5s instead" in caplog.text


@pytest.mark.timeout(120)
def test_a_trickled_body_meets_the_request_deadline(hostile) -> None:
    url, server = hostile
    body = json.dumps({"orders": [{"id": n} for n in range(40)]}).encode()

    def trickle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        try:
            for byte in body:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
                time.sleep(0.1)  # every byte well inside the read timeout
        except OSError:
            pass  # the client gave up

    server.answer = trickle
    with pytest.raises(ApiError, match=r"not complete within 0.5s \(HTTP_REQUEST_DEADLINE_SECONDS\)"):
        _client(request_deadline=0.5, max_retries=1).get(f"{url}/orders.json")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_response_over_the_size_cap_fails_at_once(hostile, declared: bool) -> None:
    url, server = hostile
    record = b'{"id": 1, "note": "' + b"x" * 200_000 + b'"}'
    data = b'{"orders": [' + b", ".join([record] * 20) + b"]}"  # valid JSON, 4 MB

    def big(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        if declared:
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
            return
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        try:
            for start in range(0, len(data), 65536):
                piece = data[start : start + 65536]
                handler.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            handler.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass

    server.answer = big
    client = _client(max_response_bytes=1_000_000)
    with pytest.raises(ApiError, match="the response is too large"):
        client.get(f"{url}/orders.json")
    assert len(server.paths) == 1  # not retried: it would be just as large again


def _looping_listing(counter: Iterator[int]) -> dict:
    """A page of two new orders that always says the next page starts at the same cursor."""
    nodes = [
        {"id": f"gid://shopify/Order/{next(counter)}", "updatedAt": "2024-01-01T00:00:00Z"} for _ in range(2)
    ]
    return {"data": {"orders": {"nodes": nodes, "pageInfo": {"hasNextPage": True, "endCursor": "same"}}}}


def test_an_end_cursor_repeating_stops_the_listing(hostile) -> None:
    url, server = hostile
    counter = itertools.count(1)
    server.answer = lambda h: send(h, 200, _looping_listing(counter))
    config = ShopifyConfig(store_url=url, access_token="shpat_x", page_size=2)
    client = ShopifyGraphQL(config, LoadOptions(), RequestStats(), api=_client())
    with pytest.raises(ApiError, match="handed out a cursor it had already given"):
        for _ in itertools.islice(resource_pages(client, "orders", None), 50):
            pass
    assert len(server.paths) < 50


def test_woocommerce_pages_that_ignore_page_and_filter_stop(hostile) -> None:
    url, server = hostile
    same = [
        {"id": 1, "date_modified_gmt": "2024-01-01T00:00:00"},
        {"id": 2, "date_modified_gmt": "2024-01-02T00:00:00"},
    ]
    server.answer = lambda h: send(h, 200, same, {"X-WP-TotalPages": "5"})
    for listing, why in (
        (lambda c: woocommerce.all_pages(c, f"{url}/wp-json/wc/v3/customers", 2), "keeps answering the same"),
        # records older than the modified_after asked for: named as a WooCommerce too old for it
        (
            lambda c: woocommerce.modified_pages(c, f"{url}/wp-json/wc/v3/orders", 2, None),
            "ignores modified_after.*WooCommerce 5.8 or later",
        ),
    ):
        server.paths.clear()
        with pytest.raises(ApiError, match=why):
            for _ in itertools.islice(listing(_client("woocommerce")), 50):
                pass
        assert len(server.paths) < 50


def test_commercetools_pages_that_ignore_the_where_stop(hostile) -> None:
    url, server = hostile
    same = {
        "results": [
            {"id": "a", "lastModifiedAt": "2024-01-01T00:00:00.000Z"},
            {"id": "b", "lastModifiedAt": "2024-01-02T00:00:00.000Z"},
        ]
    }
    server.answer = lambda h: send(h, 200, same)
    with pytest.raises(ApiError, match="commercetools: GET /p/orders: the server"):
        for _ in itertools.islice(
            commercetools.keyset_pages(_client("commercetools"), f"{url}/p/orders", 2, None), 50
        ):
            pass
    assert len(server.paths) < 50


def test_a_run_against_a_looping_store_stops_that_platform_with_a_clear_error(
    hostile, pg_db, tmp_path
) -> None:
    """End to end: `metric-pulse extract` ends (exit 1) and says why, instead of paging forever."""
    url, server = hostile
    counter = itertools.count(1)

    def looping(handler: BaseHTTPRequestHandler) -> None:
        query = json.loads(server.bodies[-1])["query"]
        if "myshopifyDomain" in query:  # the store's identity answers; its listings loop
            send(handler, 200, {"data": {"shop": {"myshopifyDomain": "looping.myshopify.com"}}})
        elif "accessScopes" in query:
            scopes = [
                {"handle": s} for s in ("read_orders", "read_all_orders", "read_customers", "read_products")
            ]
            send(handler, 200, {"data": {"currentAppInstallation": {"accessScopes": scopes}}})
        elif "events(" in query:  # and it has no deletion events
            send(handler, 200, {"data": {"events": {"nodes": [], "pageInfo": {"hasNextPage": False}}}})
        else:
            listing = _looping_listing(counter)
            resource = query.split("{", 2)[1].split("(")[0].strip()
            send(handler, 200, {"data": {resource: listing["data"]["orders"]}})

    server.answer = looping
    env = cli_env(
        SHOPIFY_STORE_URL=url,
        SHOPIFY_ACCESS_TOKEN="shpat_looping_store",
        SHOPIFY_BULK_AFTER_DAYS="off",  # the paginated listings are what loops here
        BATCH_SIZE="2",
        METRIC_PULSE_DATA_DIR=str(tmp_path / "state"),
        **pg_db.dbt_env(),
    )
    proc = run_cli("extract", env=env, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert re.search(r"shopify +FAILED: POST graphql (orders|customers|products): ", proc.stdout), proc.stdout
    assert "handed out a cursor it had already given" in proc.stdout
    assert len(server.paths) < 20
