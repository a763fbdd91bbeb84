"""Settings from the environment (and `.env`), resolved once and passed down.

Nothing reads `os.environ` after this module: sources, the warehouse and the run
receive the objects built here, which keeps them testable and free of globals.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from dotenv import dotenv_values

from loaders import commercetools, shopify, woocommerce
from loaders.commercetools.settings import CommercetoolsConfig
from loaders.settings import LoadOptions, number
from loaders.shopify.settings import ShopifyConfig
from loaders.woocommerce.settings import WooCommerceConfig

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def load_environment(
    project_root: Path = PROJECT_ROOT, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The process environment over `.env` (a real environment variable always wins)."""
    env_file = project_root / ".env"
    merged: dict[str, str] = {}
    if env_file.exists():
        merged.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    merged.update(os.environ if environ is None else environ)
    return merged


def data_dir(env: Mapping[str, str]) -> Path:
    """Where local state lives: embedded PostgreSQL, dlt pipeline state, demo sandbox data.

    `METRIC_PULSE_DATA_DIR` moves it (benchmarks and tests use throwaway ones); default `.data/`.
    """
    configured = env.get("METRIC_PULSE_DATA_DIR", "").strip()
    return Path(configured).resolve() if configured else PROJECT_ROOT / ".data"


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (or tighten an existing one) so only its owner can read it.

    `.data/` holds dlt's working files and the demo store (customer e-mails and
    addresses), `logs/` what a run did. Owner only (0700); as root 0711, because the
    embedded PostgreSQL then runs as another user that must traverse `.data` to its
    own private directory (it still cannot list or read anything else).
    """
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o711 if os.geteuid() == 0 else 0o700)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` mode 0600 from its first byte, through a temporary file and a rename.

    For files holding secrets or customer data (the embedded server's password, reports):
    never readable by others, and a reader never sees half a file.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


@dataclass(frozen=True)
class Settings:
    shopify: ShopifyConfig | None
    woocommerce: WooCommerceConfig | None
    commercetools: CommercetoolsConfig | None
    load: LoadOptions
    schedule_cron: str
    env: Mapping[str, str] = field(repr=False)

    @property
    def platforms(self) -> dict[str, object]:
        """Enabled platform configs by name, in a stable order."""
        found = {
            "shopify": self.shopify,
            "woocommerce": self.woocommerce,
            "commercetools": self.commercetools,
        }
        return {name: cfg for name, cfg in found.items() if cfg is not None}

    def secrets(self) -> list[str]:
        """Every configured secret value, for log masking and output scans."""
        return secrets_in(self.env)


def secrets_in(env: Mapping[str, str]) -> list[str]:
    """The secret values in an environment, read without parsing any setting.

    The CLI registers them for masking before `load_settings` runs, so an error about
    a setting that cannot be parsed (which may quote a value) is masked too.
    """
    words = ("TOKEN", "SECRET", "PASSWORD", "CLIENT_ID", "CONSUMER_KEY")
    values = {v for k, v in env.items() if v and any(w in k for w in words)}
    url = env.get("DATABASE_URL")
    try:
        password = urlparse(url).password if url else None
    except ValueError:  # an unparsable URL (bad port): it is reported later, masked as a whole
        password = None
    if password:
        values.update({password, unquote(password)})
    return sorted(v for v in values if len(v) >= 4)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from a mapping (default: `.env` under the real environment)."""
    env = load_environment() if env is None else dict(env)
    batch = env.get("BATCH_SIZE", "").strip()
    page_size = int(number(env, "BATCH_SIZE", 0)) if batch else None
    return Settings(
        shopify=shopify.LOADER.settings_from_env(env, page_size),
        woocommerce=woocommerce.LOADER.settings_from_env(env, page_size),
        commercetools=commercetools.LOADER.settings_from_env(env, page_size),
        load=LoadOptions(
            lookback_minutes=number(env, "INCREMENTAL_LOOKBACK_MINUTES", 10.0),
            request_timeout=number(env, "HTTP_TIMEOUT_SECONDS", 30.0),
            max_retries=int(number(env, "HTTP_MAX_RETRIES", 6)),
            max_wait=number(env, "HTTP_MAX_WAIT_SECONDS", 120.0),
            request_deadline=number(env, "HTTP_REQUEST_DEADLINE_SECONDS", 120.0),
            max_response_bytes=int(number(env, "HTTP_MAX_RESPONSE_MB", 64.0) * 1024 * 1024),
        ),
        schedule_cron=env.get("SCHEDULE_CRON", "").strip() or "0 2 * * *",
        env=env,
    )
