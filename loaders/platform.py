"""What the application needs to know about one platform's loader: one `PlatformLoader` per platform.

Each platform package (`loaders/<platform>/`) exposes its record as `LOADER`; the
application's registry (`metric_pulse.platforms`) pairs it with the platform's
emulator and data generator. Nothing here knows a platform by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PlatformLoader:
    """One platform's loader: its name, the prefix of its settings, its dlt source factory and settings.

    `settings_from_env(env, page_size)` reads the platform's settings (`<env_prefix>_*`)
    from `env`: its config, or None when the platform is not enabled there.
    """

    name: str
    env_prefix: str
    source: Callable[..., Any]
    settings_from_env: Callable[[Mapping[str, str], int | None], Any] | None = None
