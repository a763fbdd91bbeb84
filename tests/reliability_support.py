"""Helpers of the reliability suite (tests/test_reliability_*.py): the store as ground truth, raw vs store.

The sandbox data directory is the truth: after a scenario the raw tables must hold
every record of it once, at its newest modification time.
"""

from __future__ import annotations

import json
import os
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from loaders.incremental import parse_timestamp
from loaders.json_body import loads
from metric_pulse.platforms import PLATFORMS as REGISTRY
from metric_pulse.warehouse import DbSettings

PLATFORMS = tuple(REGISTRY)
RESOURCES = ("customers", "products", "orders")
# the field each platform's order cursor reads (what a test editing the store must bump)
CURSOR = {name: platform.loader.cursor_fields["orders"] for name, platform in REGISTRY.items()}
CURSOR_COLUMN = {
    "shopify": "updated_at",
    "woocommerce": "date_modified_gmt",
    "commercetools": "last_modified_at",
}
FAST = {
    "SHOPIFY_RATE_LIMIT": "50",
    "SHOPIFY_RATE_BURST": "50",
    "WOOCOMMERCE_RATE_LIMIT": "50",
    "COMMERCETOOLS_RATE_LIMIT": "50",
}


def read(store: Path, platform: str, resource: str) -> list[Any]:
    """A store file's records; the bad-input corpus puts bytes in it that are not UTF-8 or nest too deep."""
    return loads((store / platform / f"{resource}.json").read_bytes())


def write(store: Path, platform: str, resource: str, records: list[Any]) -> None:
    """The generator's layout: '[', one object per line, ']' (the sandbox indexes it line by line)."""
    path = store / platform / f"{resource}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text("[\n" + ",\n".join(json.dumps(r, separators=(",", ":")) for r in records) + "\n]\n")
    os.replace(tmp, path)


def stamp(platform: str, moment: datetime) -> str:
    """A modification time in the platform's own format."""
    moment = moment.astimezone(UTC)
    if platform == "commercetools":
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    if platform == "woocommerce":
        return moment.strftime("%Y-%m-%dT%H:%M:%S")
    return moment.isoformat(timespec="seconds")


def give_new_order_id(
    platform: str, order: dict, orders: list[dict], commercetools_id: str, step: int = 1
) -> None:
    """Make `order` a new order of the store: an id `step` past the highest (Shopify: a GID, and its
    legacyResourceId), or `commercetools_id` (a UUID)."""
    if platform == "commercetools":
        order["id"] = commercetools_id
    elif platform == "shopify":
        number = max(
            int(o["legacyResourceId"]) for o in orders if isinstance(o, dict) and "legacyResourceId" in o
        )
        order["id"], order["legacyResourceId"] = f"gid://shopify/Order/{number + step}", str(number + step)
    else:
        order["id"] = max(o["id"] for o in orders if isinstance(o, dict) and type(o.get("id")) is int) + step


def modified(platform: str, record: dict) -> datetime:
    value = record.get(CURSOR[platform])
    if value is None and platform == "woocommerce":
        value = record.get("date_created_gmt")
    return parse_timestamp(value)


def set_modified(platform: str, record: dict, moment: datetime) -> None:
    record[CURSOR[platform]] = stamp(platform, moment)
    if platform == "woocommerce":
        record["date_modified"] = record[CURSOR[platform]]
    if platform == "commercetools":
        record["version"] = int(record.get("version") or 1) + 1
        record["versionModifiedAt"] = record[CURSOR[platform]]


def query(db: DbSettings, sql: str, *args: Any) -> list[tuple]:
    conn = db.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(sql, args or None)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def as_utc(value: Any) -> datetime:
    return value.astimezone(UTC) if isinstance(value, datetime) else parse_timestamp(value)


def raw_versions(db: DbSettings, platform: str, resource: str) -> list[tuple[str, datetime]]:
    """(id as text, modification time) of every raw row."""
    column = CURSOR_COLUMN[platform]
    if platform == "woocommerce" and resource == "customers":
        column = f"coalesce({column}, date_created_gmt)"
    rows = query(db, f"select id, {column} from raw_{platform}.{resource}")
    return [(str(i), as_utc(t)) for i, t in rows]


def raw_differences(
    db: DbSettings, expected: dict[str, dict[str, datetime]], platform: str, resource: str
) -> list[str]:
    """What differs between raw and `expected` ({id: newest time}): missing, extra, duplicate, stale ids."""
    rows = raw_versions(db, platform, resource)
    ids = [i for i, _ in rows]
    problems = []
    duplicates = sorted({i for i in ids if ids.count(i) > 1}) if len(ids) != len(set(ids)) else []
    if duplicates:
        problems.append(f"{platform}.{resource}: duplicate ids {duplicates[:5]}")
    missing = sorted(set(expected) - set(ids))
    extra = sorted(set(ids) - set(expected))
    if missing:
        problems.append(f"{platform}.{resource}: {len(missing)} missing, e.g. {missing[:5]}")
    if extra:
        problems.append(f"{platform}.{resource}: {len(extra)} unexpected, e.g. {extra[:5]}")
    stale = [i for i, t in rows if i in expected and t != expected[i]]
    if stale:
        problems.append(f"{platform}.{resource}: {len(stale)} old versions, e.g. {stale[:5]}")
    return problems


def store_truth(store: Path, platform: str, resource: str) -> dict[str, datetime]:
    """{id: newest modification time} of a store's resource (a repeated id keeps its newest version)."""
    truth: dict[str, datetime] = {}
    for record in read(store, platform, resource):
        key, moment = str(record["id"]), modified(platform, record)
        if key not in truth or moment > truth[key]:
            truth[key] = moment
    return truth


def assert_raw_equals_store(db: DbSettings, store: Path) -> None:
    problems = [
        p
        for platform in PLATFORMS
        for resource in RESOURCES
        for p in raw_differences(db, store_truth(store, platform, resource), platform, resource)
    ]
    assert not problems, "\n".join(problems)


def kill_tree(pid: int) -> None:
    """SIGKILL a process and everything it started (it runs in its own session)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def later(moment: datetime, **delta: float) -> datetime:
    return moment + timedelta(**delta)
