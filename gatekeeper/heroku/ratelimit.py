"""When to wait: retry backoff and pacing against Heroku's rate limit.

Heroku gives every account a bucket of 4,500 request tokens refilled at about 75 a minute and
reports what is left in ``RateLimit-Remaining``; an empty bucket answers 429
(docs/design.md#3-heroku-facts-the-code-relies-on).
Two policies live here, both pure (no clock, no sleeping of their own):

- ``RetryPolicy``: exponential backoff with full jitter for 429, 5xx and dropped connections,
  honouring ``Retry-After``, bounded in attempts and in total time waited.
- ``RateLimitPacer``: once ``RateLimit-Remaining`` drops below a threshold, spaces requests out
  so the bucket refills instead of running into 429s. Send slots are reserved on one shared
  schedule, so concurrent requests queue up rather than all going at once.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

HEROKU_REFILL_PER_MINUTE = 75.0


@dataclass
class RetryPolicy:
    """How often and how long to retry a failed request."""

    max_retries: int = 5  # retries after the first attempt
    base_delay: float = 0.5  # seconds; the cap of the first jittered delay
    max_delay: float = 30.0  # seconds; no single backoff is longer
    max_total_wait: float = 120.0  # seconds waited across all retries of one request
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def backoff(self, retry_number: int, retry_after: float | None) -> float:
        """Seconds to wait before retry ``retry_number`` (0-based).

        ``Retry-After`` from the server wins when given; otherwise "full jitter": a uniform
        draw between 0 and ``base_delay * 2**retry_number`` (capped at ``max_delay``), which
        spreads retries of many clients apart.
        """
        if retry_after is not None:
            return max(0.0, retry_after)
        ceiling = min(self.max_delay, self.base_delay * (2**retry_number))
        return self.rng.uniform(0.0, ceiling)


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds; None when absent or not a number of seconds."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None  # an HTTP-date: see ``retry_after_seconds``
    if seconds != seconds or seconds < 0:  # NaN or negative
        return None
    return seconds


def retry_after_seconds(
    headers: Mapping[str, str], now: Callable[[], float] = time.time
) -> float | None:
    """Seconds to wait per ``Retry-After`` (headers keyed in lower case), in either form RFC
    9110 allows: a number of seconds, or an HTTP-date. A date is measured from the answer's
    own ``Date`` (so a skewed local clock does not matter), else from ``now``; a date in the
    past means "now" (0). None when absent or unreadable. The caller's retry budget caps both
    forms alike."""
    value = headers.get("retry-after")
    seconds = parse_retry_after(value)
    if seconds is not None or value is None:
        return seconds
    until = _http_date(value)
    if until is None:
        return None
    sent = _http_date(headers.get("date") or "")
    reference = sent.timestamp() if sent is not None else now()
    return max(0.0, until.timestamp() - reference)


def _http_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    # RFC 9110 dates are GMT; a date without a zone is read as GMT too.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def parse_remaining(value: str | None) -> int | None:
    """``RateLimit-Remaining`` as an int; None when absent or garbled."""
    if value is None:
        return None
    try:
        return max(0, int(value.strip()))
    except ValueError:
        return None


@dataclass
class RateLimitPacer:
    """Spaces requests out as ``RateLimit-Remaining`` approaches zero.

    Below ``threshold`` remaining tokens, consecutive requests are kept at least ``interval``
    seconds apart, where ``interval`` grows linearly from 0 at the threshold to two refill
    periods (2 x 0.8 s at 75 tokens/min) at zero. Requests then run at the refill rate when
    half the threshold is left, so the bucket settles there instead of emptying. Time already
    spent (waiting for the response, or a retry backoff) counts towards the interval.
    """

    threshold: int = 100
    refill_per_minute: float = HEROKU_REFILL_PER_MINUTE
    _last_slot: float = float("-inf")

    def interval(self, remaining: int | None) -> float:
        """Seconds between requests while ``remaining`` tokens are left."""
        if remaining is None or self.threshold <= 0 or remaining >= self.threshold:
            return 0.0
        seconds_per_token = 60.0 / self.refill_per_minute
        deficit = (self.threshold - remaining) / self.threshold
        return 2.0 * seconds_per_token * deficit

    def reserve(self, remaining: int | None, now: float) -> float:
        """Reserve the next send slot; returns how long to wait (0 when not rate limited)."""
        interval = self.interval(remaining)
        if interval <= 0.0:
            self._last_slot = max(self._last_slot, now)
            return 0.0
        slot = max(now, self._last_slot + interval)
        self._last_slot = slot
        return slot - now
