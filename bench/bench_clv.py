"""CLV fits: our clv package vs `lifetimes` 0.11.3 on the same numbers, time ratio and log-likelihood difference.

    make bench-venv   # once: bench/.venv-bench with lifetimes and the old pandas/scipy it needs
    .venv/bin/python bench/bench_clv.py [--customers 100000]

Two data sets: CDNOW (2,357 customers, calibration to 1997-09-30, weeks) and
`--customers` synthetic customers drawn from the CDNOW Pareto/NBD fit (metric_pulse.clv.simulate),
with spend drawn from the CDNOW Gamma-Gamma fit. Per-customer (x, t_x, T, monetary)
go to a CSV that both sides read: lifetimes runs in its own venv in a subprocess
(bench/lifetimes_side.py), ours in this process. Times are fit wall times only
(no import or CSV time). Both sides' parameters are scored with one log-likelihood
function (ours, which reproduces the published CDNOW values), so "LL ours - lifetimes"
> 0 means our fit found a better maximum. (lifetimes' own LL is not comparable: it
rescales time before fitting, which shifts the density by a constant.)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from metric_pulse.clv.gamma_gamma import GammaGamma  # noqa: E402
from metric_pulse.clv.models import make_model  # noqa: E402
from metric_pulse.clv.simulate import observation_lengths, simulate_pnbd  # noqa: E402
from metric_pulse.clv.summary import summarize  # noqa: E402
from tests.cdnow import load_cdnow  # noqa: E402

BENCH_PYTHON = harness.ROOT / "bench" / ".venv-bench" / "bin" / "python"
LIFETIMES_SIDE = harness.ROOT / "bench" / "lifetimes_side.py"
MODELS = ("bgnbd", "mbgnbd", "pnbd", "gamma-gamma")


def cdnow() -> pd.DataFrame:
    s = summarize(load_cdnow(), "1997-09-30")
    return pd.DataFrame({"x": s["x"], "t_x": s["t_x"], "T": s["T"], "monetary": s["zbar"].fillna(0.0)})


def synthetic(n: int, seed: int = 1) -> pd.DataFrame:
    """n customers from the CDNOW Pareto/NBD and Gamma-Gamma fits (continuous times: no two alike)."""
    base = cdnow()
    pnbd = make_model("pnbd")
    pnbd.fit(base["x"], base["t_x"], base["T"])
    gg = GammaGamma()
    gg.fit(base["x"], base["monetary"].where(base["x"] > 0))
    rng = np.random.default_rng(seed)
    x, t_x, T = simulate_pnbd(pnbd.params, observation_lengths(rng, n), seed=seed)
    p, q, v = (gg.params[k] for k in ("p", "q", "v"))
    nu = rng.gamma(q, 1.0 / v, n)
    # the mean of x purchases of Gamma(p, rate nu) is Gamma(p x, rate nu x)
    spend = np.where(x > 0, rng.gamma(np.maximum(p * x, 1e-9), 1.0 / (nu * np.maximum(x, 1.0))), 0.0)
    return pd.DataFrame({"x": x, "t_x": t_x, "T": T, "monetary": spend})


def fit_ours(data: pd.DataFrame) -> dict[str, dict]:
    out = {}
    x, t_x, T, m = (data[c].to_numpy(float) for c in ("x", "t_x", "T", "monetary"))
    for name in MODELS:
        started = time.perf_counter()
        if name == "gamma-gamma":
            model = GammaGamma()
            result = model.fit(x, np.where(x > 0, m, np.nan))
        else:
            model = make_model(name)
            result = model.fit(x, t_x, T)
        out[name] = {
            "seconds": time.perf_counter() - started,
            "params": result.params,
            "model": model,
            "converged": result.converged,
        }
    return out


def log_likelihood(name: str, params: dict[str, float], data: pd.DataFrame) -> float:
    x, t_x, T, m = (data[c].to_numpy(float) for c in ("x", "t_x", "T", "monetary"))
    if name == "gamma-gamma":
        return GammaGamma(params).log_likelihood(x, np.where(x > 0, m, np.nan))
    model = make_model(name)
    model.params = dict(params)
    return model.log_likelihood(x, t_x, T)


def fit_lifetimes(data: pd.DataFrame, timeout: float) -> dict[str, dict]:
    if not BENCH_PYTHON.exists():
        raise SystemExit(f"{BENCH_PYTHON} is missing: run `make bench-venv` first")
    with tempfile.TemporaryDirectory() as tmp:
        csv, out = Path(tmp) / "summary.csv", Path(tmp) / "lifetimes.json"
        data.to_csv(csv, index=False, float_format="%.17g")
        results: dict[str, dict] = {}
        for name in MODELS:  # one subprocess per model, so one slow fit cannot hide the others
            try:
                subprocess.run(
                    [str(BENCH_PYTHON), str(LIFETIMES_SIDE), str(csv), name, str(out)],
                    check=True,
                    timeout=timeout,
                    capture_output=True,
                    text=True,
                )
                results.update(json.loads(out.read_text()))
            except subprocess.TimeoutExpired:
                results[name] = {"timeout": timeout}
            except subprocess.CalledProcessError as exc:
                results[name] = {"error": (exc.stderr or "").strip().splitlines()[-1:] or ["failed"]}
        return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument(
        "--lifetimes-timeout",
        type=float,
        default=180.0,
        help="seconds one lifetimes fit may take before it is reported as a timeout",
    )
    args = ap.parse_args(argv)
    print(harness.machine_line())
    rows, ratios, lls = [], [], []
    for label, data in (
        ("CDNOW 2,357", cdnow()),
        (f"synthetic {args.customers:,}", synthetic(args.customers)),
    ):
        theirs = fit_lifetimes(data, args.lifetimes_timeout)
        ours = fit_ours(data)
        for name in MODELS:
            mine, other = ours[name], theirs.get(name, {})
            ll_ours = log_likelihood(name, mine["params"], data)
            if "seconds" in other:
                ll_theirs = log_likelihood(name, other["params"], data)
                ratio = mine["seconds"] / other["seconds"]
                ratios.append(ratio)
                lls.append(ll_ours - ll_theirs)
                rows.append(
                    [
                        label,
                        name,
                        mine["seconds"],
                        other["seconds"],
                        ratio,
                        f"{ll_ours:.3f}",
                        f"{ll_theirs:.3f}",
                        f"{ll_ours - ll_theirs:+.2g}",
                        mine["converged"],
                    ]
                )
            else:
                what = (
                    f"timeout > {other['timeout']:.0f}s"
                    if "timeout" in other
                    else f"error {other.get('error')}"
                )
                rows.append(
                    [label, name, mine["seconds"], what, "-", f"{ll_ours:.3f}", "-", "-", mine["converged"]]
                )
    harness.print_table(
        [
            "data",
            "model",
            "ours s",
            "lifetimes s",
            "time ours/lifetimes",
            "LL ours",
            "LL lifetimes",
            "LL ours - lifetimes",
            "ours converged",
        ],
        rows,
    )
    geo = float(np.exp(np.mean(np.log(ratios)))) if ratios else float("nan")
    harness.summary(
        f"clv: our fit time / lifetimes' = {geo:.2f} (geometric mean over {len(ratios)} fits, "
        f"range {min(ratios):.2f}-{max(ratios):.2f}); LL ours - lifetimes from {min(lls):+.2f} "
        f"to {max(lls):+.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
