"""WooCommerce REST v3 contract over real HTTP: auth, page/per_page, X-WP-* headers, Link, date filters
with dates_are_gmt, orderby/order, status, customers' own parameters, error bodies."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests
from sandbox_fixtures import BASE, WOO_STATUSES, naive, running, session, woo_modified, woo_order, woo_store

from metric_pulse.sandbox.server import SandboxServer

ALL = list(range(1, 26))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    root = tmp_path_factory.mktemp("woo")
    woo_store(root)
    with running(root) as s:
        yield s


@pytest.fixture(scope="module")
def http(server: SandboxServer) -> requests.Session:
    s = session()
    s.auth = (
        server.credentials["woocommerce"]["consumer_key"],
        server.credentials["woocommerce"]["consumer_secret"],
    )
    return s


def url(server: SandboxServer, path: str = "orders") -> str:
    return f"{server.env()['WOOCOMMERCE_URL']}/wp-json/wc/v3/{path}"


def ids(response: requests.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return [r["id"] for r in response.json()]


def test_basic_auth_query_string_auth_and_the_401_bodies(server: SandboxServer) -> None:
    key, secret = (
        server.credentials["woocommerce"]["consumer_key"],
        server.credentials["woocommerce"]["consumer_secret"],
    )
    assert requests.get(url(server), auth=(key, secret)).status_code == 200
    assert (
        requests.get(url(server), params={"consumer_key": key, "consumer_secret": secret}).status_code == 200
    )
    cases = [
        ({"auth": ("ck_wrong", secret)}, "woocommerce_rest_authentication_error", "Consumer key is invalid."),
        ({"auth": (key, "cs_wrong")}, "woocommerce_rest_authentication_error", "Consumer secret is invalid."),
        (
            {"params": {"consumer_key": "ck_wrong", "consumer_secret": secret}},
            "woocommerce_rest_authentication_error",
            "Consumer key is invalid.",
        ),
        ({}, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
    ]
    for kwargs, code, message in cases:
        r = requests.get(url(server), **kwargs)
        assert r.status_code == 401
        assert r.json() == {"code": code, "message": message, "data": {"status": 401}}


def test_default_page_size_totals_and_links(server: SandboxServer, http: requests.Session) -> None:
    newest_first = sorted(ALL, key=lambda i: (woo_order(i)["date_created_gmt"], i), reverse=True)
    pages = [http.get(url(server), params={"page": p}) for p in (1, 2, 3, 4)]
    assert [ids(p) for p in pages[:3]] == [newest_first[:10], newest_first[10:20], newest_first[20:]]
    for page in pages:
        assert page.headers["X-WP-Total"] == "25" and page.headers["X-WP-TotalPages"] == "3"
    assert set(pages[0].links) == {"next"} and pages[0].links["next"]["url"] == f"{url(server)}?page=2"
    assert set(pages[1].links) == {"prev", "next"}
    assert set(pages[2].links) == {"prev"}
    assert pages[3].json() == [] and pages[3].links["prev"]["url"].endswith("page=3")  # past the end: 200 []


def test_links_keep_the_query_but_never_the_keys(server: SandboxServer) -> None:
    key, secret = (
        server.credentials["woocommerce"]["consumer_key"],
        server.credentials["woocommerce"]["consumer_secret"],
    )
    r = requests.get(
        url(server), params={"per_page": 5, "orderby": "id", "consumer_key": key, "consumer_secret": secret}
    )
    assert r.links["next"]["url"] == f"{url(server)}?per_page=5&orderby=id&page=2"


@pytest.mark.parametrize("per_page", ["0", "101"])
def test_per_page_outside_1_to_100_is_rest_invalid_param(
    server: SandboxServer, http: requests.Session, per_page: str
) -> None:
    r = http.get(url(server), params={"per_page": per_page})
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "rest_invalid_param"
    assert body["message"] == "Invalid parameter(s): per_page"
    assert body["data"]["status"] == 400
    assert body["data"]["params"] == {
        "per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"
    }


def test_other_invalid_params(server: SandboxServer, http: requests.Session) -> None:
    r = http.get(url(server), params={"page": "0", "orderby": "price", "modified_after": "last tuesday"})
    body = r.json()
    assert r.status_code == 400 and body["message"] == "Invalid parameter(s): page, orderby, modified_after"
    assert body["data"]["params"]["modified_after"] == "Invalid date."
    assert (
        ids(http.get(url(server), params={"per_page": 100}))
        and len(ids(http.get(url(server), params={"per_page": 1}))) == 1
    )


def test_orderby_modified_asc_breaks_ties_by_id(server: SandboxServer, http: requests.Session) -> None:
    r = http.get(url(server), params={"orderby": "modified", "order": "asc", "per_page": 100})
    assert ids(r) == sorted(ALL, key=lambda i: (woo_modified(i), i))
    r = http.get(url(server), params={"orderby": "modified", "order": "desc", "per_page": 100})
    assert ids(r) == sorted(ALL, key=lambda i: (woo_modified(i), i), reverse=True)
    assert ids(http.get(url(server), params={"orderby": "id", "order": "asc", "per_page": 3})) == [1, 2, 3]
    r = http.get(url(server), params={"orderby": "include", "include": "7,3,12", "order": "asc"})
    assert ids(r) == [7, 3, 12]


def test_modified_after_compares_gmt_or_site_local_dates(
    server: SandboxServer, http: requests.Session
) -> None:
    bound = BASE + timedelta(hours=10)
    text = naive(bound)  # no zone, as WooCommerce clients send it
    gmt = http.get(
        url(server),
        params={
            "modified_after": text,
            "dates_are_gmt": "true",
            "per_page": 100,
            "orderby": "modified",
            "order": "asc",
        },
    )
    assert ids(gmt) == sorted((i for i in ALL if woo_modified(i) > bound), key=lambda i: (woo_modified(i), i))
    assert gmt.headers["X-WP-Total"] == str(len(ids(gmt)))
    # Without dates_are_gmt the same text is site-local time (UTC+2 here): two hours earlier in UTC.
    local = http.get(url(server), params={"modified_after": text, "per_page": 100})
    assert sorted(ids(local)) == sorted(i for i in ALL if woo_modified(i) > bound - timedelta(hours=2))
    before = http.get(url(server), params={"modified_before": text, "dates_are_gmt": "1", "per_page": 100})
    assert sorted(ids(before)) == sorted(i for i in ALL if woo_modified(i) < bound)
    # An explicit offset is honoured when comparing with the _gmt columns.
    shifted = http.get(
        url(server),
        params={"modified_after": naive(bound) + "+05:00", "dates_are_gmt": "true", "per_page": 100},
    )
    assert sorted(ids(shifted)) == sorted(i for i in ALL if woo_modified(i) > bound - timedelta(hours=5))


def test_after_and_before_filter_creation_dates(server: SandboxServer, http: requests.Session) -> None:
    after, before = woo_order(5)["date_created_gmt"], woo_order(9)["date_created_gmt"]
    r = http.get(
        url(server),
        params={"after": after, "before": before, "dates_are_gmt": "true", "orderby": "id", "order": "asc"},
    )
    assert ids(r) == [6, 7, 8]  # both bounds exclusive


def test_status_filter(server: SandboxServer, http: requests.Session) -> None:
    completed = [i for i in ALL if WOO_STATUSES[i % 5] == "completed"]
    r = http.get(
        url(server), params={"status": "completed", "orderby": "id", "order": "asc", "per_page": 100}
    )
    assert ids(r) == completed
    r = http.get(
        url(server),
        params=[
            ("status[]", "cancelled"),
            ("status[]", "refunded"),
            ("orderby", "id"),
            ("order", "asc"),
            ("per_page", 100),
        ],
    )
    assert ids(r) == [i for i in ALL if WOO_STATUSES[i % 5] in ("cancelled", "refunded")]
    assert http.get(url(server), params={"status": "shipped"}).json()["code"] == "rest_invalid_param"


def test_customers_have_their_own_parameters(server: SandboxServer, http: requests.Session) -> None:
    r = http.get(url(server, "customers"))
    assert [c["first_name"] for c in r.json()] == [
        "Alice",
        "Bob",
        "Carl",
        "Dora",
    ]  # orderby name asc, role customer
    assert ids(http.get(url(server, "customers"), params={"orderby": "id"})) == [100, 101, 102, 103]
    assert 1 in ids(http.get(url(server, "customers"), params={"role": "all"}))
    assert ids(http.get(url(server, "customers"), params={"email": "cust2@example.com"})) == [102]
    # there is no modified_after for customers: it is ignored like any unknown parameter
    ignored = http.get(url(server, "customers"), params={"modified_after": naive(BASE + timedelta(days=30))})
    assert len(ids(ignored)) == 4
    bad = http.get(url(server, "customers"), params={"orderby": "modified"})
    assert bad.status_code == 400 and bad.json()["data"]["params"]["orderby"].startswith(
        "orderby is not one of"
    )
    assert ids(http.get(url(server, "products"), params={"orderby": "price", "order": "asc"})) == [
        302,
        301,
        300,
    ]


def test_unknown_routes_and_ids(server: SandboxServer, http: requests.Session) -> None:
    for path in ("coupons", "orders/abc", "../v2/orders"):
        r = http.get(url(server, path))
        assert r.status_code == 404
        assert r.json() == {
            "code": "rest_no_route",
            "message": "No route was found matching the URL and request method.",
            "data": {"status": 404},
        }
    assert http.get(url(server, "orders/7")).json()["id"] == 7
    missing = http.get(url(server, "orders/999"))
    assert missing.status_code == 404 and missing.json()["code"] == "woocommerce_rest_shop_order_invalid_id"
    assert http.post(url(server)).json()["code"] == "rest_no_route"
    plain = http.get(
        f"{server.env()['WOOCOMMERCE_URL']}/", params={"rest_route": "/wc/v3/orders", "per_page": 2}
    )
    assert len(ids(plain)) == 2


def test_total_pages_follow_per_page(server: SandboxServer, http: requests.Session) -> None:
    for per_page in (1, 7, 25, 100):
        r = http.get(url(server), params={"per_page": per_page})
        assert r.headers["X-WP-TotalPages"] == str(math.ceil(25 / per_page))
