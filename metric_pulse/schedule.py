"""`metric-pulse run --schedule`: the cron expression honoured in the foreground, for hosts without cron."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from croniter import croniter

from loaders.errors import ConfigError, MetricPulseError

log = logging.getLogger(__name__)


def next_run(expression: str, after: datetime) -> datetime:
    if not croniter.is_valid(expression):
        raise ConfigError(f"SCHEDULE_CRON is not a valid cron expression: {expression!r}")
    return croniter(expression, after).get_next(datetime)


def run_forever(
    expression: str, job: Callable[[], int], *, now: Callable[[], datetime] = datetime.now
) -> None:
    """Run `job` at every time the (local-time) cron expression names; a failed run does not stop the loop."""
    while True:
        due = next_run(expression, now())
        log.info("next run at %s (SCHEDULE_CRON=%r)", due.isoformat(timespec="minutes"), expression)
        while (remaining := (due - now()).total_seconds()) > 0:
            time.sleep(min(remaining, 60))
        try:
            code = job()
            log.info("scheduled run finished with exit code %d", code)
        except MetricPulseError as exc:
            log.error("scheduled run failed: %s", exc)
