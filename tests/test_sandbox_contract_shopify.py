"""Shopify contract over real HTTP: REST (auth, envelope, limit, status, filters, page_info, leaky bucket)
and GraphQL (orders connection, search query, sortKey, cursors, cost, THROTTLED)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sandbox_fixtures import (
    BASE,
    FakeClock,
    running,
    session,
    shopify_order,
    shopify_status,
    shopify_store,
    shopify_updated,
)

from metric_pulse.sandbox.server import SandboxServer

VERSION = "2024-10"
INVALID_TOKEN = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
ALL_IDS = list(range(1, 121))
OPEN_IDS = [i for i in ALL_IDS if shopify_status(i) == "open"]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("shopify")
    shopify_store(root)
    return root


@pytest.fixture(scope="module")
def server(data_dir: Path) -> Iterator[SandboxServer]:
    with running(data_dir, rate_limits="off") as s:
        yield s


@pytest.fixture(scope="module")
def http(server: SandboxServer) -> requests.Session:
    s = session()
    s.headers["X-Shopify-Access-Token"] = server.credentials["shopify"]["access_token"]
    return s


def rest(server: SandboxServer, resource: str = "orders") -> str:
    return f"{server.env()['SHOPIFY_STORE_URL']}/admin/api/{VERSION}/{resource}.json"


def ids(response: requests.Response, key: str = "orders") -> list[int]:
    assert response.status_code == 200, response.text
    return [o["id"] for o in response.json()[key]]


def walk(http: requests.Session, url: str, params: dict) -> tuple[list[int], list[requests.Response]]:
    """Follow rel=next to the end; every later request carries only limit + page_info from the Link."""
    pages = [http.get(url, params=params)]
    while "next" in pages[-1].links:
        next_url = pages[-1].links["next"]["url"]
        assert set(parse_qs(urlsplit(next_url).query)) <= {"limit", "page_info", "fields"}
        pages.append(http.get(next_url))
    found = [i for page in pages for i in ids(page)]
    return found, pages


# -- REST ------------------------------------------------------------------------------------


def test_token_is_required_and_a_wrong_one_gets_the_401_body(server: SandboxServer) -> None:
    for headers in ({}, {"X-Shopify-Access-Token": "shpat_wrong"}):
        r = requests.get(rest(server), headers=headers)
        assert r.status_code == 401
        assert r.json() == INVALID_TOKEN


def test_envelopes_default_limit_and_status_open_by_default(
    server: SandboxServer, http: requests.Session
) -> None:
    r = http.get(rest(server))
    assert ids(r) == OPEN_IDS[:50]  # default limit 50, only open orders, by id
    assert r.headers["Content-Type"].startswith("application/json")
    assert "X-Shopify-Shop-Api-Call-Limit" in r.headers
    assert ids(http.get(rest(server, "customers")), "customers") == list(range(500, 507))
    assert ids(http.get(rest(server, "products")), "products") == [901, 902, 903, 904]


@pytest.mark.parametrize(
    "status, expected",
    [
        ("open", OPEN_IDS),
        ("closed", [i for i in ALL_IDS if shopify_status(i) in ("closed", "cancelled")]),
        ("cancelled", [i for i in ALL_IDS if shopify_status(i) == "cancelled"]),
        ("any", ALL_IDS),
    ],
)
def test_status_filter(
    server: SandboxServer, http: requests.Session, status: str, expected: list[int]
) -> None:
    assert ids(http.get(rest(server), params={"status": status, "limit": 250})) == expected


def test_limit_bounds(server: SandboxServer, http: requests.Session) -> None:
    assert len(ids(http.get(rest(server), params={"status": "any", "limit": 250}))) == 120
    for bad in (251, 0, "ten"):
        r = http.get(rest(server), params={"limit": bad})
        assert r.status_code == 400
        assert "limit" in r.json()["errors"]


def test_page_info_links_walk_forward_and_back(server: SandboxServer, http: requests.Session) -> None:
    found, pages = walk(http, rest(server), {"status": "any", "limit": 50})
    assert found == ALL_IDS
    assert [len(p.json()["orders"]) for p in pages] == [50, 50, 20]
    assert set(pages[0].links) == {"next"}
    assert set(pages[1].links) == {"previous", "next"}
    assert set(pages[2].links) == {"previous"}
    link = pages[1].headers["Link"]
    assert link.startswith(f"<{rest(server)}?limit=50&page_info=") and 'rel="previous", <' in link
    back = http.get(pages[2].links["previous"]["url"])
    assert ids(back) == ids(pages[1])
    again = http.get(back.links["previous"]["url"])
    assert ids(again) == ids(pages[0]) and set(again.links) == {"next"}


def test_no_link_header_on_a_single_page(server: SandboxServer, http: requests.Session) -> None:
    r = http.get(rest(server), params={"status": "any", "limit": 250})
    assert "Link" not in r.headers


@pytest.mark.parametrize("extra", ["updated_at_min", "status"])
def test_filters_next_to_page_info_are_a_400(
    server: SandboxServer, http: requests.Session, extra: str
) -> None:
    first = http.get(rest(server), params={"status": "any", "limit": 10})
    page_info = parse_qs(urlsplit(first.links["next"]["url"]).query)["page_info"][0]
    r = http.get(rest(server), params={"limit": 10, "page_info": page_info, extra: "any"})
    assert r.status_code == 400
    assert r.json() == {
        "errors": {
            extra: f"{extra} cannot be passed when page_info is present. "
            "See https://shopify.dev/api/usage/pagination-rest"
        }
    }
    # limit and fields are allowed, and the limit may change between pages
    ok = http.get(rest(server), params={"limit": 5, "page_info": page_info, "fields": "id,updated_at"})
    assert ids(ok) == ALL_IDS[10:15]
    assert set(ok.json()["orders"][0]) == {"id", "updated_at"}


def test_invalid_page_info(server: SandboxServer, http: requests.Session) -> None:
    r = http.get(rest(server), params={"page_info": "not-a-cursor"})
    assert r.status_code == 400 and "page_info" in r.json()["errors"]


def test_order_updated_at_asc_with_filters_carried_in_the_cursor(
    server: SandboxServer, http: requests.Session
) -> None:
    since = BASE + timedelta(minutes=60)
    params = {
        "status": "any",
        "limit": 7,
        "order": "updated_at asc",
        "updated_at_min": since.isoformat(),
    }  # UTC offset; records carry -05:00
    found, pages = walk(http, rest(server), params)
    expected = sorted(
        (i for i in ALL_IDS if shopify_updated(i) >= since), key=lambda i: (shopify_updated(i), i)
    )
    assert found == expected
    assert len(pages) > 3
    # a tie on updated_at is broken by id
    assert found.index(11) + 1 == found.index(12)


def test_date_ranges_are_inclusive_and_offset_aware(server: SandboxServer, http: requests.Session) -> None:
    at = shopify_updated(5)
    local = at.astimezone(timezone(timedelta(hours=9))).isoformat()
    r = http.get(rest(server), params={"status": "any", "updated_at_min": local, "updated_at_max": local})
    assert ids(r) == [i for i in ALL_IDS if shopify_updated(i) == at]
    created_min = (BASE - timedelta(hours=3)).isoformat()
    assert ids(http.get(rest(server), params={"status": "any", "created_at_min": created_min})) == [1, 2, 3]
    r = http.get(rest(server), params={"status": "any", "created_at_max": created_min, "limit": 250})
    assert ids(r) == list(range(3, 121))
    bad = http.get(rest(server), params={"updated_at_min": "yesterday"})
    assert bad.status_code == 400 and "updated_at_min" in bad.json()["errors"]


def test_since_id_ids_and_fields(server: SandboxServer, http: requests.Session) -> None:
    assert ids(http.get(rest(server), params={"status": "any", "since_id": 115})) == [116, 117, 118, 119, 120]
    assert ids(http.get(rest(server), params={"status": "any", "ids": "9,3,77"})) == [3, 9, 77]
    r = http.get(rest(server), params={"status": "any", "ids": "3", "fields": "id,name,total_price"})
    assert r.json() == {"orders": [{"id": 3, "name": "#1003", "total_price": "9.50"}]}


def test_count_single_and_unknown_paths(server: SandboxServer, http: requests.Session) -> None:
    assert http.get(rest(server, "orders/count")).json() == {"count": len(OPEN_IDS)}
    assert http.get(rest(server, "orders/count"), params={"status": "any"}).json() == {"count": 120}
    assert http.get(rest(server, "orders/3")).json()["order"]["id"] == 3
    for path in ("orders/999", "widgets"):
        r = http.get(rest(server, path))
        assert r.status_code == 404 and r.json() == {"errors": "Not Found"}


def test_leaky_bucket_40_leaking_2_per_second(data_dir: Path) -> None:
    clock = FakeClock()
    with running(data_dir, clock=clock) as server:
        http = session()
        http.headers["X-Shopify-Access-Token"] = server.credentials["shopify"]["access_token"]
        url = rest(server, "customers")
        used = [http.get(url).headers["X-Shopify-Shop-Api-Call-Limit"] for _ in range(40)]
        assert used[0] == "1/40" and used[-1] == "40/40"
        r = http.get(url)
        assert r.status_code == 429
        assert r.headers["Retry-After"] == "2.0"
        assert r.headers["X-Shopify-Shop-Api-Call-Limit"] == "40/40"
        assert r.json() == {
            "errors": "Exceeded 2 calls per second for api client. "
            "Reduce request rates to resume uninterrupted service."
        }
        clock.advance(1.0)  # two requests leak out
        assert [http.get(url).status_code for _ in range(3)] == [200, 200, 429]
        clock.advance(10.0)
        assert http.get(url).headers["X-Shopify-Shop-Api-Call-Limit"] == "21/40"
        assert server.stats()["shopify"]["rate_limited"] == 2
        assert server.stats()["shopify"]["requests"] == 45


def test_rate_limits_off_never_refuse_but_report(data_dir: Path) -> None:
    with running(data_dir, rate_limits="off", clock=FakeClock()) as server:
        http = session()
        http.headers["X-Shopify-Access-Token"] = server.credentials["shopify"]["access_token"]
        responses = [http.get(rest(server, "customers")) for _ in range(45)]
        assert {r.status_code for r in responses} == {200}
        # the header is still sent, for a bucket that drains at once (a full one would slow clients down)
        assert {r.headers["X-Shopify-Shop-Api-Call-Limit"] for r in responses} == {"1/40"}


def test_without_read_all_orders_only_60_days_of_orders(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    orders = [
        shopify_order(1, created=now - timedelta(days=10)),
        shopify_order(2, created=now - timedelta(days=90)),
    ]
    for order in orders:
        order["closed_at"] = order["cancelled_at"] = None
    (tmp_path / "shopify").mkdir()
    (tmp_path / "shopify" / "orders.json").write_text(json.dumps(orders))
    for read_all, expected in ((True, [1, 2]), (False, [1])):
        with running(tmp_path, read_all_orders=read_all) as server:
            http = session()
            http.headers["X-Shopify-Access-Token"] = server.credentials["shopify"]["access_token"]
            assert ids(http.get(rest(server), params={"status": "any"})) == expected


# -- GraphQL ---------------------------------------------------------------------------------

ORDERS_QUERY = """
query Orders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT, reverse: false) {
    edges { cursor node { id name updatedAt displayFinancialStatus
      totalPriceSet { shopMoney { amount currencyCode } } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


def graphql(
    server: SandboxServer, http: requests.Session, document: str, **variables: object
) -> requests.Response:
    url = f"{server.env()['SHOPIFY_STORE_URL']}/admin/api/{VERSION}/graphql.json"
    return http.post(url, json={"query": document, "variables": variables})


def test_graphql_orders_query_sort_and_cursors(server: SandboxServer, http: requests.Session) -> None:
    since = BASE + timedelta(minutes=200)
    search = f"updated_at:>'{since.strftime('%Y-%m-%dT%H:%M:%SZ')}'"
    expected = sorted(
        (i for i in ALL_IDS if shopify_updated(i) > since), key=lambda i: (shopify_updated(i), i)
    )
    found, cursor, pages = [], None, 0
    while True:
        r = graphql(server, http, ORDERS_QUERY, first=4, after=cursor, query=search)
        assert r.status_code == 200
        body = r.json()
        assert "errors" not in body, body
        connection = body["data"]["orders"]
        found += [int(e["node"]["id"].rsplit("/", 1)[1]) for e in connection["edges"]]
        pages += 1
        assert connection["pageInfo"]["hasPreviousPage"] == (cursor is not None)
        if not connection["pageInfo"]["hasNextPage"]:
            break
        assert connection["pageInfo"]["endCursor"] == connection["edges"][-1]["cursor"]
        cursor = connection["pageInfo"]["endCursor"]
    assert found == expected and pages == -(-len(expected) // 4)
    node = graphql(server, http, ORDERS_QUERY, first=1, query="id:5").json()["data"]["orders"]["edges"][0][
        "node"
    ]
    assert node == {
        "id": "gid://shopify/Order/5",
        "name": "#1005",
        "updatedAt": shopify_updated(5).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "displayFinancialStatus": "REFUNDED",
        "totalPriceSet": {"shopMoney": {"amount": "15.50", "currencyCode": "USD"}},
    }


def test_graphql_nodes_reverse_and_nested_connection(server: SandboxServer, http: requests.Session) -> None:
    query = """{ latest: orders(first: 3, sortKey: ID, reverse: true) {
                   nodes { legacyResourceId customer { id } lineItems(first: 1) { nodes { sku quantity
                           variant { id } product { id } } } }
                   pageInfo { hasNextPage } } }"""
    data = graphql(server, http, query).json()["data"]["latest"]
    assert [n["legacyResourceId"] for n in data["nodes"]] == ["120", "119", "118"]
    assert data["nodes"][0]["customer"] == {"id": f"gid://shopify/Customer/{500 + 120 % 7}"}
    assert data["nodes"][0]["lineItems"]["nodes"] == [
        {
            "sku": "SKU-1",
            "quantity": 1,
            "variant": {"id": "gid://shopify/ProductVariant/9001"},
            "product": {"id": "gid://shopify/Product/901"},
        }
    ]
    assert data["pageInfo"]["hasNextPage"] is True


def test_graphql_cost_extension(server: SandboxServer, http: requests.Session) -> None:
    query = '{ orders(first: 10, query: "id:<4") { nodes { id totalPriceSet { shopMoney { amount } } } } }'
    cost = graphql(server, http, query).json()["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 2 + 10 * 3
    assert cost["actualQueryCost"] == 2 + 3 * 3  # three orders came back
    status = cost["throttleStatus"]
    assert status["maximumAvailable"] == 1000.0 and status["restoreRate"] == 50.0
    assert isinstance(status["currentlyAvailable"], int)


def test_graphql_throttled_body(data_dir: Path) -> None:
    clock = FakeClock()
    with running(data_dir, clock=clock, graphql_max_cost=100.0, graphql_restore_rate=10.0) as server:
        http = session()
        http.headers["X-Shopify-Access-Token"] = server.credentials["shopify"]["access_token"]
        query = "{ orders(first: 20) { edges { node { id totalPriceSet { shopMoney { amount } } } } } }"
        first = graphql(server, http, query).json()
        assert first["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 100 - 62
        throttled = graphql(server, http, query)
        assert throttled.status_code == 200
        assert throttled.json() == {
            "errors": [
                {
                    "message": "Throttled",
                    "extensions": {
                        "code": "THROTTLED",
                        "documentation": "https://shopify.dev/api/usage/rate-limits",
                    },
                }
            ],
            "extensions": {
                "cost": {
                    "requestedQueryCost": 62,
                    "actualQueryCost": None,
                    "throttleStatus": {
                        "maximumAvailable": 100.0,
                        "currentlyAvailable": 38,
                        "restoreRate": 10.0,
                    },
                }
            },
        }
        clock.advance(2.5)  # wait >= (62 - 38) / 10
        assert "data" in graphql(server, http, query).json()
        too_big = graphql(server, http, "{ orders(first: 250) { nodes { id customer { id } } } }").json()
        assert too_big["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED" and "data" not in too_big
        assert server.stats()["shopify"]["graphql_throttled"] == 1


def test_graphql_errors(server: SandboxServer, http: requests.Session) -> None:
    def first_error(query: str) -> dict:
        body = graphql(server, http, query).json()
        assert "data" not in body or body["data"] is None
        return body["errors"][0]

    assert "first or last" in first_error("{ orders { nodes { id } } }")["message"]
    assert "250" in first_error("{ orders(first: 251) { nodes { id } } }")["message"]
    assert "sortKey" in first_error("{ orders(first: 1, sortKey: PRICE) { nodes { id } } }")["message"]
    assert first_error("{ orders(first: 1) { nodes { nope } } }")["extensions"]["code"] == "undefinedField"
    assert first_error("{ orders(first: 1) { nodes { id }")["message"].startswith("Parse error")
    bad_token = requests.post(
        f"{server.env()['SHOPIFY_STORE_URL']}/admin/api/{VERSION}/graphql.json",
        json={"query": "{ orders(first: 1) { nodes { id } } }"},
    )
    assert bad_token.status_code == 401 and bad_token.json() == INVALID_TOKEN
