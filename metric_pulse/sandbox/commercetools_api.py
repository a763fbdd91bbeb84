"""commercetools HTTP API emulator: OAuth client credentials, then paged queries.

Two roots on the sandbox port: the auth service under `/commercetools/auth`
(`POST /oauth/token`) and the API under `/commercetools/api`
(`GET /{projectKey}/{orders|customers|products|product-projections|messages}[/{id}]`,
and `GET /{projectKey}` with the project's settings).

Messages: a record removed from the store's data files is an `OrderDeleted`,
`CustomerDeleted` or `ProductDeleted` Message {id, version, sequenceNumber,
resource {typeId, id}, resourceVersion, type, createdAt, lastModifiedAt}, stamped
when the sandbox noticed the removal (metric_pulse.sandbox.store), queried like any
resource (`where`, `sort`, `limit`, scope `view_messages`). The server option
`commercetools_messages=False` is a project with Messages disabled: the project's
settings say `messages.enabled: false` and the Messages query answers an empty list
(a project without the feature records no Messages; the query itself is not refused).

Reproduces: Basic-authenticated client-credentials tokens with space-separated
`scope:{projectKey}` scopes and the `{"access_token","expires_in","scope",
"token_type":"Bearer"}` response; expiry (configurable); 401 `invalid_token`
and 403 `insufficient_scope` bodies; `where` predicates (comparisons, `in`,
`is defined`, `and`/`or`/`not`, parentheses, nested fields, `:var` input
variables from `var.*`; several `where` are ANDed); repeatable `sort`; `limit`
(default 20, max 500), `offset` (max 10 000), `withTotal` (total capped at
10 000 when a predicate is present) and the PagedQueryResponse shape; the error
envelope `{"statusCode","message","errors":[{"code","message"}]}`.
"""

from __future__ import annotations

import base64
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cmp_to_key
from typing import Any
from urllib.parse import parse_qsl

from metric_pulse.sandbox.emulator import Emulator, Route, StoreContext, labelled
from metric_pulse.sandbox.http import Request, Response, envelope, json_response, raw_json
from metric_pulse.sandbox.store import (
    HIGHEST,
    SUMMARY_KEYS,
    Dataset,
    Deletion,
    SortedView,
    StoreFolder,
    encode_records,
    full,
    scan,
    sortable,
)

PLATFORM = "commercetools"
RESOURCES = {
    "orders": "orders",
    "customers": "customers",
    "products": "products",
    "product-projections": "products",
}
SCOPE_OF = {
    "orders": "view_orders",
    "customers": "view_customers",
    "products": "view_products",
    "product-projections": "view_published_products",
    "messages": "view_messages",
}
DEFAULT_SCOPES = (
    "view_orders",
    "view_customers",
    "view_products",
    "view_published_products",
    "view_messages",
    "view_project_settings",
)
# A removal from a data file, as the Message commercetools records for the deleted resource.
DELETED_MESSAGE = {
    "orders": ("order", "OrderDeleted"),
    "customers": ("customer", "CustomerDeleted"),
    "products": ("product", "ProductDeleted"),
}
MESSAGES_KEPT_DAYS = 15  # a new project's deleteDaysAfterCreation
MAX_LIMIT, MAX_OFFSET, TOTAL_CAP = 500, 10_000, 10_000
API_ROUTE = re.compile(
    r"^/(?P<project>[^/]+)/(?P<resource>orders|customers|products|product-projections|messages)"
    r"(?:/(?P<id>[^/]+))?/?$"
)
PROJECT_ROUTE = re.compile(r"^/(?P<project>[^/]+)/?$")
INVALID_CLIENT = "Please provide valid client credentials using HTTP Basic Authentication."


def error(status: int, code: str, message: str, *, oauth: bool = False, **extra: Any) -> Response:
    body: dict[str, Any] = {
        "statusCode": status,
        "message": message,
        "errors": [{"code": code, "message": message, **extra}],
    }
    if oauth:
        body["error"] = code
        if message != code:
            body["error_description"] = message
    return json_response(status, body)


def invalid_token() -> Response:
    return error(401, "invalid_token", "invalid_token", oauth=True)


def insufficient_scope(scope: str) -> Response:
    return error(
        403,
        "insufficient_scope",
        f"Insufficient scope. One of the following scopes is missing: {scope}",
        oauth=True,
    )


def invalid_input(message: str) -> Response:
    return error(400, "InvalidInput", message)


def server_error(rng_value: float) -> Response:
    """A 5xx as commercetools documents them: 503 OverCapacity or 500 General (chosen by `rng_value`)."""
    if rng_value < 0.5:
        return error(503, "OverCapacity", "The service is currently over capacity. Please retry later.")
    return error(500, "General", "Internal Server Error")


def too_many_requests() -> Response:
    return error(429, "TooManyRequests", "Too many requests. Please retry later.")


# -- where predicates ------------------------------------------------------------------------

PRED_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<string>"(?:\\.|[^"\\])*")
  | (?P<number>-?\d+(?:\.\d+)?(?![\w-]))
  | (?P<var>:[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>!=|<>|>=|<=|=|>|<)
  | (?P<punct>[(),])
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
""",
    re.VERBOSE,
)
KEYWORDS = {"and", "or", "not", "in", "is", "defined", "empty", "contains", "any", "all", "true", "false"}


class PredicateError(Exception):
    pass


@dataclass
class Cmp:
    path: list[str]
    op: str
    value: Any


@dataclass
class In:
    path: list[str]
    values: list[Any]
    negate: bool


@dataclass
class Defined:
    path: list[str]
    negate: bool
    empty: bool = False


@dataclass
class Nested:
    path: list[str]
    expr: Any


@dataclass
class BoolOp:
    op: str  # and | or
    parts: list[Any]


@dataclass
class Not:
    expr: Any


@dataclass
class VarRef:
    name: str


class PredicateParser:
    def __init__(self, text: str, variables: dict[str, str]) -> None:
        self.text = text
        self.variables = variables
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        while pos < len(text):
            m = PRED_TOKEN.match(text, pos)
            if m is None:
                raise self._syntax(pos)
            if m.lastgroup != "ws":
                self.tokens.append((m.lastgroup or "", m.group(), pos))
            pos = m.end()
        self.i = 0

    def _syntax(self, pos: int) -> PredicateError:
        rest = self.text[pos : pos + 20] or "end of input"
        return PredicateError(
            f"Syntax error while parsing 'where'. Invalid input '{rest}' (line 1, column {pos + 1})"
        )

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def word(self, *words: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[0] == "word" and tok[1].lower() in words

    def expect(self, text: str) -> None:
        tok = self.peek()
        if tok is None or tok[1].lower() != text:
            raise self._syntax(tok[2] if tok else len(self.text))
        self.i += 1

    def parse(self) -> Any:
        expr = self.disjunction()
        if self.peek() is not None:
            raise self._syntax(self.peek()[2])
        return expr

    def disjunction(self) -> Any:
        parts = [self.conjunction()]
        while self.word("or"):
            self.i += 1
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else BoolOp("or", parts)

    def conjunction(self) -> Any:
        parts = [self.unary()]
        while self.word("and"):
            self.i += 1
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else BoolOp("and", parts)

    def unary(self) -> Any:
        tok = self.peek()
        if tok is None:
            raise self._syntax(len(self.text))
        if self.word("not"):
            self.i += 1
            self.expect("(")
            expr = self.disjunction()
            self.expect(")")
            return Not(expr)
        if tok[1] == "(":
            self.i += 1
            expr = self.disjunction()
            self.expect(")")
            return expr
        if tok[0] != "word" or tok[1].lower() in KEYWORDS - {"any", "all", "empty", "defined"}:
            raise self._syntax(tok[2])
        self.i += 1
        return self.field_predicate([tok[1]])

    def field_predicate(self, path: list[str]) -> Any:
        tok = self.peek()
        if tok is None:
            raise self._syntax(len(self.text))
        if tok[0] == "op":
            self.i += 1
            op = "!=" if tok[1] == "<>" else tok[1]
            return Cmp(path, op, self.value())
        if tok[1] == "(":
            self.i += 1
            expr = self.disjunction()
            self.expect(")")
            return Nested(path, expr)
        if self.word("in"):
            self.i += 1
            return In(path, self.values(), False)
        if self.word("not"):
            self.i += 1
            self.expect("in")
            return In(path, self.values(), True)
        if self.word("is"):
            self.i += 1
            negate = self.word("not")
            if negate:
                self.i += 1
            if self.word("defined"):
                self.i += 1
                return Defined(path, negate)
            if self.word("empty"):
                self.i += 1
                return Defined(path, negate, empty=True)
            raise self._syntax(self.peek()[2] if self.peek() else len(self.text))
        if self.word("contains"):
            self.i += 1
            if self.word("any", "all"):
                mode = self.peek()[1].lower()
                self.i += 1
                values = self.values()
                return BoolOp("or" if mode == "any" else "and", [Cmp(path, "=", v) for v in values])
            return Cmp(path, "=", self.value())
        raise self._syntax(tok[2])

    def values(self) -> list[Any]:
        self.expect("(")
        items = [self.value()]
        while self.peek() is not None and self.peek()[1] == ",":
            self.i += 1
            items.append(self.value())
        self.expect(")")
        return items

    def value(self) -> Any:
        tok = self.peek()
        if tok is None:
            raise self._syntax(len(self.text))
        self.i += 1
        kind, text, pos = tok
        if kind == "string":
            return re.sub(r"\\(.)", r"\1", text[1:-1])
        if kind == "number":
            return float(text) if "." in text else int(text)
        if kind == "var":
            name = text[1:]
            if name not in self.variables:
                raise PredicateError(
                    f"Missing value for input variable '{name}'. Provide it as 'var.{name}'."
                )
            return VarRef(name)
        if kind == "word" and text.lower() in ("true", "false"):
            return text.lower() == "true"
        raise self._syntax(pos)


def _lookup(record: Any, path: list[str]) -> Any:
    value = record
    for part in path:
        if isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


def _values(raw: Any) -> list[Any]:
    return raw if isinstance(raw, list) else [raw]


class Predicate:
    """A parsed `where` (several ANDed), evaluated on records."""

    def __init__(self, expressions: list[str], variables: dict[str, str]) -> None:
        self.variables = variables
        parsed = [PredicateParser(e, variables).parse() for e in expressions]
        self.tree = parsed[0] if len(parsed) == 1 else BoolOp("and", parsed)
        # Predicates on summary fields only run on the in-memory summary; others parse the record.
        self.summary_only = self._fields(self.tree) <= SUMMARY_KEYS

    def _fields(self, node: Any) -> set[str]:
        if isinstance(node, BoolOp):
            return set().union(*(self._fields(p) for p in node.parts))
        if isinstance(node, Not):
            return self._fields(node.expr)
        if isinstance(node, (Cmp, In, Defined)) or isinstance(node, Nested):
            return {node.path[0]} | ({"<nested>"} if isinstance(node, Nested) else set())
        return set()

    def literal(self, value: Any, against: Any) -> Any:
        if isinstance(value, VarRef):
            raw = self.variables[value.name]
            if isinstance(against, bool):
                return raw.lower() == "true"
            if isinstance(against, (int, float)):
                try:
                    return float(raw) if "." in raw else int(raw)
                except ValueError:
                    return raw
            return raw
        return value

    def __call__(self, record: dict) -> bool:
        return self.eval(self.tree, record if self.summary_only else full(record))

    def eval(self, node: Any, record: Any) -> bool:
        if isinstance(node, BoolOp):
            if node.op == "and":
                return all(self.eval(p, record) for p in node.parts)
            return any(self.eval(p, record) for p in node.parts)
        if isinstance(node, Not):
            return not self.eval(node.expr, record)
        if isinstance(node, Nested):
            inner = _lookup(record, node.path)
            return any(isinstance(v, dict) and self.eval(node.expr, v) for v in _values(inner))
        if isinstance(node, Defined):
            raw = _lookup(record, node.path)
            state = (raw in (None, [], {}, "")) if node.empty else raw is not None
            return state != node.negate
        if isinstance(node, In):
            raw = _lookup(record, node.path)
            hit = any(self.compare(v, "=", lit) for v in _values(raw) for lit in node.values)
            return hit != node.negate if raw is not None else False
        if isinstance(node, Cmp):
            raw = _lookup(record, node.path)
            if raw is None:
                return False
            return any(self.compare(v, node.op, node.value) for v in _values(raw))
        return False

    def compare(self, have: Any, op: str, literal: Any) -> bool:
        want = self.literal(literal, have)
        a, b = sortable(have), sortable(want)
        if a[0] != b[0]:
            return op == "!="
        return {"=": a == b, "!=": a != b, ">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b}[op]

    def bounds(self, field: str, node: Any = None) -> tuple[Any, Any]:
        """(low, high) limits the predicate puts on a top-level field (inclusive, None when open)."""
        node = self.tree if node is None else node
        if isinstance(node, Cmp) and node.path == [field] and not isinstance(node.value, VarRef):
            key = sortable(node.value)
            return {
                ">": (key, None),
                ">=": (key, None),
                "=": (key, key),
                "<": (None, key),
                "<=": (None, key),
            }.get(node.op, (None, None))
        if isinstance(node, BoolOp):
            parts = [self.bounds(field, p) for p in node.parts]
            lows, highs = [p[0] for p in parts], [p[1] for p in parts]
            if node.op == "and":
                low = max((v for v in lows if v is not None), default=None)
                high = min((v for v in highs if v is not None), default=None)
            else:
                low = None if any(v is None for v in lows) else min(lows)
                high = None if any(v is None for v in highs) else max(highs)
            return low, high
        return None, None


# -- tokens and the API ------------------------------------------------------------------------


@dataclass
class Token:
    scopes: frozenset[str]
    expires_at: float


def project_product(record: dict, staged: bool) -> dict | None:
    """A Product as the ProductProjection `product-projections` returns (None if not visible)."""
    master = record.get("masterData")
    if not isinstance(master, dict):
        return record  # already projection-shaped data
    if not staged and not master.get("published"):
        return None
    data = master.get("staged" if staged else "current") or {}
    projection = {k: v for k, v in record.items() if k != "masterData"}
    projection.update(data)
    projection["published"] = bool(master.get("published"))
    projection["hasStagedChanges"] = bool(master.get("hasStagedChanges"))
    return projection


class CommercetoolsAPI:
    """`handle_auth(request)` for `/commercetools/auth`, `handle(request)` for `/commercetools/api`."""

    platform = PLATFORM

    def __init__(
        self,
        store: StoreFolder,
        project_key: str,
        client_id: str,
        client_secret: str,
        *,
        scopes: tuple[str, ...] = DEFAULT_SCOPES,
        token_ttl: float = 172800.0,
        messages: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.messages = messages
        self.project_key = project_key
        self.client_id = client_id
        self.client_secret = client_secret
        self.scopes = scopes
        self.token_ttl = token_ttl
        self.clock = clock
        self._tokens: dict[str, Token] = {}
        self._lock = threading.Lock()

    # -- auth ------------------------------------------------------------------------------
    def handle_auth(self, req: Request) -> Response:
        if req.path.rstrip("/") != "/oauth/token":
            return error(404, "ResourceNotFound", "The requested resource was not found.")
        if req.method != "POST":
            return error(
                405, "MethodNotAllowed", "Method not allowed: only POST is supported on /oauth/token."
            )
        if self._client(req) != (self.client_id, self.client_secret):
            return error(401, "invalid_client", INVALID_CLIENT, oauth=True)
        form = dict(req.query)
        if req.body:
            form.update(parse_qsl(req.body.decode("utf-8", "replace"), keep_blank_values=True))
        grant = form.get("grant_type")
        if not grant:
            return error(400, "invalid_request", "Missing required parameter: grant_type.", oauth=True)
        if grant != "client_credentials":
            return error(400, "unsupported_grant_type", f"Unsupported grant type: {grant}.", oauth=True)
        allowed = {f"{s}:{self.project_key}" for s in self.scopes}
        requested = (form.get("scope") or "").split()
        for scope in requested:
            if scope not in allowed:
                return error(400, "invalid_scope", f"Invalid scope: {scope}", oauth=True)
        granted = requested or sorted(allowed, key=lambda s: self.scopes.index(s.split(":")[0]))
        token = secrets.token_urlsafe(24)
        with self._lock:
            now = self.clock()
            self._tokens = {k: v for k, v in self._tokens.items() if v.expires_at > now}
            self._tokens[token] = Token(frozenset(granted), now + self.token_ttl)
        return json_response(
            200,
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": int(self.token_ttl),
                "scope": " ".join(granted),
            },
        )

    @staticmethod
    def _client(req: Request) -> tuple[str, str] | None:
        auth = req.header("Authorization") or ""
        if auth[:6].lower() != "basic ":
            return None
        try:
            decoded = base64.b64decode(auth[6:].strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None
        client_id, _, secret = decoded.partition(":")
        return client_id, secret

    def _token(self, req: Request) -> Token | None:
        auth = req.header("Authorization") or ""
        if auth[:7].lower() != "bearer ":
            return None
        with self._lock:
            token = self._tokens.get(auth[7:].strip())
            if token is not None and token.expires_at <= self.clock():
                self._tokens.pop(auth[7:].strip(), None)
                return None
        return token

    def expire_tokens(self) -> None:
        """Expire every issued token now (tests: the client must fetch a new one)."""
        with self._lock:
            self._tokens.clear()

    # -- API -------------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        route = API_ROUTE.match(req.path)
        project_route = PROJECT_ROUTE.match(req.path)
        if (route is None and project_route is None) or req.method not in ("GET", "HEAD"):
            return error(404, "ResourceNotFound", "The requested resource was not found.")
        token = self._token(req)
        if token is None:
            return invalid_token()
        if route is None:
            return self._project(project_route.group("project"), token)
        project, endpoint, ident = route.group("project"), route.group("resource"), route.group("id")
        staged = (req.param("staged") or "").lower() == "true"
        needed = "view_products" if endpoint == "product-projections" and staged else SCOPE_OF[endpoint]
        acceptable = {f"{needed}:{project}", f"manage_{needed[5:]}:{project}", f"manage_project:{project}"}
        if endpoint == "product-projections" and not staged:
            acceptable |= {f"view_products:{project}", f"manage_products:{project}"}
        if project != self.project_key or not (token.scopes & acceptable):
            return insufficient_scope(f"{needed}:{project}")
        dataset = self._dataset(endpoint, staged)
        if ident is not None:
            record = dataset.by_id(ident)
            if record is None:
                return error(404, "ResourceNotFound", f"The Resource with ID '{ident}' was not found.")
            return raw_json(200, encode_records([record])[1:-1])
        return self._query(req, dataset, endpoint)

    def _project(self, project: str, token: Token) -> Response:
        """GET /{projectKey}: the project's settings, among them whether Messages are enabled."""
        acceptable = {f"view_project_settings:{project}", f"manage_project:{project}"}
        if project != self.project_key or not (token.scopes & acceptable):
            return insufficient_scope(f"view_project_settings:{project}")
        return json_response(
            200,
            {
                "key": self.project_key,
                "name": self.project_key,
                "version": 1,
                "messages": {"enabled": self.messages, "deleteDaysAfterCreation": MESSAGES_KEPT_DAYS},
            },
        )

    def _messages(self) -> Dataset:
        """The Messages of the records removed from the data files (none while Messages are disabled:
        the project records none then, so the query answers an empty list)."""
        deletions = self.store.deletions() if self.messages else []
        return Dataset([deleted_message(d) for d in deletions], (len(deletions), 0))

    def _dataset(self, endpoint: str, staged: bool) -> Dataset:
        if endpoint == "messages":
            return self._messages()
        dataset = self.store.get(RESOURCES[endpoint])
        if endpoint != "product-projections":
            return dataset
        return dataset.derived(
            ("projection", staged),
            lambda records: [p for p in (project_product(full(r), staged) for r in records) if p is not None],
        )

    def _query(self, req: Request, dataset: Dataset, endpoint: str) -> Response:
        try:
            limit = self._int(req, "limit", 20, MAX_LIMIT)
            offset = self._int(req, "offset", 0, MAX_OFFSET)
        except ValueError as exc:
            return invalid_input(str(exc))
        with_total = (req.param("withTotal") or "true").lower() != "false"
        variables = {k[4:]: v for k, v in req.query if k.startswith("var.")}
        wheres = [w for w in req.params("where") if w.strip()]
        try:
            predicate = Predicate(wheres, variables) if wheres else None
        except PredicateError as exc:
            return invalid_input(f"Malformed parameter: where: {exc}")
        try:
            sorts = self._sorts(req.params("sort"))
        except ValueError as exc:
            return invalid_input(str(exc))

        uniform = all(d == sorts[0][1] for _, d in sorts)
        if uniform:
            paths = tuple(p for p, _ in sorts)
            view = dataset.sorted_view(
                ("commercetools", paths), lambda r: tuple(sortable(_lookup(r, p.split("."))) for p in paths)
            )
            descending = sorts[0][1] == "desc"
        else:  # mixed directions: sort this request's records with a comparator
            view = self._mixed_view(dataset, sorts)
            descending = False
        start, stop = 0, len(view.keys)
        if predicate is not None and uniform:
            # Only records between the predicate's bounds on the first sort field can match.
            low, high = predicate.bounds(sorts[0][0])
            if low is not None:
                start = view.range((low,))[0]
            if high is not None:
                stop = max(start, view.range(None, (high, HIGHEST))[1])
        if predicate is None:
            total = stop - start
            if descending:
                lo_i, hi_i = max(start, stop - offset - limit), max(start, stop - offset)
                rows = view.records[lo_i:hi_i][::-1]
            else:
                rows = view.records[start + offset : min(stop, start + offset + limit)]
        else:
            total, rows = 0, []
            enough = offset + limit if not with_total else max(offset + limit, TOTAL_CAP)
            for _, record in scan(view, start, stop, descending, predicate):
                if offset <= total < offset + limit:
                    rows.append(record)
                total += 1
                if total >= enough:
                    break
            total = min(total, TOTAL_CAP)
        head: dict[str, Any] = {"limit": limit, "offset": offset, "count": len(rows)}
        if with_total:
            head["total"] = total
        return raw_json(200, envelope(head, "results", encode_records(rows)))

    @staticmethod
    def _int(req: Request, name: str, default: int, maximum: int) -> int:
        raw = req.param(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"Malformed parameter: {name}: Invalid int: '{raw}'") from None
        if not 0 <= value <= maximum:
            raise ValueError(
                f"Malformed parameter: {name}: The {name} must be between 0 and {maximum} "
                f"(inclusive), got {value}."
            )
        return value

    @staticmethod
    def _sorts(raw: list[str]) -> list[tuple[str, str]]:
        sorts: list[tuple[str, str]] = []
        for spec in raw:
            parts = spec.split()
            if (
                len(parts) != 2
                or parts[1].lower() not in ("asc", "desc")
                or not re.fullmatch(r"[A-Za-z_][\w.-]*", parts[0])
            ):
                raise ValueError(
                    f"Malformed parameter: sort: Invalid sort expression '{spec}'. "
                    "Expected '<field> asc' or '<field> desc'."
                )
            sorts.append((parts[0], parts[1].lower()))
        if not sorts:
            sorts = [("id", "asc")]
        if sorts[-1][0] != "id" and all(p != "id" for p, _ in sorts):
            sorts.append(("id", sorts[-1][1]))  # a deterministic tie-break
        return sorts

    @staticmethod
    def _mixed_view(dataset: Dataset, sorts: list[tuple[str, str]]) -> SortedView:
        paths = [(p.split("."), d == "desc") for p, d in sorts]

        def compare(a: dict, b: dict) -> int:
            for path, desc in paths:
                ka, kb = sortable(_lookup(a, path)), sortable(_lookup(b, path))
                if ka != kb:
                    return (-1 if ka < kb else 1) * (-1 if desc else 1)
            return 0

        records = sorted(dataset.records, key=cmp_to_key(compare))
        return SortedView([(i,) for i in range(len(records))], records)


def deleted_message(deletion: Deletion) -> dict:
    """An `OrderDeleted` / `CustomerDeleted` / `ProductDeleted` Message for a removal from the data files."""
    type_id, message_type = DELETED_MESSAGE[deletion.resource]
    stamp = (
        datetime.fromtimestamp(deletion.deleted_at, UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )
    return {
        "id": f"00000000-0000-4000-8000-{deletion.sequence:012d}",
        "version": 1,
        "sequenceNumber": 1,
        "resource": {"typeId": type_id, "id": deletion.id},
        "resourceVersion": 1,
        "type": message_type,
        "createdAt": stamp,
        "lastModifiedAt": stamp,
    }


CLIENT_ID = "sandbox-client-7Hq2mX9vLk"  # fixed: they guard nothing but a loopback port
CLIENT_SECRET = "sandbox-secret-Rz4Tn8Wc2PyJ6bQe1Ua5Gd3Kf"


def sandbox_credentials(label: str) -> dict[str, str]:
    """The sandbox project's key (its identity, `sandbox-store[-label]`) and API client."""
    return {
        "project_key": labelled("sandbox-store", label),
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }


def build(ctx: StoreContext) -> CommercetoolsAPI:
    c, options = ctx.credentials, ctx.options
    return CommercetoolsAPI(
        ctx.data,
        c["project_key"],
        c["client_id"],
        c["client_secret"],
        scopes=options["commercetools_scopes"],
        token_ttl=options["token_ttl"],
        messages=options["commercetools_messages"],
        clock=ctx.clock,
    )


EMULATOR = Emulator(
    name=PLATFORM,
    build=build,
    routes=(
        Route("/api", CommercetoolsAPI.handle),
        Route("/auth", CommercetoolsAPI.handle_auth, faults=False),
    ),
    credentials=sandbox_credentials,
    settings=lambda url, credentials: {
        "PROJECT_KEY": credentials["project_key"],
        "CLIENT_ID": credentials["client_id"],
        "CLIENT_SECRET": credentials["client_secret"],
        "API_URL": f"{url}/api",
        "AUTH_URL": f"{url}/auth",
    },
    server_error=lambda original, pick: server_error(pick),
    too_many_requests=too_many_requests,
    options={"token_ttl": 172800.0, "commercetools_scopes": DEFAULT_SCOPES, "commercetools_messages": True},
)
