"""Predictive customer lifetime value: BG/NBD, Pareto/NBD, MBG/NBD and Gamma-Gamma in plain numpy/scipy.

Entry points:
  metric_pulse.clv.predict.score_customers(transactions_df, as_of, model=..., ...) -> (scores_df, fit_record)
  metric_pulse.clv.summary.summarize(transactions_df, calibration_end, ...)         -> per-customer x, t_x, T, zbar
  metric_pulse.clv.models.MODELS / make_model(name)                                  -> BGNBD, ParetoNBD, MBGNBD
  metric_pulse.clv.gamma_gamma.GammaGamma, metric_pulse.clv.value.discounted_clv / retention_clv
  metric_pulse.clv.cli.register(subparsers)                                          -> `metric-pulse clv fit`
"""
