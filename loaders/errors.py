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
