"""Which Bulk Operation of ours is running for which resource, kept where a killed run cannot lose it.

dlt's resource state would be the natural home, but dlt saves it only when the extract
step ends: a run killed while waiting for its operation would forget the id and the
next run would start (and pay for) another one. So the id is written, as soon as
Shopify accepts the operation, to a small file in the pipeline's private working
directory, next to dlt's own state (a full refresh drops that directory, and with it
the entry). The entry carries a hash of the operation's document: only a run that
would ask the very same question (same resource, same window) resumes it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

STATE_FILE = "shopify_bulk_operations.json"


class OperationLog:
    """Our running operations, per resource, in a small private file that survives a killed run."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / STATE_FILE

    def _read(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, resource: str, document: str) -> str | None:
        """The id of our operation for `resource` if it was started for this very document."""
        entry = self._read().get(resource)
        if isinstance(entry, dict) and entry.get("document") == _digest(document):
            return entry.get("id")
        return None

    def put(self, resource: str, document: str, operation_id: str) -> None:
        self._write({**self._read(), resource: {"id": operation_id, "document": _digest(document)}})

    def drop(self, resource: str) -> None:
        data = self._read()
        if data.pop(resource, None) is not None:
            self._write(data)

    def _write(self, data: dict[str, Any]) -> None:
        """Atomically (write, fsync, rename), readable by the owner only."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as out:
            json.dump(data, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.path)


def _digest(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()
