"""The HTML page: one file with the chart runtime, the specs and the tables inline (nothing is fetched).

The chart runtime is the vega + vega-lite + vega-embed bundle that the `vl-convert-python` package
ships for the Vega-Lite version altair writes, so the report works offline and from `file://`.
Money is written with the reporting currency's symbol, in the tables here and on the chart axes
through vega-embed's `formatLocale`.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import altair as alt
import jinja2
import vl_convert

from metric_pulse.report.queries import ReportError

# Symbols of the currencies in the seed currency_rates that have a well-known one; others print
# their ISO code ("SEK 1,234.00").
SYMBOLS = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "CNY": "CN¥",
    "CAD": "CA$",
    "AUD": "A$",
    "NZD": "NZ$",
    "HKD": "HK$",
    "SGD": "S$",
    "INR": "₹",
    "KRW": "₩",
    "BRL": "R$",
    "MXN": "MX$",
}


def currency_prefix(currency: str) -> str:
    return SYMBOLS.get(currency, f"{currency}\u00a0")


def format_locale(currency: str) -> dict[str, Any]:
    """d3-format locale for vega-embed: `$` in a chart format prints this currency's symbol."""
    return {"decimal": ".", "thousands": ",", "grouping": [3], "currency": [currency_prefix(currency), ""]}


@dataclass(frozen=True)
class Money:
    """Formats amounts of the reporting currency."""

    currency: str

    def __call__(self, value: float | None, cents: bool = True) -> str:
        if value is None:
            return "–"
        text = f"{abs(value):,.2f}" if cents else f"{abs(value):,.0f}"
        return f"{'-' if value < 0 else ''}{currency_prefix(self.currency)}{text}"


def change(now: float | None, before: float | None) -> Cell:
    """The relative change from `before` to `now`, coloured by direction."""
    if now is None or before is None:
        return Cell("–", "num")
    if before == 0:
        return Cell("new" if now else "–", "num")
    ratio = (now - before) / abs(before)
    return Cell(f"{ratio:+.1%}", "num " + ("up" if ratio > 0 else "down" if ratio < 0 else ""))


@dataclass
class Cell:
    text: str
    cls: str = ""
    code: bool = False


def num(text: str) -> Cell:
    return Cell(text, "num")


@dataclass
class Table:
    header: list[dict[str, Any]]
    rows: list[list[Cell]]
    id: str | None = None

    @classmethod
    def of(cls, columns: list[str], rows: list[list[Cell | str]], id: str | None = None) -> Table:
        """Columns whose name starts with '#' are numeric (right-aligned)."""
        header = [{"label": c.lstrip("#"), "num": c.startswith("#")} for c in columns]
        cells = [[c if isinstance(c, Cell) else Cell(str(c)) for c in row] for row in rows]
        return cls(header, cells, id)


@dataclass
class Block:
    """One captioned piece of a section: a chart, a table, a list, or an empty state saying what is
    missing."""

    caption: str
    heading: str | None = None
    chart: str | None = None
    table: Table | None = None
    items: list[str] = field(default_factory=list)
    empty: str | None = None


@dataclass
class Section:
    id: str
    title: str
    blocks: list[Block]


@functools.cache
def runtime() -> tuple[str, str]:
    """The inline chart runtime and its versions (bundled once per process: it takes a few seconds).

    The Vega-Lite version is the one altair writes specs for, so specs and runtime always match.
    """
    vl_version = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    if vl_version not in vl_convert.get_vegalite_versions():
        raise ReportError(
            f"vl-convert-python {vl_convert.__version__} cannot bundle Vega-Lite {vl_version} (altair "
            f"{alt.__version__}); install versions that match (pip install -U altair vl-convert-python)"
        )
    versions = (
        f"vega {vl_convert.get_vega_version()}, vega-lite {vl_version}, "
        f"vega-embed {vl_convert.get_vega_embed_version()}"
    )
    return vl_convert.javascript_bundle(vl_version=vl_version), versions


def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("report.html.j2")


def _script_json(value: Any) -> str:
    """JSON safe inside a <script> element (no `</script>` or `<!--` can appear in it)."""
    return json.dumps(value, separators=(",", ":")).replace("<", "\\u003c")


def render(
    *, scope_line: str, basis_line: str, sections: list[Section], charts: dict[str, dict], currency: str
) -> str:
    code, versions = runtime()
    return _template().render(
        scope_line=scope_line,
        basis_line=basis_line,
        sections=sections,
        charts=charts,
        specs_json=_script_json(charts),
        format_locale=_script_json(format_locale(currency)),
        runtime=code,
        versions=versions,
    )
