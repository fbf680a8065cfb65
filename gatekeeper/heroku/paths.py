"""Building API paths from names that come from users (app, team, space names)."""

from __future__ import annotations

from urllib.parse import quote

from gatekeeper.errors import UsageError


def quote_segment(value: str) -> str:
    """``value`` percent-encoded as one path segment: ``/`` and every other reserved
    character is escaped, so a name can never reach another endpoint (``../account``)."""
    if not value:
        raise UsageError("An empty name cannot be used in an API path.")
    quoted = quote(value, safe="")
    if quoted in (".", ".."):
        # Dot segments are not reserved characters but would be resolved by URL handling.
        quoted = quoted.replace(".", "%2E")
    return quoted
