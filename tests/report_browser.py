"""Open an HTML report in headless Chromium (Debian's `chromium` package) and read what it drew.

Playwright drives the system Chromium (its own browser download is never used). Every console
error, page error and request is recorded, so a test can require that the report loaded nothing
but itself and logged no error.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

INSTALL_HINT = (
    "Chromium is not installed; install it with `apt-get update && apt-get install -y chromium` "
    "(Debian; .ci/run does this) and `pip install -e '.[test]'` for playwright"
)

# Flags for a root user in a container with no display, no GPU and no business on the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# For every chart the page drew: {mark name: [datum of each drawn item, plus its width _w and height _h]}.
# An item inside a facet cell also carries the cell's fields (e.g. which measure the row shows).
_MARKS_JS = """() => {
  const plain = (d) => Object.fromEntries(Object.entries(d || {}).filter(([, v]) => typeof v !== "object"));
  const out = {};
  for (const [chart, view] of Object.entries(window.reportCharts)) {
    const marks = {};
    const walk = (scene, cell) => {
      if (scene.name && scene.marktype !== "group") {
        const items = scene.items.map((i) => ({...cell, ...i.datum, _w: i.width || 0, _h: i.height || 0}));
        (marks[scene.name] ||= []).push(...items);
      }
      for (const item of scene.items || []) {
        const inner = scene.marktype === "group" ? {...cell, ...plain(item.datum)} : cell;
        for (const child of item.items || []) walk(child, inner);
      }
    };
    walk(view.scenegraph().root, {});
    out[chart] = marks;
  }
  return out;
}"""


def chromium() -> str | None:
    """The system Chromium, or None (playwright missing counts as missing)."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return None
    return shutil.which("chromium")


@dataclass
class LoadedReport:
    state: str  # "drawn" once every chart is drawn, "failed" if one failed
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions
    requests: list[str] = field(default_factory=list)  # every URL the page requested
    failed_requests: list[str] = field(default_factory=list)
    marks: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    text: str = ""  # the page's visible text


def open_report(path: Path, screenshot: Path) -> LoadedReport:
    """Load `path` from file://, wait for the charts, read their marks, save a full-page screenshot."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            loaded = LoadedReport(state="")
            page.on(
                "console", lambda m: loaded.errors.append(f"console: {m.text}") if m.type == "error" else None
            )
            page.on("pageerror", lambda e: loaded.errors.append(f"page error: {e}"))
            page.on("request", lambda r: loaded.requests.append(r.url))
            page.on("requestfailed", lambda r: loaded.failed_requests.append(f"{r.url}: {r.failure}"))
            page.goto(path.resolve().as_uri())
            page.wait_for_function("document.body.dataset.charts", timeout=60_000)
            loaded.state = page.evaluate("document.body.dataset.charts")
            loaded.marks = page.evaluate(_MARKS_JS)
            loaded.text = page.inner_text("body")
            page.screenshot(path=str(screenshot), full_page=True)
            return loaded
        finally:
            browser.close()
