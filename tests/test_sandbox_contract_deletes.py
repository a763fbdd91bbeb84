"""The sandbox's deletes: a record removed from a data file is a delete the platform records then.

Shopify: the GraphQL `events` connection lists a `BasicEvent` (action destroy) per deleted
order, customer and product, stamped when the sandbox noticed the removal.
commercetools: the Messages query lists an `OrderDeleted` / `CustomerDeleted` /
`ProductDeleted` Message per removal when the project has Messages enabled, and nothing
(the query still answers) when it has them disabled; the project's settings say which.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import requests
from sandbox_fixtures import ct_store, running, session, shopify_store

from metric_pulse.sandbox.server import SandboxServer

VERSION = "2026-10"

EVENTS_QUERY = """query Deletions($first: Int!, $after: String, $query: String) {
  events(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {
    nodes { id action createdAt message ... on BasicEvent { subjectId subjectType } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def remove(path: Path, keep) -> None:
    """Rewrite a data file (generator layout) without the records `keep` rejects."""
    lines = path.read_text().splitlines()
    records = [json.loads(line.rstrip(",")) for line in lines[1:-1]]
    kept = [r for r in records if keep(r)]
    path.write_text("[\n" + ",\n".join(json.dumps(r) for r in kept) + "\n]\n")


def test_removed_records_are_shopify_deletion_events(tmp_path: Path) -> None:
    shopify_store(tmp_path)
    with running(tmp_path) as server:
        http = session()
        http.headers["X-Shopify-Access-Token"] = server.credentials["shopify"]["access_token"]
        url = f"{server.env()['SHOPIFY_STORE_URL']}/admin/api/{VERSION}/graphql.json"

        def events(**variables: object) -> dict:
            body = http.post(url, json={"query": EVENTS_QUERY, "variables": variables}).json()
            assert "errors" not in body, body
            return body["data"]["events"]

        assert events(first=10)["nodes"] == []  # nothing removed yet (the files as first indexed)
        before = time.time()
        gone = {"gid://shopify/Order/3", "gid://shopify/Order/7", "gid://shopify/Customer/502"}
        gone.add("gid://shopify/Product/901")
        for resource in ("orders", "customers", "products"):
            remove(tmp_path / "shopify" / f"{resource}.json", lambda r: r["id"] not in gone)

        page = events(first=2, query="action:destroy")
        assert page["pageInfo"]["hasNextPage"]
        rest = events(first=10, after=page["pageInfo"]["endCursor"], query="action:destroy")
        assert not rest["pageInfo"]["hasNextPage"]
        nodes = page["nodes"] + rest["nodes"]
        assert sorted((n["subjectType"], n["subjectId"]) for n in nodes) == [
            ("CUSTOMER", "gid://shopify/Customer/502"),
            ("ORDER", "gid://shopify/Order/3"),
            ("ORDER", "gid://shopify/Order/7"),
            ("PRODUCT", "gid://shopify/Product/901"),
        ]
        assert {n["action"] for n in nodes} == {"destroy"}
        assert len({n["id"] for n in nodes}) == 4
        stamps = {n["createdAt"] for n in nodes}
        assert all(
            s.endswith("Z") and s >= time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(before - 1))
            for s in stamps
        )

        orders_only = events(first=10, query="subject_type:ORDER AND action:destroy")["nodes"]
        assert [n["subjectId"] for n in orders_only] == ["gid://shopify/Order/3", "gid://shopify/Order/7"]
        later = max(stamps).replace("Z", "")
        assert events(first=10, query=f"action:destroy AND created_at:>'{later}Z'")["nodes"] == []
        # createdAt has whole seconds: a reader resumes with >= its last createdAt and skips ids it has
        assert len(events(first=10, query=f"action:destroy AND created_at:>='{later}Z'")["nodes"]) >= 1
        # seen once: the same files again add nothing
        assert len(events(first=10)["nodes"]) == 4


def ct_messages(server: SandboxServer, **params: object) -> tuple[dict, requests.Response]:
    """(the project's settings, the Messages query's response)."""
    env = server.env()
    auth = (env["COMMERCETOOLS_CLIENT_ID"], env["COMMERCETOOLS_CLIENT_SECRET"])
    token = requests.post(
        f"{env['COMMERCETOOLS_AUTH_URL']}/oauth/token", auth=auth, data={"grant_type": "client_credentials"}
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    base = f"{env['COMMERCETOOLS_API_URL']}/{env['COMMERCETOOLS_PROJECT_KEY']}"
    settings = requests.get(base, headers=headers).json()
    return settings, requests.get(f"{base}/messages", params=params, headers=headers)


DELETED_TYPES = 'type in ("OrderDeleted", "CustomerDeleted", "ProductDeleted")'


@pytest.mark.parametrize("enabled", [True, False])
def test_removed_records_are_commercetools_deleted_messages(tmp_path: Path, enabled: bool) -> None:
    ct_store(tmp_path)
    with running(tmp_path, commercetools_messages=enabled) as server:
        settings, empty = ct_messages(server, where=DELETED_TYPES)
        assert settings["messages"] == {"enabled": enabled, "deleteDaysAfterCreation": 15}
        assert empty.status_code == 200 and empty.json()["results"] == []
        orders = json.loads((tmp_path / "commercetools" / "orders.json").read_text())
        gone = {orders[0]["id"], orders[4]["id"]}
        remove(tmp_path / "commercetools" / "orders.json", lambda r: r["id"] not in gone)
        customers = json.loads((tmp_path / "commercetools" / "customers.json").read_text())
        remove(tmp_path / "commercetools" / "customers.json", lambda r: r["id"] != customers[1]["id"])

        _, response = ct_messages(
            server, where=DELETED_TYPES, sort=["createdAt asc", "id asc"], limit="2", withTotal="false"
        )
        assert response.status_code == 200
        if not enabled:  # a project without Messages records none: the query answers, empty
            assert response.json()["results"] == []
            return
        first = response.json()["results"]
        assert len(first) == 2 and "total" not in response.json()
        _, rest = ct_messages(
            server,
            where=f'{DELETED_TYPES} and createdAt >= "{first[-1]["createdAt"]}" and id > "{first[-1]["id"]}"',
            sort=["createdAt asc", "id asc"],
            limit="500",
        )
        messages = first + rest.json()["results"]
        assert sorted((m["type"], m["resource"]["typeId"], m["resource"]["id"]) for m in messages) == sorted(
            [("OrderDeleted", "order", i) for i in gone]
            + [("CustomerDeleted", "customer", customers[1]["id"])]
        )
        assert set(messages[0]) >= {
            "id",
            "version",
            "sequenceNumber",
            "resource",
            "type",
            "createdAt",
            "lastModifiedAt",
        }
