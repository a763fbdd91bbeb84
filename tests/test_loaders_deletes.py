"""Deletes read from the platform, end to end: sandbox HTTP into the embedded PostgreSQL.

Shopify: records removed from the sandbox's files between runs come back as GraphQL
deletion events and land in raw `deleted_records` (detected_by 'event'), read incrementally.
commercetools: as Messages when the project has them enabled (detected_by 'message'), else
by the id reconciliation (detected_by 'reconciliation').
"""

# ruff: noqa: F811 (pytest fixtures imported from test_loaders_sandbox are parameters here)
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

# the generated store and its per-test copy are test_loaders_sandbox's fixtures, used by name here
from test_loaders_sandbox import dataset, query, sandbox, settings_for, store  # noqa: F401

from metric_pulse.config import Settings
from metric_pulse.extract import StoreLoad, load_store
from metric_pulse.warehouse import DbSettings


def read(store: Path, platform: str, resource: str) -> list[dict]:
    return json.loads((store / platform / f"{resource}.json").read_text())


def write(store: Path, platform: str, resource: str, records: list[dict]) -> None:
    path = store / platform / f"{resource}.json"
    path.write_text("[\n" + ",\n".join(json.dumps(r) for r in records) + "\n]\n")


def load(settings: Settings, platform: str, db: DbSettings, pipelines: Path) -> StoreLoad:
    result = load_store(settings.store(platform), settings, db, pipelines_dir=pipelines)
    assert result.error is None, result.error
    return result


@pytest.fixture
def pipelines(tmp_path: Path) -> Path:
    return tmp_path / "dlt"


def test_shopify_deletion_events_land_in_deleted_records(
    store: Path, pg_db: DbSettings, pipelines: Path
) -> None:
    with sandbox(store) as server:
        settings = settings_for(server)
        load(settings, "shopify", pg_db, pipelines)
        assert query(pg_db, "select count(*) from raw_shopify.deleted_records") == [(0,)]

        removed: dict[str, list[str]] = {}
        for resource, count in (("orders", 3), ("customers", 2), ("products", 1)):
            records = read(store, "shopify", resource)
            removed[resource] = sorted(str(r["id"]) for r in records[:count])
            write(store, "shopify", resource, records[count:])
        second = load(settings, "shopify", pg_db, pipelines)
        rows = query(
            pg_db,
            "select resource, id, detected_by, deleted_at is not null, evidence like '%%BasicEvent%%'"
            " from raw_shopify.deleted_records order by resource, id",
        )
        assert rows == [
            (resource, i, "event", True, True) for resource in sorted(removed) for i in removed[resource]
        ]

        # incremental: the next run asks only for events since the newest one (re-reads that second only)
        requests_before = second.requests
        third = load(settings, "shopify", pg_db, pipelines)
        assert query(pg_db, "select count(*) from raw_shopify.deleted_records") == [(6,)]
        assert third.requests <= requests_before


def remove_some(store: Path, platform: str, counts: dict[str, int]) -> dict[str, list[str]]:
    """Remove the first `count` records of each resource file; {resource: their ids as text}."""
    removed: dict[str, list[str]] = {}
    for resource, count in counts.items():
        records = read(store, platform, resource)
        removed[resource] = sorted(str(r["id"]) for r in records[:count])
        write(store, platform, resource, records[count:])
    return removed


# the project's Messages: enabled; disabled; enabled, but our API client lacks view_messages
PROJECTS = {
    "messages": {},
    "messages disabled": {"commercetools_messages": False},
    "no messages scope": {"commercetools_scopes": ("view_orders", "view_customers", "view_products")},
}


@pytest.mark.parametrize("project", list(PROJECTS))
def test_commercetools_deletes_from_messages_else_the_id_reconciliation(
    store: Path, pg_db: DbSettings, pipelines: Path, project: str
) -> None:
    messages = project == "messages"
    with sandbox(store, **PROJECTS[project]) as server:
        settings = settings_for(server)
        load(settings, "commercetools", pg_db, pipelines)
        removed = remove_some(store, "commercetools", {"orders": 3, "customers": 2, "products": 1})
        if messages:  # read every run
            load(settings, "commercetools", pg_db, pipelines)
        else:  # the reconciliation ran on the first run (nothing to compare yet); next due in a week
            load(settings, "commercetools", pg_db, pipelines)
            assert query(pg_db, "select count(*) from raw_commercetools.deleted_records") == [(0,)]
            asked = replace(settings, load=replace(settings.load, reconcile=True))
            load(asked, "commercetools", pg_db, pipelines)
        rows = query(
            pg_db,
            "select resource, id, detected_by, deleted_at is not null"
            " from raw_commercetools.deleted_records order by resource, id",
        )
        how = "message" if messages else "reconciliation"
        assert rows == [(resource, i, how, True) for resource in sorted(removed) for i in removed[resource]]


@pytest.mark.parametrize("platform", ["shopify", "woocommerce", "commercetools"])
def test_a_page_that_keeps_failing_with_5xx_is_retried_smaller(
    store: Path, pg_db: DbSettings, pipelines: Path, platform: str
) -> None:
    """The sandbox fails every page asking for more than 40 records (fail_pages_over): the listing halves
    its page (250 -> 125 -> 62 -> 31 on Shopify's customers and products, 500 -> ... -> 31 on commercetools; WooCommerce's page
    numbers are renumbered as they halve: 100 -> 50 -> 25) and loads everything."""
    paginated = {"SHOPIFY_BULK_AFTER_DAYS": "off"}  # Shopify's first run would be a Bulk Operation
    with sandbox(store, fail_pages_over=40) as server:
        settings = settings_for(server, HTTP_MAX_RETRIES="1", **paginated)
        load(settings, platform, pg_db, pipelines)
        assert query(pg_db, f"select count(*) from raw_{platform}.orders") == [
            (len(read(store, platform, "orders")),)
        ]
        statuses = server.stats()[platform]["statuses"]
        assert statuses.get(500, 0) + statuses.get(503, 0) > 0  # the heavy pages did fail

    # below the floor (10 records) nothing helps: the platform fails with the 5xx, nothing half-loaded
    with sandbox(store, fail_pages_over=5) as server:
        result = load_store(
            settings_for(server, HTTP_MAX_RETRIES="1", **paginated).store(platform),
            settings_for(server, HTTP_MAX_RETRIES="1", **paginated),
            pg_db,
            pipelines_dir=pipelines / "floor",
            full_refresh=True,
        )
        assert result.error is not None and "5" in result.error
