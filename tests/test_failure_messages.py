"""Known failures give one line saying what failed and what to do."""

from __future__ import annotations

import psycopg2.errors
from conftest import cli_env, run_cli

from metric_pulse.sandbox.generate import generate
from metric_pulse.sandbox.server import SandboxServer


def test_missing_permission_names_the_scope_to_grant(tmp_path, pg_db):
    data = tmp_path / "store"
    generate(data, seed=5, customers=30, orders=90)
    scopes = ("view_customers:sandbox-store", "view_products:sandbox-store")  # no view_orders
    with SandboxServer(data, rate_limits="off", commercetools_scopes=scopes) as server:
        env = cli_env(METRIC_PULSE_DATA_DIR=str(tmp_path / "state"), **server.env(), **pg_db.dbt_env())
        proc = run_cli("extract", "--platform", "commercetools", env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    failed = [line for line in proc.stdout.splitlines() if "FAILED" in line]
    assert len(failed) == 1, proc.stdout
    assert "commercetools" in failed[0] and "permission missing: HTTP 40" in failed[0]
    assert "view_orders" in failed[0], "the line says which scope to grant"
    assert "Traceback" not in proc.stdout + proc.stderr


def test_disk_full_is_named_with_what_to_do():
    from metric_pulse.extract import describe_failure

    for cause in (OSError(28, "No space left on device"), psycopg2.errors.DiskFull("could not extend file")):
        try:
            try:
                raise cause
            except Exception as inner:
                raise RuntimeError("Pipeline execution failed at stage load") from inner
        except RuntimeError as outer:
            line = describe_failure("shopify", outer, [])
        assert line.startswith("shopify: disk full: free space"), line
        assert "\n" not in line


class _StepFailed(Exception):
    """The shape of dlt's PipelineStepFailed that describe_failure reads: a step, the cause chained."""

    step = "extract"


def test_the_real_cause_is_reported_once_with_the_platform_once():
    """Before: 'shopify: extract step failed: StopIteration: ' (the overflow was raised while a generator
    finished, so StopIteration was its context), and 'shopify: shopify: ...' as the run's error."""
    from loaders.http_client import ApiError
    from metric_pulse.extract import describe_failure

    try:
        try:
            try:
                next(iter(()))
            except StopIteration:
                raise OverflowError("date value out of range")  # noqa: B904 (as the loader's generator did)
        except OverflowError as inner:
            raise _StepFailed("Pipeline execution failed at step extract") from inner
    except _StepFailed as outer:
        line = describe_failure("shopify", outer, [])
    assert line == "shopify: extract step failed: OverflowError: date value out of range", line
    api = ApiError("shopify", "GET /orders.json failed after 7 attempts")
    assert describe_failure("shopify", api, []) == "shopify: GET /orders.json failed after 7 attempts"
