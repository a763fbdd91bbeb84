"""The demo default: with no store configured, run against the built-in sandbox stores.

The demo data set is generated once under `<data dir>/sandbox` (so a second run finds
nothing new, as a real store would), served on a free loopback port for the duration
of the run, and the loaders are pointed at it exactly as a user's `.env` would.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from loaders.config import Settings, data_dir, ensure_private_dir, load_settings

log = logging.getLogger(__name__)


@contextmanager
def demo_or_configured(settings: Settings) -> Iterator[Settings]:
    """Yield `settings` unchanged if any platform is configured, else settings for the running sandbox."""
    if settings.platforms:
        yield settings
        return
    from sandbox.generate import generate
    from sandbox.server import SandboxServer

    sandbox_dir = ensure_private_dir(data_dir(settings.env)) / "sandbox"
    if not (sandbox_dir / "commercetools" / "orders.json").exists():
        log.info("generating the demo data set in %s (once)", sandbox_dir)
        generate(sandbox_dir)
    server = SandboxServer(sandbox_dir, host="127.0.0.1", port=0)
    server.start()
    log.warning(
        "no store configured: using the built-in SANDBOX stores at %s (demo data in %s); "
        "set SHOPIFY_/WOOCOMMERCE_/COMMERCETOOLS_ variables to load your own",
        server.url,
        sandbox_dir,
    )
    try:
        yield load_settings({**settings.env, **server.env()})
    finally:
        server.stop()
