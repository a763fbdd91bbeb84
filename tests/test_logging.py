"""Logging masks every configured secret, in messages and in tracebacks."""

from __future__ import annotations

import logging
from urllib.parse import quote, quote_plus

from conftest import cli_env, run_cli

from metric_pulse.config import load_settings
from metric_pulse.logging_setup import setup_logging


def test_secrets_masked_in_all_log_files(tmp_path, capsys):
    settings = load_settings(
        {
            "SHOPIFY_STORE_URL": "https://x.myshopify.com",
            "SHOPIFY_ACCESS_TOKEN": "shpat_SECRET123",
            "WOOCOMMERCE_URL": "https://w.example",
            "WOOCOMMERCE_CONSUMER_KEY": "ck_KEY456",
            "WOOCOMMERCE_CONSUMER_SECRET": "cs_SECRET789",
            "DB_PASSWORD": "pgpass-000",
        }
    )
    assert set(settings.secrets()) >= {"shpat_SECRET123", "ck_KEY456", "cs_SECRET789", "pgpass-000"}
    setup_logging(settings.secrets(), log_dir=tmp_path)
    logger = logging.getLogger("test.masking")
    logger.info("token is shpat_SECRET123 and key ck_KEY456")
    try:
        raise RuntimeError("failed with cs_SECRET789 / pgpass-000")
    except RuntimeError:
        logger.error("boom", exc_info=True)
    for handler in logging.getLogger().handlers:
        handler.flush()
    written = (
        (tmp_path / "combined.log").read_text()
        + (tmp_path / "error.log").read_text()
        + capsys.readouterr().err
    )
    assert "***" in written
    for secret in settings.secrets():
        assert secret not in written
    assert "Traceback" in (tmp_path / "error.log").read_text()
    assert "Traceback" not in (tmp_path / "combined.log").read_text()


def test_url_encoded_secrets_are_masked(tmp_path, capsys):
    """Before (issue 14, item 15): only the literal value was masked, not `p%40ss%2Fw%C3%B6rd` in a DSN."""
    password = "p@ss/wörd+1 x"
    settings = load_settings({"DATABASE_URL": f"postgresql://u:{quote(password, safe='')}@127.0.0.1/db"})
    setup_logging(settings.secrets(), log_dir=tmp_path)
    logger = logging.getLogger("test.masking")
    logger.error("dsn postgresql://u:%s@h/db", quote(password, safe=""))
    logger.error("form body password=%s", quote_plus(password))
    for handler in logging.getLogger().handlers:
        handler.flush()
    written = (tmp_path / "combined.log").read_text() + capsys.readouterr().err
    assert written.count("***") >= 4
    for form in (password, quote(password, safe=""), quote_plus(password)):
        assert form not in written


def test_a_setting_that_fails_to_parse_cannot_leak_a_secret():
    """Before: the CLI registered secrets only after settings parsed, so a ConfigError quoting a
    value (here the token pasted into the wrong variable) was printed unmasked."""
    token = "shpat_pasted_in_the_wrong_place_42"
    env = cli_env(
        SHOPIFY_STORE_URL="https://x.myshopify.com", SHOPIFY_ACCESS_TOKEN=token, SHOPIFY_RATE_LIMIT=token
    )
    proc = run_cli("extract", env=env)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "SHOPIFY_RATE_LIMIT must be a number" in proc.stderr
    assert token not in proc.stdout + proc.stderr
