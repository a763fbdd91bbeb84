"""Settings from the environment (and `.env`), resolved once and passed down.

Nothing reads `os.environ` after this module: sources, the warehouse and the run
receive the objects built here, which keeps them testable and free of globals.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from dotenv import dotenv_values

from loaders.errors import ConfigError
from loaders.settings import LoadOptions, flag, number
from metric_pulse.platforms import PLATFORMS, Platform

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


DEFAULT_STORE = "default"
"""The label of a platform's only store when `<PREFIX>_STORES` is not set (today's names)."""
_STORE_LABEL = re.compile(r"[a-z0-9]{1,20}")


@dataclass(frozen=True)
class Store:
    """One configured store of a platform: what one dlt pipeline loads into one raw dataset."""

    platform: str
    label: str
    config: Any

    @property
    def name(self) -> str:
        """How logs, the summary and etl_logs name it: the platform alone for the `default` store."""
        return self.platform if self.label == DEFAULT_STORE else f"{self.platform}/{self.label}"

    @property
    def suffix(self) -> str:
        """Appended to the pipeline and dataset names: none for `default`, so existing cursors stay."""
        return "" if self.label == DEFAULT_STORE else f"__{self.label}"


@dataclass(frozen=True)
class Settings:
    stores: tuple[Store, ...]
    load: LoadOptions
    schedule_cron: str
    env: Mapping[str, str] = field(repr=False)

    @property
    def platforms(self) -> list[str]:
        """The platforms with at least one configured store, in the registry's order."""
        return list(dict.fromkeys(store.platform for store in self.stores))

    def store(self, platform: str, label: str = DEFAULT_STORE) -> Store:
        """The configured store `label` of `platform` (ConfigError if there is none)."""
        for store in self.stores:
            if (store.platform, store.label) == (platform, label):
                return store
        raise ConfigError(f"{platform}: no store {label!r} is configured")

    def select(self, platform: str | None = None, label: str | None = None) -> list[Store]:
        """The stores a `--platform` / `--store` filter names (all when both are None); never empty."""
        chosen = [s for s in self.stores if platform in (None, s.platform) and label in (None, s.label)]
        if not chosen:
            asked = " ".join(f"--{k} {v}" for k, v in (("platform", platform), ("store", label)) if v)
            known = ", ".join(s.name for s in self.stores) or "none"
            raise ConfigError(f"{asked}: no such store is configured and enabled (configured: {known})")
        return chosen

    def secrets(self) -> list[str]:
        """Every configured secret value, for log masking and output scans."""
        return secrets_in(self.env)


def secrets_in(env: Mapping[str, str]) -> list[str]:
    """The secret values in an environment, read without parsing any setting.

    The CLI registers them for masking before `load_settings` runs, so an error about
    a setting that cannot be parsed (which may quote a value) is masked too.
    """
    words = ("TOKEN", "SECRET", "PASSWORD", "CLIENT_ID", "CONSUMER_KEY", "PRIVATE_KEY")
    values = {v for k, v in env.items() if v and any(w in k for w in words)}
    url = env.get("DATABASE_URL")
    try:
        password = urlparse(url).password if url else None
    except ValueError:  # an unparsable URL (bad port): it is reported later, masked as a whole
        password = None
    if password:
        values.update({password, unquote(password)})
    return sorted(v for v in values if len(v) >= 4)


def _store_env(env: Mapping[str, str], prefix: str, label: str) -> dict[str, str]:
    """The environment store `label` sees: `<PREFIX>_<LABEL>_X` read as `<PREFIX>_X`, over `env`.

    So a store sets only what differs (its URL, its token) and shares the rest
    (API version, rate limits) through the platform-wide variables.
    """
    own = f"{prefix}_{label.upper()}_"
    return {
        **env,
        **{f"{prefix}_{key.removeprefix(own)}": v for key, v in env.items() if key.startswith(own)},
    }


def _store_labels(env: Mapping[str, str], prefix: str) -> list[str]:
    """The labels `<PREFIX>_STORES` lists, checked; `[default]` when it is not set."""
    raw = env.get(f"{prefix}_STORES", "").strip()
    if not raw:
        return [DEFAULT_STORE]
    labels = [label.strip() for label in raw.split(",")]
    for label in labels:
        if not _STORE_LABEL.fullmatch(label):
            raise ConfigError(
                f"{prefix}_STORES: store label {label!r} must be 1-20 lower-case letters or digits "
                f"(e.g. {prefix}_STORES=us,eu)"
            )
    if len(set(labels)) != len(labels):
        raise ConfigError(f"{prefix}_STORES names a store twice: {raw!r}")
    return labels


def _platform_stores(platform: Platform, env: Mapping[str, str], page_size: int | None) -> list[Store]:
    """The configured stores of one platform, each read through the loader's `settings_from_env`."""
    prefix = platform.loader.env_prefix
    read = platform.loader.settings_from_env
    listed = bool(env.get(f"{prefix}_STORES", "").strip())
    stores = []
    for label in _store_labels(env, prefix):
        try:
            config = read(_store_env(env, prefix, label) if listed else env, page_size)
        except ConfigError as exc:
            if not listed:
                raise
            raise ConfigError(
                f"{platform.name} store {label} (reads {prefix}_{label.upper()}_*, else {prefix}_*): {exc}"
            ) from None
        if config is not None:
            stores.append(Store(platform.name, label, config))
        elif listed and flag(env.get(f"ENABLE_{prefix}"), default=True):
            raise ConfigError(
                f"{platform.name} store {label} is listed in {prefix}_STORES but not configured: "
                f"set its {prefix}_{label.upper()}_* variables (or drop it from {prefix}_STORES)"
            )
    return stores


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from a mapping (default: `.env` under the real environment)."""
    env = load_environment() if env is None else dict(env)
    batch = env.get("BATCH_SIZE", "").strip()
    page_size = int(number(env, "BATCH_SIZE", 0)) if batch else None
    return Settings(
        stores=tuple(
            store for platform in PLATFORMS.values() for store in _platform_stores(platform, env, page_size)
        ),
        load=LoadOptions(
            lookback_minutes=number(env, "INCREMENTAL_LOOKBACK_MINUTES", 10.0),
            request_timeout=number(env, "HTTP_TIMEOUT_SECONDS", 30.0),
            max_retries=int(number(env, "HTTP_MAX_RETRIES", 6)),
            max_wait=number(env, "HTTP_MAX_WAIT_SECONDS", 120.0),
            request_deadline=number(env, "HTTP_REQUEST_DEADLINE_SECONDS", 120.0),
            max_response_bytes=int(number(env, "HTTP_MAX_RESPONSE_MB", 64.0) * 1024 * 1024),
            reconcile_every_days=number(env, "RECONCILE_EVERY_DAYS", 7.0),
        ),
        schedule_cron=env.get("SCHEDULE_CRON", "").strip() or "0 2 * * *",
        env=env,
    )
