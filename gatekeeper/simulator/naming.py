"""Deterministic ids, names and timestamps for simulated resources.

The same estate always gets the same ids, add-on names and dates, so that tests, snapshots
and baselines made against the simulator are reproducible.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

# A fixed namespace: ids are uuid5(namespace, "kind:name").
_NAMESPACE = uuid.UUID("6f1c1a52-8d57-4c1e-9d0a-2b6a4c6e0f11")
_EPOCH = datetime(2023, 1, 2, 9, 0, tzinfo=UTC)

_ADJECTIVES = (
    "amber", "brisk", "calm", "clear", "curved", "deep", "dense", "early", "fluid", "gentle",
    "golden", "quiet", "rigid", "round", "shallow", "silent", "solid", "sparse", "spherical",
    "steady", "swift", "tidy", "vivid", "warm",
)
# Heroku names extra attachments of one service by colour, e.g. HEROKU_POSTGRESQL_AMBER.
COLOURS = (
    "AMBER", "AQUA", "BLACK", "BLUE", "BRONZE", "COBALT", "CRIMSON", "CYAN", "GOLD", "GRAY",
    "GREEN", "IVORY", "JADE", "MAROON", "NAVY", "OLIVE", "ONYX", "ORANGE", "PINK", "PURPLE",
    "RED", "ROSE", "SILVER", "TEAL", "WHITE", "YELLOW",
)


def stable_id(kind: str, *parts: str) -> str:
    """A UUID that depends only on the kind of resource and its name parts."""
    return str(uuid.uuid5(_NAMESPACE, ":".join((kind, *parts))))


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


def _digest(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256(":".join(parts).encode()).digest()[:8], "big")


def timestamp(*parts: str, days: int = 700) -> str:
    """A stable date-time string (RFC 3339, UTC) within ``days`` after 2023-01-02."""
    offset = _digest("time", *parts) % (days * 24 * 3600)
    moment = _EPOCH + timedelta(seconds=offset)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def later(iso: str, *parts: str, days: int = 60) -> str:
    """A stable date-time at most ``days`` after ``iso`` (for ``updated_at``)."""
    start = datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    moment = start + timedelta(seconds=_digest("later", *parts) % (days * 24 * 3600))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def addon_name(name_prefix: str, app: str, index: int) -> str:
    """A Heroku-style generated add-on name, e.g. ``postgresql-curved-12345``."""
    digest = _digest("addon", app, str(index), name_prefix)
    adjective = _ADJECTIVES[digest % len(_ADJECTIVES)]
    return f"{name_prefix}-{adjective}-{10000 + digest % 90000}"


def web_url(app: str) -> str:
    """The app's default ``herokuapp.com`` URL (name plus a 12-digit hex suffix)."""
    return f"https://{app}-{_digest('web', app):012x}"[:len(app) + 21] + ".herokuapp.com/"


def drain_token(drain_id: str) -> str:
    """The Logplex drain token shown in ``GET /apps/{app}/log-drains``."""
    return "d." + drain_id


def size_bytes(kind: str, app: str, low: int, high: int) -> int:
    """A stable size between ``low`` and ``high`` (repo and slug sizes)."""
    return low + _digest(kind, app) % (high - low)


def port(*parts: str) -> int:
    """A stable port number for generated syslog drain URLs."""
    return 10000 + _digest("port", *parts) % 50000
