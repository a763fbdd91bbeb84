"""`export` lines for a POSIX shell: the one way our values reach `eval` or `. file` in bash.

Two things print shell code: `metric-pulse db env` (for `eval "$(metric-pulse db env)"`)
and `python -m metric_pulse.shell_env FILE`, which the operator scripts (scripts/dotenv.sh)
run to read `.env`. The second exists so that the shell and Python read `.env` with
the same parser (python-dotenv, as `load_environment` does): a hand-written shell
parser kept inline comments, `\\"` escapes, `KEY = v` spacing, CRLF endings and
`${VAR}` references differently, so a line of .env.example meant one thing to cron
and another to `make elt`. Every value is quoted with `shlex.quote`, never `repr`.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path

from dotenv import dotenv_values

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def export_lines(values: Mapping[str, str]) -> str:
    """`export KEY='value'` per entry; keys that are not shell names are left out."""
    return "".join(
        f"export {key}={shlex.quote(value)}\n" for key, value in values.items() if _NAME.fullmatch(key)
    )


def dotenv_exports(path: Path, environ: Mapping[str, str]) -> str:
    """Exports for the variables `path` sets that `environ` does not (the real environment wins)."""
    if not path.is_file():
        return ""
    values = {k: v for k, v in dotenv_values(path).items() if v is not None and k not in environ}
    return export_lines(values)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m metric_pulse.shell_env PATH_TO_DOTENV", file=sys.stderr)
        return 2
    sys.stdout.write(dotenv_exports(Path(args[0]), os.environ))
    return 0


if __name__ == "__main__":
    sys.exit(main())
