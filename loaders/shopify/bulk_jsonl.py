"""A Bulk Operation's JSONL result back into whole objects, without holding the file in memory.

Shopify writes one line per object: the root objects of the query (orders, products...)
and, on lines of their own, every node of their nested connections, each carrying the
GID of its parent in `__parentId`. A child comes after its parent but, as Shopify's
docs warn, not necessarily right after it ("avoid relying on a particular sequence of
lines"). So no root is known to be complete before the last line has been read.

Holding every root until then would put the whole file in memory (a million orders).
Instead the lines are spilled, as they stream in, into a private SQLite file on disk
(one row per line: its position, its parent, its raw bytes); then the roots are read
back in file order, each with its children found through an index on the parent. At
most one root with its descendants is in memory at a time, whatever the file's size.

Which connection a child belongs to is read from the type in its GID
(`gid://shopify/LineItem/1` -> `LineItem`); a node without an id (a discount
application) goes to its parent's connection of id-less nodes. `routes` maps a parent
type to {child type or NO_ID: field} (loaders/shopify/bulk_query.py derives it).
Each object comes out as the API would have returned it in one page: every connection
of its type present as `{"nodes": [...]}` (empty when it had no children), in the
order the lines came. A line whose parent never appears, or whose type no route
knows, is an error, never silently dropped.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from loaders import json_body

Routes = Mapping[str, Mapping[str, str]]
"""Parent type -> {child type: the parent's connection field holding it}."""
NO_ID = ""
"""The routes key of a parent's connection whose nodes have no id."""

BATCH = 2000  # lines per insert: large enough to amortise the call, small enough to stay bounded


class BulkFileError(ValueError):
    """The result file does not match the query (a line of an unknown type, an orphan, bad JSON)."""


def split_lines(chunks: Iterable[bytes], max_line_bytes: int) -> Iterator[bytes]:
    """The non-empty lines of a byte stream, however the chunks cut it; one line may not exceed the cap.

    The cap keeps a broken or hostile file (no newline at all) from filling memory.
    """
    pending = b""
    for chunk in chunks:
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            if line.strip():
                yield line
        if len(pending) > max_line_bytes:
            raise BulkFileError(f"a line of the result file is longer than {max_line_bytes} bytes")
    if pending.strip():
        yield pending


def gid_type(value: object) -> str | None:
    """`gid://shopify/LineItem/1` -> `LineItem`; None for anything that is not a GID."""
    if not isinstance(value, str) or not value.startswith("gid://"):
        return None
    parts = value.split("/")
    return parts[3] if len(parts) > 4 else None


class Spill:
    """The lines of one result file in a private SQLite file, read back root by root."""

    def __init__(self, directory: Path | None = None) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="shopify-bulk-", dir=directory)  # mode 0700
        path = os.path.join(self._dir.name, "lines.sqlite")
        self.db = sqlite3.connect(path)
        self.db.executescript(
            "pragma journal_mode = off; pragma synchronous = off; pragma temp_store = file;"
            "create table line (seq integer primary key, parent text, body blob not null);"
        )
        self.lines = 0

    def add(self, lines: Iterable[bytes]) -> None:
        """Store every line with its parent's id (None for a root)."""
        batch: list[tuple[int, str | None, bytes]] = []
        for line in lines:
            batch.append((self.lines, _parent_of(line, self.lines + 1), line))
            self.lines += 1
            if len(batch) >= BATCH:
                self.db.executemany("insert into line values (?, ?, ?)", batch)
                batch.clear()
        self.db.executemany("insert into line values (?, ?, ?)", batch)
        self.db.execute("create index line_parent on line (parent)")
        self.db.commit()

    def objects(self, routes: Routes) -> Iterator[dict[str, Any]]:
        """Every root object with its connections filled, in file order; checks no line was left over."""
        visited = 0
        roots = self.db.execute("select seq, body from line where parent is null order by seq")
        for seq, body in roots:
            root = _parse(body, seq + 1)
            visited += 1 + self._attach(root, routes)
            yield root
        # more than the lines: an id repeated (children then join each copy, nothing is lost)
        if visited < self.lines:
            raise BulkFileError(
                f"{self.lines - visited} of {self.lines} lines of the result file belong to no object "
                "of the file (a __parentId that never appears)"
            )

    def _attach(self, parent: dict[str, Any], routes: Routes) -> int:
        """Put the children of `parent` (and theirs) into its connections; how many lines that used."""
        kind = gid_type(parent.get("id"))
        fields = routes.get(kind or "")
        if not fields:
            return 0
        for field in dict.fromkeys(fields.values()):
            parent[field] = {"nodes": []}
        used = 0
        rows = self.db.execute(
            "select seq, body from line where parent = ? order by seq", (parent["id"],)
        ).fetchall()
        for seq, body in rows:
            child = _parse(body, seq + 1)
            child.pop("__parentId", None)
            child_kind = gid_type(child.get("id")) or NO_ID
            field = fields.get(child_kind)
            if field is None:
                raise BulkFileError(
                    f"line {seq + 1} of the result file is a {child_kind or 'node without id'} under a {kind}, "
                    "which the query does not ask for"
                )
            parent[field]["nodes"].append(child)
            used += 1 + self._attach(child, routes)
        return used

    def close(self) -> None:
        self.db.close()
        self._dir.cleanup()

    def __enter__(self) -> Spill:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _parse(body: bytes, number: int) -> dict[str, Any]:
    try:
        value = json_body.loads(body)
    except ValueError as exc:
        raise BulkFileError(f"line {number} of the result file is not JSON ({str(exc)[:80]})") from None
    if not isinstance(value, dict):
        raise BulkFileError(f"line {number} of the result file is a {type(value).__name__}, not an object")
    return value


def _parent_of(line: bytes, number: int) -> str | None:
    parent = _parse(line, number).get("__parentId") if b'"__parentId"' in line else None
    if parent is not None and not isinstance(parent, str):
        raise BulkFileError(f"line {number} of the result file has a __parentId that is not a string")
    return parent


def reassemble(
    lines: Iterable[bytes], routes: Routes, directory: Path | None = None
) -> Iterator[dict[str, Any]]:
    """The root objects of a result file's `lines`, children attached (see the module docstring)."""
    with Spill(directory) as spill:
        spill.add(lines)
        yield from spill.objects(routes)
