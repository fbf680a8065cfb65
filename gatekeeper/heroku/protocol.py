"""The request/response logic both clients share, written without I/O ("sans-IO").

A request is a generator ("flow") that yields what it needs done: ``OutgoingRequest`` (send
this, give me the ``IncomingResponse`` or ``TransportFailure``) or ``Sleep`` (wait this long).
The asynchronous and the synchronous client each drive the same flows with their own I/O
(``gatekeeper.heroku.client``), so headers, pagination, retries, rate-limit pacing, the ETag
cache and error mapping exist exactly once.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, TypeVar

from gatekeeper.errors import ProtocolError, TransportError
from gatekeeper.heroku.config import RUN_TIMEOUT_ENV
from gatekeeper.heroku.error_map import error_from_response
from gatekeeper.heroku.etag import CachedPage, EtagCache
from gatekeeper.heroku.interface import ClientStats
from gatekeeper.heroku.pagination import FIRST_RANGE, ListGuard
from gatekeeper.heroku.ratelimit import (
    RateLimitPacer,
    RetryPolicy,
    parse_remaining,
    retry_after_seconds,
)
from gatekeeper.records import RecordError, read
from gatekeeper.redact import redact
from gatekeeper.transport import IncomingResponse, OutgoingRequest, TransportFailure

log = logging.getLogger("gatekeeper.heroku")

T = TypeVar("T")
ModelT = TypeVar("ModelT")

ACCEPT_BASE = "application/vnd.heroku+json; version="
DEFAULT_VARIANT = "3"
_VARIANT = re.compile(r"3(\.[a-z][a-z0-9-]*)?")

__all__ = [
    "FIRST_RANGE",
    "ApiProtocol",
    "IncomingResponse",
    "OutgoingRequest",
    "Page",
    "Sleep",
    "TransportFailure",
    "accept_header",
    "parse_model",
]


@dataclass(frozen=True)
class Sleep:
    """Wait ``seconds`` before going on."""

    seconds: float
    reason: str


Action = OutgoingRequest | Sleep
Outcome = IncomingResponse | TransportFailure
Flow = Generator[Action, Outcome | None, T]


@dataclass(frozen=True)
class Page:
    """One successful answer: 200 (complete) or 206 (more pages, see ``next_range``)."""

    status: int
    body: Any
    next_range: str | None


def accept_header(variant: str | None) -> str:
    """``Accept`` for the API version ``variant`` (``None`` = ``3``; ``"3.sdk"`` allowed)."""
    version = variant or DEFAULT_VARIANT
    if not _VARIANT.fullmatch(version):
        raise ValueError(f"not a Heroku API version: {version!r}")
    return ACCEPT_BASE + version


def parse_model(data: Any, model: type[ModelT], path: str) -> ModelT:
    """``data`` as ``model``; a mismatch is a ``ProtocolError`` naming the fields (not values)."""
    try:
        return read(model, data)
    except RecordError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(body)'}: {err['msg']}"
            for err in exc.errors()[:5]
        )
        raise ProtocolError(
            f"The API answered GET {path} with a body that does not match the "
            f"{model.__name__} schema ({problems}).",
            hint="The API or a proxy in between changed; nothing was decided (fail closed).",
        ) from None


class ApiProtocol:
    """Request/response state of one client: settings, counters, rate limit, ETag cache."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        user_agent: str,
        retry: RetryPolicy,
        pacer: RateLimitPacer,
        clock: Callable[[], float],
        etag_cache: EtagCache | None,
        run_timeout: float | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.user_agent = user_agent
        self.retry = retry
        self.pacer = pacer
        self.clock = clock
        self.etag_cache = etag_cache
        self.stats = ClientStats()
        self.rate_limit_remaining: int | None = None
        # The whole run's time limit (GATEKEEPER_RUN_TIMEOUT), counted from the client's start.
        self.run_timeout = run_timeout
        self.run_deadline = clock() + run_timeout if run_timeout is not None else None

    def __repr__(self) -> str:
        return f"ApiProtocol(base_url={self.base_url!r})"

    # -- flows ---------------------------------------------------------------------------

    def get(self, path: str, variant: str | None = None) -> Flow[Any]:
        """The decoded body of ``GET path``."""
        page = yield from self._fetch(path, variant, None)
        return page.body

    def list(self, path: str, variant: str | None = None) -> Flow[list[Any]]:
        """Every item at ``path``: sends ``Range`` and follows ``Next-Range`` until a 200,
        only while it moves forward (``gatekeeper.heroku.pagination``)."""
        items: list[Any] = []
        guard = ListGuard(path)
        range_ = FIRST_RANGE
        while True:
            page = yield from self._fetch(path, variant, range_)
            self.stats.pages += 1
            if not isinstance(page.body, list):
                raise ProtocolError(
                    f"The API answered the list GET {path} with a JSON "
                    f"{type(page.body).__name__} instead of an array."
                )
            items.extend(page.body)
            if page.status == 200:
                return items
            range_ = guard.page(page.body, page.next_range)

    # -- one request, with retries ----------------------------------------------------------

    def _fetch(self, path: str, variant: str | None, range_: str | None) -> Flow[Page]:
        if not path.startswith("/"):
            raise ValueError(f"API paths start with '/': {path!r}")
        url = self.base_url + path
        accept = accept_header(variant)
        headers = {
            "Accept": accept,
            "Authorization": f"Bearer {self._token}",
            "User-Agent": self.user_agent,
        }
        if range_ is not None:
            headers["Range"] = range_
        key = (url, accept, range_)
        cached = self.etag_cache.get(key) if self.etag_cache is not None else None
        if cached is not None:
            headers["If-None-Match"] = cached.etag

        retry_number = 0
        waited = 0.0
        while True:
            pause = self.pacer.reserve(self.rate_limit_remaining, self.clock())
            if pause > 0:
                self._within_run(path, pause)
                self.stats.paced_waits += 1
                self.stats.seconds_waited += pause
                log.debug(
                    "RateLimit-Remaining %s: waiting %.2fs before GET %s",
                    self.rate_limit_remaining,
                    pause,
                    path,
                )
                yield Sleep(pause, "rate limit remaining is low")

            self.stats.requests_sent += 1
            request = OutgoingRequest(
                url=url, path=path, headers=headers, deadline=self._within_run(path)
            )
            outcome = yield request
            if outcome is None:  # pragma: no cover - a driver bug, not an API condition
                raise RuntimeError("the driver sent no outcome for a request")

            if isinstance(outcome, TransportFailure):
                self._within_run(path)  # the run's limit, not the request's, cut it short
                if not outcome.retryable:
                    raise outcome.error
                delay, give_up = self._retry_delay(retry_number, waited, None)
                if delay is None:
                    raise _with_note(outcome.error, give_up)
                reason = outcome.error.message
            else:
                self._observe(outcome, path)
                status = outcome.status
                if status in (200, 206):
                    return self._page(outcome, path, key)
                if status == 304:
                    return self._not_modified(cached, path)
                if status == 429 or 500 <= status <= 599:
                    retry_after = retry_after_seconds(outcome.headers)
                    delay, give_up = self._retry_delay(retry_number, waited, retry_after)
                    if delay is None:
                        raise error_from_response(
                            status, outcome.headers, outcome.content, path=path, note=give_up
                        )
                    reason = f"HTTP {status}"
                else:
                    raise error_from_response(status, outcome.headers, outcome.content, path=path)

            self._within_run(path, delay)
            retry_number += 1
            waited += delay
            self.stats.retries += 1
            self.stats.seconds_waited += delay
            log.info(
                "GET %s failed (%s); retry %d in %.2fs", path, redact(reason), retry_number, delay
            )
            yield Sleep(delay, reason)

    def _within_run(self, path: str, wait: float = 0.0) -> float | None:
        """Seconds left of the run's time limit after ``wait``; ``TransportError`` when none
        are (a wait that would end past the limit fails now instead of at its end)."""
        if self.run_deadline is None or self.run_timeout is None:
            return None
        left = self.run_deadline - self.clock() - wait
        if left > 0:
            return left
        raise TransportError(
            f"Timed out: the run's time limit of {self.run_timeout:g}s ({RUN_TIMEOUT_ENV}) ran "
            f"out during GET {path}.",
            hint=f"Nothing was decided on what could not be read (fail closed). Raise "
            f"{RUN_TIMEOUT_ENV} for a very large estate, or check the network and "
            "https://status.heroku.com.",
        )

    def _retry_delay(
        self, retry_number: int, waited: float, retry_after: float | None
    ) -> tuple[float | None, str]:
        """Seconds to wait before the next attempt, or None and why the client gives up."""
        attempts = retry_number + 1
        if retry_number >= self.retry.max_retries:
            return None, f"gave up after {attempts} attempts" if attempts > 1 else ""
        delay = self.retry.backoff(retry_number, retry_after)
        if waited + delay > self.retry.max_total_wait:
            asked = (
                f"Retry-After {retry_after:g}s"
                if retry_after is not None
                else (f"another {delay:.1f}s")
            )
            return None, (
                f"gave up after {attempts} attempt{'s' if attempts > 1 else ''}: "
                f"waiting {asked} would exceed the {self.retry.max_total_wait:g}s "
                "retry budget"
            )
        return delay, ""

    def _observe(self, response: IncomingResponse, path: str) -> None:
        remaining = parse_remaining(response.headers.get("ratelimit-remaining"))
        if remaining is not None:
            self.rate_limit_remaining = remaining
        log.debug(
            "GET %s -> %d (Request-Id %s, RateLimit-Remaining %s, %d bytes)",
            path,
            response.status,
            response.headers.get("request-id", "-"),
            response.headers.get("ratelimit-remaining", "-"),
            len(response.content),
        )

    def _page(
        self, response: IncomingResponse, path: str, key: tuple[str, str, str | None]
    ) -> Page:
        if response.body_problem is not None:
            raise ProtocolError(
                f"The API answered GET {path} with a body that could not be decoded "
                f"({response.body_problem}).",
                hint=_PROXY_HINT,
            )
        body = _decode_json(response.content, path)
        next_range = response.headers.get("next-range") or None
        etag = response.headers.get("etag")
        if self.etag_cache is not None and etag:
            self.etag_cache.put(
                key,
                CachedPage(
                    etag=etag,
                    status=response.status,
                    content=response.content,
                    next_range=next_range,
                ),
            )
        return Page(status=response.status, body=body, next_range=next_range)

    def _not_modified(self, cached: CachedPage | None, path: str) -> Page:
        if cached is None:
            raise ProtocolError(
                f"The API answered GET {path} with 304 Not Modified, but no cached copy was "
                "asked about."
            )
        self.stats.not_modified += 1
        return Page(
            status=cached.status,
            body=_decode_json(cached.content, path),
            next_range=cached.next_range,
        )


_PROXY_HINT = (
    "A proxy or an outage may be in the way: check the proxy settings and "
    "https://status.heroku.com, then run again; nothing was decided (fail closed)."
)


def _decode_json(content: bytes, path: str) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        raise ProtocolError(
            f"The API answered GET {path} with a body that is not valid JSON "
            f"({len(content)} bytes).",
            hint=_PROXY_HINT,
        ) from None
    except RecursionError:
        # json's C decoder recurses once per level: 100,000 nested arrays exhaust the stack.
        raise ProtocolError(
            f"The API answered GET {path} with JSON nested too deeply to read "
            f"({len(content)} bytes).",
            hint=_PROXY_HINT,
        ) from None


def _with_note(error: TransportError | ProtocolError, note: str) -> TransportError | ProtocolError:
    if not note:
        return error
    return type(error)(f"{error.message.rstrip('.')} ({note}).", hint=error.hint)
