"""The sandbox HTTP server: Shopify, WooCommerce and commercetools emulators on one loopback port.

    server = SandboxServer("data/sandbox", port=0).start()
    requests.get(f"{server.env()['SHOPIFY_STORE_URL']}/admin/api/2024-10/orders.json",
                 headers={"X-Shopify-Access-Token": server.credentials.shopify_access_token})
    server.stop()

URL layout (P = the port):
    http://127.0.0.1:P/shopify                 Shopify store URL (REST + GraphQL below /admin/api/{version}/)
    http://127.0.0.1:P/woocommerce             WooCommerce site URL (/wp-json/wc/v3/...)
    http://127.0.0.1:P/commercetools/api       commercetools API ({projectKey}/orders ...)
    http://127.0.0.1:P/commercetools/auth      commercetools auth (/oauth/token)

The emulators (`metric_pulse.sandbox.shopify_api`, `metric_pulse.sandbox.woocommerce_api`,
`metric_pulse.sandbox.commercetools_api`) turn a request into a response; this module owns
the sockets, counts what it served, and applies the injected faults
(`metric_pulse.sandbox.faults`) on the way out.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from metric_pulse.sandbox import commercetools_api, shopify_api, woocommerce_api
from metric_pulse.sandbox.commercetools_api import DEFAULT_SCOPES, CommercetoolsAPI
from metric_pulse.sandbox.faults import NO_FAULT, Decision, FaultPlan, FaultSettings, truncate
from metric_pulse.sandbox.http import Request, Response, json_response
from metric_pulse.sandbox.ratelimit import CostBucket, LeakyBucket
from metric_pulse.sandbox.shopify_api import ShopifyAPI
from metric_pulse.sandbox.store import PLATFORMS, DataStore
from metric_pulse.sandbox.woocommerce_api import WooCommerceAPI

log = logging.getLogger(__name__)

PREFIXES = (  # longest first
    ("/commercetools/auth", "commercetools", "auth"),
    ("/commercetools/api", "commercetools", "api"),
    ("/woocommerce", "woocommerce", "api"),
    ("/shopify", "shopify", "api"),
)


@dataclass(frozen=True)
class Credentials:
    """What the sandbox accepts. Fixed, documented values: they guard nothing but a loopback port."""

    shopify_access_token: str = "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"
    woocommerce_consumer_key: str = "ck_4f1a9c2e7b3d8a6f0e5c1b9d2a7e4f3c8b6d0a1e"
    woocommerce_consumer_secret: str = "cs_9e2b7d4a1f8c3e6b0d5a2f9c7e4b1d8a3f6c0e5b"
    commercetools_project_key: str = "sandbox-store"
    commercetools_client_id: str = "sandbox-client-7Hq2mX9vLk"
    commercetools_client_secret: str = "sandbox-secret-Rz4Tn8Wc2PyJ6bQe1Ua5Gd3Kf"


@dataclass
class PlatformCounters:
    requests: int = 0
    rate_limited: int = 0  # HTTP 429 responses sent (Shopify's bucket, injected commercetools 429s)
    graphql_throttled: int = 0  # Shopify GraphQL THROTTLED answers (HTTP 200)
    statuses: dict[int, int] = field(default_factory=dict)
    faults: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "rate_limited": self.rate_limited,
            "graphql_throttled": self.graphql_throttled,
            "statuses": dict(self.statuses),
            "faults": dict(self.faults),
        }


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sandbox: SandboxServer) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.sandbox = sandbox
        self.open_connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real APIs
    server_version = "metric-pulse-sandbox/0.1"
    timeout = 120  # an idle keep-alive connection is closed after this
    disable_nagle_algorithm = True  # headers and body go out at once (no 40 ms delayed-ACK stall)
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.open_connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        with self.server.connections_lock:
            self.server.open_connections.discard(self.connection)

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        if self.server.sandbox.log_requests:
            log.info("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET

    def _dispatch(self) -> None:
        sandbox = self.server.sandbox
        if sandbox.stopping.is_set():
            self.close_connection = True
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        parts = urlsplit(self.path)
        host = self.headers.get("Host") or sandbox.netloc
        try:
            _, response, decision = sandbox.respond(
                self.command, parts.path, parts.query, self.headers, body, host
            )
        except Exception as exc:  # a sandbox bug: answer 500 rather than dropping the connection
            log.exception("sandbox: %s %s failed", self.command, parts.path)
            response, decision = (
                json_response(500, {"errors": f"sandbox error: {type(exc).__name__}: {exc}"}),
                NO_FAULT,
            )
        try:
            self._deliver(response, decision, sandbox)
        except (TimeoutError, BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _deliver(self, response: Response, decision: Decision, sandbox: SandboxServer) -> None:
        if decision.slow and sandbox.stopping.wait(sandbox.faults.slow_delay):
            self.close_connection = True
            return
        body = response.body
        if decision.kind == "malformed":
            body = truncate(body, decision.pick)
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in response.headers:
            self.send_header(key, value)
        self.end_headers()
        if self.command == "HEAD":
            return
        if decision.kind == "drop":
            self.wfile.write(body[: max(1, len(body) // 2)])
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.wfile.write(body)


class SandboxServer:
    """All three store emulators on one port, served from a background thread (`start` ... `stop`)."""

    def __init__(
        self,
        data_dir: str | Path,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        rate_limits: str | bool = "real",
        fail_rate: float = 0.0,
        slow_rate: float = 0.0,
        malformed_rate: float = 0.0,
        drop_rate: float = 0.0,
        throttle_rate: float = 0.0,
        seed: int = 0,
        slow_delay: float = 35.0,
        credentials: Credentials | None = None,
        shopify_bucket_size: int = 40,
        shopify_leak_rate: float = 2.0,
        graphql_max_cost: float = 1000.0,
        graphql_restore_rate: float = 50.0,
        read_all_orders: bool = True,
        token_ttl: float = 172800.0,
        commercetools_scopes: tuple[str, ...] = DEFAULT_SCOPES,
        faults_on_auth: bool = False,
        log_requests: bool = False,
        preload: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate_limits not in ("real", "off", True, False):
            raise ValueError(f"rate_limits must be 'real' or 'off', got {rate_limits!r}")
        enforce = rate_limits in ("real", True)
        self.data_dir = Path(data_dir)
        self.host = host
        self.requested_port = port
        self.credentials = credentials or Credentials()
        self.faults = FaultSettings(
            fail_rate=fail_rate,
            slow_rate=slow_rate,
            malformed_rate=malformed_rate,
            drop_rate=drop_rate,
            throttle_rate=throttle_rate,
            slow_delay=slow_delay,
            seed=seed,
        )
        self.fault_plan = FaultPlan(self.faults)
        self.faults_on_auth = faults_on_auth
        self.log_requests = log_requests
        self.preload = preload
        self.store = DataStore(self.data_dir)
        c = self.credentials
        self.shopify = ShopifyAPI(
            self.store,
            c.shopify_access_token,
            bucket=LeakyBucket(shopify_bucket_size, shopify_leak_rate, enforce=enforce, clock=clock),
            cost=CostBucket(graphql_max_cost, graphql_restore_rate, enforce=enforce, clock=clock),
            read_all_orders=read_all_orders,
        )
        self.woocommerce = WooCommerceAPI(
            self.store, c.woocommerce_consumer_key, c.woocommerce_consumer_secret
        )
        self.commercetools = CommercetoolsAPI(
            self.store,
            c.commercetools_project_key,
            c.commercetools_client_id,
            c.commercetools_client_secret,
            scopes=commercetools_scopes,
            token_ttl=token_ttl,
            clock=clock,
        )
        self.counters = {p: PlatformCounters() for p in PLATFORMS}
        self._counters_lock = threading.Lock()
        self.stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def bind(self) -> SandboxServer:
        if self._httpd is None:
            self._httpd = _HTTPServer((self.host, self.requested_port), self)
        return self

    def start(self) -> SandboxServer:
        """Serve in a daemon thread; returns at once with the port bound (so `url` and `env()` are final)."""
        self.bind()
        if self._thread is None:
            self._thread = threading.Thread(target=self._serve, name="sandbox-server", daemon=True)
            self._thread.start()
            if self.preload:  # index the data files now, not on the first request (large stores take seconds)
                threading.Thread(target=self._preload, name="sandbox-preload", daemon=True).start()
        return self

    def _preload(self) -> None:
        try:
            self.store.preload()
        except Exception:  # noqa: BLE001 (a request will report the same problem)
            log.debug("sandbox: preloading failed", exc_info=True)

    def _serve(self) -> None:
        assert self._httpd is not None
        self._httpd.serve_forever(poll_interval=0.1)

    def stop(self) -> None:
        """Stop serving, wake delayed responses, close open keep-alive connections."""
        self.stopping.set()
        httpd = self._httpd
        if httpd is None:
            return
        if self._thread is not None:
            httpd.shutdown()
            self._thread.join(timeout=5)
        with httpd.connections_lock:
            connections = list(httpd.open_connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        httpd.server_close()
        self._httpd = None
        self._thread = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- addresses -----------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the sandbox is not bound yet: call start() first")
        return self._httpd.server_address[1]

    @property
    def netloc(self) -> str:
        host = self.host
        if host in ("", "0.0.0.0"):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"{host}:{self.port}"

    @property
    def url(self) -> str:
        """`http://127.0.0.1:P` (the platforms live below it)."""
        return f"http://{self.netloc}"

    def env(self) -> dict[str, str]:
        """The settings that point the loaders at this sandbox, as `.env` would hold them."""
        c = self.credentials
        return {
            "SHOPIFY_STORE_URL": f"{self.url}/shopify",
            "SHOPIFY_ACCESS_TOKEN": c.shopify_access_token,
            "WOOCOMMERCE_URL": f"{self.url}/woocommerce",
            "WOOCOMMERCE_CONSUMER_KEY": c.woocommerce_consumer_key,
            "WOOCOMMERCE_CONSUMER_SECRET": c.woocommerce_consumer_secret,
            "COMMERCETOOLS_PROJECT_KEY": c.commercetools_project_key,
            "COMMERCETOOLS_CLIENT_ID": c.commercetools_client_id,
            "COMMERCETOOLS_CLIENT_SECRET": c.commercetools_client_secret,
            "COMMERCETOOLS_API_URL": f"{self.url}/commercetools/api",
            "COMMERCETOOLS_AUTH_URL": f"{self.url}/commercetools/auth",
        }

    def stats(self) -> dict[str, dict[str, Any]]:
        """A snapshot of the per-platform counters."""
        with self._counters_lock:
            return {p: c.as_dict() for p, c in self.counters.items()}

    # -- one request -----------------------------------------------------------------------------
    def respond(
        self, method: str, path: str, query: str, headers: Any, body: bytes, host: str
    ) -> tuple[str | None, Response, Decision]:
        """Route, answer, decide the fault; count it all. Returns (platform, response, fault decision)."""
        for prefix, platform, part in PREFIXES:  # noqa: B007 (the match is used after the break)
            if path == prefix or path.startswith(prefix + "/"):
                break
        else:
            if path in ("", "/"):
                return None, json_response(200, {"sandbox": "metric-pulse", **self.env()}), NO_FAULT
            return (
                None,
                json_response(
                    404,
                    {
                        "errors": "Not Found: the sandbox serves /shopify, /woocommerce, "
                        "/commercetools/api and /commercetools/auth"
                    },
                ),
                NO_FAULT,
            )
        req = Request(
            method,
            path[len(prefix) :] or "/",
            parse_qsl(query, keep_blank_values=True),
            headers,
            body,
            base_url=f"http://{host}{prefix}",
        )
        if platform == "shopify":
            response = self.shopify.handle(req)
        elif platform == "woocommerce":
            response = self.woocommerce.handle(req)
        elif part == "auth":
            response = self.commercetools.handle_auth(req)
        else:
            response = self.commercetools.handle(req)
        decision = (
            NO_FAULT if (part == "auth" and not self.faults_on_auth) else self.fault_plan.decide(platform)
        )
        if decision.kind is not None and not 200 <= response.status < 300:
            decision = Decision(None, decision.slow, decision.pick)
        if decision.kind == "fail":
            original = response
            response = {"shopify": shopify_api.server_error, "woocommerce": woocommerce_api.server_error}.get(
                platform, lambda: commercetools_api.server_error(decision.pick)
            )()
            call_limit = original.header("X-Shopify-Shop-Api-Call-Limit")
            if call_limit:  # Shopify reports its bucket on every response, errors included
                response.headers.append(("X-Shopify-Shop-Api-Call-Limit", call_limit))
        elif decision.kind == "throttle":
            response = commercetools_api.too_many_requests()
        self._count(platform, response, decision)
        return platform, response, decision

    def _count(self, platform: str, response: Response, decision: Decision) -> None:
        with self._counters_lock:
            c = self.counters[platform]
            c.requests += 1
            c.statuses[response.status] = c.statuses.get(response.status, 0) + 1
            if response.status == 429:
                c.rate_limited += 1
            elif response.rate_limited:
                c.graphql_throttled += 1
            for kind in ([decision.kind] if decision.kind else []) + (["slow"] if decision.slow else []):
                c.faults[kind] = c.faults.get(kind, 0) + 1
