"""Faults the simulator can inject, switchable per run and while it runs (``sim.faults``).

Counted faults (``too_many_requests``, ``server_errors``, ``drop_connections``,
``reset_connections``, ``slow_responses``, ``broken_json``, ``trickle_responses``,
``nested_json``) hit the next N requests whose path
matches ``path`` (a glob, e.g. ``"/apps/survey*"``) and count down; ``ALWAYS`` (-1) never
runs out. The ``*_apps`` sets hold app-name globs. Times are in seconds.

The order in which a request meets them (and the real checks between them): ``latency``;
dropped or reset connection; 406 for a wrong ``Accept``; 401 for an unknown token or
``expire_token_after``; the rate-limit bucket (429); ``too_many_requests`` (429);
``server_errors``; 404 for an unknown path; 403 for a token's reach or ``forbidden_apps``;
the answer (with ``null_region_apps``, ``unknown_region_apps``, ``unknown_plan_apps``,
``looping_next_range``, ``missing_next_range``, ``endless_list``, ``backwards_next_range``,
``respelled_next_range``), delayed by ``slow_responses``, cut by ``broken_json``, replaced by
``nested_json`` and sent by ``trickle_responses`` one byte at a time.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from email.utils import formatdate
from fnmatch import fnmatchcase

from gatekeeper.simulator.ranges import RangeSpec

ALWAYS = -1
UNKNOWN_REGION = "atlantis"  # the region name served for ``unknown_region_apps``
UNKNOWN_PLAN = "unknown-plan"  # the plan served for ``unknown_plan_apps``: "<service>:unknown-plan"

COUNTED = (
    "too_many_requests",
    "server_errors",
    "drop_connections",
    "reset_connections",
    "slow_responses",
    "broken_json",
    "trickle_responses",
    "nested_json",
)


@dataclass
class Faults:
    """What to break. Every field can be changed while the simulator runs."""

    latency: float = 0.0  # seconds added before every response
    path: str = "*"  # glob of request paths the counted and Next-Range faults apply to
    too_many_requests: int = 0  # answer 429 rate_limit this many times
    retry_after: float | None = None  # Retry-After (seconds) on those 429s; None: no header
    server_errors: int = 0  # answer server_error_status this many times
    server_error_status: int = 503
    drop_connections: int = 0  # close the connection without an answer
    reset_connections: int = 0  # reset the connection (TCP RST) without an answer
    slow_responses: int = 0  # delay the answer by slow_seconds (beyond a read timeout)
    slow_seconds: float = 5.0
    broken_json: int = 0  # answer a truncated JSON body
    looping_next_range: bool = False  # lists answer 206 with a Next-Range back to page one
    missing_next_range: bool = False  # lists answer 206 without a Next-Range
    null_region_apps: set[str] = field(default_factory=set)  # app.region is null
    unknown_region_apps: set[str] = field(default_factory=set)  # app.region is UNKNOWN_REGION
    unknown_plan_apps: set[str] = field(default_factory=set)  # their add-ons' plan is unknown
    forbidden_apps: set[str] = field(default_factory=set)  # 403 on /apps/{app}...
    # Retry-After on the 429s as an HTTP-date (RFC 9110), retry_after seconds after Date.
    retry_after_date: bool = False
    # Lists answer 206 with a Next-Range before the page's last id (the all-zero id).
    backwards_next_range: bool = False
    # Lists answer 206 with the range just asked for again, spelled with one space more.
    respelled_next_range: bool = False
    # Lists never end: every page is `max` made-up items `{"id": ...}` and a Next-Range on.
    endless_list: bool = False
    # Answer the body one byte every trickle_seconds (each byte within a read timeout).
    trickle_responses: int = 0
    trickle_seconds: float = 0.05
    # Answer (success or error) with a body of nested_depth nested JSON arrays.
    nested_json: int = 0
    nested_depth: int = 100_000
    expire_token_after: int | None = None  # after this many more requests, tokens answer 401
    _lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    def applies_to(self, path: str) -> bool:
        """Whether ``path`` is one the path-targeted faults apply to."""
        return fnmatchcase(path, self.path)

    def take(self, name: str, path: str) -> bool:
        """Use up one of the counted fault ``name`` for ``path``; True when it fires."""
        if name not in COUNTED:
            raise ValueError(f"not a counted fault: {name}")
        with self._lock:
            left: int = getattr(self, name)
            if left == 0 or not self.applies_to(path):
                return False
            if left > 0:
                setattr(self, name, left - 1)
            return True

    def token_expired(self) -> bool:
        """Count one authenticated request against ``expire_token_after``."""
        with self._lock:
            if self.expire_token_after is None:
                return False
            if self.expire_token_after <= 0:
                return True
            self.expire_token_after -= 1
            return False

    def has_app_faults(self) -> bool:
        return bool(self.null_region_apps or self.unknown_region_apps or self.unknown_plan_apps)

    @staticmethod
    def app_in(patterns: set[str], app: str) -> bool:
        return any(fnmatchcase(app, p) for p in patterns)

    # -- impostor_apps: an identity mix-up (self-contained; issue 10, items 1 and 3) --------
    #: app-name glob -> the name of another app of the estate. Every answer describing a
    #: matching app (``GET /apps/{app}`` and its entries in lists of apps) carries the other
    #: app's name and id, with its own other facts: ``GET /apps/A`` answers another app, and
    #: a list holding both apps holds the other app's id twice, with conflicting facts.
    impostor_apps: dict[str, str] = field(default_factory=dict)

    def impostor_of(self, app: str | None) -> str | None:
        """The app whose name and id the answers about ``app`` carry, if any."""
        if app is None or not self.impostor_apps:
            return None
        return next((o for p, o in self.impostor_apps.items() if fnmatchcase(app, p)), None)


# -- bent answers ------------------------------------------------------------------------

_ENDLESS_ID = re.compile(r"^00000000-0000-4000-8000-([0-9a-f]{12})$")
ZERO_ID = "00000000-0000-0000-0000-000000000000"


def retry_after_date(seconds: float, now: float) -> dict[str, str]:
    """``Retry-After`` as an HTTP-date ``seconds`` after the answer's ``Date`` (both whole
    seconds of the same instant, so the difference is exact)."""
    sent = int(now)
    return {
        "Date": formatdate(sent, usegmt=True),
        "Retry-After": formatdate(sent + max(0, round(seconds)), usegmt=True),
    }


def backwards_range(spec: RangeSpec) -> str:
    """A Next-Range that starts before every id (so before the page's last one)."""
    return RangeSpec(spec.field, ZERO_ID, True, None, False, spec.max).header()


def respelled_range(asked: str | None, spec: RangeSpec) -> str:
    """The range just asked for, with one more space after its field: the same range, spelled
    differently each time, so that only a client comparing meanings sees the repeat."""
    header = asked if asked and asked.strip() else spec.header()
    return header.replace(" ", "  ", 1)


def nested_body(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def endless_page(spec: RangeSpec) -> tuple[bytes, str]:
    """A full page of made-up items after ``spec.start``, and the Next-Range after it."""
    match = _ENDLESS_ID.match(spec.start or "")
    first = int(match.group(1), 16) + 1 if match else 1
    ids = [f"00000000-0000-4000-8000-{n:012x}" for n in range(first, first + spec.max)]
    next_range = RangeSpec(spec.field, ids[-1], True, None, False, spec.max).header()
    body = json.dumps([{"id": i} for i in ids], separators=(",", ":")).encode()
    return body, next_range
