"""A per-client token bucket for the webhook receiver (``GATEKEEPER_WEBHOOK_RATE`` a minute).

Heroku delivers from a few addresses, so the limit is generous; it is there so that a
client that floods the receiver with (unsigned) requests is answered 429 before its body
is read or its signature computed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

_MAX_CLIENTS = 10_000  # forget idle clients beyond this many, oldest first


class RateLimiter:
    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(max(1, per_minute))
        self.refill = self.capacity / 60.0
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        """Take one token from ``client``'s bucket; False when it is empty."""
        now = self._clock()
        with self._lock:
            tokens, then = self._buckets.pop(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - then) * self.refill)
            allowed = tokens >= 1.0
            self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
            while len(self._buckets) > _MAX_CLIENTS:
                del self._buckets[next(iter(self._buckets))]
            return allowed
