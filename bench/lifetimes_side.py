"""The `lifetimes` half of bench_clv.py; runs ONLY in bench/.venv-bench (lifetimes needs pandas<3, scipy<1.16).

    bench/.venv-bench/bin/python bench/lifetimes_side.py SUMMARY.csv MODEL[,MODEL...] OUT.json

SUMMARY.csv has columns x, t_x, T, monetary (the same numbers our side fits). Each
model is fitted the way lifetimes' documentation shows (one row per customer, no
penalizer); the fit's wall time, lifetimes' own log-likelihood and the parameters
are written to OUT.json.
"""

import json
import sys
import time
import warnings

import pandas as pd

warnings.filterwarnings("ignore")

from lifetimes import BetaGeoFitter, GammaGammaFitter, ModifiedBetaGeoFitter, ParetoNBDFitter  # noqa: E402

FITTERS = {"bgnbd": BetaGeoFitter, "pnbd": ParetoNBDFitter, "mbgnbd": ModifiedBetaGeoFitter}


def main() -> int:
    path, models, out = sys.argv[1], sys.argv[2].split(","), sys.argv[3]
    data = pd.read_csv(path)
    results = {}
    for name in models:
        if name == "gamma-gamma":
            keep = (data["x"] > 0) & (data["monetary"] > 0)
            fitter = GammaGammaFitter(penalizer_coef=0.0)
            started = time.perf_counter()
            fitter.fit(data.loc[keep, "x"], data.loc[keep, "monetary"])
            n = int(keep.sum())
        else:
            fitter = FITTERS[name](penalizer_coef=0.0)
            started = time.perf_counter()
            fitter.fit(data["x"], data["t_x"], data["T"])
            n = len(data)
        seconds = time.perf_counter() - started
        # lifetimes minimises the mean negative LL (pnbd: divided by the mean weight, i.e. 1)
        own = -float(fitter._negative_log_likelihood_) * (1 if name == "pnbd" else n)
        results[name] = {
            "seconds": seconds,
            "params": {k: float(v) for k, v in fitter.params_.items()},
            "own_log_likelihood": own,
        }
    with open(out, "w") as handle:
        json.dump(results, handle)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
