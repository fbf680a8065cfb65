"""The rate limit: a token bucket per account, refilled over time (a fake clock: no sleeping)."""

from __future__ import annotations

from gatekeeper.simulator.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_starts_full_and_counts_down() -> None:
    limiter = RateLimiter(4500, clock=Clock())
    assert limiter.remaining("a@x.org") == 4500
    assert limiter.consume("a@x.org") == (True, 4499)
    assert limiter.remaining("a@x.org") == 4499


def test_empty_bucket_refuses_until_refilled() -> None:
    clock = Clock()
    limiter = RateLimiter(3, refill_per_minute=60, clock=clock)
    assert [limiter.consume("a")[0] for _ in range(4)] == [True, True, True, False]
    assert limiter.consume("a") == (False, 0)
    clock.now += 1.0  # 60 a minute: one token a second
    assert limiter.consume("a") == (True, 0)
    assert limiter.consume("a")[0] is False


def test_refill_stops_at_capacity() -> None:
    clock = Clock()
    limiter = RateLimiter(4500, refill_per_minute=75, clock=clock)
    for _ in range(100):
        limiter.consume("a")
    clock.now += 60
    assert limiter.remaining("a") == 4475
    clock.now += 3600
    assert limiter.remaining("a") == 4500


def test_accounts_have_their_own_buckets() -> None:
    limiter = RateLimiter(2, clock=Clock())
    limiter.consume("a")
    limiter.consume("a")
    assert limiter.consume("a")[0] is False
    assert limiter.consume("b") == (True, 1)


def test_set_remaining_and_reset() -> None:
    limiter = RateLimiter(4500, clock=Clock())
    limiter.set_remaining("a", 1)
    assert limiter.consume("a") == (True, 0)
    assert limiter.consume("a")[0] is False
    limiter.reset()
    assert limiter.remaining("a") == 4500
