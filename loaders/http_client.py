"""The one HTTP client every source uses: paced, retrying, and careful with secrets.

Each request first takes a token from the platform's `Pacer`, then goes out with a
connect/read timeout. What the server says about its limits (`Retry-After`, and
whatever the platform's `RateLimitParser` reads: a call-limit header, a GraphQL
query cost) is fed back into the pacer. 429, 5xx, timeouts, dropped connections
and bodies that are not the JSON we expect are retried with exponential backoff
and jitter, at most
`LoadOptions.max_retries` times; after that, and at once for errors a retry cannot
fix (bad credentials, 400, 404), an `ApiError` names the platform, the request
path and what happened. Messages never carry a query string (WooCommerce keys can
travel there) and every known secret is masked.

Each attempt has an overall deadline (`LoadOptions.request_deadline`) on top of the
read timeout, which restarts with every byte a slow server trickles, and its body
may not exceed `LoadOptions.max_response_bytes` (checked while reading, after
decompression): a body still arriving at the deadline is retried, one that is too
large fails at once, as it would again.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3

from loaders import json_body
from loaders.errors import ApiError, AuthError, ServerFailure
from loaders.masking import add_secrets, mask
from loaders.pacing import Pacer, RateLimitParser, RequestStats, parse_retry_after
from loaders.paging import PageGuard, Paginator, Params, listing_pages
from loaders.settings import LoadOptions, RateLimit

log = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 30.0
USER_AGENT = "metric-pulse/0.1 (+https://github.com/metric-pulse)"


class TooLarge(Exception):
    """The body is larger than the configured cap; a retry would get the same."""


class MalformedBody(ValueError):
    """The body parsed, but is not the shape this endpoint returns (a cut-off or foreign response)."""


class DownloadRefused(ApiError):
    """A file URL answered 4xx (an expired or revoked signed URL): asking again will not help."""

    def __init__(self, platform: str, message: str, status: int) -> None:
        super().__init__(platform, message)
        self.status = status


@dataclass(frozen=True)
class ApiResponse:
    body: Any
    headers: Mapping[str, str]
    links: Mapping[str, Mapping[str, str]]
    status: int


Validator = Callable[[Any], None]


@dataclass(frozen=True)
class _Retry:
    """Why an attempt failed in a way worth retrying."""

    reason: str
    retry_after: float | None = None
    paced: bool = False  # the pacer already holds every request back (429): no extra sleep
    server_error: bool = False  # a 5xx: after the last retry, a listing may ask for a smaller page


def _backoff(attempt: int, rng: random.Random, base: float = BACKOFF_BASE_SECONDS) -> float:
    """Exponential with 'equal jitter': at least half the step, so retries never bunch up at zero."""
    step = min(BACKOFF_CAP_SECONDS, base * 2 ** (attempt - 1))
    return step / 2 + rng.uniform(0, step / 2)


def _read_body(response: requests.Response, deadline: float, limit: int) -> bytes | None:
    """The whole body; None if it is still arriving at `deadline` (monotonic); TooLarge past `limit`.

    `read1` returns whatever has arrived (at most one socket read), so a server that
    trickles a byte at a time is checked against the deadline after every byte.
    """
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"Content-Length {declared}")
    chunks: list[bytes] = []
    size = 0
    with response:
        while True:
            if time.monotonic() > deadline:
                return None
            try:
                chunk = response.raw.read1(65536, decode_content=True)
            except urllib3.exceptions.ReadTimeoutError as exc:  # as requests' own iter_content maps them
                raise requests.exceptions.ReadTimeout(exc) from exc
            except urllib3.exceptions.DecodeError as exc:
                raise requests.exceptions.ContentDecodingError(exc) from exc
            except (urllib3.exceptions.ProtocolError, urllib3.exceptions.SSLError, OSError) as exc:
                raise requests.exceptions.ChunkedEncodingError(exc) from exc
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"more than {limit} bytes")
            chunks.append(chunk)


def _server_message(data: bytes) -> str:
    """The human part of an error body, whatever the platform's envelope looks like."""
    try:
        body = json.loads(data)
    except ValueError:
        return " ".join(data.decode("utf-8", "replace").split())[:200]
    if isinstance(body, dict):
        for key in ("error_description", "message", "errors", "error"):
            if body.get(key):
                value = body[key]
                return (value if isinstance(value, str) else json.dumps(value))[:200]
    return json.dumps(body)[:200]


class ApiClient:
    """HTTP for one platform: shared pacer, shared stats, one `requests.Session`."""

    def __init__(
        self,
        platform: str,
        rate_limit: RateLimit,
        options: LoadOptions,
        stats: RequestStats,
        *,
        headers: Mapping[str, str] | None = None,
        auth: requests.auth.AuthBase | tuple[str, str] | None = None,
        secrets: Iterable[str] = (),
        rate_limit_signal: RateLimitParser | None = None,
        credentials_hint: str | Callable[[str], str] = "",
        not_found_hint: str = "",
        on_unauthorized: Callable[[], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        backoff_base: float = BACKOFF_BASE_SECONDS,
    ) -> None:
        self.platform = platform
        self.options = options
        self.stats = stats
        self.pacer = Pacer(rate_limit, sleep=sleep, max_wait=options.max_wait, name=platform)
        self.rate_limit_signal = rate_limit_signal or RateLimitParser()
        self.credentials_hint = credentials_hint
        self.not_found_hint = not_found_hint
        self.on_unauthorized = on_unauthorized
        self._secrets: set[str] = set()
        self.add_secrets(secrets)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self.backoff_base = backoff_base
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        self.session.headers.update(headers or {})
        self.session.auth = auth

    def add_secrets(self, values: Iterable[str]) -> None:
        """Values to mask in our messages (and in every log line, via logging_setup)."""
        values = [v for v in values if v]
        self._secrets.update(values)
        add_secrets(values)

    def close(self) -> None:
        self.session.close()

    def get(
        self,
        url: str,
        params: Params | None = None,
        *,
        validate: Validator | None = None,
    ) -> ApiResponse:
        return self.request("GET", url, params=params, validate=validate)

    def post(
        self,
        url: str,
        data: Mapping[str, Any] | None = None,
        *,
        json: Any = None,
        auth: Any = None,
        validate: Validator | None = None,
    ) -> ApiResponse:
        """POST a form (`data`) or a JSON document (`json`: a GraphQL query and its variables)."""
        return self.request("POST", url, data=data, json=json, auth=auth, validate=validate)

    def paginate(
        self,
        url: str,
        paginator: Paginator,
        *,
        validate: Validator,
        select: Callable[[Any], list[Any]],
    ) -> Iterator[list[Any]]:
        """Every page of one listing, as `select` picks its records from the body, under a `PageGuard`.

        `paginator` (a fresh one per listing) says what each next request asks for and
        when the listing ends; the guard stops a server whose pages do not advance.
        """
        path = urlsplit(url).path

        def smaller(exc: Exception) -> bool:
            # a page too heavy for the server: ask for the same page, smaller, down to a floor
            if not isinstance(exc, ServerFailure) or not paginator.shrink_page():
                return False
            log.warning(
                "%s: GET %s kept failing with 5xx; retrying with %d records per page",
                self.platform,
                path,
                paginator.limit,
            )
            return True

        return listing_pages(
            paginator,
            PageGuard(self.platform, f"GET {path}"),
            lambda params: self.get(url, params, validate=validate),
            lambda response: select(response.body),
            smaller,
        )

    def download(self, url: str) -> Iterator[bytes]:
        """The body at `url` (a signed file URL, e.g. a Bulk Operation's result), chunk by chunk.

        Never whole in memory, so neither the response cap nor the overall deadline apply
        (only the read timeout, per chunk). Sent without this client's headers and auth:
        the URL carries its own signature and may name another host (Shopify serves results
        from cloud storage), which must never see the store's token. A dropped or timed-out
        connection is retried like any request (paced, backoff, at most `max_retries`) and
        resumes where it stopped: the bytes already passed on are skipped. 4xx answers raise
        `DownloadRefused` at once (an expired signature stays expired).
        """
        parts = urlsplit(url)
        what = f"GET {parts.path}"  # never the query string: it holds the signature
        timeout = (min(10.0, self.options.request_timeout), self.options.request_timeout)
        passed, failures = 0, 0
        with requests.Session() as bare:
            bare.headers.update({"User-Agent": USER_AGENT})
            while True:
                self.stats.add(waited_seconds=self.pacer.acquire(), requests=1)
                try:
                    with bare.get(url, timeout=timeout, allow_redirects=False, stream=True) as response:
                        if 400 <= response.status_code < 500 and response.status_code not in (408, 429):
                            text = _server_message(response.raw.read(2048, decode_content=True))
                            raise DownloadRefused(
                                self.platform,
                                mask(
                                    f"{what} was refused: HTTP {response.status_code} {text}", self._secrets
                                ),
                                response.status_code,
                            )
                        if response.status_code != 200:
                            reason = f"HTTP {response.status_code}"
                        else:
                            skip = passed
                            for chunk in response.iter_content(65536):
                                if skip:
                                    chunk, skip = chunk[skip:], max(0, skip - len(chunk))
                                if chunk:
                                    passed += len(chunk)
                                    yield chunk
                            return
                except (
                    requests.ConnectionError,
                    requests.Timeout,
                    requests.exceptions.ChunkedEncodingError,
                ) as exc:
                    reason = (
                        f"connection to {parts.hostname}:{parts.port or ''} failed ({type(exc).__name__})"
                    )
                failures += 1
                if failures > self.options.max_retries:
                    raise self._fail(ApiError, f"{what} failed after {failures} attempts: {reason}")
                self.stats.add(retries=1)
                log.debug(
                    "%s: %s: %s; retry %d after %d bytes", self.platform, what, reason, failures, passed
                )
                self._sleep(self._backoff(failures))

    def _fail(self, cls: type[ApiError], text: str) -> ApiError:
        return cls(self.platform, mask(text, self._secrets))

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Params | None = None,
        data: Mapping[str, Any] | None = None,
        json: Any = None,
        auth: Any = None,
        validate: Validator | None = None,
    ) -> ApiResponse:
        """Send one logical request, retrying what can be retried; return the parsed JSON body."""
        parts = urlsplit(url)
        what = f"{method} {parts.path}"  # never the query string: it may hold keys or cursors
        timeout = (min(10.0, self.options.request_timeout), self.options.request_timeout)
        failures = 0
        renewed_auth = False
        while True:
            self.stats.add(waited_seconds=self.pacer.acquire(), requests=1)
            deadline = time.monotonic() + self.options.request_deadline
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    data=data,
                    json=json,
                    auth=auth,
                    timeout=timeout,
                    allow_redirects=False,
                    stream=True,
                )
                body = _read_body(response, deadline, self.options.max_response_bytes)
            except TooLarge as exc:
                raise self._fail(
                    ApiError,
                    f"{what} failed: the response is too large ({exc}; the cap is HTTP_MAX_RESPONSE_MB="
                    f"{self.options.max_response_bytes / 1024 / 1024:g})",
                ) from None
            except requests.Timeout:
                outcome: ApiResponse | _Retry = _Retry(
                    f"no response within {self.options.request_timeout:g}s"
                )
            except (
                requests.ConnectionError,
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError,
            ) as exc:
                outcome = _Retry(
                    f"connection to {parts.hostname}:{parts.port or ''} failed ({type(exc).__name__})"
                )
            else:
                if body is None:
                    outcome = _Retry(
                        f"the response was not complete within {self.options.request_deadline:g}s "
                        "(HTTP_REQUEST_DEADLINE_SECONDS)"
                    )
                elif response.status_code == 401 and self.on_unauthorized is not None and not renewed_auth:
                    # An expired or revoked token: get a fresh one once, then believe the server.
                    renewed_auth = True
                    self.on_unauthorized()
                    continue
                else:
                    outcome = self._judge(what, response, body, validate, failures + 1)
            if isinstance(outcome, ApiResponse):
                return outcome
            failures += 1
            if failures > self.options.max_retries:
                retries = (
                    f"{self.options.max_retries} {'retry' if self.options.max_retries == 1 else 'retries'}"
                )
                raise self._fail(
                    ServerFailure if outcome.server_error else ApiError,
                    f"{what} failed after {failures} attempts ({retries}): {outcome.reason}",
                )
            self.stats.add(retries=1)
            delay = 0.0 if outcome.paced else max(self._backoff(failures), outcome.retry_after or 0.0)
            log.debug(
                "%s: %s: %s; retry %d/%d in %.1fs",
                self.platform,
                what,
                mask(outcome.reason, self._secrets),
                failures,
                self.options.max_retries,
                delay,
            )
            if delay:
                self._sleep(delay)

    def _backoff(self, attempt: int) -> float:
        return _backoff(attempt, self._rng, self.backoff_base)

    def _judge(
        self, what: str, response: requests.Response, data: bytes, validate: Validator | None, attempt: int
    ) -> ApiResponse | _Retry:
        """The parsed response, or why to retry; raises for what no retry can fix."""
        status = response.status_code
        retry_after = parse_retry_after(response.headers)
        if retry_after is not None:
            retry_after = self.pacer.capped(retry_after, f"Retry-After {retry_after:.0f}")
        bucket = self.rate_limit_signal.bucket(response.headers)
        if bucket is not None:
            self.pacer.observe_bucket(bucket.used, bucket.capacity, bucket.source)
        if status == 429:
            self.stats.add(throttled=1)
            self.pacer.throttled()
            self.pacer.hold(retry_after if retry_after is not None else self._backoff(attempt))
            return _Retry(
                f"rate limited (HTTP 429, Retry-After {retry_after if retry_after is not None else '-'})",
                paced=True,
            )
        # OAuth servers answer a scope the client may not have with 400 invalid_scope.
        scope_refused = status == 400 and "scope" in _server_message(data).lower()
        if status in (401, 403) or scope_refused:
            # 401: the credentials themselves; 403 / invalid scope: valid credentials lacking a permission.
            problem = "credentials rejected" if status == 401 else "permission missing"
            check = self.credentials_hint
            check = check(_server_message(data)) if callable(check) else check
            hint = f" (check {check})" if check else ""
            raise self._fail(
                AuthError, f"{what} was refused, {problem}: HTTP {status} {_server_message(data)}{hint}"
            )
        if status >= 500 or status == 408:
            return _Retry(
                f"HTTP {status} {_server_message(data)[:80]}",
                retry_after=retry_after,
                server_error=status >= 500,
            )
        if 300 <= status < 400:
            where = urlsplit(response.headers.get("Location", ""))
            raise self._fail(
                ApiError,
                f"{what} failed: HTTP {status} to {where.netloc}{where.path} "
                "(redirects are not followed: check the configured URL)",
            )
        if status == 404 and self.not_found_hint:
            raise self._fail(
                ApiError, f"{what} failed: HTTP 404 {_server_message(data)} (check {self.not_found_hint})"
            )
        if status >= 400:
            raise self._fail(ApiError, f"{what} failed: HTTP {status} {_server_message(data)}")
        try:
            body = json_body.loads(data)  # one odd record stays that record's problem
            if validate is not None:
                validate(body)
        except (ValueError, MalformedBody) as exc:
            return _Retry(f"malformed response body ({str(exc)[:80]})")
        cost = self.rate_limit_signal.cost(body)
        if cost is not None:
            self.pacer.observe_throttle_status(cost.requested, cost.available, cost.restore_rate)
            if cost.throttled:
                self.stats.add(throttled=1)
                self.pacer.hold(self._backoff(attempt))  # at least a little, even if the cost says it fits
                return _Retry("throttled for its query cost", paced=True)
        self.pacer.succeeded()
        return ApiResponse(body, response.headers, response.links, status)
