"""The HTTP boundary: the one module that talks to httpx, for the Heroku client and the webhook.

A caller describes a request as an ``OutgoingRequest`` and gets back an ``IncomingResponse``
or a ``TransportFailure``; nothing of httpx crosses this module's edge, and no httpx exception
escapes it. Every httpx exception becomes a ``TransportFailure`` holding a ``TransportError``
(network trouble: retryable) or a ``ProtocolError`` (the exchange itself went wrong).

Both senders accept an injected httpx transport (tests use ``httpx.MockTransport`` or respx)
and never follow redirects, so a token cannot be carried to another host. TLS verification is
always on for https; plain http (no TLS, so no CA bundle is loaded) is only ever used for
loopback (checked by the callers), and for loopback the proxy settings of the environment are
not used, so a token stays on the machine.

Each request has a total deadline (``Timeouts.total``, or the caller's shorter
``OutgoingRequest.deadline``), checked as the body comes in: the per-read timeout alone lets
an answer that trickles in one byte at a time run forever. A body that cannot be decoded
(a broken gzip stream) is reported on the response (``body_problem``), since the status may
still be all the caller needs.
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import cast
from urllib.parse import urlsplit

import httpx

from gatekeeper import __version__
from gatekeeper.errors import ProtocolError, TransportError
from gatekeeper.heroku.config import is_loopback
from gatekeeper.redact import redact

DISTRIBUTION = "heroku-gatekeeper"
_NETWORK_HINT = (
    "Check the network, proxy settings and the API URL; nothing was decided (fail closed)."
)


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for a connection, for each read, and for the whole request.

    ``total`` (default: ``connect + read``) bounds a request from its start to the last byte
    of the answer, so a body that trickles in cannot outlast it.
    """

    connect: float = 10.0
    read: float = 30.0
    total: float | None = None

    @property
    def whole_request(self) -> float:
        return self.total if self.total is not None else self.connect + self.read

    def as_httpx(self, budget: float | None = None) -> httpx.Timeout:
        """httpx's timeouts, none longer than ``budget`` (the time left for the request)."""
        limit = self.whole_request if budget is None else budget
        connect, read = min(self.connect, limit), min(self.read, limit)
        return httpx.Timeout(connect=connect, read=read, write=read, pool=connect)


@dataclass(frozen=True)
class OutgoingRequest:
    """A request to send. ``headers`` may hold a token: they are left out of ``repr``.

    ``path`` names the request in messages and logs (an API path, or a webhook's masked
    address); ``deadline`` is the most seconds the request may take, when the caller has
    less time left than ``Timeouts.total``.
    """

    url: str
    path: str
    headers: Mapping[str, str] = field(repr=False)
    method: str = "GET"
    content: bytes | None = field(default=None, repr=False)
    deadline: float | None = None


@dataclass(frozen=True)
class IncomingResponse:
    """What came back: status, headers keyed in lower case, and the decoded body.

    ``body_problem`` says why the body could not be decoded (``content`` is then empty).
    """

    status: int
    headers: Mapping[str, str]
    content: bytes
    body_problem: str | None = None


@dataclass(frozen=True)
class TransportFailure:
    """The request got no usable HTTP answer; ``retryable`` when repeating it may help.

    ``kind`` is the name of the underlying exception and ``detail`` its redacted text, for
    callers that word their own message (the webhook's).
    """

    error: TransportError | ProtocolError
    retryable: bool
    kind: str = ""
    detail: str = ""


Outcome = IncomingResponse | TransportFailure
Clock = Callable[[], float]


@functools.cache
def user_agent() -> str:
    """``heroku-gatekeeper/<version> python-httpx/<version> Python/<version>``.

    Built from what is already imported: reading the installed distribution's metadata for
    a project URL would import importlib.metadata, email and zipfile, about 20 ms of every
    short-lived ``gatekeeper check``."""
    python = ".".join(str(part) for part in sys.version_info[:3])
    return f"{DISTRIBUTION}/{__version__} python-httpx/{httpx.__version__} Python/{python}"


@dataclass(frozen=True)
class UrlParts:
    """The parts of a URL a caller checks before sending to it."""

    scheme: str
    host: str
    port: int | None
    target: str  # path and query, as sent


def split_url(url: str) -> UrlParts | None:
    """``url`` parsed as httpx will send it; None when httpx cannot use it."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return None
    target = parsed.raw_path.decode("ascii", "replace")
    return UrlParts(parsed.scheme, parsed.host, parsed.port, target)


def _tls(base_url: str) -> bool:
    """Verify TLS for https. A plain-http base URL (allowed for loopback only) has no TLS to
    verify: it gets no CA bundle, whose loading costs ~30 ms of every ``check``."""
    return urlsplit(base_url).scheme != "http"


def _trust_env(base_url: str) -> bool:
    """Use the environment's proxy settings, except for loopback (the token stays local)."""
    return not is_loopback(urlsplit(base_url).hostname or "")


def _display_host(base_url: str) -> str:
    """Host and port of ``base_url`` for messages; never its user-info (it may be a secret)."""
    parts = urlsplit(base_url)
    try:
        port = parts.port
    except ValueError:
        port = None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{port}" if port else host


class _TooSlow(Exception):
    """The answer did not arrive in full within the request's total deadline."""


class _DeadlineStream(httpx.SyncByteStream):
    """The body of a response, stopped once the request's deadline has passed."""

    def __init__(self, inner: httpx.SyncByteStream, deadline: float, clock: Clock) -> None:
        self._inner, self._deadline, self._clock = inner, deadline, clock

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            if self._clock() > self._deadline:
                raise _TooSlow
            yield chunk

    def close(self) -> None:
        self._inner.close()


class _AsyncDeadlineStream(httpx.AsyncByteStream):
    """The asynchronous counterpart of ``_DeadlineStream``."""

    def __init__(self, inner: httpx.AsyncByteStream, deadline: float, clock: Clock) -> None:
        self._inner, self._deadline, self._clock = inner, deadline, clock

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            if self._clock() > self._deadline:
                raise _TooSlow
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


class _Sender:
    """What both senders share: settings, the per-request budget and building outcomes."""

    def __init__(self, base_url: str, timeouts: Timeouts, clock: Clock | None) -> None:
        self._host = _display_host(base_url)
        self._timeouts = timeouts
        self._clock = clock or time.monotonic
        self._verify = _tls(base_url)
        self._trust_env = _trust_env(base_url)

    def _budget(self, request: OutgoingRequest) -> float:
        budget = self._timeouts.whole_request
        if request.deadline is not None:
            budget = max(0.0, min(budget, request.deadline))
        return budget

    def _build(
        self, client: httpx.Client | httpx.AsyncClient, request: OutgoingRequest
    ) -> httpx.Request:
        return client.build_request(
            request.method,
            request.url,
            headers=dict(request.headers),
            content=request.content,
            timeout=self._timeouts.as_httpx(self._budget(request)),
        )

    def _failure(self, exc: Exception, request: OutgoingRequest) -> TransportFailure:
        if isinstance(exc, _TooSlow):
            return _too_slow(request, self._host, self._budget(request))
        return map_httpx_error(exc, request, self._host, self._timeouts)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(host={self._host!r})"


class SyncSender(_Sender):
    """Sends ``OutgoingRequest``s with an ``httpx.Client``."""

    def __init__(
        self,
        base_url: str,
        timeouts: Timeouts,
        transport: httpx.BaseTransport | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(base_url, timeouts, clock)
        self._client = httpx.Client(
            transport=transport,
            timeout=timeouts.as_httpx(),
            follow_redirects=False,
            verify=self._verify,
            trust_env=self._trust_env,
        )

    def send(self, request: OutgoingRequest) -> Outcome:
        deadline = self._clock() + self._budget(request)
        try:
            response = self._client.send(self._build(self._client, request), stream=True)
        except Exception as exc:  # noqa: BLE001 - mapped, re-raised if not httpx's
            return self._failure(exc, request)
        try:
            response.stream = _DeadlineStream(
                cast(httpx.SyncByteStream, response.stream), deadline, self._clock
            )
            try:
                return _incoming(response, response.read())
            except httpx.DecodingError as exc:
                return _undecodable(response, exc)
        except Exception as exc:  # noqa: BLE001 - mapped, re-raised if not httpx's
            return self._failure(exc, request)
        finally:
            response.close()

    def close(self) -> None:
        self._client.close()


class AsyncSender(_Sender):
    """Sends ``OutgoingRequest``s with an ``httpx.AsyncClient``."""

    def __init__(
        self,
        base_url: str,
        timeouts: Timeouts,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(base_url, timeouts, clock)
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=timeouts.as_httpx(),
            follow_redirects=False,
            verify=self._verify,
            trust_env=self._trust_env,
        )

    async def send(self, request: OutgoingRequest) -> Outcome:
        deadline = self._clock() + self._budget(request)
        try:
            response = await self._client.send(self._build(self._client, request), stream=True)
        except Exception as exc:  # noqa: BLE001 - mapped, re-raised if not httpx's
            return self._failure(exc, request)
        try:
            response.stream = _AsyncDeadlineStream(
                cast(httpx.AsyncByteStream, response.stream), deadline, self._clock
            )
            try:
                return _incoming(response, await response.aread())
            except httpx.DecodingError as exc:
                return _undecodable(response, exc)
        except Exception as exc:  # noqa: BLE001 - mapped, re-raised if not httpx's
            return self._failure(exc, request)
        finally:
            await response.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()


def _incoming(
    response: httpx.Response, body: bytes, problem: str | None = None
) -> IncomingResponse:
    headers = {name.lower(): value for name, value in response.headers.items()}
    return IncomingResponse(response.status_code, headers, body, body_problem=problem)


def _undecodable(response: httpx.Response, exc: httpx.DecodingError) -> IncomingResponse:
    """The status and headers of an answer whose body cannot be decoded, and why."""
    return _incoming(response, b"", f"{type(exc).__name__}: {redact(str(exc)) or 'no details'}")


def _too_slow(request: OutgoingRequest, host: str, budget: float) -> TransportFailure:
    error = TransportError(
        f"Timed out: {host} did not send the whole answer to {request.method} {request.path} "
        f"within {budget:g}s (the request's total deadline).",
        hint=_NETWORK_HINT,
    )
    return TransportFailure(error, retryable=True, kind="TotalTimeout", detail="")


_HTTPX_ERRORS = (httpx.HTTPError, httpx.InvalidURL, httpx.CookieConflict, httpx.StreamError)


def map_httpx_error(
    exc: Exception, request: OutgoingRequest, host: str, timeouts: Timeouts
) -> TransportFailure:
    """The ``TransportFailure`` for an httpx exception; anything else is re-raised (a bug)."""
    if not isinstance(exc, _HTTPX_ERRORS):
        raise exc
    kind, text = type(exc).__name__, redact(str(exc))
    detail, what = text or kind, f"{request.method} {request.path}"
    hint, retryable = _NETWORK_HINT, True
    if isinstance(exc, httpx.ConnectTimeout):
        message = f"Timed out connecting to {host} (after {timeouts.connect:g}s) for {what}."
    elif isinstance(exc, httpx.ReadTimeout):
        message = f"Timed out waiting for {host} to answer {what} (after {timeouts.read:g}s)."
    elif isinstance(exc, httpx.TimeoutException):  # write or pool timeout
        message = f"Timed out sending {what} to {host} ({kind})."
    elif isinstance(exc, httpx.ConnectError):
        message = f"Could not connect to {host} for {what}: {detail}."
    elif isinstance(exc, httpx.ProxyError):
        message = f"The proxy refused {what} to {host}: {detail}."
        hint, retryable = "Check the HTTPS_PROXY / NO_PROXY settings.", False
    elif isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError):
        # Read/write errors and a server that hangs up mid-answer: the connection dropped.
        message = f"The connection to {host} dropped during {what}: {detail}."
    else:
        # The exchange itself cannot work (bad URL, undecodable body, local protocol misuse,
        # redirect loops): repeating the request would not help.
        error = ProtocolError(
            f"{what} to {host} failed: {kind}: {detail}.",
            hint="Nothing was decided (fail closed).",
        )
        return TransportFailure(error, False, kind, text)
    return TransportFailure(TransportError(message, hint=hint), retryable, kind, text)
