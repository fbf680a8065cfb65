"""The one reduction of a drain URL to what the gatekeeper may keep: its host, and its URL
without credentials, query or fragment.

A drain URL often carries an ingest token (``https://user:pass@host/...``,
``?token=...``, ``#key``): it must never reach a fact, a report or a snapshot, so only the
scheme, host, port and path are kept. The collector (``gatekeeper.collect``) and the
simulator's ground truth (``gatekeeper.simulator.estate``) both reduce with this function, so
the oracle cannot disagree with what it checks.

Fail closed: a URL that cannot be parsed, that has a port which is not a number in range, or
that names no scheme or host, reduces to no host and ``UNUSABLE``. No host is allowed by
``[logs] allowed_drain_hosts``, so the log-drain rule blocks such a drain; and nothing of the
original text (which might hold a credential) is kept. The reduction is idempotent: reducing
a reduced URL gives the same result, so a snapshot served by the simulator reads back equal.
"""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import urlsplit

#: the URL kept for a drain whose URL cannot be reduced to a destination
UNUSABLE = "(unparsable drain URL)"


class DrainUrl(NamedTuple):
    host: str  # lower case, no brackets around an IPv6 literal; "" when unusable
    url: str  # scheme://host[:port]/path, IPv6 literals in brackets; UNUSABLE when unusable


def reduce_drain_url(raw: str) -> DrainUrl:
    """``raw`` reduced to its host and ``scheme://host[:port]/path`` (see the module)."""
    try:
        parts = urlsplit(raw.strip())
        port = parts.port  # raises for a port that is not a number from 0 to 65535
    except ValueError:
        return DrainUrl("", UNUSABLE)
    host = parts.hostname or ""  # lower case, brackets and user info removed
    scheme = parts.scheme.lower()
    if not scheme or not host:
        return DrainUrl("", UNUSABLE)
    literal = f"[{host}]" if ":" in host else host  # an IPv6 literal keeps its brackets
    netloc = literal if port is None else f"{literal}:{port}"
    return DrainUrl(host, f"{scheme}://{netloc}{parts.path}")
