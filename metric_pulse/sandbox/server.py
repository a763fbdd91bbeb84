"""The sandbox HTTP server: every registered platform's emulator on one loopback port.

    server = SandboxServer("data/sandbox", port=0).start()
    requests.post(f"{server.env()['SHOPIFY_STORE_URL']}/admin/api/2026-10/graphql.json",
                  json={"query": "{ shop { myshopifyDomain } }"},
                  headers={"X-Shopify-Access-Token": server.credentials["shopify"]["access_token"]})
    server.stop()

The platforms come from the registry (`metric_pulse.platforms.PLATFORMS`): each
one's `Emulator` (`metric_pulse.sandbox.emulator`) says which URL prefixes a store
answers below its root, builds the object that answers them, and gives its
credentials, its `.env` settings and its fault responses. This module knows no
platform by name: it owns the sockets, routes by prefix, counts what it served
per store, and applies the injected faults (`metric_pulse.sandbox.faults`) on
the way out.

URL layout (P = the port): the default store of a platform lives at
`http://127.0.0.1:P/<platform>` (commercetools: `/commercetools/api` and
`/commercetools/auth`), an extra store labelled L at `/<platform>-L`; its data
is `DIR/<platform>/` or `DIR/<platform>__L/`. `GET /` lists the `.env` settings.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import groupby
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from metric_pulse.platforms import PLATFORMS
from metric_pulse.sandbox.emulator import (
    DEFAULT_LABEL,
    Emulator,
    Route,
    StoreContext,
    labelled,
    store_folder,
    store_labels,
)
from metric_pulse.sandbox.faults import NO_FAULT, Decision, FaultPlan, FaultSettings, truncate
from metric_pulse.sandbox.http import Request, Response, json_response
from metric_pulse.sandbox.store import DataStore

log = logging.getLogger(__name__)
QUERY_KEYS = re.compile(r"((?:consumer_key|consumer_secret)=)[^&\s]*")


@dataclass(frozen=True)
class Store:
    """One store the sandbox serves: a platform's emulator under a label, with its API object."""

    env_prefix: str  # the loader's settings prefix, e.g. SHOPIFY
    emulator: Emulator
    label: str
    credentials: Mapping[str, str]
    api: Any

    @property
    def name(self) -> str:
        """Its data folder, counters and fault stream: `shopify`, or `shopify__eu` for an extra store."""
        return store_folder(self.emulator.name, self.label)

    @property
    def root(self) -> str:
        """Its URL path: `/shopify`, or `/shopify-eu` for an extra store."""
        return "/" + labelled(self.emulator.name, self.label)


@dataclass
class StoreCounters:
    requests: int = 0
    rate_limited: int = 0  # HTTP 429 responses sent (the emulator's own limits and injected ones)
    graphql_throttled: int = 0  # throttled answers sent with HTTP 200 (Shopify GraphQL THROTTLED)
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
        if self.server.sandbox.log_requests:  # WooCommerce keys may travel in the query: not into the log
            log.info("%s %s", self.address_string(), QUERY_KEYS.sub(r"\1***", format % args))

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
        self.send_header("Content-Length", str(response.stream_length if response.stream else len(body)))
        for key, value in response.headers:
            self.send_header(key, value)
        self.end_headers()
        if self.command == "HEAD":
            return
        if response.stream is not None:  # a file: chunk by chunk (a dropped connection stops halfway)
            sent, half = 0, response.stream_length // 2
            for chunk in response.stream():
                if decision.kind == "drop" and sent + len(chunk) > half:
                    self.wfile.write(chunk[: max(0, half - sent)])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.wfile.write(chunk)
                sent += len(chunk)
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
    """Every registered platform's stores on one port, served from a background thread (`start` ... `stop`).

    `extra_stores` adds stores beside each platform's default one: `[("shopify", "eu")]`
    serves `DIR/shopify__eu/` at `/shopify-eu`. `options` are the emulators' own
    settings (each `Emulator.options` lists its names and defaults, e.g.
    `shopify_plan="plus"`, `token_ttl=60`); they apply to every store of that platform.
    """

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
        fail_pages_over: int = 0,
        extra_stores: Iterable[tuple[str, str]] = (),
        faults_on_auth: bool = False,
        log_requests: bool = False,
        preload: bool = True,
        clock: Callable[[], float] = time.monotonic,
        **options: Any,
    ) -> None:
        if rate_limits not in ("real", "off", True, False):
            raise ValueError(f"rate_limits must be 'real' or 'off', got {rate_limits!r}")
        known = {name for p in PLATFORMS.values() for name in p.emulator.options}
        unknown = sorted(set(options) - known)
        if unknown:
            raise TypeError(f"SandboxServer: unknown options {unknown}; the emulators take {sorted(known)}")
        self.data_dir = Path(data_dir)
        self.host = host
        self.requested_port = port
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
        # a page asking for more records than this (limit / per_page) answers the platform's 5xx,
        # every time: a page too heavy for the server to render (0: off)
        self.fail_pages_over = fail_pages_over
        self.log_requests = log_requests
        self.preload = preload
        labels = store_labels(PLATFORMS, extra_stores)
        self.store = DataStore(
            self.data_dir,
            [store_folder(name, label) for name in PLATFORMS for label in labels[name]],
        )
        self.stores: dict[str, Store] = {}
        for platform in PLATFORMS.values():
            emulator = platform.emulator
            for label in labels[platform.name]:
                credentials = emulator.credentials(label)
                context = StoreContext(
                    data=self.store.folder(store_folder(emulator.name, label)),
                    credentials=credentials,
                    options={
                        **emulator.options,
                        **{k: v for k, v in options.items() if k in emulator.options},
                    },
                    enforce_rate_limits=rate_limits in ("real", True),
                    clock=clock,
                )
                store = Store(
                    platform.loader.env_prefix, emulator, label, credentials, emulator.build(context)
                )
                self.stores[store.name] = store
        # (prefix, store, route), longest prefix first so `/commercetools/auth` wins over a shorter one
        self._routes: list[tuple[str, Store, Route]] = sorted(
            ((s.root + r.suffix, s, r) for s in self.stores.values() for r in s.emulator.routes),
            key=lambda entry: -len(entry[0]),
        )
        self.counters = {name: StoreCounters() for name in self.stores}
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

    @property
    def prefixes(self) -> list[str]:
        """The URL prefixes served, in registry order."""
        return [s.root + r.suffix for s in self.stores.values() for r in s.emulator.routes]

    @property
    def credentials(self) -> dict[str, dict[str, str]]:
        """Each store's fixed credentials and identity, by store name (`shopify`, `shopify__eu`, ...)."""
        return {name: dict(s.credentials) for name, s in self.stores.items()}

    def env(self) -> dict[str, str]:
        """The settings that point the loaders at this sandbox, as `.env` would hold them.

        One store per platform: that platform's usual variables (`SHOPIFY_STORE_URL`, ...).
        With extra stores: `<PREFIX>_STORES=default,eu`, the default store's settings under
        the platform-wide names (which every store falls back to) and each extra store's
        under `<PREFIX>_<LABEL>_<SETTING>`.
        """
        env: dict[str, str] = {}
        for prefix, group in groupby(self.stores.values(), key=lambda s: s.env_prefix):
            stores = list(group)
            if len(stores) > 1:
                env[f"{prefix}_STORES"] = ",".join(s.label for s in stores)
            for store in stores:
                names = prefix if store.label == DEFAULT_LABEL else f"{prefix}_{store.label.upper()}"
                settings = store.emulator.settings(f"{self.url}{store.root}", store.credentials)
                env.update({f"{names}_{key}": value for key, value in settings.items()})
        return env

    def stats(self) -> dict[str, dict[str, Any]]:
        """A snapshot of the per-store counters."""
        with self._counters_lock:
            return {name: c.as_dict() for name, c in self.counters.items()}

    # -- one request -----------------------------------------------------------------------------
    def respond(
        self, method: str, path: str, query: str, headers: Any, body: bytes, host: str
    ) -> tuple[str | None, Response, Decision]:
        """Route, answer, decide the fault; count it all. Returns (store name, response, fault decision)."""
        match = next((m for m in self._routes if path == m[0] or path.startswith(m[0] + "/")), None)
        if match is None:
            if path in ("", "/"):
                return None, json_response(200, {"sandbox": "metric-pulse", **self.env()}), NO_FAULT
            served = ", ".join(self.prefixes)
            return None, json_response(404, {"errors": f"Not Found: the sandbox serves {served}"}), NO_FAULT
        prefix, store, route = match
        req = Request(
            method,
            path[len(prefix) :] or "/",
            parse_qsl(query, keep_blank_values=True),
            headers,
            body,
            base_url=f"http://{host}{prefix}",
        )
        response = route.handler(store.api, req)
        emulator = store.emulator
        decision = NO_FAULT
        if route.faults or self.faults_on_auth:
            decision = self.fault_plan.decide(store.name, can_throttle=emulator.too_many_requests is not None)
        if decision.kind is not None and not 200 <= response.status < 300:
            decision = Decision(None, decision.slow, decision.pick)
        if decision.kind == "fail" or (self.fail_pages_over and self._too_heavy(req, response, emulator)):
            response = emulator.server_error(response, decision.pick)
        elif decision.kind == "throttle" and emulator.too_many_requests is not None:
            response = emulator.too_many_requests()
        self._count(store.name, response, decision)
        return store.name, response, decision

    def _too_heavy(self, req: Request, response: Response, emulator: Emulator) -> bool:
        """A successful list request asking for more than `fail_pages_over` records per page."""
        size = emulator.page_size(req)
        return 200 <= response.status < 300 and size is not None and size > self.fail_pages_over

    def _count(self, name: str, response: Response, decision: Decision) -> None:
        with self._counters_lock:
            c = self.counters[name]
            c.requests += 1
            c.statuses[response.status] = c.statuses.get(response.status, 0) + 1
            if response.status == 429:
                c.rate_limited += 1
            elif response.rate_limited:
                c.graphql_throttled += 1
            for kind in ([decision.kind] if decision.kind else []) + (["slow"] if decision.slow else []):
                c.faults[kind] = c.faults.get(kind, 0) + 1
