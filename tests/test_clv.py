"""CLV models against the published CDNOW figures, numerical checks, and degenerate inputs.

Reference numbers and their sources: tests/data/cdnow/README.md. All fits here run on
2,357 customers in well under a second each.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest
from scipy import integrate
from scipy.special import gammaln

from metric_pulse.clv.bgnbd import BGNBD, bg_alive_expected
from metric_pulse.clv.fitting import maximize
from metric_pulse.clv.gamma_gamma import GammaGamma
from metric_pulse.clv.mbgnbd import MBGNBD
from metric_pulse.clv.pnbd import ParetoNBD
from metric_pulse.clv.predict import OUTPUT_COLUMNS, score_customers
from metric_pulse.clv.simulate import observation_lengths, simulate_pnbd
from metric_pulse.clv.special import hyp2f1_series
from metric_pulse.clv.summary import summarize
from metric_pulse.clv.transactions import TransactionError, normalize_transactions
from metric_pulse.clv.value import discounted_clv, retention_clv
from tests.cdnow import CDNOW_SAMPLE, CDNOW_SHA256, load_cdnow

CAL_END, HOLDOUT_END = "1997-09-30", "1998-06-30"


# -- fixtures -------------------------------------------------------------------


@pytest.fixture(scope="module")
def cdnow_tx() -> pd.DataFrame:
    return load_cdnow()


def test_cdnow_sample_is_the_published_file() -> None:
    """The figures below are those of this exact file (tests/data/cdnow/README.md)."""
    assert hashlib.sha256(CDNOW_SAMPLE.read_bytes()).hexdigest() == CDNOW_SHA256


@pytest.fixture(scope="module")
def cal(cdnow_tx) -> pd.DataFrame:
    return summarize(cdnow_tx, CAL_END, holdout_end=HOLDOUT_END)


def _rfm(s: pd.DataFrame):
    return s["x"].to_numpy(), s["t_x"].to_numpy(), s["T"].to_numpy()


@pytest.fixture(scope="module")
def bg(cal) -> BGNBD:
    m = BGNBD()
    m.fit(*_rfm(cal))
    return m


@pytest.fixture(scope="module")
def pnbd(cal) -> ParetoNBD:
    m = ParetoNBD()
    m.fit(*_rfm(cal))
    return m


@pytest.fixture(scope="module")
def mbg(cal) -> MBGNBD:
    m = MBGNBD()
    m.fit(*_rfm(cal))
    return m


@pytest.fixture(scope="module")
def gg(cal) -> GammaGamma:
    m = GammaGamma()
    m.fit(cal["x"], cal["zbar"])
    return m


def _close(params: dict[str, float], published: dict[str, float], rel: float = 0.01) -> None:
    for k, v in published.items():
        assert params[k] == pytest.approx(v, rel=rel), f"{k}: {params[k]} vs published {v}"


# -- summary --------------------------------------------------------------------


def test_cdnow_calibration_summary(cal):
    assert len(cal) == 2357
    assert int((cal["x"] > 0).sum()) == 946  # the Gamma-Gamma sample
    assert int((cal["x"] == 0).sum()) == 1411
    assert cal["x"].sum() == 2457
    first = cal.loc[1]  # purchases 1997-01-01, 01-18, 08-02 (12-12 is in the holdout)
    assert (first["x"], first["n_purchases"]) == (2, 3)
    assert first["t_x"] == pytest.approx(213 / 7)  # 30.43 weeks
    assert first["T"] == pytest.approx(272 / 7)  # 38.86 weeks: 1997-01-01 .. 1997-09-30
    assert first["zbar"] == pytest.approx((29.73 + 14.96) / 2)  # first purchase excluded
    assert first["x_holdout"] == 1
    assert cal["T"].min() == pytest.approx(27.0) and cal["T"].max() == pytest.approx(272 / 7)


def test_summary_conventions():
    tx = pd.DataFrame(
        {
            "cust": ["a", "a", "a", "a", "a", "b", "c"],
            "when": [
                "2024-01-01",
                "2024-01-01T18:30:00",
                "20240108",
                "2024-01-31",
                "2024-02-05",
                "2024-01-15",
                "2024-02-01",
            ],
            "value": [10.0, 5.0, 20.0, 30.0, 99.0, 0.0, 7.0],
        }
    )
    s = summarize(
        tx,
        "2024-01-31",
        holdout_end="2024-02-29",
        time_unit="day",
        customer_col="cust",
        date_col="when",
        amount_col="value",
    )
    assert list(s.index) == ["a", "b"]  # c starts after the calibration end
    a = s.loc["a"]
    # 01-01 twice = one purchase of 15; 01-08; 01-31 counts (end inclusive); 02-05 is holdout
    assert (a["x"], a["n_purchases"], a["t_x"], a["T"]) == (2, 3, 30.0, 30.0)
    assert a["zbar"] == pytest.approx(25.0)  # (20 + 30) / 2, first day excluded
    assert a["x_holdout"] == 1
    assert s.loc["b", "x"] == 0 and np.isnan(s.loc["b", "zbar"]) and s.loc["b", "T"] == 16.0
    weeks = summarize(tx, "2024-01-31", customer_col="cust", date_col="when", amount_col="value")
    assert weeks.loc["a", "T"] == pytest.approx(30 / 7)


def test_dates_with_offsets_use_the_utc_day():
    tx = pd.DataFrame(
        {
            "customer_id": ["a", "a"],
            "date": ["2024-01-01T23:30:00-05:00", "2024-01-02T01:00:00Z"],
            "amount": [1, 2],
        }
    )
    out, _ = normalize_transactions(tx)
    assert list(out["date"].dt.strftime("%Y-%m-%d")) == ["2024-01-02", "2024-01-02"]


@pytest.mark.parametrize(
    "dates",
    [
        ["1500-01-01", "2300-06-30T23:00:00+02:00", "2024-01-01"],  # text, as from a CSV
        pd.Series(
            pd.to_datetime(["1500-01-01", "2300-06-30T21:00:00", "2024-01-01"], format="ISO8601")
        ).astype("datetime64[us]"),
        pd.Series(
            pd.to_datetime(["1500-01-01", "2300-06-30T21:00:00Z", "2024-01-01"], format="ISO8601", utc=True)
        ).astype("datetime64[us, UTC]"),  # timestamptz, as a dbt Python model reads it
    ],
)
def test_dates_outside_the_nanosecond_range_keep_their_day(dates):
    """Before: converted to nanoseconds, 1500-01-01 wrapped around to 2084-07-20 (issue 14, item 5)."""
    tx = pd.DataFrame({"customer_id": ["a", "a", "b"], "date": dates, "amount": [1, 2, 3]})
    for strict in (True, False):
        out, _ = normalize_transactions(tx, strict=strict)
        assert list(out["date"].dt.strftime("%Y-%m-%d")) == ["1500-01-01", "2300-06-30", "2024-01-01"]


@pytest.mark.parametrize(
    "column,value,needle",
    [
        ("date", "2024-02-30", "cannot parse date"),
        ("amount", "-3", "negative amount"),
        ("amount", "ten", "not a number"),
        ("customer_id", None, "missing customer id"),
    ],
)
def test_strict_validation_names_the_problem(column, value, needle):
    tx = pd.DataFrame({"customer_id": ["a", "b"], "date": ["2024-01-01", "2024-01-02"], "amount": ["1", "2"]})
    tx.loc[1, column] = value
    with pytest.raises(TransactionError, match=needle):
        normalize_transactions(tx, strict=True)
    kept, report = normalize_transactions(tx, strict=False)
    assert len(kept) == 1 and sum(report.dropped.values()) == 1


def test_missing_column_is_reported():
    with pytest.raises(TransactionError, match="missing column.*amount"):
        normalize_transactions(pd.DataFrame({"customer_id": [1], "date": ["2024-01-01"]}))


# -- published fits ---------------------------------------------------------------


def test_bgnbd_reproduces_published_fit(bg, cal):
    res = bg.fit_result
    _close(res.params, {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426})
    assert res.log_likelihood == pytest.approx(-9582.4, abs=0.05)
    assert bg.log_likelihood(*_rfm(cal)) == pytest.approx(res.log_likelihood)
    assert res.converged and res.n_agreeing >= 2


def test_pnbd_reproduces_published_fit(pnbd):
    res = pnbd.fit_result
    _close(res.params, {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669})
    assert res.log_likelihood == pytest.approx(-9595.0, abs=0.05)
    assert res.converged and res.n_agreeing >= 2


def test_gamma_gamma_reproduces_published_fit(gg, cal):
    res = gg.fit_result
    assert gg.n_usable(cal["x"], cal["zbar"]) == 946
    _close(res.params, {"p": 6.25, "q": 3.74, "v": 15.44})
    assert res.log_likelihood == pytest.approx(-4055.92, abs=0.05)
    assert gg.population_mean() == pytest.approx(35.17, abs=0.005)


def test_mbgnbd_fit_and_one_time_buyers_can_churn(mbg, bg, cal):
    res = mbg.fit_result
    # BTYDplus values quoted in the reference: our fit lands on them (to < 0.1 %)
    _close(res.params, {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}, rel=0.005)
    assert res.converged
    # one more parameter-free mechanism than BG/NBD, same data: a close, slightly better fit
    assert bg.fit_result.log_likelihood < res.log_likelihood < bg.fit_result.log_likelihood + 5
    one_timers = cal[cal["x"] == 0]
    p_mbg = mbg.p_alive(*_rfm(one_timers))
    assert np.all(p_mbg < 1) and 0.2 < p_mbg.mean() < 0.6
    assert np.all(bg.p_alive(*_rfm(one_timers)) == 1.0)  # why BG/NBD is not the churn model
    # silent for longer -> less likely alive
    p = mbg.p_alive([0, 0], [0, 0], [10.0, 38.0])
    assert p[0] > p[1]


def test_single_start_from_the_ridge_still_reaches_the_maximum(cal):
    # Nelder-Mead from here stops at -9589.77 (a, b on a flat ridge); L-BFGS-B on logs does not
    res = BGNBD().fit(*_rfm(cal), starts=[[1.0, 3.0, 1.0, 3.0]])
    assert res.log_likelihood == pytest.approx(-9582.43, abs=0.01)


# -- spot values (Hardie's BG/NBD spreadsheets) -----------------------------------


def test_bgnbd_conditional_expectation_and_p_alive(bg):
    assert bg.conditional_expected_purchases(39, 2, 30.43, 38.86) == pytest.approx(1.226, abs=5e-4)
    assert bg.p_alive(2, 30.43, 38.86) == pytest.approx(0.7266, abs=5e-5)


def test_bgnbd_unconditional_expectation(bg):
    got = bg.expected_purchases(np.array([1.0, 3.0, 32.0, 78.0]))
    assert got[:3] == pytest.approx([0.0532, 0.1506, 1.0437], abs=5e-5)
    # the spreadsheet's 1.8576 at t = 78 comes from a truncated 2F1 series
    # (z = 0.946 converges slowly); summing the series to convergence gives 1.85796
    assert got[3] == pytest.approx(1.8576, abs=5e-4)
    r, alpha, a, b = bg._vector()
    z = 78 / (alpha + 78)
    exact = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + 78)) ** r * hyp2f1_series(r, b, a + b - 1, z))
    assert got[3] == pytest.approx(float(exact), rel=1e-10)


def test_expected_spend_of_first_ten_customers(gg, cal):
    em = gg.expected_average_value(cal["x"], cal["zbar"])[:10]
    assert em == pytest.approx(
        [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17], abs=0.005
    )


def test_twelve_month_discounted_clv(bg, gg, cal):
    # BG/NBD + Gamma-Gamma, 12 monthly steps of 4.345 weeks, 1 % a month, end-of-month cash flows
    em = gg.expected_average_value(cal["x"], cal["zbar"])
    clv = discounted_clv(bg, em, *_rfm(cal), horizon_months=12, monthly_discount=0.01, f=4.345)
    assert clv[0] == pytest.approx(36.28, abs=0.01)  # 36.274 unrounded
    assert clv.mean() == pytest.approx(30.34, abs=0.005)


def test_retention_clv_formula():
    assert retention_clv(10.0, 0.8, 0.01) == pytest.approx(10 * 0.8 / 0.21)
    assert np.isnan(retention_clv(10.0, 1.2, 0.01))


# -- numerical checks ---------------------------------------------------------------


def _pnbd_ll_by_quadrature(r, alpha, s, beta, x, t_x, T):
    integral = integrate.quad(
        lambda y: (alpha + y) ** -(r + x) * (beta + y) ** -(s + 1), t_x, T, epsabs=0, epsrel=1e-12, limit=200
    )[0]
    return (
        gammaln(r + x)
        - gammaln(r)
        + r * np.log(alpha)
        + s * np.log(beta)
        + np.log((alpha + T) ** -(r + x) * (beta + T) ** -s + s * integral)
    )


@pytest.mark.parametrize(
    "params",
    [(0.553, 10.578, 0.606, 11.669), (0.553, 12.0, 0.606, 3.0), (2.0, 1.0, 1.0, 1.0)],
    ids=["alpha<beta", "alpha>beta", "alpha=beta"],
)
def test_pnbd_likelihood_matches_direct_integration(params):
    cases = [
        (0, 0, 38.86),
        (2, 30.43, 38.86),
        (5, 1.0, 38.0),
        (30, 35.0, 38.0),
        (1, 38.86, 38.86),
        (200, 10.0, 70.0),
    ]
    x, t_x, T = (np.array(c, dtype=float) for c in zip(*cases, strict=True))
    got = ParetoNBD.loglik_terms(np.array(params), x, t_x, T)
    want = [_pnbd_ll_by_quadrature(*params, *c) for c in cases]
    assert got == pytest.approx(want, abs=1e-9)


@pytest.mark.parametrize(
    "t,r,alpha,a,b,x,T",
    [
        (39, 0.243, 4.414, 0.793, 2.426, 2, 38.86),
        (10, 0.5, 3.0, 1.0, 2.0, 5, 20.0),  # a = 1: removable singularity
        (100, 0.5, 3.0, 3.0, 2.0, 150, 50.0),  # large x
        (1000, 2.0, 1.0, 0.3, 0.4, 300, 60.0),
    ],
)
def test_bg_alive_expectation_matches_direct_integration(t, r, alpha, a, b, x, T):
    # E[(1 - ((alpha+T)/(alpha+T+p t))^(r+x)) / p] over p ~ Beta(a, b+x)
    from scipy.stats import beta as beta_dist

    want = integrate.quad(
        lambda p: (1 - ((alpha + T) / (alpha + T + p * t)) ** (r + x)) / p * beta_dist.pdf(p, a, b + x),
        0,
        1,
        limit=200,
    )[0]
    got = bg_alive_expected(np.float64(t), r, alpha, a, b, np.float64(x), np.float64(T))
    assert float(got) == pytest.approx(want, rel=1e-7)


@pytest.mark.parametrize("model", [BGNBD, MBGNBD, ParetoNBD])
def test_new_customer_conditional_equals_unconditional(model, bg, mbg, pnbd):
    fitted = {BGNBD: bg, MBGNBD: mbg, ParetoNBD: pnbd}[model]
    t = np.array([1.0, 10.0, 52.0])
    cond = fitted.conditional_expected_purchases(t, 0, 0, 0)
    assert cond == pytest.approx(fitted.expected_purchases(t), rel=1e-9)
    assert np.all(np.diff(fitted.expected_purchases(t)) > 0)


def test_extreme_parameters_give_finite_expectations():
    # what a fit on a handful of customers can produce; scipy's 2F1 alone returns NaN here
    m = MBGNBD({"r": 21822.44, "alpha": 126695.43, "a": 1.84e-05, "b": 4720.08})
    value = m.conditional_expected_purchases(52.14, 3, 17.28, 17.28)
    assert np.isfinite(value) and value == pytest.approx(52.14 * 21822.44 / 126695.43, rel=0.01)


def test_fit_beats_the_true_parameters_on_simulated_data():
    truth = {"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": 11.7}
    T = observation_lengths(np.random.default_rng(7), 3000)
    x, t_x, T = simulate_pnbd(truth, T, seed=7)
    res = ParetoNBD().fit(x, t_x, T)
    assert res.converged
    assert res.log_likelihood >= ParetoNBD(truth).log_likelihood(x, t_x, T) - 1e-6
    assert res.params["r"] / res.params["alpha"] == pytest.approx(truth["r"] / truth["alpha"], rel=0.2)


def test_disagreeing_starts_are_not_called_converged():
    # two local maxima in log p: at -2 (lower) and +2 (higher)
    def factory(idx):
        return lambda p: float(
            -((np.log(p[0]) - 2) ** 2) * ((np.log(p[0]) + 2) ** 2) - 0.1 * (np.log(p[0]) - 2) ** 2
        )

    split = maximize(factory, ["p"], [[np.exp(-3.0)], [np.exp(3.0)]], n_rows=1)
    assert not split.converged and split.n_agreeing == 1
    assert np.log(split.params["p"]) == pytest.approx(2.0, abs=1e-3)  # the best one is kept
    agree = maximize(factory, ["p"], [[np.exp(1.5)], [np.exp(2.5)]], n_rows=1)
    assert agree.converged and agree.n_agreeing == 2


# -- score_customers: the dbt-facing function -----------------------------------------


def test_score_customers_on_cdnow(cdnow_tx):
    scores, record = score_customers(
        cdnow_tx, CAL_END, model="pnbd", horizon_months=12, monthly_discount=0.01, holdout_weeks=13
    )
    assert list(scores.columns) == OUTPUT_COLUMNS
    assert len(scores) == 2357 and set(scores["status"]) == {"ok"}
    assert np.allclose(scores["churn_probability"], 1 - scores["p_alive"])
    one_timers = scores[scores["frequency"] == 0]
    assert one_timers["churn_probability"].between(0.01, 0.99).all()  # informative for x = 0
    assert scores[["expected_purchases", "predicted_clv", "retention_clv"]].notna().all().all()
    json.dumps(record)  # goes to a fit table as-is
    assert record["status"] == "ok" and record["converged"] is True
    assert record["log_likelihood"] == pytest.approx(-9595.0, abs=0.05)
    assert record["as_of"] == CAL_END and record["n_customers"] == 2357  # later rows ignored
    assert record["spend"]["n_customers"] == 946
    hold = record["holdout"]
    assert hold["status"] == "ok" and hold["calibration_end"] == "1997-07-01"
    assert hold["actual"] > 0 and abs(hold["predicted"] / hold["actual"] - 1) < 0.25


def test_score_customers_bgnbd_clv_matches_reference(cdnow_tx):
    scores, _ = score_customers(cdnow_tx, CAL_END, model="bgnbd", holdout_weeks=None)
    assert scores.loc[scores["customer_id"] == 1, "predicted_clv"].item() == pytest.approx(36.28, abs=0.01)
    assert scores["predicted_clv"].mean() == pytest.approx(30.34, abs=0.005)


def _frame(rows):
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount"])


DEGENERATE = {
    "no_repeat_buyers": _frame([(i, f"2024-01-{i + 1:02d}", 10.0) for i in range(20)]),
    "one_customer": _frame([(1, "2024-01-01", 5.0), (1, "2024-02-01", 6.0), (1, "2024-03-01", 7.0)]),
    "all_on_one_day": _frame([(i % 5, "2024-03-01", 1.0 + i) for i in range(15)]),
    "empty": _frame([]),
    "only_garbage": _frame(
        [(None, "2024-01-01", 1.0), (1, "not a date", 1.0), (2, "2024-01-01", "x"), (3, "2024-01-02", -5)]
    ),
}


@pytest.mark.parametrize("case", list(DEGENERATE))
@pytest.mark.parametrize("model", ["bgnbd", "pnbd", "mbgnbd"])
def test_degenerate_inputs_give_rows_with_a_status(case, model):
    tx = DEGENERATE[case]
    scores, record = score_customers(tx, model=model, holdout_weeks=4)
    json.dumps(record)
    n_customers = {
        "no_repeat_buyers": 20,
        "one_customer": 1,
        "all_on_one_day": 5,
        "empty": 0,
        "only_garbage": 0,
    }[case]
    assert len(scores) == n_customers and list(scores.columns) == OUTPUT_COLUMNS
    assert (scores["status"] == "insufficient_data").all()
    assert scores[["expected_purchases", "p_alive", "churn_probability", "predicted_clv"]].isna().all().all()
    assert record["status"] == "insufficient_data" and record["reason"]
    assert record["params"] is None and record["converged"] is False


def test_garbage_rows_are_dropped_and_counted():
    _, record = score_customers(DEGENERATE["only_garbage"], model="pnbd")
    assert record["input"]["dropped"] == {
        "missing_customer_id": 1,
        "bad_date": 1,
        "bad_amount": 1,
        "negative_amount": 1,
    }
    assert record["input"]["rows_used"] == 0


def test_zero_and_negative_amounts(cdnow_tx):
    tx = cdnow_tx[cdnow_tx["date"] <= "19970930"].copy()
    tx["amount"] = 0.0
    refunds = tx.head(50).assign(amount=-10.0)
    scores, record = score_customers(pd.concat([tx, refunds]), model="mbgnbd", holdout_weeks=None)
    assert record["input"]["dropped"] == {"negative_amount": 50}
    assert record["status"] == "ok"  # purchases still counted...
    assert record["spend"]["status"] == "insufficient_data"  # ...but nothing to learn spend from
    assert (scores["status"] == "no_spend_model").all()
    assert scores["p_alive"].notna().all() and scores["predicted_clv"].isna().all()


def test_unknown_model_is_a_configuration_error(cdnow_tx):
    with pytest.raises(ValueError, match="model must be one of"):
        score_customers(cdnow_tx, model="lifetimes")


# -- scoring with a stored fit (what customer_predictions does between refits) ------------


@pytest.mark.parametrize("model", ["bgnbd", "pnbd", "mbgnbd"])
def test_scoring_with_a_stored_fit_equals_fitting_and_scoring(cdnow_tx, model):
    fitted, record = score_customers(cdnow_tx, CAL_END, model=model, holdout_weeks=None)
    stored = json.loads(json.dumps(record))  # as it goes through the fit table
    scored, used = score_customers(cdnow_tx, CAL_END, model=model, holdout_weeks=None, fit=stored)
    pd.testing.assert_frame_equal(scored, fitted, check_exact=True)
    assert used["fitted_as_of"] == record["fitted_as_of"] == CAL_END
    assert {k: used[k] for k in ("params", "status", "spend")} == {
        k: record[k] for k in ("params", "status", "spend")
    }


def test_a_stored_fit_scores_later_data_without_refitting(cdnow_tx):
    _, record = score_customers(cdnow_tx, CAL_END, model="pnbd", holdout_weeks=None)
    later, used = score_customers(cdnow_tx, HOLDOUT_END, model="pnbd", holdout_weeks=None, fit=record)
    assert used["as_of"] == HOLDOUT_END and used["fitted_as_of"] == CAL_END
    assert used["params"] == record["params"] and used["log_likelihood"] == record["log_likelihood"]
    summary = summarize(cdnow_tx, HOLDOUT_END)
    x, t_x, T = _rfm(summary)
    pnbd = ParetoNBD(record["params"])
    assert np.array_equal(later["p_alive"].to_numpy(), pnbd.p_alive(x, t_x, T))
    assert set(later["status"]) == {"ok"} and len(later) == len(summary)


def test_a_stored_fit_keeps_its_status(cdnow_tx):
    _, ok = score_customers(cdnow_tx, CAL_END, model="mbgnbd", holdout_weeks=None)
    insufficient = {
        "model": "mbgnbd",
        "as_of": "1997-02-01",
        "status": "insufficient_data",
        "reason": "no repeat buyers",
        "params": None,
        "spend": {"status": "skipped", "params": None},
    }
    scores, record = score_customers(cdnow_tx, CAL_END, model="mbgnbd", holdout_weeks=None, fit=insufficient)
    assert (scores["status"] == "insufficient_data").all() and scores["p_alive"].isna().all()
    assert record["status"] == "insufficient_data" and record["reason"] == "no repeat buyers"
    no_spend = {**ok, "spend": {"status": "no_finite_mean", "params": {"p": 1.0, "q": 0.5, "v": 1.0}}}
    scores, _ = score_customers(cdnow_tx, CAL_END, model="mbgnbd", holdout_weeks=None, fit=no_spend)
    assert (scores["status"] == "no_spend_model").all()
    assert scores["p_alive"].notna().all() and scores["predicted_clv"].isna().all()
    with pytest.raises(ValueError, match="the fit is of model 'mbgnbd', not 'pnbd'"):
        score_customers(cdnow_tx, CAL_END, model="pnbd", fit=ok)
