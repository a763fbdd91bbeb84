"""Shopify Bulk Operations in the sandbox, over real HTTP: the lifecycle a poller sees, the JSONL
with `__parentId`, Shopify's restrictions on the inner query, the concurrency limit and busy
slots, a FAILED operation's partial data, expiring result URLs, resumable downloads, scopes."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from sandbox_fixtures import BASE, FakeClock, running, session, shopify_order, shopify_store, write

from metric_pulse.sandbox.server import SandboxServer

VERSION = "2026-10"
RUN = """mutation Run($query: String!) {
  bulkOperationRunQuery(query: $query) { bulkOperation { id status } userErrors { code field message } }
}"""
POLL = """query Poll($id: ID!) {
  bulkOperation(id: $id) { id status errorCode createdAt completedAt objectCount rootObjectCount fileSize url
                           partialDataUrl }
}"""
ORDERS = """{ orders(query: "status:any") { edges { node { id name
              lineItems { edges { node { id sku quantity } } } } } } }"""


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("shopify-bulk")
    shopify_store(root, large_order=True)
    return root


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


class Client:
    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.http = session()
        self.http.headers["X-Shopify-Access-Token"] = server.credentials["shopify"]["access_token"]
        self.url = f"{server.env()['SHOPIFY_STORE_URL']}/admin/api/{VERSION}/graphql.json"

    def ask(self, document: str, **variables: Any) -> dict:
        r = self.http.post(self.url, json={"query": document, "variables": variables}, timeout=30)
        assert r.status_code == 200, r.text
        body = r.json()
        assert "errors" not in body, body
        return body["data"]

    def run(self, query: str) -> dict:
        return self.ask(RUN, query=query)["bulkOperationRunQuery"]

    def poll(self, op: str) -> dict:
        return self.ask(POLL, id=op)["bulkOperation"]

    def finish(self, op: str, clock: FakeClock, seconds: float = 1.0) -> dict:
        """Let the sandbox clock pass the operation's time, then wait for its file to be written."""
        clock.advance(seconds)
        for _ in range(200):
            state = self.poll(op)
            if state["status"] not in ("CREATED", "RUNNING"):
                return state
            time.sleep(0.05)
        raise AssertionError(f"{op} still {state['status']}")


@pytest.fixture
def bulk(data_dir: Path, clock: FakeClock) -> Iterator[Client]:
    with running(data_dir, rate_limits="off", clock=clock) as server:
        yield Client(server)


def lines_of(response: requests.Response) -> list[dict]:
    assert response.status_code in (200, 206), response.text
    return [json.loads(line) for line in response.text.splitlines()]


def test_lifecycle_and_jsonl_with_parents(bulk: Client, clock: FakeClock) -> None:
    started = bulk.run(ORDERS)
    assert started["userErrors"] == [] and started["bulkOperation"]["status"] == "CREATED"
    op = started["bulkOperation"]["id"]
    clock.advance(0.5)  # past the first quarter: RUNNING, whatever the writer has done
    running_state = bulk.poll(op)
    assert running_state["status"] == "RUNNING" and running_state["url"] is None
    assert bulk.ask("{ currentBulkOperation { id status } }")["currentBulkOperation"] == {
        "id": op,
        "status": "RUNNING",
    }
    done = bulk.finish(op, clock)
    assert done["status"] == "COMPLETED" and done["errorCode"] is None and done["completedAt"].endswith("Z")
    lines = lines_of(requests.get(done["url"], timeout=10))
    assert done["objectCount"] == str(len(lines)) and int(done["fileSize"]) == len(
        requests.get(done["url"], timeout=10).content
    )
    orders = [line for line in lines if "__parentId" not in line]
    assert done["rootObjectCount"] == str(len(orders)) == "121"
    seen: set[str] = set()
    for line in lines:  # a child comes after its parent
        if "__parentId" in line:
            assert line["__parentId"] in seen and line["id"].startswith("gid://shopify/LineItem/")
        else:
            assert set(line) == {"id", "name"}  # the connection left the parent's line
        seen.add(line["id"])
    children = [line for line in lines if line.get("__parentId") == "gid://shopify/Order/122"]
    assert len(children) == 300  # no page size in a bulk operation


@pytest.mark.parametrize(
    "query, message",
    [
        (
            "{ orders { edges { node { idd } } } }",
            "Invalid bulk query: Field 'idd' doesn't exist on type 'Order'",
        ),
        ('{ node(id: "gid://shopify/Order/1") { id } }', "top-level `node` and `nodes`"),
        ("{ shop { name } }", "at least one connection"),
        (
            "{ orders { nodes { id refunds { refundLineItems { nodes { id } } } } } }",
            "connection field within a list field",
        ),
        (
            "{ customers { nodes { id lastOrder { lineItems { nodes { id variant { product { variants "
            "{ nodes { id } } } } } } } } } }",
            "nesting depth greater than 2",
        ),
        (
            "{ orders { nodes { name lineItems { nodes { sku } } } } }",
            "must select the 'id' field without an alias and must be of 'ID' return type. "
            "Connection fields without 'id': lineItems.",
        ),
        (
            "{ orders { nodes { id a: lineItems { nodes { id } } b: shippingLines { nodes { id } } "
            "c: discountApplications { nodes { index } } customer { addressesV2 { nodes { id } } } "
            "e: lineItems { nodes { sku } } } } }",
            "more than 5 connections",
        ),
    ],
)
def test_restrictions_answer_user_errors(bulk: Client, query: str, message: str) -> None:
    payload = bulk.run(query)
    assert payload["bulkOperation"] is None
    (error,) = payload["userErrors"]
    assert error["code"] == "INVALID" and error["field"] == ["query"] and message in error["message"]


def test_concurrency_limit_and_busy_slots(data_dir: Path, clock: FakeClock) -> None:
    with running(data_dir, rate_limits="off", clock=clock, shopify_bulk_limit=1) as server:
        bulk = Client(server)
        first = bulk.run(ORDERS)["bulkOperation"]["id"]
        refused = bulk.run(ORDERS)
        assert refused["bulkOperation"] is None
        assert refused["userErrors"] == [
            {
                "code": "OPERATION_IN_PROGRESS",
                "field": None,
                "message": f"A bulk query operation for this app and shop is already in progress: {first}.",
            }
        ]
        bulk.finish(first, clock)
        assert bulk.run(ORDERS)["userErrors"] == []
    with running(
        data_dir, rate_limits="off", clock=clock, shopify_bulk_busy=5, shopify_bulk_busy_seconds=60
    ) as server:
        bulk = Client(server)
        assert bulk.ask("{ currentBulkOperation { status } }")["currentBulkOperation"]["status"] == "RUNNING"
        (error,) = bulk.run(ORDERS)["userErrors"]
        assert error["code"] == "LIMIT_REACHED" and "(5)" in error["message"]
        clock.advance(61)  # the other run's operations end
        assert bulk.run(ORDERS)["userErrors"] == []


def test_failed_operation_serves_partial_data(data_dir: Path, clock: FakeClock) -> None:
    with running(data_dir, rate_limits="off", clock=clock, shopify_bulk_fail=True) as server:
        bulk = Client(server)
        done = bulk.finish(bulk.run(ORDERS)["bulkOperation"]["id"], clock)
        assert done["status"] == "FAILED" and done["errorCode"] == "INTERNAL_SERVER_ERROR"
        assert done["url"] is None and done["partialDataUrl"]
        partial = lines_of(requests.get(done["partialDataUrl"], timeout=10))
        assert 0 < len(partial) == int(done["objectCount"])
        assert "__parentId" not in partial[0] and partial[0]["id"].startswith("gid://shopify/Order/")


def test_result_urls_expire_are_signed_and_resume(data_dir: Path, clock: FakeClock) -> None:
    with running(data_dir, rate_limits="off", clock=clock, shopify_bulk_url_ttl=60.0) as server:
        bulk = Client(server)
        done = bulk.finish(bulk.run(ORDERS)["bulkOperation"]["id"], clock)
        whole = requests.get(done["url"], timeout=10).content
        tail = requests.get(done["url"], headers={"Range": "bytes=1000-"}, timeout=10)
        assert tail.status_code == 206 and tail.content == whole[1000:]
        assert tail.headers["Content-Range"] == f"bytes 1000-{len(whole) - 1}/{len(whole)}"
        forged = requests.get(done["url"].replace("signature=", "signature=0"), timeout=10)
        assert forged.status_code == 403 and b"<Code>SignatureDoesNotMatch</Code>" in forged.content
        clock.advance(61)
        expired = requests.get(done["url"], timeout=10)
        assert expired.status_code == 403 and b"<Code>ExpiredToken</Code>" in expired.content
        assert expired.headers["Content-Type"].startswith("application/xml")
        fresh = bulk.poll(done["id"])  # every answer signs a fresh URL
        assert requests.get(fresh["url"], timeout=10).content == whole
        clock.advance(7 * 86400)  # the results are kept seven days
        gone = bulk.poll(done["id"])
        assert gone["status"] == "EXPIRED" and gone["url"] is None
        assert requests.get(fresh["url"], timeout=10).status_code == 403


def test_scopes_and_the_order_window_apply_inside_bulk(data_dir: Path, clock: FakeClock) -> None:
    with running(data_dir, rate_limits="off", clock=clock, shopify_scopes="read_orders") as server:
        bulk = Client(server)
        denied = bulk.finish(bulk.run("{ customers { nodes { id } } }")["bulkOperation"]["id"], clock)
        assert (
            denied["status"] == "FAILED" and denied["errorCode"] == "ACCESS_DENIED" and denied["url"] is None
        )
        # without read_all_orders, the fixture's orders (2024) are older than 60 days: none
        empty = bulk.finish(bulk.run(ORDERS)["bulkOperation"]["id"], clock)
        assert empty["status"] == "COMPLETED" and empty["objectCount"] == "0"


def test_cancel(bulk: Client, clock: FakeClock) -> None:
    op = bulk.run(ORDERS)["bulkOperation"]["id"]
    canceled = bulk.ask(
        "mutation($id: ID!) { bulkOperationCancel(id: $id) { bulkOperation { status } userErrors { message } } }",
        id=op,
    )["bulkOperationCancel"]
    assert canceled == {"bulkOperation": {"status": "CANCELED"}, "userErrors": []}
    clock.advance(5)
    assert bulk.poll(op)["status"] == "CANCELED"


def test_bulk_operations_list_finds_the_running_ones(data_dir: Path, clock: FakeClock) -> None:
    """After a kill, a client finds its operations still running (`bulkOperations`, newest first)."""
    with running(
        data_dir, rate_limits="off", clock=clock, shopify_bulk_busy=2, shopify_bulk_busy_seconds=60
    ) as server:
        bulk = Client(server)
        mine = bulk.run(ORDERS)["bulkOperation"]["id"]
        listed = bulk.ask(
            """{ bulkOperations(first: 10, query: "status:running") { nodes { id status type } } }"""
        )["bulkOperations"]["nodes"]
        busy = ["gid://shopify/BulkOperation/2", "gid://shopify/BulkOperation/1"]  # an earlier run's
        assert [n["id"] for n in listed] == busy  # the new one is still CREATED
        clock.advance(0.5)
        listed = bulk.ask(
            '{ bulkOperations(first: 2, query: "status:running") { nodes { id } pageInfo { hasNextPage } } }'
        )
        page = listed["bulkOperations"]
        assert [n["id"] for n in page["nodes"]] == [mine, "gid://shopify/BulkOperation/2"] and page[
            "pageInfo"
        ]["hasNextPage"]
        bulk.finish(mine, clock)
        clock.advance(60)
        assert bulk.ask('{ bulkOperations(first: 5, query: "status:running") { nodes { id } } }')[
            "bulkOperations"
        ] == {"nodes": []}


def test_a_record_the_schema_cannot_answer_fails_the_operation_with_partial_data(
    tmp_path: Path, clock: FakeClock
) -> None:
    """Bad data in the files (a line item's quantity "many") breaks the job where it sits: the
    operation FAILS with INTERNAL_SERVER_ERROR and the lines written before it stay readable."""
    bad = shopify_order(300, created=BASE + timedelta(hours=1))  # the last one by processedAt
    bad["lineItems"]["nodes"][0]["quantity"] = "many"
    write(tmp_path, "shopify", "orders", [shopify_order(i) for i in range(1, 260)] + [bad])
    with running(tmp_path, rate_limits="off", clock=clock) as server:
        bulk = Client(server)
        done = bulk.finish(bulk.run(ORDERS)["bulkOperation"]["id"], clock)
        assert done["status"] == "FAILED" and done["errorCode"] == "INTERNAL_SERVER_ERROR"
        partial = lines_of(requests.get(done["partialDataUrl"], timeout=10))
        roots = [line for line in partial if "__parentId" not in line]
        assert len(roots) == 200 == int(done["rootObjectCount"])  # the first batch, whole
        assert len(partial) == int(done["objectCount"])


def test_children_are_grouped_under_their_parent_only_when_asked(bulk: Client, clock: FakeClock) -> None:
    """groupObjects false (the default since 2026-01): every child after its parent, not next to it."""
    plain = bulk.finish(bulk.run(ORDERS)["bulkOperation"]["id"], clock)
    lines = lines_of(requests.get(plain["url"], timeout=10))
    assert all("__parentId" not in line for line in lines[:121])  # the orders first (one batch)
    grouped_op = bulk.ask(
        "mutation($q: String!) { bulkOperationRunQuery(query: $q, groupObjects: true) { bulkOperation { id } } }",
        q=ORDERS,
    )["bulkOperationRunQuery"]["bulkOperation"]["id"]
    grouped = lines_of(requests.get(bulk.finish(grouped_op, clock)["url"], timeout=10))
    assert sorted(map(json.dumps, grouped)) == sorted(map(json.dumps, lines))  # the same lines
    parent = None
    for line in grouped:  # each child right after its parent or a sibling
        if "__parentId" in line:
            assert line["__parentId"] == parent
        else:
            parent = line["id"]
