"""The report as the last step of `metric-pulse run`, recorded in ops.etl_logs as step `report`.

Decision: the report reads what the run built, so a failure to write it says nothing about the
data. It never changes the run's status or exit code; the step row in ops.etl_logs says
`failed` with the reason, the run summary prints it, and the traceback goes to logs/error.log.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from metric_pulse.report.build import ReportOptions, make_report
from metric_pulse.report.files import default_report_path
from metric_pulse.run_log import RunLog, StepCounts
from metric_pulse.warehouse import DbSettings

log = logging.getLogger(__name__)


@dataclass
class ReportStep:
    path: Path
    error: str | None = None

    def summary_line(self) -> str:
        shown = _shown(self.path)
        if self.error:
            return f"  report: FAILED ({self.error}); the data run itself is fine, the old {shown} is kept"
        return f"  report: {shown}"


def _shown(path: Path) -> str:
    """The path relative to the working directory when it is below it (`reports/latest.html`)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def write_run_report(
    db: DbSettings, run_log: RunLog, env: Mapping[str, str], dbt_vars: Mapping[str, object] | None
) -> ReportStep:
    """Write the default report (reports/latest.html) after a run whose dbt build succeeded."""
    path = default_report_path(env)
    run_log.start("report")
    try:
        result = make_report(db, ReportOptions(path), dbt_vars)
    except Exception as exc:  # any failure: the run's data is built and must stay a success
        log.error("the report could not be written: %s", exc, exc_info=True)
        error = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        run_log.finish("report", "failed", StepCounts(details={"path": str(path)}), f"report failed: {error}")
        return ReportStep(path, error)
    run_log.finish(
        "report",
        "success",
        StepCounts(
            details={"path": str(path), "customers": result.customers, "seconds": round(result.seconds, 1)}
        ),
    )
    return ReportStep(path)
