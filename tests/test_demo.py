"""The demo default's data set: generated once, whole, on the first run (even when two first
runs start together), its order history ending yesterday (UTC).

Before (issue 14, item 15): both runs saw no store and generated into the same files at
once; a run killed mid-generation left a partial store that later runs took as complete.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest import PROJECT_ROOT

from metric_pulse.config import load_settings
from metric_pulse.demo import demo_or_configured, demo_window
from metric_pulse.platforms import PLATFORMS
from metric_pulse.sandbox.generate import generate


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
    newest = max(datetime.fromisoformat(o["createdAt"]).astimezone(UTC).date() for o in orders)
    assert end - timedelta(days=7) <= newest <= end, "the demo's orders run up to yesterday"


_DEMO = """
import logging, sys
from metric_pulse.config import load_settings
from metric_pulse.demo import demo_or_configured
logging.basicConfig(level=logging.INFO, format="%(message)s")
with demo_or_configured(load_settings({"METRIC_PULSE_DATA_DIR": sys.argv[1]})) as active:
    print("serving", sorted(active.platforms))
"""


def test_two_first_runs_generate_the_demo_store_once(tmp_path):
    state = tmp_path / "state"
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", _DEMO, str(state)],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=600) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    logs = "".join(err for _, err in outputs)
    assert logs.count("generating the demo data set") == 1, logs
    for out, _ in outputs:
        assert f"serving {sorted(PLATFORMS)}" in out
    store = state / "sandbox"
    for platform in PLATFORMS:
        for resource in ("customers", "products", "orders"):
            assert json.loads((store / platform / f"{resource}.json").read_text()), (platform, resource)
    assert sorted(p.name for p in state.iterdir()) == [
        "sandbox",
        "sandbox.lock",
    ]  # no scratch left
