"""WooCommerce lifecycle over real HTTP: trash and restore by editing the data file, permanent delete by
removing a record, `/orders/<id>/refunds` and `/products/<id>/variations`, `_fields=id`, and the two
real-host server options (a web server stripping `Authorization`, a WooCommerce too old for
`modified_after`)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sandbox_fixtures import BASE, naive, running, session, woo_order, write

from metric_pulse.sandbox.server import SandboxServer


def refund(ident: int, order: int, day: int, amount: str) -> dict:
    at = BASE + timedelta(days=day)
    return {
        "id": ident,
        "parent_id": order,
        "date_created": naive(at),
        "date_created_gmt": naive(at),
        "amount": amount,
        "reason": "",
        "line_items": [{"id": ident * 10, "product_id": 7, "variation_id": 8, "quantity": -1}],
    }


def store(root: Path) -> None:
    write(root, "woocommerce", "orders", [woo_order(i) for i in range(1, 6)])
    write(root, "woocommerce", "refunds", [refund(901, 2, 1, "5.00"), refund(902, 2, 3, "1.00")])
    write(root, "woocommerce", "products", [{"id": 7, "name": "Shirt", "variations": [8]}])
    write(root, "woocommerce", "variations", [{"id": 8, "parent_id": 7, "sku": "S-M"}])


def auth(server: SandboxServer) -> tuple[str, str]:
    c = server.credentials["woocommerce"]
    return c["consumer_key"], c["consumer_secret"]


def get(server: SandboxServer, path: str, **params: object) -> requests.Response:
    url = f"{server.env()['WOOCOMMERCE_URL']}/wp-json/wc/v3/{path}"
    return session().get(url, params=params, auth=auth(server))


def ids(response: requests.Response) -> list[int]:
    assert response.status_code == 200, response.text
    return sorted(r["id"] for r in response.json())


def test_trash_restore_and_permanent_delete_follow_the_data_file(tmp_path: Path) -> None:
    store(tmp_path)
    with running(tmp_path) as server:
        assert ids(get(server, "orders")) == [1, 2, 3, 4, 5]
        orders = [woo_order(i) for i in range(1, 6)]
        orders[2]["status"] = "trash"
        write(tmp_path, "woocommerce", "orders", orders[:4])  # 5 deleted for good, 3 trashed
        assert ids(get(server, "orders")) == [1, 2, 4]  # status=any leaves out the trash
        assert ids(get(server, "orders", status="trash")) == [3]
        assert get(server, "orders/5").status_code == 404
        orders[2]["status"] = "completed"
        write(tmp_path, "woocommerce", "orders", orders[:4])  # untrash
        assert ids(get(server, "orders")) == [1, 2, 3, 4]
        assert ids(get(server, "orders", status="trash")) == []


def test_refunds_are_dated_newest_first_without_parent_id_and_variations_by_product(tmp_path: Path) -> None:
    store(tmp_path)
    with running(tmp_path) as server:
        refunds = get(server, "orders/2/refunds")
        assert refunds.status_code == 200 and refunds.headers["X-WP-Total"] == "2"
        body = refunds.json()
        assert [r["id"] for r in body] == [902, 901]
        assert body[1]["date_created_gmt"] == naive(BASE + timedelta(days=1))
        assert body[1]["line_items"][0]["variation_id"] == 8 and "parent_id" not in body[1]
        assert get(server, "orders/2/refunds", per_page=1, page=2).json()[0]["id"] == 901
        assert get(server, "orders/1/refunds").json() == []
        assert get(server, "orders/99/refunds").status_code == 404
        assert get(server, "products/7/variations").json() == [{"id": 8, "parent_id": 7, "sku": "S-M"}]
        assert get(server, "customers/7/refunds").status_code == 404


def test_fields_id_keeps_only_the_ids(tmp_path: Path) -> None:
    store(tmp_path)
    with running(tmp_path) as server:
        body = get(server, "orders", _fields="id", per_page=100).json()
        assert sorted(body, key=lambda r: r["id"]) == [{"id": i} for i in range(1, 6)]


def test_a_host_stripping_authorization_answers_consumer_key_missing(tmp_path: Path) -> None:
    store(tmp_path)
    with running(tmp_path, woocommerce_strip_authorization=True) as server:
        response = get(server, "orders")
        assert response.status_code == 401
        assert response.json()["message"] == "Consumer key is missing."
        key, secret = auth(server)
        url = f"{server.env()['WOOCOMMERCE_URL']}/wp-json/wc/v3/orders"
        query = requests.get(url, params={"consumer_key": key, "consumer_secret": secret})
        assert ids(query) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("too_old", [False, True])
def test_a_too_old_woocommerce_ignores_modified_after(tmp_path: Path, too_old: bool) -> None:
    store(tmp_path)
    with running(tmp_path, woocommerce_ignores_modified_after=too_old) as server:
        newest = max(woo_order(i)["date_modified_gmt"] for i in range(1, 6))
        found = ids(get(server, "orders", modified_after=newest, dates_are_gmt="true"))
        assert found == ([1, 2, 3, 4, 5] if too_old else [])
