"""Predictive customer lifetime value: BG/NBD, Pareto/NBD, MBG/NBD and Gamma-Gamma in plain numpy/scipy.

Entry points:
  clv.predict.score_customers(transactions_df, as_of, model=..., ...) -> (scores_df, fit_record)
  clv.summary.summarize(transactions_df, calibration_end, ...)         -> per-customer x, t_x, T, zbar
  clv.models.MODELS / make_model(name)                                  -> BGNBD, ParetoNBD, MBGNBD
  clv.gamma_gamma.GammaGamma, clv.value.discounted_clv / retention_clv
  clv.cli.register(subparsers)                                          -> `metric-pulse clv fit`
"""
