"""The simulator's HTTP server: a real Heroku-Platform-API-shaped server on 127.0.0.1.

Standard library only (``ThreadingHTTPServer``, HTTP/1.1 keep-alive, one daemon thread per
connection). Use it in-process::

    with Simulator(demo_estate(), latency=0.03) as sim:
        client = HerokuClient(base_url=sim.url, token=DEMO_ADMIN_TOKEN)
        ...
        assert sim.request_count == 3

or from the command line with ``gatekeeper simulate``. Every response carries
``Request-Id``; authenticated ones ``RateLimit-Remaining``; JSON ones ``Content-Type:
application/json; charset=utf-8`` and an ``ETag`` (``If-None-Match`` answers 304).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import re
import socket
import struct
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import gatekeeper.simulator.kinds  # noqa: F401  (registers the routes of each resource kind)
from gatekeeper.simulator import faults as bent
from gatekeeper.simulator import routes
from gatekeeper.simulator.estate import SimEstate, SimToken
from gatekeeper.simulator.faults import Faults
from gatekeeper.simulator.index import EstateIndex, dumps
from gatekeeper.simulator.ranges import RangeError, cut_page, parse_range
from gatekeeper.simulator.ratelimit import DEFAULT_REFILL_PER_MINUTE, RateLimiter

log = logging.getLogger("gatekeeper.simulator")

JSON_TYPE = "application/json; charset=utf-8"
ACCEPT_HELP = "application/vnd.heroku+json; version=3"
_ACCEPT = re.compile(
    r"^application/vnd\.heroku\+json\s*;\s*version=3(?:\.[A-Za-z0-9-]+)?\s*(?:;.*)?$", re.IGNORECASE
)
_EXPANSIONS = frozenset({"addon_service", "plan"})
_REQUEST_HEADERS = ("accept", "accept-expansion", "range", "if-none-match", "user-agent")
_RESPONSE_HEADERS = (
    "content-type",
    "content-range",
    "next-range",
    "etag",
    "ratelimit-remaining",
    "retry-after",
    "request-id",
)


@dataclass(frozen=True)
class RequestRecord:
    """One request the simulator received (never the token itself).

    ``status`` is 0 when the connection was dropped or reset without an answer. ``headers``
    holds the request headers of interest (lower-case names: accept, accept-expansion, range,
    if-none-match, user-agent) plus ``authorization-scheme``; ``response_headers`` the
    answer's (content-type, content-range, next-range, etag, ratelimit-remaining,
    retry-after, request-id). ``account`` is the e-mail of the token's user.
    """

    method: str
    path: str
    query: str
    status: int
    account: str | None
    headers: Mapping[str, str] = field(default_factory=dict)
    response_headers: Mapping[str, str] = field(default_factory=dict)


@dataclass
class _Answer:
    status: int
    headers: dict[str, str]
    body: bytes = b""
    account: str | None = None


def _error(
    status: int, error_id: str, message: str, headers: dict[str, str], account: str | None = None
) -> _Answer:
    body = dumps({"id": error_id, "message": message})
    return _Answer(status, {**headers, "Content-Type": JSON_TYPE}, body, account)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Server error"


def acceptable(accept: str | None) -> bool:
    """Whether ``Accept`` asks for version 3 (or a variant such as ``3.sdk``)."""
    if not accept:
        return False
    return any(_ACCEPT.match(part.strip()) for part in accept.split(","))


def is_sdk(accept: str | None) -> bool:
    """Whether ``Accept`` asks for the ``3.sdk`` variant (the Heroku CLI's, for some lists)."""
    return bool(accept) and bool(re.search(r"version=3\.sdk\b", accept or "", re.IGNORECASE))


def bearer_token(authorization: str | None) -> tuple[str | None, str | None]:
    """(token, scheme) from ``Authorization: Bearer T`` or Basic with the token as password."""
    if not authorization:
        return None, None
    scheme, _, value = authorization.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value:
        return value, "Bearer"
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None, "Basic"
        return decoded.partition(":")[2] or None, "Basic"
    return None, scheme or None


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def _etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = [c.strip().removeprefix("W/") for c in if_none_match.split(",")]
    return "*" in candidates or etag in candidates


class Simulator:
    """A local Heroku Platform API serving ``estate`` on ``http://127.0.0.1:PORT``.

    ``port=0`` picks a free port. ``latency`` (seconds) delays every response; ``faults``
    (see ``Faults``) can also be replaced or changed while it runs through ``sim.faults``.
    ``rate_limit`` is the size of each account's token bucket, refilled at
    ``rate_refill`` per minute.
    """

    def __init__(
        self,
        estate: SimEstate | None = None,
        *,
        port: int = 0,
        latency: float = 0.0,
        faults: Faults | None = None,
        rate_limit: int = 4500,
        rate_refill: float = DEFAULT_REFILL_PER_MINUTE,
        host: str = "127.0.0.1",
    ) -> None:
        if estate is None:
            from gatekeeper.simulator.demo import demo_estate

            estate = demo_estate()
        self._index = EstateIndex(estate)
        self.latency = latency
        self.faults = faults if faults is not None else Faults()
        self.rate_limiter = RateLimiter(rate_limit, rate_refill)
        self._host = host
        self._requested_port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._stats_lock = threading.Lock()
        self._records: list[RequestRecord] = []
        self._count = 0

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Simulator:
        """Bind and serve in a background thread; returns self."""
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server((self._host, self._requested_port), _Handler)
        server.simulator = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"simulator-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake delayed answers and close every connection."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        stopper = threading.Thread(target=server.shutdown, daemon=True)
        stopper.start()
        # serve_forever notices the request to shut down when its select() returns: wake it
        # with a connection instead of waiting for the poll interval.
        with contextlib.suppress(OSError):
            socket.create_connection((self._host, int(server.server_address[1])), timeout=1).close()
        stopper.join()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ properties

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the simulator is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:53211`` (no trailing slash)."""
        return f"http://{self._host}:{self.port}"

    @property
    def estate(self) -> SimEstate:
        return self._index.estate

    @estate.setter
    def estate(self, estate: SimEstate) -> None:
        self.set_estate(estate)

    def set_estate(self, estate: SimEstate) -> None:
        """Serve ``estate`` from now on (also after changing the current one in place)."""
        self._index = EstateIndex(estate)

    @property
    def request_count(self) -> int:
        """Requests received since the start or the last ``reset_stats()``."""
        with self._stats_lock:
            return self._count

    @property
    def requests(self) -> list[RequestRecord]:
        """A copy of the records of the requests answered (or dropped) so far."""
        with self._stats_lock:
            return list(self._records)

    def reset_stats(self) -> None:
        """Forget the requests counted so far (the rate-limit buckets are kept)."""
        with self._stats_lock:
            self._count = 0
            self._records.clear()

    # ------------------------------------------------------------------ serving

    def _count_request(self) -> None:
        with self._stats_lock:
            self._count += 1

    def _record(self, record: RequestRecord) -> None:
        with self._stats_lock:
            self._records.append(record)

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)

    def pause(self, seconds: float) -> None:
        """Wait ``seconds`` in a handler thread, or less when the simulator stops."""
        self._sleep(seconds)

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def handle(self, handler: _Handler) -> None:
        """Answer one request on ``handler``'s connection (called by the handler thread)."""
        self._count_request()
        method = handler.command
        path, _, query = handler.path.partition("?")
        length = handler.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > 0:
            handler.rfile.read(int(length))
        faults = self.faults
        request_headers = {k: v for k in _REQUEST_HEADERS if (v := handler.headers.get(k))}
        token, scheme = bearer_token(handler.headers.get("Authorization"))
        if scheme:
            request_headers["authorization-scheme"] = scheme
        self._sleep(self.latency + faults.latency)

        for fault, reset in (("reset_connections", True), ("drop_connections", False)):
            if faults.take(fault, path):
                self._record(RequestRecord(method, path, query, 0, None, request_headers))
                handler.abort(reset=reset)
                return

        request_id = str(uuid.uuid4())
        try:
            answer = self._answer(handler, method, path, token, faults, request_id)
        except Exception:  # a bug in the simulator becomes a 500, as on Heroku
            log.exception("simulator failed on %s %s", method, path)
            answer = _error(
                500, "internal_server_error", "Internal server error.", {"Request-Id": request_id}
            )

        if faults.take("slow_responses", path):
            self._sleep(faults.slow_seconds)
        if answer.body and faults.take("broken_json", path):
            answer.body = answer.body[: max(1, len(answer.body) // 2)]
        if answer.body and faults.take("nested_json", path):
            answer.body = bent.nested_body(faults.nested_depth)
        trickle = faults.trickle_seconds if faults.take("trickle_responses", path) else 0.0
        response_headers = {
            k.lower(): v for k, v in answer.headers.items() if k.lower() in _RESPONSE_HEADERS
        }
        self._record(
            RequestRecord(
                method,
                path,
                query,
                answer.status,
                answer.account,
                request_headers,
                response_headers,
            )
        )
        handler.reply(
            answer.status, answer.headers, answer.body, head=method == "HEAD", trickle=trickle
        )

    def _answer(
        self,
        handler: _Handler,
        method: str,
        path: str,
        token: str | None,
        faults: Faults,
        request_id: str,
    ) -> _Answer:
        headers = {"Request-Id": request_id}
        if not acceptable(handler.headers.get("Accept")):
            return _error(
                406,
                "not_acceptable",
                f"The Accept header must ask for the API version: {ACCEPT_HELP}.",
                headers,
            )
        index = self._index
        viewer = index.tokens.get(token) if token else None
        if viewer is None or faults.token_expired():
            return _error(401, "unauthorized", "Invalid credentials provided.", headers)
        account = viewer.email
        resolved = routes.resolve(path) if method in ("GET", "HEAD") else None
        if resolved is not None and resolved[0].free:
            remaining = self.rate_limiter.remaining(account)
        else:
            allowed, remaining = self.rate_limiter.consume(account)
            if not allowed:
                return _error(
                    429,
                    "rate_limit",
                    "Your account reached the API rate limit\n"
                    "Please wait a few minutes before making new requests",
                    {**headers, "RateLimit-Remaining": "0"},
                    account,
                )
        headers["RateLimit-Remaining"] = str(remaining)
        if faults.take("too_many_requests", path):
            extra = {"RateLimit-Remaining": "0"}
            if faults.retry_after is not None and faults.retry_after_date:
                extra.update(bent.retry_after_date(faults.retry_after, time.time()))
            elif faults.retry_after is not None:
                extra["Retry-After"] = str(max(0, round(faults.retry_after)))
            return _error(
                429,
                "rate_limit",
                "Your account reached the API rate limit\n"
                "Please wait a few minutes before making new requests",
                {**headers, **extra},
                account,
            )
        if faults.take("server_errors", path):
            status = faults.server_error_status
            error_id = "service_unavailable" if status == 503 else "internal_server_error"
            return _error(status, error_id, f"{_phrase(status)}.", headers, account)
        if resolved is None:
            return _error(404, "not_found", routes.NOT_FOUND_ROUTE, headers, account)
        route, params = resolved
        context = routes.Context(
            index, viewer, path, faults, lambda: self.rate_limiter.remaining(account)
        )
        try:
            reply = route.handler(context, **params)
            status, body = self._render(reply, handler, path, faults, headers)
        except routes.ApiFailure as failure:
            return _error(
                failure.status,
                failure.error_id,
                failure.message,
                {**headers, **failure.headers},
                account,
            )
        except RangeError as exc:
            return _error(
                416,
                "requested_range_not_satisfiable",
                f"Invalid Range: {exc}.",
                {**headers, "Accept-Ranges": ", ".join(_fields(reply))},
                account,
            )
        headers["Content-Type"] = JSON_TYPE
        headers["Cache-Control"] = "private, no-cache"
        etag = etag_of(body)
        headers["ETag"] = etag
        if _etag_matches(handler.headers.get("If-None-Match"), etag):
            return _Answer(304, headers, b"", account)
        return _Answer(status, headers, body, account)

    def _render(
        self,
        reply: routes.Reply,
        handler: _Handler,
        path: str,
        faults: Faults,
        headers: dict[str, str],
    ) -> tuple[int, bytes]:
        expand = (
            frozenset(
                part.strip() for part in (handler.headers.get("Accept-Expansion") or "").split(",")
            )
            & _EXPANSIONS
        )
        sdk = is_sdk(handler.headers.get("Accept"))
        if isinstance(reply, routes.One):
            if reply.resource is not None:
                return 200, self._impostor(reply.resource, expand, sdk, faults)
            return 200, dumps(reply.body)
        listing = reply.listing
        spec = parse_range(handler.headers.get("Range"), listing.fields)
        items, keys = listing.sorted_by(spec.field)
        page = cut_page(items, keys, spec)
        body = b"[" + b",".join(self._impostor(r, expand, sdk, faults) for r in page.items) + b"]"
        headers["Accept-Ranges"] = ", ".join(listing.fields)
        content_range = page.content_range(spec.field)
        if content_range:
            headers["Content-Range"] = content_range
        status = 200
        if page.next_range is not None:
            status = 206
            headers["Next-Range"] = page.next_range.header()
        if faults.applies_to(path):
            if faults.looping_next_range:
                status = 206
                headers["Next-Range"] = spec.first_page().header()
            elif faults.missing_next_range:
                status = 206
                headers.pop("Next-Range", None)
            elif faults.endless_list:
                status = 206
                body, headers["Next-Range"] = bent.endless_page(spec)
            elif faults.backwards_next_range:
                status = 206
                headers["Next-Range"] = bent.backwards_range(spec)
            elif faults.respelled_next_range:
                status = 206
                headers["Next-Range"] = bent.respelled_range(handler.headers.get("Range"), spec)
        return status, body

    def _impostor(self, resource: Any, expand: frozenset[str], sdk: bool, faults: Faults) -> bytes:
        """The body of ``resource``; for an app of ``faults.impostor_apps``, with the name and
        id of the app it is mixed up with."""
        body: bytes = resource.body(expand, sdk, faults)
        other = faults.impostor_of(resource.app) if resource.kind in ("app", "team-app") else None
        twin = self._index.find_app(other) if other else None
        if twin is None:
            return body
        return dumps({**json.loads(body), "name": twin.name, "id": twin.id})


def _fields(reply: Any) -> tuple[str, ...]:
    listing = getattr(reply, "listing", None)
    return listing.fields if listing is not None else ("id",)


class _Server(ThreadingHTTPServer):
    """Daemon thread per connection; knows its open connections so that stop() closes them."""

    daemon_threads = True
    block_on_close = True  # server_close() waits for the handler threads (they exit quickly)
    simulator: Simulator

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        self._open: set[socket.socket] = set()
        self._resets: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, handler)

    def track(self, sock: socket.socket, *, opened: bool) -> None:
        with self._open_lock:
            if opened:
                self._open.add(sock)
            else:
                self._open.discard(sock)

    def mark_reset(self, sock: socket.socket) -> None:
        with self._open_lock:
            self._resets.add(sock)

    def close_connections(self) -> None:
        with self._open_lock:
            open_sockets = list(self._open)
        for sock in open_sockets:
            with contextlib.suppress(OSError):  # already closed by its thread
                sock.shutdown(socket.SHUT_RDWR)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            reset = request in self._resets
            self._resets.discard(request)
        if reset:
            self.close_request(request)  # SO_LINGER 0: close sends RST, no FIN first
        else:
            super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that goes away mid-answer is normal here (timeouts, resets under test).
        log.debug("connection from %s ended with an error", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "gatekeeper-simulator"
    sys_version = ""
    timeout = 300  # idle keep-alive connections are closed after five minutes
    # Headers and body go out in two writes; with Nagle on, the body waits for the client's
    # delayed ACK (40 ms on Linux) on every keep-alive request after the first.
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, opened=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, opened=False)

    def _serve(self) -> None:
        self.server.simulator.handle(self)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def reply(
        self,
        status: int,
        headers: dict[str, str],
        body: bytes,
        *,
        head: bool,
        trickle: float = 0.0,
    ) -> None:
        """Send the answer; with ``trickle``, the body one byte every ``trickle`` seconds."""
        self._date = headers.get("Date")  # an answer may pin its Date (Retry-After dates)
        self.send_response(status)
        for name, value in headers.items():
            if name != "Date":
                self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not body or head or status == 304:
            return
        if not trickle:
            self.wfile.write(body)
            return
        simulator = self.server.simulator
        for offset in range(len(body)):
            if simulator.stopping:
                return
            try:
                self.wfile.write(body[offset : offset + 1])
                self.wfile.flush()
            except OSError:  # the client gave up: that is what the fault is for
                self.close_connection = True
                return
            simulator.pause(trickle)

    def date_time_string(self, timestamp: float | None = None) -> str:
        pinned = getattr(self, "_date", None)
        return pinned if pinned and timestamp is None else super().date_time_string(timestamp)

    def abort(self, *, reset: bool) -> None:
        """End the connection without an answer: a FIN, or with ``reset`` a TCP RST."""
        self.close_connection = True
        if reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.server.mark_reset(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)


def describe_token(token: SimToken) -> str:
    """What a token can see, in words, for ``gatekeeper simulate``."""

    def names(values: list[str]) -> str:
        return "all" if "*" in values else (", ".join(values) or "none")

    text = f"{token.email} ({token.role}; teams: {names(token.teams)}"
    if token.apps:
        text += f"; collaborator on apps: {names(token.apps)}"
    return text + ")"


__all__ = ["RequestRecord", "Simulator", "acceptable", "bearer_token", "describe_token", "etag_of"]
