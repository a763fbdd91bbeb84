"""The demo default's data set: generated on the first run, its order history ending yesterday (UTC)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from loaders.config import load_settings
from loaders.demo import demo_or_configured, demo_window
from sandbox.generate import generate

PLATFORMS = ("shopify", "woocommerce", "commercetools")


def test_first_demo_generation_ends_yesterday(tmp_path: Path) -> None:
    today = datetime.now(UTC).date()
    settings = load_settings({"METRIC_PULSE_DATA_DIR": str(tmp_path / "data")})
    with demo_or_configured(settings) as active:
        assert set(active.platforms) == set(PLATFORMS)
    demo = tmp_path / "data" / "sandbox"

    start, end = demo_window(today)
    assert end == today - timedelta(days=1) and start < end - timedelta(days=365)
    # deterministic for a given end: the demo is exactly what the generator writes for that window
    generate(tmp_path / "expected", start=start, end=end)
    for platform in PLATFORMS:
        assert (demo / platform / "orders.json").read_bytes() == (
            tmp_path / "expected" / platform / "orders.json"
        ).read_bytes(), platform

    orders = json.loads((demo / "shopify" / "orders.json").read_text())
    newest = max(datetime.fromisoformat(o["created_at"]).astimezone(UTC).date() for o in orders)
    assert end - timedelta(days=7) <= newest <= end, "the demo's orders run up to yesterday"
