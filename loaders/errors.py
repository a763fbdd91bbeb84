"""Errors the CLI turns into one clear line and a documented exit code.

Anything else is a bug: the CLI logs its traceback to logs/error.log and exits 1.
"""


class MetricPulseError(Exception):
    """A failure we know how to explain; `exit_code` is what the CLI returns."""

    exit_code = 1


class ConfigError(MetricPulseError):
    """Missing or invalid settings (bad URL, half-configured platform)."""

    exit_code = 2


class WarehouseError(MetricPulseError):
    """PostgreSQL unreachable, wrong password, or the embedded server failed to start."""

    exit_code = 2


class ApiError(MetricPulseError):
    """A platform's API failed for good; the message is safe to show and log."""

    def __init__(self, platform: str, message: str) -> None:
        super().__init__(f"{platform}: {message}")
        self.platform = platform


class ServerFailure(ApiError):
    """A request that kept failing with 5xx through every retry (a listing may retry it with a smaller page)."""


class AuthError(ApiError):
    """The store rejected our credentials or their permissions (401/403)."""
