"""The paced, retrying HTTP client: pacing arithmetic, then real HTTP against a scripted loopback server.

The scripted server answers each request with the next canned response (status,
headers, body, or a dropped connection), so every retry path is exercised over a
real socket in well under a second each.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from loaders.http_client import ApiClient, ApiError, AuthError, MalformedBody
from loaders.pacing import Pacer, RequestStats, parse_retry_after
from loaders.settings import LoadOptions, RateLimit
from loaders.shopify.rate_limit import ShopifyRateLimit, throttle_status

SECRET = "shpat_super_secret_token_123"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_pacer_allows_a_burst_then_the_configured_rate() -> None:
    clock = FakeClock()
    pacer = Pacer(RateLimit(2.0, 40.0), clock=clock, sleep=clock.sleep)
    waits = [pacer.acquire() for _ in range(40)]
    assert sum(waits) == 0
    for _ in range(10):
        pacer.acquire()
    assert clock.now == pytest.approx(5.0)


def test_pacer_shrinks_to_the_room_the_server_reports() -> None:
    clock = FakeClock()
    pacer = Pacer(RateLimit(2.0, 40.0), clock=clock, sleep=clock.sleep)
    pacer.observe_bucket(39, 40)  # another client used the bucket: no room left
    assert pacer.acquire() == pytest.approx(0.5)
    pacer.observe_bucket(41, 40)  # over: wait until the server has leaked the excess too
    assert pacer.acquire() == pytest.approx(1.5)


def test_pacer_holds_for_retry_after_and_graphql_cost() -> None:
    clock = FakeClock()
    pacer = Pacer(RateLimit(100.0, 10.0), clock=clock, sleep=clock.sleep)
    pacer.hold(2.0)
    assert pacer.acquire() == pytest.approx(2.0, abs=0.02)
    assert pacer.observe_throttle_status(requested=752, available=666, restore_rate=50.0) == pytest.approx(
        1.72
    )
    assert pacer.acquire() == pytest.approx(1.72, abs=0.02)


def test_pacer_slows_after_429_and_recovers() -> None:
    pacer = Pacer(RateLimit(4.0, 4.0))
    pacer.throttled()
    assert pacer.rate == pytest.approx(3.0)
    for _ in range(100):
        pacer.succeeded()
    assert pacer.rate == pytest.approx(4.0)


def test_header_parsers() -> None:
    assert parse_retry_after({"Retry-After": "2.0"}) == 2.0
    assert parse_retry_after({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}) is None
    throttled = {
        "errors": [{"message": "Throttled"}],
        "extensions": {
            "cost": {
                "requestedQueryCost": 752,
                "actualQueryCost": None,
                "throttleStatus": {
                    "maximumAvailable": 1000.0,
                    "currentlyAvailable": 666,
                    "restoreRate": 50.0,
                },
            }
        },
    }
    assert throttle_status(throttled) == (752.0, 666.0, 50.0)
    assert throttle_status({"data": {}}) is None


def test_stats_are_thread_safe() -> None:
    stats = RequestStats()

    def work() -> None:
        for _ in range(1000):
            stats.add(requests=1, waited_seconds=0.001)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert stats.snapshot()["requests"] == 8000
    with pytest.raises(AttributeError):
        stats.add(nonsense=1)


# --- real HTTP ---------------------------------------------------------------------------

DROP = "drop"


class Script:
    """Canned responses served in order; the last one repeats. Requests are recorded."""

    def __init__(self) -> None:
        self.responses: list[object] = []
        self.seen: list[tuple[str, dict[str, str]]] = []


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _answer(self) -> None:
            script.seen.append((self.path, dict(self.headers)))
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            item = script.responses.pop(0) if len(script.responses) > 1 else script.responses[0]
            if item == DROP:
                self.wfile.write(b'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{"orders": [')
                self.wfile.flush()
                self.close_connection = True
                return
            status, headers, body = item  # type: ignore[misc]
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = _answer
        do_POST = _answer

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    httpd.shutdown()
    httpd.server_close()


def _client(stats: RequestStats, retries: int = 3, **kwargs: object) -> ApiClient:
    return ApiClient(
        "shopify",
        RateLimit(50.0, 50.0),
        LoadOptions(request_timeout=2.0, max_retries=retries),
        stats,
        headers={"X-Shopify-Access-Token": SECRET},
        secrets=[SECRET],
        rate_limit_signal=ShopifyRateLimit(),
        backoff_base=0.02,
        **kwargs,
    )  # type: ignore[arg-type]


def _orders(body: object) -> None:
    if not isinstance(body, dict) or not isinstance(body.get("orders"), list):
        raise MalformedBody("expected orders")


def test_retry_after_float_is_honoured_on_429(server: tuple[str, Script]) -> None:
    url, script = server
    script.responses = [
        (429, {"Retry-After": "0.4"}, {"errors": "Exceeded 2 calls per second for api client."}),
        (200, {}, {"orders": [{"id": 1}]}),
    ]
    stats = RequestStats()
    started = time.monotonic()
    body = _client(stats).get(f"{url}/orders.json", {"limit": 250}, validate=_orders).body
    assert body == {"orders": [{"id": 1}]}
    assert time.monotonic() - started >= 0.4
    snap = stats.snapshot()
    assert (snap["requests"], snap["throttled"], snap["retries"]) == (2, 1, 1)
    assert snap["waited_seconds"] >= 0.35
    assert script.seen[0][1]["X-Shopify-Access-Token"] == SECRET


def test_5xx_truncated_and_dropped_bodies_are_retried(server: tuple[str, Script]) -> None:
    url, script = server
    script.responses = [
        (503, {}, {"message": "OverCapacity"}),
        (200, {}, b'{"orders": [{"id": 1}'),  # cut off mid-body
        (200, {}, {"unexpected": "shape"}),
        DROP,
        (200, {}, {"orders": []}),
    ]
    stats = RequestStats()
    assert _client(stats, retries=5).get(f"{url}/orders.json", validate=_orders).body == {"orders": []}
    assert stats.snapshot()["retries"] == 4


def test_after_the_cap_the_error_names_the_platform_and_hides_secrets(server: tuple[str, Script]) -> None:
    url, script = server
    script.responses = [(500, {}, {"errors": f"internal error for token {SECRET}"})]
    stats = RequestStats()
    with pytest.raises(ApiError) as caught:
        _client(stats, retries=2).get(f"{url}/orders.json", {"consumer_key": "ck_secret_in_query"})
    message = str(caught.value)
    assert message.startswith("shopify: GET /orders.json failed after 3 attempts")
    assert "HTTP 500" in message
    assert SECRET not in message and "ck_secret_in_query" not in message
    assert stats.snapshot()["requests"] == 3


def test_bad_credentials_fail_at_once_with_a_hint(server: tuple[str, Script]) -> None:
    url, script = server
    script.responses = [
        (401, {}, {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})
    ]
    stats = RequestStats()
    with pytest.raises(AuthError) as caught:
        _client(stats, credentials_hint="SHOPIFY_ACCESS_TOKEN").get(f"{url}/orders.json")
    assert "shopify: GET /orders.json was refused, credentials rejected: HTTP 401" in str(caught.value)
    assert "SHOPIFY_ACCESS_TOKEN" in str(caught.value)
    assert stats.snapshot()["requests"] == 1


def test_401_renews_the_token_once(server: tuple[str, Script]) -> None:
    url, script = server
    script.responses = [(401, {}, {"message": "invalid_token"}), (200, {}, {"orders": []})]
    renewed: list[bool] = []
    client = _client(RequestStats(), on_unauthorized=lambda: renewed.append(True))
    assert client.get(f"{url}/orders.json").body == {"orders": []}
    assert renewed == [True]


def test_timeouts_are_retried_then_reported(server: tuple[str, Script]) -> None:
    stats = RequestStats()
    client = ApiClient(
        "woocommerce", RateLimit(50.0, 50.0), LoadOptions(request_timeout=0.2, max_retries=1), stats
    )
    # A listening socket that never answers: accept() is never called.
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        with pytest.raises(ApiError) as caught:
            client.get(f"http://127.0.0.1:{silent.getsockname()[1]}/wp-json/wc/v3/orders")
    assert "woocommerce: GET /wp-json/wc/v3/orders failed after 2 attempts" in str(caught.value)
    assert "no response within 0.2s" in str(caught.value)


def test_redirects_are_not_followed(server: tuple[str, Script]) -> None:
    url, script = server
    script.responses = [(302, {"Location": "http://elsewhere.example/steal"}, {})]
    with pytest.raises(ApiError, match="HTTP 302 to elsewhere.example/steal"):
        _client(RequestStats()).get(f"{url}/orders.json")


def test_graphql_throttled_waits_for_the_points_and_retries(server: tuple[str, Script]) -> None:
    url, script = server
    cost = {
        "requestedQueryCost": 60,
        "actualQueryCost": None,
        "throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": 40, "restoreRate": 100.0},
    }
    script.responses = [
        (
            200,
            {},
            {
                "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
                "extensions": {"cost": cost},
            },
        ),
        (200, {}, {"data": {"orders": {"nodes": []}}}),
    ]
    stats = RequestStats()
    started = time.monotonic()
    body = (
        _client(stats)
        .post(f"{url}/admin/api/2024-10/graphql.json", {"query": "{ orders { nodes { id } } }"})
        .body
    )
    assert body == {"data": {"orders": {"nodes": []}}}
    assert time.monotonic() - started >= 0.2  # (60 - 40) / 100 points per second
    assert stats.snapshot()["throttled"] == 1
