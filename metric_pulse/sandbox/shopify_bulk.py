"""Shopify Bulk Operations in the sandbox: `bulkOperationRunQuery`, its lifecycle and its JSONL result.

`bulkOperationRunQuery(query:)` checks the inner query as Shopify does (valid against the
schema, one top-level connection, no top-level `node`/`nodes`, at most 5 connections, at most
2 levels of nested connections, no connection inside a list field) and answers `userErrors`
(code INVALID) when it breaks one. Otherwise it creates an operation:

- CREATED for the first quarter of `shopify_bulk_seconds` (sandbox clock), RUNNING until they
  have passed and its file is written, then COMPLETED (or FAILED): a poller sees it move.
- The result is written in a background thread as soon as the operation is created, batch by
  batch (never the whole store in memory): one JSON object per line, a nested connection's
  nodes on their own lines after their parent with `__parentId` (the parent's GID).
- `url` (`partialDataUrl` on failure) points at the sandbox itself, `GET {store}/bulk/{n}.jsonl
  ?expires=…&signature=…`, like a signed storage URL: no token needed, 403 once expired
  (`shopify_bulk_url_ttl`, 7 days by default) or when the signature does not match. The file is
  sent in chunks and honours `Range: bytes=N-` (a client can resume a broken download).

At most `shopify_bulk_limit` operations run at once per store (5 from API 2026-01; 1 before);
one more is refused with the userError Shopify sends. Injectable trouble: `shopify_bulk_busy`
operations of the same app already running when the store starts (a killed run's, which end
after `shopify_bulk_busy_seconds`), and `shopify_bulk_fail` (the operation FAILS with
INTERNAL_SERVER_ERROR after writing half its lines, served at `partialDataUrl`).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from email.utils import formatdate
from itertools import islice
from pathlib import Path
from typing import Any

from graphql import (
    FieldNode,
    GraphQLError,
    SelectionSetNode,
    get_named_type,
    is_list_type,
)
from graphql.execution.values import get_argument_values

from metric_pulse.sandbox import shopify_graphql as gql
from metric_pulse.sandbox import shopify_schema as schema
from metric_pulse.sandbox.http import Request, Response, json_bytes

log = logging.getLogger(__name__)
BATCH = 200  # root nodes executed (and held in memory) at a time
MAX_CONNECTIONS = 5
MAX_DEPTH = 2
CHUNK = 64 * 1024
RESULTS_SECONDS = 7 * 86400  # a finished operation's results are kept this long, then it is EXPIRED


@dataclass
class Operation:
    """One bulk query operation and what it has produced so far."""

    number: int
    query: str
    created: float  # sandbox clock
    created_wall: float
    done_at: float  # sandbox clock: not COMPLETED before this
    scopes: frozenset[str]
    protected_data: bool
    grouped: bool = False  # groupObjects: children right after their parent
    fail: bool = False
    phantom: bool = False  # started outside this sandbox run (busy slots): no file, no query to run
    canceled: bool = False
    finished: bool = False  # the writer thread is done
    error_code: str | None = None
    object_count: int = 0
    root_count: int = 0
    file: Path | None = None
    partial: Path | None = None
    completed_wall: float | None = None
    completed_at: float | None = None  # sandbox clock (results are kept RESULTS_SECONDS after it)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def gid(self) -> str:
        return f"gid://shopify/BulkOperation/{self.number}"


class BulkOperations:
    """The bulk operations of one Shopify store: the GraphQL fields' answers and the file downloads."""

    def __init__(
        self,
        api: Any,  # the store's `shopify_admin.ShopifyAdmin`
        *,
        clock: Callable[[], float],
        wall_clock: Callable[[], float],
        seconds: float = 1.0,
        limit: int = 5,
        busy: int = 0,
        busy_seconds: float = 30.0,
        fail: bool = False,
        url_ttl: float = 7 * 86400.0,
    ) -> None:
        self.api = api
        self.clock = clock
        self.wall_clock = wall_clock
        self.seconds = seconds
        self.limit = limit
        self.fail = fail
        self.url_ttl = url_ttl
        self._files = tempfile.TemporaryDirectory(prefix="sandbox-shopify-bulk-")  # 0700: customer data
        self._key = secrets.token_bytes(16)
        self._minted: dict[str, float] = {}  # URL signature -> sandbox clock when it expires
        self._ops: list[Operation] = []
        self._lock = threading.Lock()
        now = clock()
        for _ in range(busy):
            op = self._new("{ orders { edges { node { id } } } }", api.scopes, True, now + busy_seconds)
            op.phantom = True

    # -- GraphQL fields ----------------------------------------------------------------------
    def run(self, ctx: gql.Context, query: str, groupObjects: bool = False) -> dict:  # noqa: N803 (GraphQL's name)
        """`bulkOperationRunQuery`: the payload, with a new operation or the userErrors."""
        problem = restrictions(query)
        if problem:
            return {
                "bulkOperation": None,
                "userErrors": [{"code": "INVALID", "field": ["query"], "message": problem}],
            }
        with self._lock:
            running = [op for op in self._ops if self._status(op) in ("CREATED", "RUNNING")]
            if len(running) >= self.limit:
                return {"bulkOperation": None, "userErrors": [self._busy(running)]}
            op = self._new(query, ctx.scopes, ctx.protected_data, self.clock() + self.seconds)
            op.grouped = groupObjects
        threading.Thread(target=self._write, args=(op,), name=f"bulk-{op.number}", daemon=True).start()
        return {"bulkOperation": self._node(op, ctx.base_url), "userErrors": []}

    def get_field(self, ctx: gql.Context, id: str) -> dict | None:  # noqa: A002 (GraphQL's name)
        return self.get(id, ctx.base_url)

    def get(self, ident: str, base_url: str = "") -> dict | None:
        op = next((o for o in self._ops if o.gid == ident), None)
        return None if op is None else self._node(op, base_url)

    def current(self, ctx: gql.Context, type: str = "QUERY") -> dict | None:  # noqa: A002
        """The app's most recent bulk query operation (None before the first)."""
        if type != "QUERY" or not self._ops:
            return None
        return self._node(self._ops[-1], ctx.base_url)

    def listing(self, ctx: gql.Context, **args: Any) -> dict:
        """`bulkOperations`: the app's operations, newest first (`reverse`: oldest), filtered by `query:`
        (`status:running`, `operation_type:query`, `created_at:>…`, `id:…`)."""
        keep, _ = gql.search_filter(args.get("query"))
        found = [n for n in (self._node(op, ctx.base_url) for op in reversed(self._ops)) if keep(n)]
        return gql.list_connection(found, args, "bulkOperations")

    def cancel(self, ctx: gql.Context, id: str) -> dict:  # noqa: A002
        op = next((o for o in self._ops if o.gid == id), None)
        if op is None:
            return {
                "bulkOperation": None,
                "userErrors": [{"field": ["id"], "message": "Bulk operation does not exist"}],
            }
        if self._status(op) not in ("CREATED", "RUNNING"):
            message = f"A bulk operation cannot be canceled when it is {self._status(op).lower()}"
            return {
                "bulkOperation": self._node(op, ctx.base_url),
                "userErrors": [{"field": None, "message": message}],
            }
        op.canceled = True
        return {"bulkOperation": self._node(op, ctx.base_url), "userErrors": []}

    # -- lifecycle ---------------------------------------------------------------------------
    def _new(self, query: str, scopes: frozenset[str], protected: bool, done_at: float) -> Operation:
        op = Operation(
            number=len(self._ops) + 1,
            query=query,
            created=self.clock(),
            created_wall=self.wall_clock(),
            done_at=done_at,
            scopes=scopes,
            protected_data=protected,
            fail=self.fail,
        )
        self._ops.append(op)
        return op

    def _busy(self, running: list[Operation]) -> dict:
        if self.limit == 1:
            message = (
                f"A bulk query operation for this app and shop is already in progress: {running[0].gid}."
            )
            return {"code": "OPERATION_IN_PROGRESS", "field": None, "message": message}
        message = (
            f"The maximum number of concurrent bulk query operations ({self.limit}) for this app and shop "
            "has been reached. Wait for one to finish before starting another."
        )
        return {"code": "LIMIT_REACHED", "field": None, "message": message}

    def _status(self, op: Operation) -> str:
        now = self.clock()
        if op.canceled:
            return "CANCELED"
        if not op.phantom and now < op.created + (op.done_at - op.created) / 4:
            return "CREATED"
        if now < op.done_at or not (op.finished or op.phantom):
            return "RUNNING"
        if op.completed_at is None:
            with op.lock:
                if op.completed_at is None:
                    op.completed_wall, op.completed_at = self.wall_clock(), now
        if now > op.completed_at + RESULTS_SECONDS:
            return "EXPIRED"
        if op.error_code:
            return "FAILED"
        return "COMPLETED"

    def _node(self, op: Operation, base_url: str) -> dict:
        status = self._status(op)
        done = status in ("COMPLETED", "FAILED", "EXPIRED")
        file = op.file if status == "COMPLETED" else None
        partial = op.partial if status == "FAILED" else None
        return {
            "id": op.gid,
            "type": "QUERY",
            "status": status,
            "errorCode": op.error_code if status == "FAILED" else None,
            "createdAt": gql.utc_z(op.created_wall),
            "completedAt": gql.utc_z(op.completed_wall) if done and op.completed_wall else None,
            "objectCount": str(op.object_count),
            "rootObjectCount": str(op.root_count),
            "fileSize": str(file.stat().st_size) if file else None,
            "url": self._url(file, base_url) if file else None,
            "partialDataUrl": self._url(partial, base_url) if partial else None,
            "query": op.query,
        }

    # -- the result file -----------------------------------------------------------------------
    def _write(self, op: Operation) -> None:
        """Run the inner query batch by batch and write its JSONL (the partial half on `fail`)."""
        path = Path(self._files.name) / f"{op.number}.jsonl"
        try:
            prepared = gql.prepare(op.query, {}, None)
            assert isinstance(prepared, gql.Prepared)  # checked by `restrictions`
            root = prepared.operation.selection_set.selections[0]
            assert isinstance(root, FieldNode)
            resource = gql.RESOURCES[root.name.value]
            ctx = gql.Context(
                store=self.api.store,
                shop=self.api.shop,
                scopes=op.scopes,
                now=self.wall_clock(),
                protected_data=op.protected_data,
            )
            ctx.require(resource.scope, root.name.value)
            args = _arguments(prepared, root)
            nodes = (node for _, node in gql.rows(ctx, resource, args))
            lines = 0
            with open(path, "wb") as out:
                while batch := list(islice(nodes, BATCH)):
                    if op.canceled:
                        return
                    ctx.bulk = batch
                    data, errors = gql.run(prepared, ctx)
                    if errors:
                        raise GraphQLError(errors[0]["message"], extensions=errors[0].get("extensions"))
                    for line in flatten(prepared.operation.selection_set, data or {}, op.grouped):
                        out.write(json_bytes(line) + b"\n")
                        lines += 1
                        op.object_count += 1
                        op.root_count += "__parentId" not in line
        except Exception as exc:  # noqa: BLE001 (whatever breaks the job fails the operation, as on Shopify)
            denied = isinstance(exc, GraphQLError) and (exc.extensions or {}).get("code") == "ACCESS_DENIED"
            op.error_code = "ACCESS_DENIED" if denied else "INTERNAL_SERVER_ERROR"
            if not denied:  # the lines written so far stay readable, as Shopify's partial data
                log.warning("sandbox: bulk operation %s failed: %s", op.gid, type(exc).__name__)
                if path.exists():
                    op.partial = path.rename(path.with_name(f"{op.number}-partial.jsonl"))
            op.finished = True
            return
        if op.fail:  # the job broke halfway: only the first half of its lines survive
            partial = path.with_name(f"{op.number}-partial.jsonl")
            with open(path, "rb") as full, open(partial, "wb") as out:
                kept = list(islice(full, lines // 2))
                out.writelines(kept)
            op.object_count = len(kept)
            op.root_count = sum(b'"__parentId"' not in line for line in kept)
            op.partial, op.error_code = partial, "INTERNAL_SERVER_ERROR"
        else:
            op.file = path
        op.finished = True

    def _url(self, path: Path, base_url: str) -> str:
        """A URL signed now, valid `url_ttl` seconds (each answer hands out a fresh one, as Shopify's)."""
        expires = int(self.wall_clock() + self.url_ttl)
        signature = self._sign(path.name, expires)
        self._minted[signature] = self.clock() + self.url_ttl
        return f"{base_url}/bulk/{path.name}?expires={expires}&signature={signature}"

    def _sign(self, name: str, expires: int) -> str:
        return hmac.new(self._key, f"{name}:{expires}".encode(), hashlib.sha256).hexdigest()

    def download(self, req: Request) -> Response:
        """`GET /bulk/{file}?expires&signature`: the file in chunks, 403 (storage-style XML) when not valid."""
        name = req.path.removeprefix("/bulk/")
        op = next((o for o in self._ops if name in {f"{o.number}.jsonl", f"{o.number}-partial.jsonl"}), None)
        expires = req.param("expires") or ""
        if (
            op is None
            or not expires.isdigit()
            or not hmac.compare_digest(req.param("signature") or "", self._sign(name, int(expires)))
        ):
            return _denied("SignatureDoesNotMatch", "The request signature we calculated does not match.")
        if self.clock() > self._minted.get(req.param("signature") or "", -1.0):
            return _denied(
                "ExpiredToken", f"Request signature expired at: {formatdate(int(expires), usegmt=True)}"
            )
        path = op.file if name == f"{op.number}.jsonl" else op.partial
        if path is None or self._status(op) == "EXPIRED":
            return _denied("NoSuchKey", "The specified key does not exist.")
        return file_response(path, req.header("Range"))


def _denied(code: str, message: str) -> Response:
    body = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
    return Response(403, body.encode(), content_type="application/xml; charset=UTF-8")


def file_response(path: Path, range_header: str | None) -> Response:
    """A file sent in chunks (`Response.stream`), from `Range: bytes=N-` when the client asks."""
    size = path.stat().st_size
    start = 0
    if range_header and range_header.startswith("bytes=") and range_header[6:].rstrip("-").isdigit():
        start = min(int(range_header[6:].rstrip("-")), size)
    headers = [("Accept-Ranges", "bytes")]
    if start:
        headers.append(("Content-Range", f"bytes {start}-{size - 1}/{size}"))

    def chunks() -> Iterator[bytes]:
        with open(path, "rb") as handle:
            handle.seek(start)
            while chunk := handle.read(CHUNK):
                yield chunk

    return Response(
        206 if start else 200,
        headers=headers,
        content_type="application/jsonl",
        stream=chunks,
        stream_length=size - start,
    )


# -- restrictions and flattening ---------------------------------------------------------------------


def restrictions(query: str) -> str | None:
    """Why Shopify refuses this bulk query (None: it runs)."""
    prepared = gql.prepare(query, {}, None)
    if isinstance(prepared, list):
        return "Invalid bulk query: " + "; ".join(e["message"] for e in prepared)
    operation = prepared.operation
    if operation.operation.value != "query":
        return "Bulk queries must be query operations; use bulkOperationRunMutation for mutations."
    roots = [s for s in operation.selection_set.selections if isinstance(s, FieldNode)]
    if len(roots) != 1 or len(operation.selection_set.selections) != 1:
        return "Bulk queries must contain exactly one top-level field."
    if roots[0].name.value in ("node", "nodes"):
        return "The top-level `node` and `nodes` fields are not supported in bulk queries."
    if roots[0].name.value not in gql.RESOURCES:
        return "Bulk queries must contain at least one connection."
    shape = Shape()
    _walk(operation.selection_set, schema.SCHEMA.query_type, 0, False, True, shape)
    if shape.listed:
        return "Queries that contain a connection field within a list field are not supported."
    if len(shape.depths) > MAX_CONNECTIONS:
        return f"Bulk queries cannot contain more than {MAX_CONNECTIONS} connections."
    if max(shape.depths) > MAX_DEPTH:
        return f"Bulk queries cannot contain connections with a nesting depth greater than {MAX_DEPTH}."
    if shape.without_id:
        return (
            "The parent 'node' field for a nested connection must select the 'id' field without an alias "
            f"and must be of 'ID' return type. Connection fields without 'id': {', '.join(shape.without_id)}."
        )
    return None


@dataclass
class Shape:
    """What `restrictions` checks in a bulk query's connections."""

    depths: list[int] = field(default_factory=list)  # the nesting level of each connection
    listed: bool = False  # a connection sits inside a list field
    without_id: list[str] = field(default_factory=list)  # nested connections whose parent node lacks `id`


def _walk(
    selection: SelectionSetNode | None, parent: Any, depth: int, in_list: bool, has_id: bool, shape: Shape
) -> None:
    for node in selection.selections if selection else []:
        if not isinstance(node, FieldNode):
            condition = getattr(node, "type_condition", None)
            target = schema.SCHEMA.get_type(condition.name.value) if condition else parent
            _walk(getattr(node, "selection_set", None), target, depth, in_list, has_id, shape)
            continue
        definition = getattr(parent, "fields", {}).get(node.name.value)
        if definition is None:
            continue
        named = get_named_type(definition.type)
        if not named.name.endswith("Connection"):
            listed = in_list or is_list_type(schema.unwrap(definition.type))
            _walk(node.selection_set, named, depth, listed, has_id, shape)
            continue
        if in_list:
            shape.listed = True
            continue
        shape.depths.append(depth + 1)
        if depth and not has_id:
            shape.without_id.append(node.name.value)
        node_type = get_named_type(named.fields["nodes"].type)
        for _, inner in schema.node_selections(node):
            ids = any(f.name.value == "id" and f.alias is None for f in schema.selected_fields(inner))
            _walk(inner, node_type, depth + 1, False, ids, shape)


def _arguments(prepared: gql.Prepared, root: FieldNode) -> dict[str, Any]:
    definition = schema.SCHEMA.query_type.fields[root.name.value]
    return get_argument_values(definition, root, prepared.variables)


def flatten(selection: SelectionSetNode, data: Mapping[str, Any], grouped: bool = False) -> Iterator[dict]:
    """The JSONL lines of one executed batch: each connection node on its own line, connections removed
    from the parent's line, their nodes on later lines with `__parentId`. `grouped` (groupObjects):
    a parent's children right after it; otherwise a level at a time (every child still after its
    parent, but not next to it: a reader must not count on that, as on Shopify)."""
    later: deque[tuple[FieldNode, Any, str | None]] = deque(
        (node, data.get((node.alias or node.name).value), None) for node in schema.selected_fields(selection)
    )
    while later:
        yield from _lines(*later.popleft(), grouped, later)


def _lines(
    field_node: FieldNode, value: Any, parent_id: str | None, grouped: bool, later: deque
) -> Iterator[dict]:
    for selection, item in connection_nodes(field_node, value):
        line, children = _split(selection, dict(item))
        if parent_id is not None:
            line["__parentId"] = parent_id
        yield line
        for child_field, child_value in children:
            if grouped:
                yield from _lines(child_field, child_value, item.get("id"), grouped, later)
            else:
                later.append((child_field, child_value, item.get("id")))


def connection_nodes(field_node: FieldNode, value: Any) -> Iterator[tuple[SelectionSetNode | None, Mapping]]:
    """(selection of a node, the node's answer) for each node in a connection's answer."""
    if not isinstance(value, Mapping):
        return
    for keys, selection in schema.node_selections(field_node):
        yield from ((selection, item) for item in schema.answered_nodes(value, keys))


def _split(selection: SelectionSetNode | None, obj: dict) -> tuple[dict, list[tuple[FieldNode, Any]]]:
    """(the object without its nested connections, those connections) — a connection is an answer
    value holding `nodes` or `edges` (connections sit on nodes or objects, never in lists: restricted)."""
    children = []
    for node in schema.selected_fields(selection):
        key = (node.alias or node.name).value
        value = obj.get(key)
        if isinstance(value, Mapping) and ("nodes" in value or "edges" in value) and node.selection_set:
            names = {p.name.value for p in schema.selected_fields(node.selection_set)}
            if names & {"nodes", "edges"}:
                children.append((node, value))
                del obj[key]
                continue
        if isinstance(value, Mapping) and node.selection_set:
            inner, nested = _split(node.selection_set, dict(value))
            obj[key] = inner
            children.extend(nested)
    return obj, children
