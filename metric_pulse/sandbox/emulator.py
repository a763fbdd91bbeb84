"""One `Emulator` record per platform: what the sandbox server needs to serve that platform's API."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Emulator:
    """A platform's API emulator: its name and the class that answers its requests."""

    name: str
    api: type
