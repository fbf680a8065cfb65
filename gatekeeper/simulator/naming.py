"""Deterministic ids, names and timestamps for simulated resources.

The same estate always gets the same ids, add-on names and dates, so that tests, snapshots
and baselines made against the simulator are reproducible.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from datetime import UTC, datetime

# A fixed namespace: ids are uuid5(namespace, "kind:name").
_NAMESPACE = uuid.UUID("6f1c1a52-8d57-4c1e-9d0a-2b6a4c6e0f11")
_EPOCH = datetime(2023, 1, 2, 9, 0, tzinfo=UTC)

_ADJECTIVES = (
    "amber",
    "brisk",
    "calm",
    "clear",
    "curved",
    "deep",
    "dense",
    "early",
    "fluid",
    "gentle",
    "golden",
    "quiet",
    "rigid",
    "round",
    "shallow",
    "silent",
    "solid",
    "sparse",
    "spherical",
    "steady",
    "swift",
    "tidy",
    "vivid",
    "warm",
)
# Heroku names extra attachments of one service by colour, e.g. HEROKU_POSTGRESQL_AMBER.
COLOURS = (
    "AMBER",
    "AQUA",
    "BLACK",
    "BLUE",
    "BRONZE",
    "COBALT",
    "CRIMSON",
    "CYAN",
    "GOLD",
    "GRAY",
    "GREEN",
    "IVORY",
    "JADE",
    "MAROON",
    "NAVY",
    "OLIVE",
    "ONYX",
    "ORANGE",
    "PINK",
    "PURPLE",
    "RED",
    "ROSE",
    "SILVER",
    "TEAL",
    "WHITE",
    "YELLOW",
)


_NAMESPACE_BYTES = _NAMESPACE.bytes
_EPOCH_SECONDS = int(_EPOCH.timestamp())


def stable_id(kind: str, *parts: str) -> str:
    """A UUID that depends only on the kind of resource and its name parts.

    ``uuid.uuid5(namespace, "kind:part:...")``, computed without building UUID objects: it
    runs for every resource of a 10,000-app estate.
    """
    raw = bytearray(
        hashlib.sha1(
            _NAMESPACE_BYTES + ":".join((kind, *parts)).encode(), usedforsecurity=False
        ).digest()[:16]
    )
    raw[6] = (raw[6] & 0x0F) | 0x50  # version 5
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


def _digest(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256(":".join(parts).encode()).digest()[:8], "big")


def _iso(seconds: int) -> str:
    t = time.gmtime(_EPOCH_SECONDS + seconds)
    return (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}"
        f"T{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}Z"
    )


def dates(*parts: str, days: int = 700, later_days: int = 60) -> tuple[str, str]:
    """Stable ``(created_at, updated_at)`` strings (RFC 3339, UTC): created within ``days``
    after 2023-01-02, updated at most ``later_days`` after that."""
    digest = _digest("time", *parts)
    created = digest % (days * 24 * 3600)
    updated = created + (digest >> 32) % (later_days * 24 * 3600)
    return _iso(created), _iso(updated)


def addon_name(name_prefix: str, app: str, index: int) -> str:
    """A Heroku-style generated add-on name, e.g. ``postgresql-curved-12345``."""
    digest = _digest("addon", app, str(index), name_prefix)
    adjective = _ADJECTIVES[digest % len(_ADJECTIVES)]
    return f"{name_prefix}-{adjective}-{10000 + digest % 90000}"


def web_url(app: str) -> str:
    """The app's default ``herokuapp.com`` URL (name plus a 12-digit hex suffix)."""
    return f"https://{app}-{_digest('web', app):012x}"[: len(app) + 21] + ".herokuapp.com/"


def drain_token(drain_id: str) -> str:
    """The Logplex drain token shown in ``GET /apps/{app}/log-drains``."""
    return "d." + drain_id


def size_bytes(kind: str, app: str, low: int, high: int) -> int:
    """A stable size between ``low`` and ``high`` (repo and slug sizes)."""
    return low + _digest(kind, app) % (high - low)


def port(*parts: str) -> int:
    """A stable port number for generated syslog drain URLs."""
    return 10000 + _digest("port", *parts) % 50000
