"""One `Emulator` record per platform: everything the sandbox server needs to serve that platform's API.

The server (`metric_pulse.sandbox.server`) reads these records from the registry
(`metric_pulse.platforms.PLATFORMS`) and knows no platform by name. A record says
which URL prefixes a store of the platform answers below its root (`/shopify`,
`/commercetools` + `/api` and `/auth`), how to build the object that answers them,
the fixed sandbox credentials and identity of a store with a given label, the
settings (`.env` lines without the platform's prefix) that point a loader at it,
the platform's own 5xx (and, where it has one, 429) for fault injection, and the
server options (keyword arguments of `SandboxServer`) the platform understands.

Stores: every platform has the store labelled `default` (data folder `<platform>/`,
root `/<platform>`); an extra store labelled L has its own folder `<platform>__L/`,
its own root `/<platform>-L` and its own identity (`labelled`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from metric_pulse.sandbox.http import Request, Response
from metric_pulse.sandbox.store import StoreFolder

DEFAULT_LABEL = "default"
LABEL = re.compile(r"^[a-z0-9]{1,20}$")  # the labels the loaders' `<PREFIX>_STORES` accepts


def check_label(label: str) -> str:
    """`label` if it can name an extra store, else a ValueError that says what a label is."""
    if not LABEL.match(label) or label == DEFAULT_LABEL:
        raise ValueError(
            f"store label {label!r}: use 1-20 lower-case letters or digits (and not {DEFAULT_LABEL!r})"
        )
    return label


def labelled(name: str, label: str, separator: str = "-") -> str:
    """`name` for the default store, `name<separator><label>` for an extra one (domains, keys, prefixes)."""
    return name if label == DEFAULT_LABEL else f"{name}{separator}{label}"


def store_folder(platform: str, label: str) -> str:
    """A store's data folder, also its name in the server's counters: `shopify`, `shopify__eu`."""
    return labelled(platform, label, "__")


def store_labels(platforms: Iterable[str], extra_stores: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """The labels of each platform's stores: `default` first, then the extra stores' in the order given."""
    labels: dict[str, list[str]] = {name: [DEFAULT_LABEL] for name in platforms}
    for platform, label in extra_stores:
        if platform not in labels:
            raise ValueError(f"extra store {platform}:{label}: unknown platform (known: {', '.join(labels)})")
        if check_label(label) in labels[platform]:
            raise ValueError(f"extra store {platform}:{label} is given twice")
        labels[platform].append(label)
    return labels


@dataclass(frozen=True)
class Route:
    """A URL prefix below a store's root (`""` = the root itself) and the API method answering it."""

    suffix: str
    handler: Callable[[Any, Request], Response]  # an unbound method, called with the store's API object
    faults: bool = True  # False: no fault injection here unless the server is told `faults_on_auth`


@dataclass(frozen=True)
class StoreContext:
    """What an emulator's `build` gets to make the API object of one store."""

    data: StoreFolder  # the store's data folder
    credentials: Mapping[str, str]  # what `Emulator.credentials(label)` returned
    options: Mapping[str, Any]  # the emulator's `options`, with the server's keyword arguments applied
    enforce_rate_limits: bool
    clock: Callable[[], float]


def query_page_size(req: Request) -> int | None:
    """A REST list request's page size: its `limit` or `per_page` parameter."""
    sizes = [int(v) for v in (req.param("limit"), req.param("per_page")) if v is not None and v.isdigit()]
    return max(sizes, default=None)


@dataclass(frozen=True)
class Emulator:
    """A platform's API emulator, as the sandbox server uses it."""

    name: str
    build: Callable[[StoreContext], Any]  # -> the object whose methods the routes call, for one store
    routes: tuple[Route, ...]
    credentials: Callable[[str], Mapping[str, str]]  # label -> fixed credentials and identity of that store
    settings: Callable[[str, Mapping[str, str]], dict[str, str]]  # (root URL, credentials) -> unprefixed env
    server_error: Callable[[Response, float], Response]  # (the response it replaces, a draw in [0, 1))
    too_many_requests: Callable[[], Response] | None = None  # the injected 429, for a platform without one
    options: Mapping[str, Any] = field(default_factory=dict)  # server keyword option -> its default
    # how many records a request asks for (the server's `fail_pages_over`); None: not a list request
    page_size: Callable[[Request], int | None] = query_page_size
