"""Where the Heroku Platform API lives and how patiently to talk to it.

The base URL is resolved the way the Heroku CLI does it.

Order: an explicit ``--api-url`` value, then ``HEROKU_HOST`` (a value starting with ``http`` is
the base URL, anything else is a domain and becomes ``https://api.<value>``), then
``https://api.heroku.com``. Plain ``http`` is refused unless the host is loopback, because the
token travels in every request; TLS verification is never switched off (SECURITY.md).

:func:`client_tuning` reads the client settings a user may give in the environment.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from gatekeeper.errors import UsageError

DEFAULT_API_URL = "https://api.heroku.com"
HOST_ENV = "HEROKU_HOST"

_LOOPBACK_NAMES = frozenset({"localhost", "localhost."})


def resolve_api_url(flag: str | None) -> str:
    """The API base URL (no trailing slash) from ``flag``, else ``HEROKU_HOST``, else Heroku.

    Raises ``UsageError`` for a value that is not an http(s) URL, carries credentials, a query
    or a fragment, or uses plain http to a host that is not loopback.
    """
    if flag is not None and flag.strip():
        return _validated(flag.strip(), origin="--api-url")
    host = os.environ.get(HOST_ENV, "").strip()
    if host:
        # The Heroku CLI's rule (`apiUrl` in its config): "http..." is a URL, else a domain.
        url = host if host.startswith("http") else f"https://api.{host}"
        return _validated(url, origin=HOST_ENV)
    return DEFAULT_API_URL


def api_host(base_url: str) -> str:
    """The host name of ``base_url`` (no port), as used for the keyring entry and ``~/.netrc``."""
    return (urlsplit(base_url).hostname or "").lower()


def is_loopback(host: str) -> bool:
    """True for ``localhost``, 127.0.0.0/8 and ``::1``: the only hosts plain http may reach."""
    name = host.strip("[]").lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def validate_api_url(url: str, *, origin: str) -> str:
    """``url`` normalised (no trailing slash), or ``UsageError`` if it may not carry a token."""
    return _validated(url.strip(), origin=origin)


def _validated(url: str, *, origin: str) -> str:
    parts = urlsplit(url)
    where = f"(from {origin})"
    if parts.scheme not in ("http", "https"):
        raise UsageError(
            f"The API URL {url!r} {where} is not an http(s) URL.",
            hint="Use a URL such as https://api.heroku.com.",
        )
    try:
        host = parts.hostname
        parts.port  # noqa: B018 - urlsplit checks the port only when it is read
    except ValueError as exc:
        raise UsageError(f"The API URL {url!r} {where} is invalid: {exc}.") from None
    if not host:
        raise UsageError(f"The API URL {url!r} {where} has no host.")
    if parts.username is not None or parts.password is not None:
        # Never echo the URL back: its user-info may hold a secret.
        raise UsageError(
            f"The API URL {where} contains credentials; they are not allowed there.",
            hint="Give the token via HEROKU_API_KEY or `gatekeeper login` instead.",
        )
    if parts.query or parts.fragment:
        raise UsageError(f"The API URL {url!r} {where} must not have a query or fragment.")
    if parts.scheme == "http" and not is_loopback(host):
        raise UsageError(
            f"Refusing to send the Heroku token over plain http to {host} {where}.",
            hint="Use https, or plain http only to a loopback address (127.0.0.1, ::1, "
            "localhost) such as the local simulator.",
        )
    return f"{parts.scheme}://{parts.netloc}{parts.path}".rstrip("/")


TIMEOUT_ENV = "GATEKEEPER_TIMEOUT"
MAX_RETRIES_ENV = "GATEKEEPER_MAX_RETRIES"
RUN_TIMEOUT_ENV = "GATEKEEPER_RUN_TIMEOUT"
# One hour: a check takes seconds and an audit of thousands of apps minutes, while a release
# phase or CI job that hangs on a stuck API gets a bound. An audit paced by the rate limit
# (over ~4,500 requests) may need more.
DEFAULT_RUN_TIMEOUT = 3600.0


def client_tuning() -> dict[str, Any]:
    """Client settings from the environment: ``GATEKEEPER_TIMEOUT`` (seconds to connect and
    to wait for each answer; a request as a whole may take twice that), ``GATEKEEPER_MAX_RETRIES``
    (retries of a failed request) and ``GATEKEEPER_RUN_TIMEOUT`` (seconds all requests of
    the run may take together, retries and waits included; default one hour).
    A release phase or CI job can fail fast with them; the tests keep faults quick."""
    from gatekeeper.transport import Timeouts  # here: transport imports this module

    tuning: dict[str, Any] = {}
    timeout = _env_number(TIMEOUT_ENV, float, low=0.01)
    if timeout is not None:
        tuning["timeout"] = Timeouts(connect=timeout, read=timeout)
    retries = _env_number(MAX_RETRIES_ENV, int, low=0)
    if retries is not None:
        tuning["max_retries"] = retries
    run_timeout = _env_number(RUN_TIMEOUT_ENV, float, low=0.01)
    tuning["run_timeout"] = DEFAULT_RUN_TIMEOUT if run_timeout is None else run_timeout
    return tuning


def _env_number(name: str, kind: Callable[[str], float], *, low: float) -> Any:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or not low <= value < float("inf"):
        raise UsageError(f"{name} must be a number of at least {low:g}, not {raw!r}.")
    return value
