"""Finding the Heroku API token, in the order the Heroku CLI uses
(docs/design.md#3-heroku-facts-the-code-relies-on).

1. ``HEROKU_API_KEY``;
2. the OS keyring entry written by ``gatekeeper login`` (service ``heroku-gatekeeper``,
   username = the API host);
3. ``~/.netrc``, ``machine <API host>``, the password field (where ``heroku login`` puts it).

A keyring that is missing or broken is logged and skipped, never fatal. Every token found is
registered with ``gatekeeper.redact`` so it can never reach output, and ``Credential`` hides it
from ``repr``. A token with characters outside printable ASCII cannot go into an HTTP header:
it is refused (``check_token``) wherever it came from, without being shown. A ``~/.netrc``
that other users may read is used, with a warning on stderr (as curl and ssh warn).
"""

from __future__ import annotations

import logging
import netrc
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Literal

from gatekeeper.errors import CredentialsError
from gatekeeper.heroku.config import api_host, resolve_api_url
from gatekeeper.redact import register_secret

log = logging.getLogger(__name__)

TOKEN_ENV = "HEROKU_API_KEY"
KEYRING_SERVICE = "heroku-gatekeeper"

TokenSource = Literal["env", "keyring", "netrc"]

HOW_TO_AUTHENTICATE = (
    "Create a read-only token with `heroku authorizations:create --scope read` (the gatekeeper "
    "never needs more than `read`), then set HEROKU_API_KEY=<token> or run `gatekeeper login`."
)


@dataclass(frozen=True)
class Credential:
    """A token and where it came from. ``repr`` and ``str`` show only the source."""

    token: str = field(repr=False)
    source: TokenSource


def resolve_token(api_url: str | None = None) -> Credential:
    """The token for ``api_url`` (default: ``resolve_api_url(None)``) from env, keyring or netrc.

    Raises ``CredentialsError`` (saying how to get a token) when none of them has one.
    """
    host = api_host(api_url or resolve_api_url(None))
    skipped: list[str] = []

    env_token = os.environ.get(TOKEN_ENV, "").strip()
    if env_token:
        return _found(env_token, "env", host, TOKEN_ENV)

    keyring_token = read_keyring_token(host, skipped)
    if keyring_token:
        return _found(keyring_token, "keyring", host, f"the OS keyring (entry for {host})")

    netrc_token = _read_netrc_token(host, skipped, warn=True)
    if netrc_token:
        return _found(netrc_token, "netrc", host, f"{netrc_path()} (machine {host})")

    notes = f" Skipped: {'; '.join(skipped)}." if skipped else ""
    raise CredentialsError(
        f"No Heroku API token found for {host} (looked in {TOKEN_ENV}, the OS keyring and "
        f"~/.netrc).{notes}",
        hint=HOW_TO_AUTHENTICATE,
    )


def read_keyring_token(host: str, skipped: list[str] | None = None) -> str | None:
    """The token ``gatekeeper login`` stored for ``host``, or None (also when keyring fails)."""
    try:
        import keyring

        token = keyring.get_password(KEYRING_SERVICE, host)
    except Exception as exc:  # noqa: BLE001 - any backend failure means "no keyring", not fatal
        reason = f"the OS keyring is not usable ({type(exc).__name__})"
        log.warning("Skipping the OS keyring: %s: %s", type(exc).__name__, exc)
        if skipped is not None:
            skipped.append(reason)
        return None
    if token is not None:
        register_secret(token)
        token = token.strip()
    return token or None


def store_keyring_token(host: str, token: str) -> None:
    """Store ``token`` for ``host``; raises ``CredentialsError`` if the keyring cannot keep it."""
    register_secret(token)
    keyring = _usable_keyring()
    try:
        keyring.set_password(KEYRING_SERVICE, host, token)
        stored = keyring.get_password(KEYRING_SERVICE, host)
    except Exception as exc:  # noqa: BLE001 - reported to the user as a credentials problem
        raise _keyring_unusable(exc) from None
    # Some backends accept a write and keep nothing; read it back to be sure.
    if stored != token:
        raise CredentialsError(
            "The OS keyring accepted the token but did not keep it.",
            hint=f"Set {TOKEN_ENV} instead, or configure a working keyring backend.",
        )


def delete_keyring_token(host: str) -> bool:
    """Remove the token stored for ``host``; False when there was none (or no keyring at
    all, which cannot hold one). A keyring that exists but fails raises ``CredentialsError``."""
    if not keyring_available():
        return False
    keyring = _usable_keyring()
    try:
        if keyring.get_password(KEYRING_SERVICE, host) is None:
            return False
        keyring.delete_password(KEYRING_SERVICE, host)
    except Exception as exc:  # noqa: BLE001 - reported to the user as a credentials problem
        raise _keyring_unusable(exc) from None
    return True


def netrc_path() -> Path:
    """``~/.netrc``, where the Heroku CLI keeps its token."""
    return Path.home() / ".netrc"


def netrc_has_entry(host: str) -> bool:
    """True when ``~/.netrc`` holds a password for ``host`` (the token is not returned)."""
    return _read_netrc_token(host, []) is not None


def check_token(token: str, origin: str) -> str:
    """``token`` without surrounding blanks, or ``CredentialsError`` when it cannot be sent.

    An HTTP header carries printable ASCII only: a token with a smart quote, a non-breaking
    space or a control character in it (pasted from a formatted document) would fail deep in
    the HTTP library. The message names where the token came from and never the token.
    """
    register_secret(token)
    token = token.strip()
    if not token:
        raise CredentialsError("The Heroku API token is empty.")
    register_secret(token)
    bad = sum(1 for ch in token if not " " <= ch <= "~")
    if bad:
        raise CredentialsError(
            f"The Heroku API token from {origin} contains {bad} character"
            f"{'s' if bad > 1 else ''} that an HTTP header cannot carry (anything but printable "
            "ASCII, such as a smart quote, a non-breaking space or a control character); "
            "the token is not shown.",
            hint="Copy the token again as plain text, or create a new one. " + HOW_TO_AUTHENTICATE,
        )
    return token


def _found(token: str, source: TokenSource, host: str, origin: str) -> Credential:
    token = check_token(token, origin)
    log.debug("Using the Heroku API token from %s for %s", source, host)
    return Credential(token=token, source=source)


def _warn_if_readable(path: Path) -> None:
    """Warn when other users may read ``path``, which holds the token in use."""
    if os.name != "posix":
        return
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning(
            "Warning: %s holds the Heroku API token but other users may read it (mode %s); "
            "restrict it with `chmod 600 %s`.",
            path,
            stat.filemode(mode),
            path,
        )


def _read_netrc_token(host: str, skipped: list[str], *, warn: bool = False) -> str | None:
    path = netrc_path()
    if not path.is_file():
        return None
    try:
        # An explicit file name: Python then skips its own permission check, as the Heroku
        # CLI does; we only read the entry for the API host.
        entry = netrc.netrc(str(path)).authenticators(host)
    except (OSError, netrc.NetrcParseError) as exc:
        # The parse error quotes the offending line, which may hold a secret: report its kind.
        log.warning("Skipping %s: it could not be parsed (%s)", path, type(exc).__name__)
        skipped.append(f"{path} could not be parsed")
        return None
    if entry is None:
        return None
    password = (entry[2] or "").strip()
    if password:
        register_secret(password)
        if warn:
            _warn_if_readable(path)
    return password or None


def require_keyring() -> None:
    """Raise ``CredentialsError`` (saying what to do instead) when no keyring can store."""
    _usable_keyring()


def keyring_available() -> bool:
    """False when the keyring backend is the null or failing one (nothing can be stored)."""
    try:
        _usable_keyring()
    except CredentialsError:
        return False
    return True


def _usable_keyring() -> ModuleType:
    try:
        import keyring
        from keyring.backends import fail, null

        backend = keyring.get_keyring()
    except Exception as exc:  # noqa: BLE001 - reported to the user as a credentials problem
        raise _keyring_unusable(exc) from None
    if isinstance(backend, null.Keyring | fail.Keyring):
        raise CredentialsError(
            "No OS keyring is available to store the token.",
            hint=f"Set {TOKEN_ENV} instead, or install and configure a keyring backend "
            "(see https://pypi.org/project/keyring/).",
        )
    return keyring


def _keyring_unusable(exc: Exception) -> CredentialsError:
    return CredentialsError(
        f"The OS keyring could not be used ({type(exc).__name__}).",
        hint=f"Set {TOKEN_ENV} instead, or fix the keyring backend.",
    )
