"""WooCommerce in dbt, hand-checked: a refund counts on its own day, not the order's last change; a
trashed order is marked in staging; variations and refund lines are staged."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from raw_fixtures import load_raw, woo_line, woo_order
from test_dbt_models import assert_ok, db, dbt, dbt_database, rows, target_dir  # noqa: F401 (fixtures)

from metric_pulse.warehouse import DbSettings


def test_refunds_land_on_their_own_day_and_trash_is_marked(
    db: DbSettings,  # noqa: F811 (the fixture imported above)
    target_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    dated = woo_order(
        501,
        "2026-10-01T10:00:00",
        [woo_line(1, 100.0, 2, product_id=30)],
        currency="USD",
        refunds=[(9001, 30.0)],
        modified="2026-10-20T08:00:00",  # edited long after the refund
    )
    undated = woo_order(  # listed on the order, not read from the endpoint (older data): order's date
        502,
        "2026-10-02T10:00:00",
        [woo_line(2, 40.0, 1)],
        currency="USD",
        refunds=[(9002, 10.0)],
        modified="2026-10-03T09:00:00",
    )
    trashed = woo_order(
        503,
        "2026-10-02T11:00:00",
        [woo_line(3, 5.0, 1)],
        currency="USD",
        status="trash",
        modified="2026-10-04T12:00:00",
    )
    refund = {
        "id": 9001,
        "order_id": 501,
        "date_created_gmt": "2026-10-05T15:00:00",
        "amount": "30.00",
        "reason": "",
        "line_items": [
            {
                "id": 77,
                "product_id": 30,
                "variation_id": 31,
                "quantity": -1,
                "total": "-30.00",
                "total_tax": "0.00",
            }
        ],
    }
    variation = {
        "id": 31,
        "product_id": 30,
        "sku": "MUG-L",
        "name": "Mug - L",
        "status": "publish",
        "price": "50.00",
    }
    load_raw(
        db,
        {
            "woocommerce": {
                "orders": [dated, undated, trashed],
                "refunds": [refund],
                "variations": [variation],
            }
        },
        tmp_path / "dlt",
    )
    assert_ok(dbt(db, target_dir, "build"))

    refunds = rows(
        db,
        "select date, refunds from analytics.daily_metrics where platform = 'woocommerce' and refunds > 0 "
        "order by date",
    )
    assert refunds == [(date(2026, 10, 3), 10), (date(2026, 10, 5), 30)]
    assert rows(
        db,
        "select order_id, is_trashed, trashed_at is not null from staging.stg_woocommerce__orders "
        "order by order_id",
    ) == [("501", False, False), ("502", False, False), ("503", True, True)]
    assert rows(
        db, "select variant_id, quantity, line_total from staging.stg_woocommerce__refund_line_items"
    ) == [("31", 1, 30)]
    assert rows(db, "select variant_id, product_id from staging.stg_woocommerce__variations") == [
        ("31", "30")
    ]
