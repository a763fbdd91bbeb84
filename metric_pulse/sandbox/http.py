"""What the platform emulators see and return: a parsed request, a response to send.

The emulators are plain objects (`handle(Request) -> Response`), independent of
the socket server, so the server alone decides about faults, delays and drops.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

JSON_TYPE = "application/json; charset=utf-8"


@dataclass
class Request:
    method: str
    path: str  # below the platform prefix: "/admin/api/2026-10/graphql.json"
    query: list[tuple[str, str]]  # in order, repeated keys kept
    headers: Mapping[str, str]  # case-insensitive lookup (email.message.Message)
    body: bytes = b""
    base_url: str = ""  # how the client reached this platform: "http://127.0.0.1:8080/shopify"

    def param(self, name: str) -> str | None:
        """The last value of a query parameter (PHP and Rails both let the last one win)."""
        value = None
        for key, v in self.query:
            if key == name:
                value = v
        return value

    def params(self, name: str) -> list[str]:
        return [v for key, v in self.query if key == name]

    def keys(self) -> list[str]:
        seen: dict[str, None] = {}
        for key, _ in self.query:
            seen.setdefault(key, None)
        return list(seen)

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str = JSON_TYPE
    # Set by an emulator when the response is a rate-limit refusal, for the server's counters.
    rate_limited: bool = False
    # A large body sent in chunks instead of `body` (a bulk result file): the chunks and their total size.
    stream: Callable[[], Iterator[bytes]] | None = None
    stream_length: int = 0

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def json_response(status: int, payload: Any, headers: Iterable[tuple[str, str]] = ()) -> Response:
    return Response(status, json_bytes(payload), list(headers))


def json_bytes(payload: Any) -> bytes:
    """Compact UTF-8 JSON; a lone surrogate from a bad record ("\\udc80") is sent escaped, as it came."""
    try:
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(payload, separators=(",", ":")).encode("ascii")


def raw_json(status: int, body: bytes, headers: Iterable[tuple[str, str]] = ()) -> Response:
    return Response(status, body, list(headers))


def envelope(head: Mapping[str, Any], key: str, body: bytes) -> bytes:
    """`{...head, "key": <body>}` where body is already-encoded JSON (records keep their original bytes)."""
    prefix = json.dumps(dict(head), ensure_ascii=False, separators=(",", ":"))[:-1]
    return (prefix + ("," if head else "") + json.dumps(key) + ":").encode("utf-8") + body + b"}"


def url_with(base: str, params: Iterable[tuple[str, Any]]) -> str:
    query = urlencode([(k, str(v)) for k, v in params])
    return f"{base}?{query}" if query else base


def link_header(links: Iterable[tuple[str, str]]) -> str | None:
    """`<url>; rel="next", <url>; rel="previous"` from (rel, url) pairs; None when there are none."""
    parts = [f'<{url}>; rel="{rel}"' for rel, url in links]
    return ", ".join(parts) or None
