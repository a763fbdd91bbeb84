"""commercetools' settings: the project, its API client, the region's endpoints, and how fast to ask.

Read from `COMMERCETOOLS_*` variables (see `loaders.shopify.settings` for how the
application hands them in).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from loaders.errors import ConfigError
from loaders.settings import RateLimit, flag, number, require_https

PLATFORM = "commercetools"
MAX_PAGE_SIZE = 500
REGIONS = (
    "us-central1.gcp",
    "us-east-2.aws",
    "europe-west1.gcp",
    "eu-central-1.aws",
    "australia-southeast1.gcp",
)


@dataclass(frozen=True)
class CommercetoolsConfig:
    project_key: str
    client_id: str = field(repr=False)
    client_secret: str = field(repr=False)
    api_url: str
    auth_url: str
    rate_limit: RateLimit = RateLimit(5.0, 5.0)
    page_size: int = MAX_PAGE_SIZE


def settings_from_env(env: Mapping[str, str], page_size: int | None) -> CommercetoolsConfig | None:
    """The project's settings, None if commercetools is not enabled; `ConfigError` if half-configured.

    The region names the API and auth hosts; `COMMERCETOOLS_API_URL` and `_AUTH_URL`
    together replace them (the sandbox, a private region).
    """
    project = env.get("COMMERCETOOLS_PROJECT_KEY", "").strip()
    client_id = env.get("COMMERCETOOLS_CLIENT_ID", "").strip()
    client_secret = env.get("COMMERCETOOLS_CLIENT_SECRET", "").strip()
    if not flag(env.get("ENABLE_COMMERCETOOLS"), default=bool(project or client_id)):
        return None
    if not (project and client_id and client_secret):
        raise ConfigError(
            "commercetools is enabled but COMMERCETOOLS_PROJECT_KEY, _CLIENT_ID or _CLIENT_SECRET is empty"
        )
    region = env.get("COMMERCETOOLS_REGION", "").strip() or "europe-west1.gcp"
    if region not in REGIONS and not (env.get("COMMERCETOOLS_API_URL") and env.get("COMMERCETOOLS_AUTH_URL")):
        raise ConfigError(f"COMMERCETOOLS_REGION {region!r} is not one of {', '.join(REGIONS)}")
    api_url = env.get("COMMERCETOOLS_API_URL", "").strip() or f"https://api.{region}.commercetools.com"
    auth_url = env.get("COMMERCETOOLS_AUTH_URL", "").strip() or f"https://auth.{region}.commercetools.com"
    rate = number(env, "COMMERCETOOLS_RATE_LIMIT", 5.0)
    return CommercetoolsConfig(
        project_key=project,
        client_id=client_id,
        client_secret=client_secret,
        api_url=require_https("COMMERCETOOLS_API_URL", api_url),
        auth_url=require_https("COMMERCETOOLS_AUTH_URL", auth_url),
        rate_limit=RateLimit(rate, number(env, "COMMERCETOOLS_RATE_BURST", rate)),
        page_size=min(page_size or MAX_PAGE_SIZE, MAX_PAGE_SIZE),
    )
