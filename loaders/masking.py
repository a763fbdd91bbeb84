"""Secret masking: every known secret, and its URL-encoded forms, replaced before text leaves us.

The loaders register secrets they learn at run time (tokens) and mask their own error
messages; the application's log handlers format through `MaskingFormatter`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MASK = "***"
_CONFIGURED_SECRETS: set[str] = set()


def secret_forms(secret: str) -> set[str]:
    """A secret as it may appear in text: as is and URL-encoded (in a DSN, a query string, a form body)."""
    return {secret, quote(secret, safe=""), quote_plus(secret, safe=""), quote(secret)} - {""}


def mask(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret, and its URL-encoded forms, in `text` (longest first: overlaps mask fully)."""
    forms = {form for s in secrets if s for form in secret_forms(s)}
    for secret in sorted(forms, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


class MaskingFormatter(logging.Formatter):
    """A formatter that masks the configured secrets and can drop tracebacks."""

    def __init__(self, fmt: str, *, with_traceback: bool) -> None:
        super().__init__(fmt, datefmt="%Y-%m-%d %H:%M:%S")
        self.with_traceback = with_traceback

    def format(self, record: logging.LogRecord) -> str:
        if self.with_traceback:
            text = super().format(record)
        else:
            saved = record.exc_info, record.exc_text, record.stack_info
            record.exc_info, record.exc_text, record.stack_info = None, None, None
            try:
                text = super().format(record)
            finally:
                record.exc_info, record.exc_text, record.stack_info = saved
        return mask(text, _CONFIGURED_SECRETS)


def add_secrets(values: Iterable[str]) -> None:
    """Register more values to mask (e.g. a token obtained at run time)."""
    _CONFIGURED_SECRETS.update(v for v in values if v and len(v) >= 4)
