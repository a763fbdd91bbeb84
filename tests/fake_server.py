"""A tiny HTTP server on loopback whose every answer a test writes: for behaviour no sandbox shows.

`answer(handler)` writes the whole response (`send` helps); `paths` lists the requests
seen, `bodies` their bodies (a GraphQL query, a token form).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeServer:
    """What the server does to every request: `answer(handler)` writes the whole response."""

    def __init__(self) -> None:
        self.answer: Callable[[BaseHTTPRequestHandler], None] = lambda h: None
        self.paths: list[str] = []
        self.bodies: list[bytes] = []


def send(handler: BaseHTTPRequestHandler, status: int, body: object, headers: dict[str, str] | None = None):
    """Answer `body` as JSON with `status` and `headers`."""
    data = json.dumps(body).encode()
    handler.send_response(status)
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


@contextmanager
def fake_server() -> Iterator[tuple[str, FakeServer]]:
    """(base URL, behaviour) of a server running until the block ends."""
    behaviour = FakeServer()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            behaviour.paths.append(self.path)
            behaviour.bodies.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            behaviour.answer(self)

        do_POST = do_GET  # GraphQL posts its query, a token request its form

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", behaviour
    finally:
        httpd.shutdown()
        httpd.server_close()
