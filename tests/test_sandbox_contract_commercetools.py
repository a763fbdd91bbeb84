"""commercetools contract over real HTTP: client-credentials tokens (scopes, expiry), error bodies,
where/sort/limit/offset/withTotal and the PagedQueryResponse shape."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sandbox_fixtures import FakeClock, ct_order, ct_store, running, session

from metric_pulse.sandbox.commercetools_api import DEFAULT_SCOPES
from metric_pulse.sandbox.server import SandboxServer

PROJECT = "sandbox-store"
ORDERS = [ct_order(n) for n in range(30)]
INVALID_TOKEN = {
    "statusCode": 401,
    "message": "invalid_token",
    "errors": [{"code": "invalid_token", "message": "invalid_token"}],
    "error": "invalid_token",
}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ct")
    ct_store(root)
    return root


@pytest.fixture(scope="module")
def server(data_dir: Path) -> Iterator[SandboxServer]:
    with running(data_dir, token_ttl=600) as s:
        yield s


def token(server: SandboxServer, scope: str | None = None, **kwargs: object) -> requests.Response:
    env = server.env()
    form = {"grant_type": "client_credentials"}
    if scope is not None:
        form["scope"] = scope
    auth = kwargs.pop("auth", (env["COMMERCETOOLS_CLIENT_ID"], env["COMMERCETOOLS_CLIENT_SECRET"]))
    return requests.post(
        f"{env['COMMERCETOOLS_AUTH_URL']}/oauth/token", auth=auth, data=kwargs.pop("data", form)
    )


@pytest.fixture(scope="module")
def http(server: SandboxServer) -> requests.Session:
    s = session()
    s.headers["Authorization"] = "Bearer " + token(server).json()["access_token"]
    return s


def api(server: SandboxServer, path: str = "orders") -> str:
    return f"{server.env()['COMMERCETOOLS_API_URL']}/{PROJECT}/{path}"


def query(
    http: requests.Session, server: SandboxServer, *params: tuple[str, object], path: str = "orders"
) -> dict:
    r = http.get(api(server, path), params=list(params))
    assert r.status_code == 200, r.text
    return r.json()


def keyed(orders: list[dict]) -> list[str]:
    return [o["id"] for o in sorted(orders, key=lambda o: (o["lastModifiedAt"], o["id"]))]


def test_client_credentials_token(server: SandboxServer) -> None:
    scope = f"view_orders:{PROJECT} view_customers:{PROJECT} view_products:{PROJECT}"
    r = token(server, scope)
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"access_token", "expires_in", "scope", "token_type"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 600 and body["scope"] == scope
    # no scope asked: every scope of the API client (the sandbox's: DEFAULT_SCOPES)
    assert token(server).json()["scope"].split() == [f"{s}:{PROJECT}" for s in DEFAULT_SCOPES]


def test_token_errors(server: SandboxServer) -> None:
    wrong = token(server, auth=("sandbox-client-7Hq2mX9vLk", "nope"))
    assert wrong.status_code == 401
    assert wrong.json()["errors"][0]["code"] == "invalid_client" and wrong.json()["error"] == "invalid_client"
    no_grant = token(server, data={"scope": f"view_orders:{PROJECT}"})
    assert no_grant.status_code == 400 and no_grant.json()["error"] == "invalid_request"
    foreign = token(server, f"view_orders:{PROJECT} manage_project:{PROJECT}")
    assert foreign.status_code == 400 and foreign.json()["error"] == "invalid_scope"
    other_project = token(server, "view_orders:someone-else")
    assert other_project.status_code == 400 and other_project.json()["error"] == "invalid_scope"


def test_missing_invalid_and_expired_tokens_are_401_invalid_token(
    server: SandboxServer, data_dir: Path
) -> None:
    assert requests.get(api(server)).json() == INVALID_TOKEN
    bad = requests.get(api(server), headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401 and bad.json() == INVALID_TOKEN
    clock = FakeClock()
    with running(data_dir, clock=clock, token_ttl=60) as short_lived:
        issued = token(short_lived, f"view_orders:{PROJECT}").json()
        assert issued["expires_in"] == 60
        headers = {"Authorization": f"Bearer {issued['access_token']}"}
        assert requests.get(api(short_lived), headers=headers).status_code == 200
        clock.advance(59)
        assert requests.get(api(short_lived), headers=headers).status_code == 200
        clock.advance(1)
        expired = requests.get(api(short_lived), headers=headers)
        assert expired.status_code == 401 and expired.json() == INVALID_TOKEN
        # a token from one sandbox means nothing to another
        assert requests.get(api(server), headers=headers).status_code == 401


def test_missing_scope_is_403_insufficient_scope(server: SandboxServer) -> None:
    orders_only = token(server, f"view_orders:{PROJECT}").json()["access_token"]
    r = requests.get(api(server, "customers"), headers={"Authorization": f"Bearer {orders_only}"})
    assert r.status_code == 403
    body = r.json()
    assert body["statusCode"] == 403 and body["error"] == "insufficient_scope"
    assert body["errors"][0]["code"] == "insufficient_scope" and "view_customers" in body["message"]
    wrong_project = requests.get(
        f"{server.env()['COMMERCETOOLS_API_URL']}/other/orders",
        headers={"Authorization": f"Bearer {orders_only}"},
    )
    assert wrong_project.status_code == 403


def test_paged_query_response_defaults(server: SandboxServer, http: requests.Session) -> None:
    body = query(http, server)
    assert list(body) == ["limit", "offset", "count", "total", "results"]
    assert (body["limit"], body["offset"], body["count"], body["total"]) == (20, 0, 20, 30)
    assert [o["id"] for o in body["results"]] == sorted(o["id"] for o in ORDERS)[:20]
    no_total = query(http, server, ("withTotal", "false"), ("offset", 25))
    assert "total" not in no_total and no_total["count"] == 5 and no_total["offset"] == 25


def test_limit_and_offset_bounds(server: SandboxServer, http: requests.Session) -> None:
    assert query(http, server, ("limit", 500))["count"] == 30
    assert query(http, server, ("limit", 0))["results"] == []
    assert query(http, server, ("offset", 10000))["results"] == []
    for param, value in (("limit", 501), ("offset", 10001), ("limit", -1), ("limit", "x")):
        r = http.get(api(server), params={param: value})
        assert r.status_code == 400
        body = r.json()
        assert body["statusCode"] == 400 and body["errors"][0]["code"] == "InvalidInput"
        assert param in body["message"]


def test_sort_repeatable_asc_and_desc(server: SandboxServer, http: requests.Session) -> None:
    asc = query(http, server, ("sort", "lastModifiedAt asc"), ("sort", "id asc"), ("limit", 500))
    assert [o["id"] for o in asc["results"]] == keyed(ORDERS)
    desc = query(http, server, ("sort", "lastModifiedAt desc"), ("sort", "id desc"), ("limit", 500))
    assert [o["id"] for o in desc["results"]] == keyed(ORDERS)[::-1]
    mixed = query(http, server, ("sort", "lastModifiedAt desc"), ("sort", "id asc"), ("limit", 500))
    assert [o["id"] for o in mixed["results"]] == [
        o["id"]
        for o in sorted(
            sorted(ORDERS, key=lambda o: o["id"]), key=lambda o: o["lastModifiedAt"], reverse=True
        )
    ]
    by_number = query(http, server, ("sort", "totalPrice.centAmount desc"), ("limit", 3))
    assert [o["orderNumber"] for o in by_number["results"]] == ["10029", "10028", "10027"]
    bad = http.get(api(server), params={"sort": "lastModifiedAt upwards"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == "InvalidInput"


def test_where_comparisons_and_and(server: SandboxServer, http: requests.Session) -> None:
    pivot = ORDERS[10]
    cases = {
        f'lastModifiedAt > "{pivot["lastModifiedAt"]}"': lambda o: (
            o["lastModifiedAt"] > pivot["lastModifiedAt"]
        ),
        f'lastModifiedAt >= "{pivot["lastModifiedAt"]}"': lambda o: (
            o["lastModifiedAt"] >= pivot["lastModifiedAt"]
        ),
        f'createdAt < "{pivot["createdAt"]}"': lambda o: o["createdAt"] < pivot["createdAt"],
        f'createdAt <= "{pivot["createdAt"]}"': lambda o: o["createdAt"] <= pivot["createdAt"],
        f'id = "{pivot["id"]}"': lambda o: o["id"] == pivot["id"],
        f'id != "{pivot["id"]}"': lambda o: o["id"] != pivot["id"],
        f'id > "{pivot["id"]}" and createdAt > "{pivot["createdAt"]}"': lambda o: (
            o["id"] > pivot["id"] and o["createdAt"] > pivot["createdAt"]
        ),
        'orderState = "Cancelled" or totalPrice(centAmount >= 1028)': lambda o: (
            o["orderState"] == "Cancelled" or o["totalPrice"]["centAmount"] >= 1028
        ),
        'not(orderState = "Cancelled") and lineItems(quantity = 3)': lambda o: (
            o["orderState"] != "Cancelled" and o["lineItems"][0]["quantity"] == 3
        ),
        'orderNumber in ("10001", "10002") and customerEmail is defined': lambda o: (
            o["orderNumber"] in ("10001", "10002")
        ),
    }
    for where, keep in cases.items():
        body = query(http, server, ("where", where), ("limit", 500), ("sort", "id asc"))
        assert [o["id"] for o in body["results"]] == sorted(o["id"] for o in ORDERS if keep(o)), where
        assert body["total"] == body["count"]


def test_timestamps_compare_as_instants_whatever_their_precision(
    server: SandboxServer, http: requests.Session
) -> None:
    pivot = ORDERS[10]["lastModifiedAt"]  # "...:00.250Z"
    whole_second = pivot[:19] + "Z"  # "...:00Z" is earlier than .250
    body = query(http, server, ("where", f'lastModifiedAt > "{whole_second}"'), ("limit", 500))
    assert body["count"] == sum(o["lastModifiedAt"] >= pivot for o in ORDERS)


def test_several_where_are_anded_and_input_variables(server: SandboxServer, http: requests.Session) -> None:
    pivot = ORDERS[12]
    body = query(
        http,
        server,
        ("where", "lastModifiedAt >= :since"),
        ("where", 'orderState = "Complete"'),
        ("var.since", pivot["lastModifiedAt"]),
        ("limit", 500),
    )
    expected = [
        o for o in ORDERS if o["lastModifiedAt"] >= pivot["lastModifiedAt"] and o["orderState"] == "Complete"
    ]
    assert sorted(o["id"] for o in body["results"]) == sorted(o["id"] for o in expected)
    missing = http.get(api(server), params={"where": "id > :lastId"})
    assert missing.status_code == 400 and "lastId" in missing.json()["message"]
    for broken in ('lastModifiedAt >> "x"', 'id = "a" and', "id = unquoted", '(id = "a"'):
        r = http.get(api(server), params={"where": broken})
        assert r.status_code == 400, broken
        assert r.json()["errors"][0]["code"] == "InvalidInput"
        assert r.json()["message"].startswith("Malformed parameter: where:")


def test_keyset_paging_as_the_loader_does_it(server: SandboxServer, http: requests.Session) -> None:
    seen: list[str] = []
    where = None
    while True:
        params = [("sort", "lastModifiedAt asc"), ("sort", "id asc"), ("withTotal", "false"), ("limit", 4)]
        if where:
            params.append(("where", where))
        page = query(http, server, *params)
        assert "total" not in page
        seen += [o["id"] for o in page["results"]]
        if page["count"] < 4:
            break
        last = page["results"][-1]
        t, i = last["lastModifiedAt"], last["id"]
        where = f'lastModifiedAt > "{t}" or (lastModifiedAt = "{t}" and id > "{i}")'
    assert seen == keyed(ORDERS)


def test_total_is_capped_at_10000_with_a_predicate(tmp_path: Path) -> None:
    ct_store(tmp_path, many_customers=10_050)
    with running(tmp_path) as server:
        http = session()
        http.headers["Authorization"] = "Bearer " + token(server).json()["access_token"]
        assert query(http, server, path="customers")["total"] == 10_050
        capped = query(http, server, ("where", "email is defined"), ("limit", 1), path="customers")
        assert capped["total"] == 10_000 and capped["count"] == 1


def test_single_resources_and_product_projections(server: SandboxServer, http: requests.Session) -> None:
    assert http.get(api(server, f"orders/{ORDERS[3]['id']}")).json()["orderNumber"] == "10003"
    missing = http.get(api(server, "orders/00000000-0000-0000-0000-000000000000"))
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "ResourceNotFound"
    published = query(http, server, ("sort", "createdAt asc"), path="product-projections")
    assert published["total"] == 2 and all(p["published"] for p in published["results"])
    assert published["results"][0]["name"] == {"en": "Thing 0"}
    staged = query(http, server, ("staged", "true"), path="product-projections")
    assert staged["total"] == 3 and "(draft)" in staged["results"][0]["name"]["en"]
    assert query(http, server, path="products")["results"][0]["masterData"]["published"] in (True, False)
