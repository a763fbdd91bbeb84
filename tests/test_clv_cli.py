"""`metric-pulse clv fit` through `python -m metric_pulse.clv.cli` in a subprocess: JSON on CDNOW, one-line errors on bad CSVs."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from metric_pulse.clv.cli import register
from tests.cdnow import read_cdnow_raw

ROOT = Path(__file__).resolve().parents[1]


def run_clv(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "metric_pulse.clv.cli", "clv", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def cdnow_csv(tmp_path_factory) -> Path:
    raw = read_cdnow_raw()
    raw["order_day"] = pd.to_datetime(raw["date"], format="%Y%m%d").dt.strftime("%Y-%m-%d")
    path = tmp_path_factory.mktemp("clv") / "cdnow.csv"
    # other column names than the defaults, an extra column, the holdout rows left in
    raw.rename(columns={"customer_id": "cust", "amount": "dollars"})[
        ["cust", "order_day", "n_cds", "dollars"]
    ].to_csv(path, index=False)
    return path


def _fit(path: Path, *extra: str) -> dict:
    proc = run_clv(
        "fit",
        "--transactions",
        str(path),
        "--calibration-end",
        "1997-09-30",
        "--customer-col",
        "cust",
        "--date-col",
        "order_day",
        "--amount-col",
        "dollars",
        *extra,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1  # exactly one JSON object
    return json.loads(lines[0])


def test_fit_bgnbd_on_cdnow_csv(cdnow_csv):
    out = _fit(cdnow_csv, "--model", "bgnbd")
    assert out["model"] == "bgnbd" and out["n_customers"] == 2357 and out["converged"] is True
    for k, v in {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}.items():
        assert out["params"][k] == pytest.approx(v, rel=0.01)
    assert out["log_likelihood"] == pytest.approx(-9582.4, abs=0.05)
    assert 0 < out["fit_seconds"] < 30
    spend = out["spend"]
    assert spend["n_customers"] == 946 and set(spend["params"]) == {"p", "q", "v"}
    assert spend["log_likelihood"] == pytest.approx(-4055.92, abs=0.05)
    assert spend["params"]["v"] == pytest.approx(15.44, rel=0.01)


def test_fit_pnbd_in_days(cdnow_csv):
    out = _fit(cdnow_csv, "--model", "pnbd", "--time-unit", "day")
    assert set(out["params"]) == {"r", "alpha", "s", "beta"}
    # same model, time stretched 7x: shape parameters unchanged, scales x7
    assert out["params"]["r"] == pytest.approx(0.553, rel=0.01)
    assert out["params"]["s"] == pytest.approx(0.606, rel=0.01)
    assert out["params"]["alpha"] == pytest.approx(10.578 * 7, rel=0.01)
    assert out["params"]["beta"] == pytest.approx(11.669 * 7, rel=0.01)


BAD_CSVS = {
    "missing_column": ("customer_id,day,amount\n1,2024-01-01,3\n", "missing column(s) date"),
    "bad_date": (
        "customer_id,date,amount\n1,2024-01-01,3\n1,01/02/2024,4\n",
        "line 3: cannot parse date '01/02/2024'",
    ),
    "impossible_date": ("customer_id,date,amount\n1,2024-02-30,3\n", "line 2: cannot parse date"),
    "negative_amount": (
        "customer_id,date,amount\n1,2024-01-01,3\n2,2024-01-05,-4.5\n",
        "line 3: negative amount",
    ),
    "text_amount": ("customer_id,date,amount\n1,2024-01-01,$3\n", "line 2: amount '$3'"),
    "empty_file": ("", "empty file"),
    "header_only": ("customer_id,date,amount\n", "no transactions"),
    "no_repeat_buyers": (
        "customer_id,date,amount\n" + "".join(f"{i},2024-01-0{i},5\n" for i in range(1, 10)),
        "no repeat buyers",
    ),
}


@pytest.mark.parametrize("case", list(BAD_CSVS))
def test_malformed_csv_gives_one_error_line_and_exit_2(case, tmp_path):
    content, needle = BAD_CSVS[case]
    path = tmp_path / "tx.csv"
    path.write_text(content)
    proc = run_clv("fit", "--transactions", str(path), "--calibration-end", "2024-12-31")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("metric-pulse clv fit: error:")
    assert needle in lines[0]


def test_missing_file_and_bad_calibration_end(tmp_path):
    proc = run_clv("fit", "--transactions", str(tmp_path / "nope.csv"), "--calibration-end", "2024-12-31")
    assert (
        proc.returncode == 2 and "no such file" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    )
    (tmp_path / "ok.csv").write_text("customer_id,date,amount\n1,2024-01-01,3\n")
    proc = run_clv("fit", "--transactions", str(tmp_path / "ok.csv"), "--calibration-end", "end of year")
    assert proc.returncode == 2 and "--calibration-end" in proc.stderr and "Traceback" not in proc.stderr


def test_help_documents_the_input_format():
    proc = run_clv("fit", "--help")
    assert proc.returncode == 0
    text = " ".join(proc.stdout.split())
    assert "usage: metric-pulse clv fit" in proc.stdout
    for needle in (
        "customer_id",
        "YYYY-MM-DD",
        "YYYYMMDD",
        "ISO 8601",
        "same calendar day are merged",
        "calibration end is inclusive",
        "--time-unit",
        "Exit codes",
    ):
        assert needle in text, needle


def test_register_adds_clv_fit_with_a_handler():
    parser = argparse.ArgumentParser(prog="metric-pulse")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["clv", "fit", "--transactions", "x.csv", "--calibration-end", "2024-01-31"])
    assert args.model == "pnbd" and args.time_unit == "week" and args.customer_col == "customer_id"
    assert callable(args.func)
