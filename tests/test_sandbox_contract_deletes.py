"""The sandbox's deletes: a record removed from a data file is a delete the platform records then.

Shopify: the GraphQL `events` connection lists a `BasicEvent` (action destroy) per deleted
order, customer and product, stamped when the sandbox noticed the removal.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from sandbox_fixtures import running, session, shopify_store

VERSION = "2025-10"

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
        remove(tmp_path / "shopify" / "orders.json", lambda r: r["id"] not in (3, 7))
        remove(tmp_path / "shopify" / "customers.json", lambda r: r["id"] != 502)
        remove(tmp_path / "shopify" / "products.json", lambda r: r["id"] != 901)

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
