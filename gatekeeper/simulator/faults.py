"""Faults the simulator can inject, switchable per run and while it runs (``sim.faults``).

Counted faults (``too_many_requests``, ``server_errors``, ``drop_connections``,
``reset_connections``, ``slow_responses``, ``broken_json``) hit the next N requests whose path
matches ``path`` (a glob, e.g. ``"/apps/survey*"``) and count down; ``ALWAYS`` (-1) never
runs out. The ``*_apps`` sets hold app-name globs. Times are in seconds.

The order in which a request meets them (and the real checks between them): ``latency``;
dropped or reset connection; 406 for a wrong ``Accept``; 401 for an unknown token or
``expire_token_after``; the rate-limit bucket (429); ``too_many_requests`` (429);
``server_errors``; 404 for an unknown path; 403 for a token's reach or ``forbidden_apps``;
the answer (with ``null_region_apps``, ``unknown_region_apps``, ``unknown_plan_apps``,
``looping_next_range``, ``missing_next_range``), delayed by ``slow_responses`` and cut by
``broken_json``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

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
