"""`loaders/` holds only loaders: it never imports the application (`metric_pulse`, the sandbox included).

The application depends on the loaders, never the other way round, so a platform's
package can be read, tested and reused without the CLI, the warehouse or the sandbox.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from conftest import PROJECT_ROOT


def _imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module


def test_loaders_import_nothing_from_the_application() -> None:
    files = sorted((PROJECT_ROOT / "loaders").rglob("*.py"))
    assert len(files) > 10
    offending = {
        f"{path.relative_to(PROJECT_ROOT)}: {name}"
        for path in files
        for name in _imports(path)
        if name == "metric_pulse" or name.startswith("metric_pulse.")
    }
    assert offending == set()
