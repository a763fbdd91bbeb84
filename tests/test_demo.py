"""The demo store: generated once, whole, even when two first runs start together.

Before (issue 14, item 15): both runs saw no store and generated into the same files at
once; a run killed mid-generation left a partial store that later runs took as complete
(`commercetools/orders.json`, the marker, is written before that store's customers).
"""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import PROJECT_ROOT

_DEMO = """
import logging, sys
from loaders.config import load_settings
from loaders.demo import demo_or_configured
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
        assert "serving ['commercetools', 'shopify', 'woocommerce']" in out
    store = state / "sandbox"
    for platform in ("shopify", "woocommerce", "commercetools"):
        for resource in ("customers", "products", "orders"):
            assert json.loads((store / platform / f"{resource}.json").read_text()), (platform, resource)
    assert sorted(p.name for p in state.iterdir()) == ["sandbox", "sandbox.lock"]  # no scratch left
