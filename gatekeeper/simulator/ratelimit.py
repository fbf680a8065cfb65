"""Heroku's rate limit: a token bucket per account.

Each account starts with 4,500 tokens; every request costs one (``GET /account/rate-limits``
is free); tokens come back at about 75 a minute, up to the maximum. ``RateLimit-Remaining``
on every response tells the client how many are left; at zero the API answers 429
``rate_limit``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

DEFAULT_CAPACITY = 4500
DEFAULT_REFILL_PER_MINUTE = 75.0


class RateLimiter:
    """Token buckets keyed by account (several tokens of one account share a bucket)."""

    def __init__(
        self,
        capacity: int = DEFAULT_CAPACITY,
        refill_per_minute: float = DEFAULT_REFILL_PER_MINUTE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = capacity
        self.refill_per_second = refill_per_minute / 60.0
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # account -> (tokens, as of)

    def _level(self, account: str, now: float) -> float:
        tokens, since = self._buckets.get(account, (float(self.capacity), now))
        return min(float(self.capacity), tokens + (now - since) * self.refill_per_second)

    def consume(self, account: str, cost: int = 1) -> tuple[bool, int]:
        """Take ``cost`` tokens if there are enough; returns (allowed, remaining)."""
        with self._lock:
            now = self._clock()
            level = self._level(account, now)
            allowed = level >= cost
            if allowed:
                level -= cost
            self._buckets[account] = (level, now)
            return allowed, int(level)

    def remaining(self, account: str) -> int:
        """Tokens left for ``account`` (what ``GET /account/rate-limits`` answers)."""
        with self._lock:
            return int(self._level(account, self._clock()))

    def set_remaining(self, account: str, tokens: float) -> None:
        """Put ``account``'s bucket at ``tokens`` (tests use it to start near the limit)."""
        with self._lock:
            self._buckets[account] = (float(tokens), self._clock())

    def reset(self) -> None:
        """Fill every bucket."""
        with self._lock:
            self._buckets.clear()
