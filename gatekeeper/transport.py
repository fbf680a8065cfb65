"""The one module that talks to httpx: sending a prepared GET and mapping every failure.

Both senders accept an injected httpx transport (tests use ``httpx.MockTransport`` or respx)
and never follow redirects, so the ``Authorization`` header cannot be carried to another host.
TLS verification is always on for https; plain http (no TLS, so no CA bundle is loaded) is
only ever used for loopback (checked by ``gatekeeper.heroku.config``), and for loopback the
proxy settings of the environment are not used, so the token stays on the machine. Every
httpx exception becomes a ``TransportFailure`` holding a ``TransportError`` (network trouble;
retryable for a GET) or a ``ProtocolError`` (the exchange itself went wrong); none escapes.
"""

from __future__ import annotations

import functools
import importlib.metadata
import platform
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from gatekeeper import __version__
from gatekeeper.errors import ProtocolError, TransportError
from gatekeeper.heroku.config import is_loopback
from gatekeeper.heroku.protocol import IncomingResponse, OutgoingRequest, TransportFailure
from gatekeeper.redact import redact

DISTRIBUTION = "heroku-gatekeeper"


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for a connection, and for each read of a response."""

    connect: float = 10.0
    read: float = 30.0

    def as_httpx(self) -> httpx.Timeout:
        return httpx.Timeout(
            connect=self.connect, read=self.read, write=self.read, pool=self.connect
        )


@functools.cache
def user_agent() -> str:
    """``heroku-gatekeeper/<version> (+<project URL>) python-httpx/<version> Python/<version>``."""
    url = _project_url()
    product = f"{DISTRIBUTION}/{__version__}" + (f" (+{url})" if url else "")
    return f"{product} python-httpx/{httpx.__version__} Python/{platform.python_version()}"


def _project_url() -> str | None:
    try:
        meta = importlib.metadata.metadata(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None
    for entry in meta.get_all("Project-URL") or []:
        _, _, url = str(entry).partition(",")
        if url.strip().startswith("https://"):
            return url.strip()
    home = str(meta["Home-page"] or "") if "Home-page" in meta else ""
    return home if home.startswith("https://") else None


def _tls(base_url: str) -> bool:
    """Verify TLS for https. A plain-http base URL (allowed for loopback only) has no TLS to
    verify: it gets no CA bundle, whose loading costs ~30 ms of every ``check``."""
    return urlsplit(base_url).scheme != "http"


def _trust_env(base_url: str) -> bool:
    """Use the environment's proxy settings, except for loopback (the token stays local)."""
    return not is_loopback(urlsplit(base_url).hostname or "")


class SyncSender:
    """Sends ``OutgoingRequest``s with an ``httpx.Client``."""

    def __init__(
        self, base_url: str, timeouts: Timeouts, transport: httpx.BaseTransport | None = None
    ) -> None:
        self._host = urlsplit(base_url).netloc
        self._timeouts = timeouts
        self._client = httpx.Client(
            transport=transport,
            timeout=timeouts.as_httpx(),
            follow_redirects=False,
            verify=_tls(base_url),
            trust_env=_trust_env(base_url),
        )

    def send(self, request: OutgoingRequest) -> IncomingResponse | TransportFailure:
        try:
            response = self._client.get(request.url, headers=dict(request.headers))
            return _incoming(response)
        except Exception as exc:  # noqa: BLE001 - mapped below, re-raised if not httpx's
            return map_httpx_error(exc, request, self._host, self._timeouts)

    def close(self) -> None:
        self._client.close()

    def __repr__(self) -> str:
        return f"SyncSender(host={self._host!r})"


class AsyncSender:
    """Sends ``OutgoingRequest``s with an ``httpx.AsyncClient``."""

    def __init__(
        self, base_url: str, timeouts: Timeouts, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._host = urlsplit(base_url).netloc
        self._timeouts = timeouts
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=timeouts.as_httpx(),
            follow_redirects=False,
            verify=_tls(base_url),
            trust_env=_trust_env(base_url),
        )

    async def send(self, request: OutgoingRequest) -> IncomingResponse | TransportFailure:
        try:
            response = await self._client.get(request.url, headers=dict(request.headers))
            return _incoming(response)
        except Exception as exc:  # noqa: BLE001 - mapped below, re-raised if not httpx's
            return map_httpx_error(exc, request, self._host, self._timeouts)

    async def aclose(self) -> None:
        await self._client.aclose()

    def __repr__(self) -> str:
        return f"AsyncSender(host={self._host!r})"


def _incoming(response: httpx.Response) -> IncomingResponse:
    return IncomingResponse(
        status=response.status_code,
        headers={name.lower(): value for name, value in response.headers.items()},
        content=response.content,
    )


_HTTPX_ERRORS = (httpx.HTTPError, httpx.InvalidURL, httpx.CookieConflict, httpx.StreamError)


def map_httpx_error(
    exc: Exception, request: OutgoingRequest, host: str, timeouts: Timeouts
) -> TransportFailure:
    """The ``TransportFailure`` for an httpx exception; anything else is re-raised (a bug)."""
    if not isinstance(exc, _HTTPX_ERRORS):
        raise exc
    detail = redact(str(exc)) or type(exc).__name__
    what = f"GET {request.path}"
    network_hint = (
        "Check the network, proxy settings and the API URL; nothing was decided (fail closed)."
    )
    if isinstance(exc, httpx.ConnectTimeout):
        error: TransportError | ProtocolError = TransportError(
            f"Timed out connecting to {host} (after {timeouts.connect:g}s) for {what}.",
            hint=network_hint,
        )
        return TransportFailure(error, retryable=True)
    if isinstance(exc, httpx.ReadTimeout):
        error = TransportError(
            f"Timed out waiting for {host} to answer {what} (after {timeouts.read:g}s).",
            hint=network_hint,
        )
        return TransportFailure(error, retryable=True)
    if isinstance(exc, httpx.TimeoutException):  # write or pool timeout
        error = TransportError(
            f"Timed out sending {what} to {host} ({type(exc).__name__}).", hint=network_hint
        )
        return TransportFailure(error, retryable=True)
    if isinstance(exc, httpx.ConnectError):
        error = TransportError(
            f"Could not connect to {host} for {what}: {detail}.", hint=network_hint
        )
        return TransportFailure(error, retryable=True)
    if isinstance(exc, httpx.ProxyError):
        error = TransportError(
            f"The proxy refused {what} to {host}: {detail}.",
            hint="Check the HTTPS_PROXY / NO_PROXY settings.",
        )
        return TransportFailure(error, retryable=False)
    if isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError):
        # Read/write errors and a server that hangs up mid-answer: the connection dropped.
        error = TransportError(
            f"The connection to {host} dropped during {what}: {detail}.", hint=network_hint
        )
        return TransportFailure(error, retryable=True)
    # The rest means the exchange itself cannot work (bad URL, undecodable body, local
    # protocol misuse, redirect loops): repeating the request would not help.
    error = ProtocolError(
        f"{what} to {host} failed: {type(exc).__name__}: {detail}.",
        hint="Nothing was decided (fail closed).",
    )
    return TransportFailure(error, retryable=False)
