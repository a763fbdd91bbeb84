"""The parts of the Bulk Operations path that need no store: JSONL reassembly, the bulk document,
the operation log, the settings, and the download over a real loopback socket.

The store-level behaviour (lifecycle, fallbacks, kill and resume, same rows as the paginated
path) is in tests/test_shopify_bulk.py against the sandbox.
"""

from __future__ import annotations

import json
import re
import stat
import threading
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from loaders.errors import ConfigError
from loaders.http_client import ApiClient, DownloadRefused
from loaders.pacing import RequestStats
from loaders.settings import LoadOptions, RateLimit
from loaders.shopify import queries
from loaders.shopify.bulk_jsonl import NO_ID, BulkFileError, reassemble, split_lines
from loaders.shopify.bulk_query import bulk_document, followed_lists, routes
from loaders.shopify.bulk_settings import BulkSettings, bulk_settings_from_env
from loaders.shopify.queries import render

# shopify.dev "Perform bulk operations with the GraphQL Admin API", the JSONL of its products/variants example
DOCS_JSONL = b"""{"id":"gid://shopify/Product/1921569226808"}
{"id":"gid://shopify/ProductVariant/19435458986040","title":"70","__parentId":"gid://shopify/Product/1921569226808"}
{"id":"gid://shopify/Product/1921569259576"}
{"id":"gid://shopify/ProductVariant/19435459018808","title":"34","__parentId":"gid://shopify/Product/1921569259576"}
{"id":"gid://shopify/Product/1921569292344"}
{"id":"gid://shopify/Product/1921569325112"}
{"id":"gid://shopify/ProductVariant/19435459084344","title":"36","__parentId":"gid://shopify/Product/1921569325112"}
{"id":"gid://shopify/Product/1921569357880"}
{"id":"gid://shopify/ProductVariant/19435459117112","title":"47","__parentId":"gid://shopify/Product/1921569357880"}
{"id":"gid://shopify/ProductVariant/19435458986123","title":"52","__parentId":"gid://shopify/Product/1921569226808"}
"""
PRODUCT_ROUTES = {"Product": {"ProductVariant": "variants"}}
ORDER_ROUTES = {"Order": {"LineItem": "lineItems", NO_ID: "discountApplications"}}


def lines(data: bytes) -> Iterator[bytes]:
    return split_lines([data], 1 << 20)


def test_children_join_their_parent_wherever_they_come_in_the_file(tmp_path: Path) -> None:
    products = list(reassemble(lines(DOCS_JSONL), PRODUCT_ROUTES, tmp_path))
    assert [p["id"].rsplit("/", 1)[1] for p in products] == [
        "1921569226808",
        "1921569259576",
        "1921569292344",
        "1921569325112",
        "1921569357880",
    ]
    # the last line belongs to the first product: it joins it, after the variant that came first
    assert [v["title"] for v in products[0]["variants"]["nodes"]] == ["70", "52"]
    assert products[2]["variants"] == {"nodes": []}  # no children: an empty connection, as a page has
    assert all("__parentId" not in v for p in products for v in p["variants"]["nodes"])
    assert list(tmp_path.iterdir()) == []  # the spill is gone


def test_nodes_without_id_go_to_the_connection_of_id_less_nodes() -> None:
    data = b"\n".join(
        json.dumps(line).encode()
        for line in [
            {"id": "gid://shopify/Order/1", "updatedAt": "2026-11-01T00:00:00Z"},
            {"id": "gid://shopify/LineItem/10", "quantity": 2, "__parentId": "gid://shopify/Order/1"},
            {"__typename": "DiscountCodeApplication", "code": "X", "__parentId": "gid://shopify/Order/1"},
            {"__typename": "ManualDiscountApplication", "title": "M", "__parentId": "gid://shopify/Order/1"},
        ]
    )
    (order,) = reassemble(lines(data), ORDER_ROUTES)
    assert order["lineItems"] == {"nodes": [{"id": "gid://shopify/LineItem/10", "quantity": 2}]}
    assert [d["__typename"] for d in order["discountApplications"]["nodes"]] == [
        "DiscountCodeApplication",
        "ManualDiscountApplication",
    ]


def test_a_root_repeated_in_the_file_gets_its_children_in_each_copy() -> None:
    data = (
        b'{"id":"gid://shopify/Order/1","v":1}\n{"id":"gid://shopify/Order/1","v":2}\n'
        b'{"id":"gid://shopify/LineItem/9","__parentId":"gid://shopify/Order/1"}\n'
    )
    copies = list(reassemble(lines(data), ORDER_ROUTES))
    assert [(o["v"], len(o["lineItems"]["nodes"])) for o in copies] == [(1, 1), (2, 1)]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (b'{"id":"gid://shopify/LineItem/9","__parentId":"gid://shopify/Order/404"}', "belong to no object"),
        (b'{"id":"gid://shopify/Fulfillment/9","__parentId":"gid://shopify/Order/1"}', "does not ask for"),
        (b'{"id":"gid://shopify/Order/2",', "line 2 of the result file is not JSON"),
        (b"[1, 2]", "is a list, not an object"),
    ],
)
def test_a_line_that_does_not_fit_the_query_is_an_error_not_a_silent_drop(line: bytes, message: str) -> None:
    data = b'{"id":"gid://shopify/Order/1"}\n' + line + b"\n"
    with pytest.raises(BulkFileError, match=message):
        list(reassemble(lines(data), ORDER_ROUTES))


def test_lines_are_split_across_chunks_and_a_line_without_end_is_capped() -> None:
    chunks = [b'{"a":', b"1}\n\n", b'{"b":2}\n{"c"', b":3}"]
    assert list(split_lines(chunks, 100)) == [b'{"a":1}', b'{"b":2}', b'{"c":3}']
    with pytest.raises(BulkFileError, match="longer than 10 bytes"):
        list(split_lines([b"x" * 8, b"y" * 8], 10))


def _big_file(orders: int) -> Iterator[bytes]:
    """A result file of `orders` orders with 3 line items each, the last item of each at the very end."""
    for n in range(orders):
        yield json.dumps({"id": f"gid://shopify/Order/{n}", "note": "n" * 200}).encode()
        for item in range(2):
            yield json.dumps(
                {"id": f"gid://shopify/LineItem/{n * 3 + item}", "__parentId": f"gid://shopify/Order/{n}"}
            ).encode()
    for n in range(orders):
        yield json.dumps(
            {"id": f"gid://shopify/LineItem/{n * 3 + 2}", "__parentId": f"gid://shopify/Order/{n}"}
        ).encode()


def _peak_bytes(orders: int, directory: Path) -> tuple[int, int]:
    """(objects read, the peak of Python memory while reading them one by one)."""
    tracemalloc.start()
    try:
        count = 0
        for order in reassemble(_big_file(orders), ORDER_ROUTES, directory):
            assert len(order["lineItems"]["nodes"]) == 3
            count += 1
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_bounded_whatever_the_file_size(tmp_path: Path) -> None:
    """Ten times the orders (children far from their parent) must not take ten times the memory."""
    small_count, small_peak = _peak_bytes(2_000, tmp_path)
    big_count, big_peak = _peak_bytes(20_000, tmp_path)
    assert (small_count, big_count) == (2_000, 20_000)
    # holding every order until the end would take > 20_000 * 250 bytes = 5 MB more than the small run
    assert big_peak < small_peak + 1_000_000, (small_peak, big_peak)


def test_the_bulk_document_asks_what_the_paginated_query_asks_without_paging_or_lists_connections() -> None:
    since = datetime(2026, 11, 1, 10, 20, 30, 123456, tzinfo=UTC)
    document = bulk_document("orders", queries.ORDER, queries.updated_since(since))
    assert document.startswith(
        """{ orders(query: "updated_at:>='2026-11-01T10:20:30Z'") { edges { node { id legacyResourceId"""
    )
    assert f"lineItems {{ edges {{ node {{ {queries.LINE_ITEM.fields} }} }} }}" in document
    assert "first" not in document and "pageInfo" not in document
    assert f"refunds {{ {queries.REFUND.fields} }}" in document  # the refund's own connections are left out
    assert [name for name, _ in followed_lists(queries.ORDER)] == ["refunds"]
    assert followed_lists(queries.PRODUCT) == ()
    assert bulk_document("products", queries.PRODUCT, None).startswith("{ products { edges { node { id ")
    # every field a paginated node reads is read by the bulk node (same rows from both paths)
    paginated = re.sub(
        r"\(first: \d+\)|pageInfo \{ hasNextPage endCursor \}|nodes|edges|node", " ", render(queries.ORDER)
    )
    bulk = re.sub(r"edges|node", " ", document)
    words = lambda text: set(re.findall(r"\w+", text))  # noqa: E731
    missing = words(paginated) - words(bulk)
    refund_lists = {c.field for c in queries.REFUND.connections}
    assert (
        refund_lists
        <= missing
        <= words(" ".join(render(c.node) for c in queries.REFUND.connections)) | refund_lists
    )


def test_children_are_routed_by_the_type_in_their_gid_and_id_less_nodes_have_one_home() -> None:
    assert routes(queries.ORDER) == {
        "Order": {"LineItem": "lineItems", "ShippingLine": "shippingLines", NO_ID: "discountApplications"}
    }
    assert routes(queries.PRODUCT) == {"Product": {"ProductVariant": "variants"}}
    assert routes(queries.CUSTOMER) == {"Customer": {"MailingAddress": "addressesV2"}}


def test_settings_default_off_and_bad_values() -> None:
    assert bulk_settings_from_env({}) == BulkSettings()
    assert BulkSettings().after == timedelta(days=7)
    assert bulk_settings_from_env({"SHOPIFY_BULK_AFTER_DAYS": "off"}).after is None
    assert bulk_settings_from_env({"SHOPIFY_BULK_AFTER_DAYS": "0.5"}).after == timedelta(hours=12)
    with pytest.raises(ConfigError, match="SHOPIFY_BULK_WAIT_MINUTES must be a number"):
        bulk_settings_from_env({"SHOPIFY_BULK_WAIT_MINUTES": "soon"})
    with pytest.raises(ConfigError, match="SHOPIFY_BULK_AFTER_DAYS must not be negative"):
        bulk_settings_from_env({"SHOPIFY_BULK_AFTER_DAYS": "-1"})


# --- the download, over a real socket ----------------------------------------------------------------

TOKEN = "shpat_bulk_test_token_0123456789"
BODY = b"".join(
    json.dumps({"id": f"gid://shopify/Order/{n}", "pad": "p" * 100}).encode() + b"\n" for n in range(2000)
)


class FileServer:
    """Serves BODY; the first `drops` answers stop after `cut` bytes; `refuse` answers 403 instead."""

    def __init__(self, drops: int = 0, cut: int = 0, refuse: bool = False) -> None:
        self.drops, self.cut, self.refuse = drops, cut, refuse
        self.headers: list[dict[str, str]] = []


@pytest.fixture
def file_server() -> Iterator[tuple[str, FileServer]]:
    script = FileServer()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            script.headers.append(dict(self.headers))
            if script.refuse:
                body = b"<Error><Code>ExpiredToken</Code><Message>Request has expired</Message></Error>"
                self.send_response(403)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            if script.drops:
                script.drops -= 1
                self.wfile.write(BODY[: script.cut])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(BODY)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/bulk/1.jsonl?expires=9&signature=abc", script
    httpd.shutdown()
    httpd.server_close()


def _client(stats: RequestStats) -> ApiClient:
    return ApiClient(
        "shopify",
        RateLimit(50.0, 50.0),
        LoadOptions(request_timeout=2.0, max_retries=3),
        stats,
        headers={"X-Shopify-Access-Token": TOKEN},
        secrets=[TOKEN],
        backoff_base=0.01,
    )


def test_download_streams_without_the_token_and_resumes_a_dropped_connection(
    file_server: tuple[str, FileServer],
) -> None:
    url, script = file_server
    script.drops, script.cut = 2, 70_001  # cut in the middle of a line, twice
    stats = RequestStats()
    chunks = list(_client(stats).download(url))
    assert b"".join(chunks) == BODY
    assert len(chunks) > 3  # chunk by chunk, not one body
    assert all("X-Shopify-Access-Token" not in h and TOKEN not in json.dumps(h) for h in script.headers)
    counts = stats.snapshot()
    assert (counts["requests"], counts["retries"]) == (3, 2)


def test_an_expired_url_is_refused_at_once_without_the_signature_in_the_message(
    file_server: tuple[str, FileServer],
) -> None:
    url, script = file_server
    script.refuse = True
    with pytest.raises(DownloadRefused, match="HTTP 403") as caught:
        list(_client(RequestStats()).download(url))
    assert caught.value.status == 403
    assert "signature" not in str(caught.value) and "abc" not in str(caught.value)
    assert len(script.headers) == 1


# --- the operation log ---------------------------------------------------------------------------------


def test_operation_log_survives_a_new_process_and_knows_its_document(tmp_path: Path) -> None:
    from loaders.shopify.bulk_state import OperationLog

    OperationLog(tmp_path).put(
        "orders", "{ orders { edges { node { id } } } }", "gid://shopify/BulkOperation/7"
    )
    fresh = OperationLog(tmp_path)
    assert fresh.get("orders", "{ orders { edges { node { id } } } }") == "gid://shopify/BulkOperation/7"
    assert fresh.get("orders", '{ orders(query: "x") { edges { node { id } } } }') is None
    assert fresh.get("products", "{ orders { edges { node { id } } } }") is None
    assert stat.S_IMODE(fresh.path.stat().st_mode) == 0o600
    fresh.drop("orders")
    assert OperationLog(tmp_path).get("orders", "{ orders { edges { node { id } } } }") is None
