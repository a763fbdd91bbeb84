"""The demo default: with no store configured, run against the built-in sandbox stores.

The demo data set is generated once under `<data dir>/sandbox` (so a second run finds
nothing new, as a real store would; concurrent first runs take turns), served on a
free loopback port for the duration of the run, and the loaders are pointed at it
exactly as a user's `.env` would. Its order history ends yesterday (UTC) on the day it
is generated, so a new user's daily metrics, recency and segments describe now; the
generator's fixed default end would make them look two months stale or worse.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from metric_pulse.config import Settings, data_dir, ensure_private_dir, load_settings
from metric_pulse.platforms import PLATFORMS
from metric_pulse.warehouse import file_lock

log = logging.getLogger(__name__)


def demo_window(today: date) -> tuple[date, date]:
    """(start, end) of the demo's orders: as long as the generator's default span, ending the day before."""
    from metric_pulse.sandbox.generate.writer import DEFAULT_END, DEFAULT_START

    end = today - timedelta(days=1)
    return end - (DEFAULT_END - DEFAULT_START), end


@contextmanager
def demo_or_configured(settings: Settings) -> Iterator[Settings]:
    """Yield `settings` unchanged if any platform is configured, else settings for the running sandbox."""
    if settings.platforms:
        yield settings
        return
    from metric_pulse.sandbox.generate import generate
    from metric_pulse.sandbox.server import SandboxServer

    state = ensure_private_dir(data_dir(settings.env))
    sandbox_dir = state / "sandbox"
    # Two first runs at once used to generate into the same files; a killed one left half a store
    # that looked complete. Now one generates (the other waits) into a scratch directory that
    # becomes `sandbox` only when it is whole.
    with file_lock(state / "sandbox.lock"):
        if not sandbox_dir.is_dir():
            start, end = demo_window(datetime.now(UTC).date())
            log.info("generating the demo data set in %s (once; orders %s to %s)", sandbox_dir, start, end)
            scratch = Path(tempfile.mkdtemp(prefix="sandbox-", dir=state))
            try:
                generate(scratch, start=start, end=end)
                scratch.rename(sandbox_dir)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
    server = SandboxServer(sandbox_dir, host="127.0.0.1", port=0)
    server.start()
    log.warning(
        "no store configured: using the built-in SANDBOX stores at %s (demo data in %s); "
        "set %s variables to load your own",
        server.url,
        sandbox_dir,
        "/".join(f"{p.loader.env_prefix}_" for p in PLATFORMS.values()),
    )
    try:
        yield load_settings({**settings.env, **server.env()})
    finally:
        server.stop()
