"""Where the history store is: store URLs, the default SQLite file, and safe display.

Accepted spellings (``--store`` or ``DATABASE_URL``):

- ``postgres://user:pass@host:5432/db`` or ``postgresql://...`` (Heroku's ``DATABASE_URL``
  uses ``postgres://``). An extra query parameter ``schema=NAME`` picks the PostgreSQL schema
  that holds the tables (default ``gatekeeper``); every other parameter goes to libpq.
- ``sqlite:///relative/file.sqlite3`` and ``sqlite:////absolute/file.sqlite3`` (three slashes
  then the path, as SQLAlchemy and dj-database-url spell it).
- A plain file path.

With none given and no ``DATABASE_URL``: ``gatekeeper/history.sqlite3`` in the user data
directory (``$XDG_DATA_HOME`` or ``~/.local/share`` on Linux, ``~/Library/Application
Support`` on macOS, ``%LOCALAPPDATA%`` on Windows).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from gatekeeper.errors import UsageError
from gatekeeper.redact import MASK, register_secret

DEFAULT_PG_SCHEMA = "gatekeeper"
POSTGRES_SCHEMES = ("postgres", "postgresql")
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_PASSWORD_PARAM = re.compile(r"(?i)(password=)[^&]*")


@dataclass(frozen=True)
class StoreTarget:
    """A parsed store location: a SQLite path, or a libpq URL plus the schema to use."""

    kind: Literal["sqlite", "postgres"]
    target: str  # the SQLite path, or the PostgreSQL URL as libpq should get it
    schema: str = DEFAULT_PG_SCHEMA


def user_data_dir(
    *,
    env: Mapping[str, str] | None = None,
    platform: str | None = None,
    home: Path | None = None,
) -> Path:
    """The per-user data directory of gatekeeper on this platform (not created here)."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    home = Path.home() if home is None else home
    if platform == "win32":
        local = env.get("LOCALAPPDATA")
        base = Path(local) if local else home / "AppData" / "Local"
    elif platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        # The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
        xdg = env.get("XDG_DATA_HOME", "")
        base = Path(xdg) if xdg and os.path.isabs(xdg) else home / ".local" / "share"
    return base / "gatekeeper"


def default_sqlite_path() -> Path:
    """``history.sqlite3`` in the user data directory."""
    return user_data_dir() / "history.sqlite3"


def parse_store_url(url: str, *, origin: str = "--store") -> StoreTarget:
    """Parse a store URL or path; an unusable one is a ``UsageError`` naming ``origin``.

    Registers any password in it with ``gatekeeper.redact`` first, so that no later message
    can show it.
    """
    register_url_secrets(url)
    text = url.strip()
    if not text:
        raise UsageError(f"The history store given by {origin} is empty.")
    if "://" not in text:
        return StoreTarget("sqlite", os.path.expanduser(text))
    scheme = text.split("://", 1)[0].lower()
    if scheme == "sqlite":
        return StoreTarget("sqlite", _sqlite_path(text, origin))
    if scheme in POSTGRES_SCHEMES:
        return _postgres_target(text, origin)
    raise UsageError(
        f"The history store URL given by {origin} ({display_url(text)}) has the unsupported "
        f"scheme {scheme!r}.",
        hint="Use postgresql://USER:PASSWORD@HOST:PORT/DB, sqlite:///PATH or a file path.",
    )


def display_url(url: str) -> str:
    """``url`` with its password (in the user info or a ``password=`` parameter) masked."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostinfo = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{MASK}@{hostinfo}" if ":" in userinfo else f"{user}@{hostinfo}"
    query = _PASSWORD_PARAM.sub(lambda m: m.group(1) + MASK, parts.query)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def register_url_secrets(url: str) -> None:
    """Tell ``gatekeeper.redact`` about the password in ``url``, raw and percent-decoded."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return
    userinfo = parts.netloc.rpartition("@")[0]
    passwords = [userinfo.split(":", 1)[1]] if ":" in userinfo else []
    passwords += [v for k, v in parse_qsl(parts.query) if k.lower() == "password"]
    for password in passwords:
        register_secret(password)
        register_secret(unquote(password))


def _sqlite_path(url: str, origin: str) -> str:
    parts = urlsplit(url)
    # sqlite:///rel -> netloc "", path "/rel"; sqlite:////abs -> path "//abs".
    path = unquote(parts.path[1:]) if parts.path.startswith("/") else ""
    if parts.netloc or not path:
        raise UsageError(
            f"The SQLite store URL given by {origin} ({url}) has no usable path.",
            hint="Write sqlite:///relative/history.sqlite3 or sqlite:////absolute/path.",
        )
    return os.path.expanduser(path)


def _postgres_target(url: str, origin: str) -> StoreTarget:
    parts = urlsplit(url)
    schema = DEFAULT_PG_SCHEMA
    params = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key == "schema":
            schema = value
        else:
            params.append((key, value))
    if not _SCHEMA_NAME.match(schema):
        raise UsageError(
            f"The PostgreSQL schema {schema!r} in the store URL given by {origin} is not a "
            "plain lower-case identifier.",
            hint="Use letters, digits and underscores, e.g. ?schema=gatekeeper.",
        )
    libpq_url = urlunsplit(
        (parts.scheme, parts.netloc, parts.path, urlencode(params), parts.fragment)
    )
    return StoreTarget("postgres", libpq_url, schema)
