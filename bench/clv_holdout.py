"""Timings and the CDNOW holdout check behind docs/clv.md.

    .venv/bin/python bench/clv_holdout.py [--customers 100000] [--repeat 3]

Prints markdown: fit time per model on CDNOW (median of --repeat runs), the
39-week holdout check per model (total and by number of calibration
purchases), and fit time / recovered parameters on synthetic customers drawn
from the CDNOW fits.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402, F401  (puts the project on sys.path)
import numpy as np  # noqa: E402
from scipy.stats import rankdata  # noqa: E402

from metric_pulse.clv.gamma_gamma import GammaGamma  # noqa: E402
from metric_pulse.clv.models import MODELS, make_model  # noqa: E402
from metric_pulse.clv.simulate import observation_lengths, simulate_bg, simulate_pnbd  # noqa: E402
from metric_pulse.clv.summary import summarize  # noqa: E402
from tests.cdnow import load_cdnow  # noqa: E402


def _timed_fit(name: str, x, t_x, T, repeat: int):
    times, res = [], None
    for _ in range(repeat):
        m = make_model(name)
        t0 = time.perf_counter()
        res = m.fit(x, t_x, T)
        times.append(time.perf_counter() - t0)
    return m, res, statistics.median(times)


def _auc(score: np.ndarray, positive: np.ndarray) -> float:
    """Probability that a random positive scores above a random negative (ties count half)."""
    ranks = rankdata(score)
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _fmt(params: dict[str, float]) -> str:
    return ", ".join(f"{k}={v:.4g}" for k, v in params.items())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--customers", type=int, default=100_000, help="synthetic population size")
    ap.add_argument("--repeat", type=int, default=3, help="CDNOW fits per model (median reported)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)

    tx = load_cdnow()
    s = summarize(tx, "1997-09-30", holdout_end="1998-06-30")
    x, t_x, T = s["x"].to_numpy(), s["t_x"].to_numpy(), s["T"].to_numpy()
    h = 39.0  # holdout weeks: 1997-10-01 .. 1998-06-30

    print("## CDNOW (2,357 customers, calibration 1997-01-01..1997-09-30, weeks)\n")
    print("| model | fit seconds (median) | log-likelihood | converged | parameters |")
    print("| --- | --- | --- | --- | --- |")
    fitted = {}
    for name in MODELS:
        m, res, sec = _timed_fit(name, x, t_x, T, args.repeat)
        fitted[name] = m
        print(f"| {name} | {sec:.3f} | {res.log_likelihood:.2f} | {res.converged} | {_fmt(res.params)} |")
    gg_times = []
    for _ in range(args.repeat):
        gg = GammaGamma()
        t0 = time.perf_counter()
        gres = gg.fit(x, s["zbar"].to_numpy())
        gg_times.append(time.perf_counter() - t0)
    print(
        f"| gamma-gamma | {statistics.median(gg_times):.3f} | {gres.log_likelihood:.2f} | {gres.converged} | {_fmt(gres.params)} |"
    )

    actual = s["x_holdout"].to_numpy(float)
    print(f"\n## CDNOW holdout, 39 weeks to 1998-06-30 (actual repeat purchases: {actual.sum():.0f})\n")
    groups = np.minimum(x, 7).astype(int)
    head = " | ".join(f"x={g}" if g < 7 else "x>=7" for g in range(8))
    print(f"| model | predicted total | error | mean abs error per customer | {head} |")
    print("| --- | --- | --- | --- |" + " --- |" * 8)
    by_group_actual = [actual[groups == g].sum() for g in range(8)]
    print(f"| actual | {actual.sum():.0f} | | | " + " | ".join(f"{v:.0f}" for v in by_group_actual) + " |")
    for name, m in fitted.items():
        pred = m.conditional_expected_purchases(h, x, t_x, T)
        err = pred.sum() / actual.sum() - 1.0
        cells = " | ".join(f"{pred[groups == g].sum():.0f}" for g in range(8))
        print(f"| {name} | {pred.sum():.1f} | {err:+.1%} | {np.mean(np.abs(pred - actual)):.4f} | {cells} |")
    one_timers = x == 0
    bought = actual > 0
    print(
        f"\nP(alive) as a churn score: AUC for 'buys again in the holdout' (all customers; the "
        f"{int(one_timers.sum())} one-time buyers, {int(bought[one_timers].sum())} of whom bought again)\n"
    )
    print("| model | mean P(alive), x = 0 | AUC all | AUC x = 0 |")
    print("| --- | --- | --- | --- |")
    for name, m in fitted.items():
        pa = m.p_alive(x, t_x, T)
        print(
            f"| {name} | {pa[one_timers].mean():.3f} | {_auc(pa, bought):.3f} | "
            f"{_auc(pa[one_timers], bought[one_timers]):.3f} |"
        )

    n = args.customers
    print(f"\n## {n:,} synthetic customers (simulated from the CDNOW fits, continuous times: no two alike)\n")
    print("| model | simulated from | fit seconds | log-likelihood | converged | recovered parameters |")
    print("| --- | --- | --- | --- | --- | --- |")
    Tsyn = observation_lengths(np.random.default_rng(args.seed), n)
    sims = {
        "bgnbd": ("bgnbd", simulate_bg(fitted["bgnbd"].params, Tsyn, seed=args.seed)),
        "mbgnbd": ("mbgnbd", simulate_bg(fitted["mbgnbd"].params, Tsyn, zero_dropout=True, seed=args.seed)),
        "pnbd": ("pnbd", simulate_pnbd(fitted["pnbd"].params, Tsyn, seed=args.seed)),
    }
    for name, (source, (sx, stx, sT)) in sims.items():
        _, res, sec = _timed_fit(name, sx, stx, sT, 1)
        print(
            f"| {name} | {source}: {_fmt(fitted[source].params)} | {sec:.2f} | {res.log_likelihood:.1f} | "
            f"{res.converged} | {_fmt(res.params)} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
