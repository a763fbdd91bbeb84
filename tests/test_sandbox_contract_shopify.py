"""Shopify contract over real HTTP: the GraphQL Admin API as Shopify answers it in 2026.

Tokens (client-credentials grant with expiry, the older fixed token), the version header,
the schema's validation errors, pagination (first/after, last/before, reverse, sortKey,
`query:` filters, nested connections), lookups by GID, cost and throttling per plan,
scopes and protected customer data. Bulk operations: test_sandbox_contract_shopify_bulk.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

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
    write,
)

from metric_pulse.sandbox.server import SandboxServer

VERSION = "2026-10"
INVALID_TOKEN = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
ALL_IDS = list(range(1, 123))  # 1..120, 121 created in 2020, 122 with 300 line items
ORDERS_QUERY = """query Orders($first: Int, $after: String, $last: Int, $before: String, $query: String,
                               $sortKey: OrderSortKeys = UPDATED_AT, $reverse: Boolean = false) {
  orders(first: $first, after: $after, last: $last, before: $before, query: $query, sortKey: $sortKey,
         reverse: $reverse) {
    edges { cursor node { legacyResourceId } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("shopify")
    shopify_store(root, old_order=True, large_order=True)
    return root


@pytest.fixture(scope="module")
def server(data_dir: Path) -> Iterator[SandboxServer]:
    with running(data_dir, rate_limits="off") as s:
        yield s


def url(server: SandboxServer, version: str = VERSION) -> str:
    return f"{server.env()['SHOPIFY_STORE_URL']}/admin/api/{version}/graphql.json"


def token_of(server: SandboxServer, **fields: str) -> requests.Response:
    env = server.env()
    form = {
        "grant_type": "client_credentials",
        "client_id": env["SHOPIFY_CLIENT_ID"],
        "client_secret": env["SHOPIFY_CLIENT_SECRET"],
        **fields,
    }
    return requests.post(f"{env['SHOPIFY_STORE_URL']}/admin/oauth/access_token", data=form, timeout=10)


@pytest.fixture(scope="module")
def http(server: SandboxServer) -> requests.Session:
    s = session()
    s.headers["X-Shopify-Access-Token"] = token_of(server).json()["access_token"]
    return s


def ask(
    server: SandboxServer, http: requests.Session, document: str, version: str = VERSION, **variables: Any
) -> dict:
    r = http.post(url(server, version), json={"query": document, "variables": variables}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def data(server: SandboxServer, http: requests.Session, document: str, **variables: Any) -> dict:
    body = ask(server, http, document, **variables)
    assert "errors" not in body, body
    return body["data"]


def walk(server: SandboxServer, http: requests.Session, **variables: Any) -> tuple[list[int], int]:
    """Follow endCursor to the end: (legacy ids in order, pages)."""
    found, cursor, pages = [], None, 0
    while True:
        page = data(server, http, ORDERS_QUERY, after=cursor, **variables)["orders"]
        found += [int(e["node"]["legacyResourceId"]) for e in page["edges"]]
        pages += 1
        assert page["pageInfo"]["hasPreviousPage"] == (cursor is not None)
        if page["edges"]:
            assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            return found, pages
        cursor = page["pageInfo"]["endCursor"]


def z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def by_updated(ids: list[int]) -> list[int]:
    return sorted(ids, key=lambda i: (shopify_updated(i), i))


# -- tokens, versions, routes -------------------------------------------------------------------


def test_client_credentials_token_works_and_bad_credentials_get_oauth_errors(server: SandboxServer) -> None:
    granted = token_of(server)
    assert granted.status_code == 200
    body = granted.json()
    assert body["access_token"].startswith("shpat_") and body["expires_in"] == 86399
    assert body["scope"].split(",") == sorted(
        ["read_orders", "read_all_orders", "read_customers", "read_products"]
    )
    for secret in ("shpss_wrong", "shpss_ünïcode"):
        wrong_secret = token_of(server, client_secret=secret)
        assert wrong_secret.status_code == 401 and wrong_secret.json()["error"] == "invalid_client"
    wrong_id = token_of(server, client_id="nope")
    assert wrong_id.status_code == 400 and wrong_id.json()["error"] == "invalid_request"
    assert token_of(server, grant_type="password").json()["error"] == "unsupported_grant_type"
    as_json = requests.post(  # Shopify's own libraries send JSON
        f"{server.env()['SHOPIFY_STORE_URL']}/admin/oauth/access_token",
        json={
            "grant_type": "client_credentials",
            "client_id": server.env()["SHOPIFY_CLIENT_ID"],
            "client_secret": server.env()["SHOPIFY_CLIENT_SECRET"],
        },
        timeout=10,
    )
    assert as_json.status_code == 200 and as_json.json()["access_token"] != body["access_token"]


def test_tokens_expire_and_the_fixed_token_does_not(data_dir: Path) -> None:
    clock = FakeClock()
    with running(data_dir, clock=clock, shopify_token_ttl=60.0) as server:
        fresh = token_of(server).json()
        assert fresh["expires_in"] == 60
        query = {"query": "{ shop { myshopifyDomain } }"}
        fixed = {"X-Shopify-Access-Token": server.credentials["shopify"]["access_token"]}
        issued = {"X-Shopify-Access-Token": fresh["access_token"]}
        assert requests.post(url(server), json=query, headers=issued, timeout=10).status_code == 200
        clock.advance(61)
        expired = requests.post(url(server), json=query, headers=issued, timeout=10)
        assert expired.status_code == 401 and expired.json() == INVALID_TOKEN
        assert expired.headers["X-Shopify-Api-Version"] == VERSION
        assert requests.post(url(server), json=query, headers=fixed, timeout=10).status_code == 200
        for headers in ({}, {"X-Shopify-Access-Token": "shpat_wrong"}):
            r = requests.post(url(server), json=query, headers=headers, timeout=10)
            assert r.status_code == 401 and r.json() == INVALID_TOKEN


@pytest.mark.parametrize(
    "requested, answered",
    [
        ("2026-10", "2026-10"),
        ("2026-01", "2026-01"),
        ("2024-10", "2026-01"),
        ("2099-01", "2026-01"),
        ("x", "2026-01"),
    ],
)
def test_version_header_names_the_version_that_answered(
    server: SandboxServer, http: requests.Session, requested: str, answered: str
) -> None:
    r = http.post(url(server, requested), json={"query": "{ shop { myshopifyDomain } }"}, timeout=10)
    assert r.status_code == 200 and r.headers["X-Shopify-Api-Version"] == answered
    assert r.json()["data"] == {"shop": {"myshopifyDomain": "metric-pulse-sandbox.myshopify.com"}}


def test_rest_is_gone(server: SandboxServer, http: requests.Session) -> None:
    root = server.env()["SHOPIFY_STORE_URL"]
    for path in ("orders.json", "shop.json", "customers/count.json"):
        assert http.get(f"{root}/admin/api/{VERSION}/{path}", timeout=10).status_code == 404
    assert http.get(url(server), timeout=10).status_code == 404  # GraphQL is POST


def test_settings_point_a_loader_at_a_dev_dashboard_app(server: SandboxServer) -> None:
    env = server.env()
    assert env["SHOPIFY_API_VERSION"] == VERSION
    assert {"SHOPIFY_CLIENT_ID", "SHOPIFY_CLIENT_SECRET", "SHOPIFY_STORE_URL"} <= set(env)
    assert "SHOPIFY_ACCESS_TOKEN" not in env


# -- schema validation ----------------------------------------------------------------------------


def test_misspelled_field_fails_as_on_shopify(server: SandboxServer, http: requests.Session) -> None:
    body = ask(
        server,
        http,
        "query Recent { orders(first: 1) { nodes { id totalPriseSet { shopMoney { amount } } } } }",
    )
    assert "data" not in body
    assert body["errors"] == [
        {
            "message": "Field 'totalPriseSet' doesn't exist on type 'Order'",
            "locations": [{"line": 1, "column": 46}],
            "path": ["query Recent", "orders", "nodes", "totalPriseSet"],
            "extensions": {"code": "undefinedField", "typeName": "Order", "fieldName": "totalPriseSet"},
        }
    ]


def test_other_errors(server: SandboxServer, http: requests.Session) -> None:
    def first_error(query: str) -> dict:
        body = ask(server, http, query)
        assert not (body.get("data") or {}).get("orders")
        return body["errors"][0]

    assert "first or last" in first_error("{ orders { nodes { id } } }")["message"]
    misspelled = first_error("{ orders(frist: 1) { nodes { id } } }")
    assert misspelled["message"] == "Field 'orders' doesn't accept argument 'frist'"
    assert misspelled["extensions"]["code"] == "argumentNotAccepted" and misspelled["path"] == [
        "query",
        "orders",
        "frist",
    ]
    assert "250" in first_error("{ orders(first: 251) { nodes { id } } }")["message"]
    assert "OrderSortKeys" in first_error("{ orders(first: 1, sortKey: PRICE) { nodes { id } } }")["message"]
    assert first_error("{ orders(first: 1) { nodes { id }")["message"].startswith("Syntax Error")
    assert first_error('{ orders(first: 1, after: "bm9wZQ==") { nodes { id } } }')["extensions"]["code"] == (
        "INVALID_CURSOR"
    )


# -- pagination, filters, sort ----------------------------------------------------------------------


def test_walk_by_updated_at_with_a_filter(server: SandboxServer, http: requests.Session) -> None:
    since = BASE + timedelta(minutes=200)
    found, pages = walk(server, http, first=4, query=f"updated_at:>'{z(since)}'")
    expected = by_updated([i for i in ALL_IDS if shopify_updated(i) > since])
    assert found == expected and pages == -(-len(expected) // 4)


@pytest.mark.parametrize(
    "op, keep",
    [
        (">", lambda t, m: t > m),
        (">=", lambda t, m: t >= m),
        ("<", lambda t, m: t < m),
        ("<=", lambda t, m: t <= m),
    ],
)
def test_updated_at_comparisons(server: SandboxServer, http: requests.Session, op: str, keep: Any) -> None:
    moment = shopify_updated(40)  # shared by other orders: the boundary matters
    for quote in ("'", '"'):
        found, _ = walk(server, http, first=50, query=f"updated_at:{op}{quote}{z(moment)}{quote}")
        assert found == by_updated([i for i in ALL_IDS if keep(shopify_updated(i), moment)])


def test_created_at_range_status_and_id_terms(server: SandboxServer, http: requests.Session) -> None:
    lo, hi = BASE - timedelta(hours=30), BASE - timedelta(hours=10)
    found, _ = walk(
        server, http, first=50, sortKey="CREATED_AT", query=f"created_at:>='{z(lo)}' created_at:<'{z(hi)}'"
    )
    assert found == list(range(30, 10, -1))  # created hourly backwards from BASE
    found, _ = walk(server, http, first=50, sortKey="ID", query="status:open")
    assert found == [i for i in ALL_IDS if shopify_status(i) == "open"]
    found, _ = walk(server, http, first=50, sortKey="ID", query="id:>=118 -id:120")
    assert found == [118, 119, 121, 122]


def test_reverse_last_and_before(server: SandboxServer, http: requests.Session) -> None:
    latest = data(server, http, ORDERS_QUERY, first=3, sortKey="ID", reverse=True)["orders"]
    assert [int(e["node"]["legacyResourceId"]) for e in latest["edges"]] == [122, 121, 120]
    tail = data(server, http, ORDERS_QUERY, last=2, sortKey="ID")["orders"]
    assert [int(e["node"]["legacyResourceId"]) for e in tail["edges"]] == [121, 122]
    assert tail["pageInfo"]["hasPreviousPage"] and not tail["pageInfo"]["hasNextPage"]
    before = data(server, http, ORDERS_QUERY, last=2, before=tail["pageInfo"]["startCursor"], sortKey="ID")
    assert [int(e["node"]["legacyResourceId"]) for e in before["orders"]["edges"]] == [119, 120]


def test_nested_connections_page_on_their_own(server: SandboxServer, http: requests.Session) -> None:
    query = """query Lines($id: ID!, $after: String) { order(id: $id) { name
                 lineItems(first: 250, after: $after) { pageInfo { hasNextPage endCursor } nodes { id quantity } } } }"""
    first = data(server, http, query, id="gid://shopify/Order/122")["order"]
    assert len(first["lineItems"]["nodes"]) == 250 and first["lineItems"]["pageInfo"]["hasNextPage"]
    rest = data(
        server, http, query, id="gid://shopify/Order/122", after=first["lineItems"]["pageInfo"]["endCursor"]
    )
    lines = first["lineItems"]["nodes"] + rest["order"]["lineItems"]["nodes"]
    assert [line["id"] for line in lines] == [f"gid://shopify/LineItem/{122_000 + k}" for k in range(1, 301)]
    assert not rest["order"]["lineItems"]["pageInfo"]["hasNextPage"]
    products = data(
        server,
        http,
        "{ products(first: 4, sortKey: ID) { nodes { legacyResourceId status variants(first: 100) "
        "{ pageInfo { hasNextPage } nodes { id } } } } }",
    )["products"]["nodes"]
    assert [(p["legacyResourceId"], p["status"], len(p["variants"]["nodes"])) for p in products] == [
        ("901", "ACTIVE", 2),
        ("902", "ACTIVE", 2),
        ("903", "DRAFT", 2),
        ("904", "ACTIVE", 100),
    ]
    assert products[3]["variants"]["pageInfo"]["hasNextPage"]


def test_lookups_shop_and_scopes(server: SandboxServer, http: requests.Session) -> None:
    found = data(
        server,
        http,
        """{ node(id: "gid://shopify/Customer/503") { id ... on Customer { firstName } }
             nodes(ids: ["gid://shopify/Order/5", "gid://shopify/Order/999", "gid://shopify/Product/902"]) {
               __typename ... on Order { name } ... on Product { title } }
             order(id: "gid://shopify/Product/902") { id }
             currentAppInstallation { accessScopes { handle } } }""",
    )
    assert found["node"] == {"id": "gid://shopify/Customer/503", "firstName": "C3"}
    assert found["nodes"] == [
        {"__typename": "Order", "name": "#1005"},
        None,
        {"__typename": "Product", "title": "Thing 2"},
    ]
    assert found["order"] is None
    assert {s["handle"] for s in found["currentAppInstallation"]["accessScopes"]} == {
        "read_orders",
        "read_all_orders",
        "read_customers",
        "read_products",
    }


# -- cost and throttling ------------------------------------------------------------------------------


def test_cost_requested_before_and_actual_after(server: SandboxServer, http: requests.Session) -> None:
    query = '{ orders(first: 10, sortKey: ID, query: "id:<4") { nodes { id totalPriceSet { shopMoney { amount } } } } }'
    cost = ask(server, http, query)["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 2 + 10 * (1 + 2)  # the order, its MoneyBag, its MoneyV2
    assert cost["actualQueryCost"] == 2 + 3 * (1 + 2)  # three orders came back
    status = cost["throttleStatus"]
    assert status == {
        "maximumAvailable": 2000.0,
        "currentlyAvailable": status["currentlyAvailable"],
        "restoreRate": 100.0,
    }


@pytest.mark.parametrize(
    "plan, restore", [("standard", 100.0), ("advanced", 200.0), ("plus", 1000.0), ("enterprise", 2000.0)]
)
def test_bucket_per_plan(data_dir: Path, plan: str, restore: float) -> None:
    with running(data_dir, clock=FakeClock(), shopify_plan=plan) as server:
        http = session()
        http.headers["X-Shopify-Access-Token"] = server.credentials["shopify"]["access_token"]
        status = ask(server, http, "{ shop { myshopifyDomain } }")["extensions"]["cost"]["throttleStatus"]
        assert status == {
            "maximumAvailable": restore * 20,
            "currentlyAvailable": restore * 20 - 1,
            "restoreRate": restore,
        }


def test_throttled_body_and_max_cost(data_dir: Path) -> None:
    clock = FakeClock()
    with running(data_dir, clock=clock, shopify_bucket_size=100.0, shopify_restore_rate=10.0) as server:
        http = session()
        http.headers["X-Shopify-Access-Token"] = server.credentials["shopify"]["access_token"]
        query = "{ orders(first: 20) { edges { node { id totalPriceSet { shopMoney { amount } } } } } }"
        first = ask(server, http, query)
        assert first["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 100 - 62
        throttled = http.post(url(server), json={"query": query}, timeout=10)
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
        assert "data" in ask(server, http, query)
        too_big = ask(
            server, http, "{ orders(first: 250) { nodes { id lineItems(first: 5) { nodes { id } } } } }"
        )
        assert too_big["errors"][0]["extensions"] == {
            "code": "MAX_COST_EXCEEDED",
            "cost": 2 + 250 * 8,
            "maxCost": 1000,
        }
        assert "data" not in too_big
        assert server.stats()["shopify"]["graphql_throttled"] == 1


# -- scopes and protected data ---------------------------------------------------------------------------


def test_missing_scope_is_access_denied_and_the_rest_answers(data_dir: Path, tmp_path: Path) -> None:
    shopify_store(tmp_path)
    now = datetime.now(UTC)  # the 60-day window is Shopify's wall clock
    recent = [shopify_order(i, created=now - timedelta(days=i * 20)) for i in (1, 2, 3, 4)]
    write(tmp_path, "shopify", "orders", recent)
    with running(tmp_path, rate_limits="off", shopify_scopes="read_orders,read_products") as server:
        http = session()
        http.headers["X-Shopify-Access-Token"] = token_of(server).json()["access_token"]
        body = ask(
            server, http, "{ customers(first: 1) { nodes { id } } products(first: 1) { nodes { id } } }"
        )
        assert body["data"] == {
            "customers": None,
            "products": {"nodes": [{"id": "gid://shopify/Product/901"}]},
        }
        (error,) = body["errors"]
        assert error["path"] == ["customers"]
        assert (
            error["message"]
            == "Access denied for customers field. Required access: `read_customers` access scope."
        )
        assert error["extensions"] == {
            "code": "ACCESS_DENIED",
            "documentation": "https://shopify.dev/api/usage/access-scopes",
            "requiredAccess": "`read_customers` access scope.",
        }
        # without read_all_orders only the orders created in the last 60 days are visible
        found, _ = walk(server, http, first=250, sortKey="ID")
        assert found == [1, 2]
        assert data(server, http, '{ order(id: "gid://shopify/Order/3") { id } }')["order"] is None
    with running(tmp_path, rate_limits="off") as server:  # with it, all of them
        http.headers["X-Shopify-Access-Token"] = server.credentials["shopify"]["access_token"]
        assert walk(server, http, first=250, sortKey="ID")[0] == [1, 2, 3, 4]


def test_protected_customer_data_not_granted_comes_back_null(data_dir: Path) -> None:
    with running(data_dir, rate_limits="off", shopify_protected_data=False) as server:
        http = session()
        http.headers["X-Shopify-Access-Token"] = token_of(server).json()["access_token"]
        customer = data(
            server,
            http,
            """{ customer(id: "gid://shopify/Customer/502") { legacyResourceId firstName lastName displayName
                 defaultEmailAddress { emailAddress } defaultAddress { address1 city countryCodeV2 provinceCode } } }""",
        )["customer"]
        assert customer == {
            "legacyResourceId": "502",
            "firstName": None,
            "lastName": None,
            "displayName": "",
            "defaultEmailAddress": {"emailAddress": None},
            "defaultAddress": {"address1": None, "city": None, "countryCodeV2": "US", "provinceCode": "NY"},
        }
        order = data(
            server,
            http,
            '{ order(id: "gid://shopify/Order/3") { email billingAddress { lastName countryCodeV2 } } }',
        )
        assert order["order"] == {"email": None, "billingAddress": {"lastName": None, "countryCodeV2": "US"}}


def test_referenced_nodes_answer_every_field(server: SandboxServer, http: requests.Session) -> None:
    """An order's `customer` and a line's `product`/`variant` hold only ids in the file; asking for
    more reads the node itself, as Shopify does (a valid field never fails for want of a copy)."""
    order = data(
        server,
        http,
        """{ order(id: "gid://shopify/Order/9") { customer { legacyResourceId firstName }
             lineItems(first: 1) { nodes { product { legacyResourceId title vendor }
                                           variant { id title price product { handle } } } } } }""",
    )["order"]
    assert order["customer"] == {"legacyResourceId": str(500 + 9 % 7), "firstName": f"C{9 % 7}"}
    assert order["lineItems"]["nodes"] == [
        {
            "product": {"legacyResourceId": "902", "title": "Thing 2", "vendor": "Globex"},
            "variant": {
                "id": "gid://shopify/ProductVariant/2001",
                "title": "V1",
                "price": "1.00",
                "product": {"handle": "thing-2"},
            },
        }
    ]


def test_refunds_by_gid(server: SandboxServer, http: requests.Session) -> None:
    """Refunds are read by GID too (a bulk query cannot carry their connections: clients fetch them so)."""
    found = data(
        server,
        http,
        """{ nodes(ids: ["gid://shopify/Refund/5001", "gid://shopify/Refund/404"]) {
               ... on Refund { legacyResourceId order { name } refundLineItems(first: 5) {
                 nodes { quantity lineItem { id } } } } } }""",
    )["nodes"]
    assert found == [
        {
            "legacyResourceId": "5001",
            "order": {"name": "#1005"},
            "refundLineItems": {
                "nodes": [{"quantity": 1, "lineItem": {"id": "gid://shopify/LineItem/5001"}}]
            },
        },
        None,
    ]


def test_a_lone_surrogate_in_the_files_is_served_escaped(tmp_path: Path) -> None:
    """A record with a string UTF-8 cannot hold (valid JSON "\\udc80") is answered, escaped, not a 500."""
    order = shopify_order(1)
    order["name"] = "bad \udc80 escape"
    write(tmp_path, "shopify", "orders", [order])
    with running(tmp_path, rate_limits="off") as server:
        http = session()
        http.headers["X-Shopify-Access-Token"] = server.credentials["shopify"]["access_token"]
        r = http.post(url(server), json={"query": "{ orders(first: 1) { nodes { name } } }"}, timeout=10)
        assert r.status_code == 200 and b'"bad \\udc80 escape"' in r.content


def test_fail_pages_over_reads_the_graphql_page_size(data_dir: Path) -> None:
    """The server's `fail_pages_over` (a page too heavy to render) sees a GraphQL listing's `first`."""
    with running(data_dir, rate_limits="off", fail_pages_over=40) as server:
        http = session()
        http.headers["X-Shopify-Access-Token"] = server.credentials["shopify"]["access_token"]
        assert (
            http.post(url(server), json={"query": ORDERS_QUERY, "variables": {"first": 41}}).status_code
            == 500
        )
        assert (
            http.post(url(server), json={"query": ORDERS_QUERY, "variables": {"first": 40}}).status_code
            == 200
        )
        literal = {"query": "{ orders(first: 50) { nodes { id } } }"}
        assert http.post(url(server), json=literal).status_code == 500
        assert http.post(url(server), json={"query": "{ shop { name } }"}).status_code == 200


def test_the_fixture_store_answers_every_field_of_a_full_selection(
    server: SandboxServer, http: requests.Session
) -> None:
    """The hand-written store holds every non-null field a loader selects (else a load fails on it)."""
    money = "{ shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }"
    order = (
        "id legacyResourceId name email createdAt updatedAt processedAt cancelledAt closedAt displayFinancialStatus "
        "displayFulfillmentStatus test sourceName currencyCode presentmentCurrencyCode paymentGatewayNames "
        f"discountCodes tags customer {{ id }} totalPriceSet {money} subtotalPriceSet {money} totalTaxSet {money} "
        f"totalDiscountsSet {money} totalShippingPriceSet {money} taxLines {{ title }} "
        "lineItems(first: 3) { nodes { id name title sku quantity taxable isGiftCard variant { id } product { id } "
        f"originalUnitPriceSet {money} totalDiscountSet {money} taxLines {{ title }} discountAllocations "
        "{ discountApplication { index } } } } shippingLines(first: 2) { nodes { id } } "
        "discountApplications(first: 2) { nodes { index } } refunds { id updatedAt totalRefundedSet { shopMoney "
        f"{{ amount }} }} refundLineItems(first: 2) {{ nodes {{ quantity restockType lineItem {{ id }} subtotalSet "
        f"{money} totalTaxSet {money} }} }} }}"
    )
    customer = (
        "id legacyResourceId createdAt updatedAt firstName lastName displayName state tags verifiedEmail taxExempt "
        "numberOfOrders amountSpent { amount } defaultEmailAddress { emailAddress } addressesV2(first: 2) { nodes { id } }"
    )
    product = (
        "id legacyResourceId title handle vendor productType status tags createdAt updatedAt publishedAt "
        "options { name } variants(first: 3) { nodes { id legacyResourceId title sku price position createdAt "
        "updatedAt selectedOptions { name } } }"
    )
    found = data(
        server,
        http,
        f'{{ orders(first: 3, query: "id:<=6") {{ nodes {{ {order} }} }} '
        f"customers(first: 7) {{ nodes {{ {customer} }} }} products(first: 4) {{ nodes {{ {product} }} }} }}",
    )
    assert len(found["orders"]["nodes"]) == 3 and len(found["customers"]["nodes"]) == 7
    assert len(found["products"]["nodes"]) == 4
