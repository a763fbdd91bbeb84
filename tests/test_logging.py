"""Logging masks every configured secret, in messages and in tracebacks."""

from __future__ import annotations

import logging

from loaders.config import load_settings
from loaders.logging_setup import setup_logging


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
