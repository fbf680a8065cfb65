"""The connection pool behind a shared store: bounded, one thread per connection, closable."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pytest

from gatekeeper.store.pool import ConnectionPool, PoolClosed


@dataclass
class FakeConnection:
    number: int
    closed: bool = False
    healthy: bool = True


@dataclass
class Factory:
    made: list[FakeConnection] = field(default_factory=list)
    fail_next: bool = False

    def connect(self) -> FakeConnection:
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("refused")
        conn = FakeConnection(len(self.made) + 1)
        self.made.append(conn)
        return conn


def make_pool(factory: Factory, size: int = 2) -> ConnectionPool[FakeConnection]:
    def close(conn: FakeConnection) -> None:
        conn.closed = True

    return ConnectionPool(factory.connect, close, size=size, reusable=lambda conn: conn.healthy)


def test_connections_are_opened_when_needed_and_reused() -> None:
    factory = Factory()
    pool = make_pool(factory)
    assert factory.made == []
    with pool.connection() as first:
        pass
    with pool.connection() as again:
        assert again is first
    with pool.connection() as one, pool.connection() as two:
        assert one is not two
    assert len(factory.made) == 2


def test_a_full_pool_lends_a_returned_connection_instead_of_opening_more() -> None:
    factory = Factory()
    pool = make_pool(factory, size=1)
    lent: list[FakeConnection] = []
    asking = threading.Event()

    def other() -> None:
        asking.set()
        with pool.connection() as conn:
            lent.append(conn)

    with pool.connection() as held:
        thread = threading.Thread(target=other)
        thread.start()
        asking.wait()
    thread.join()
    assert lent == [held] and len(factory.made) == 1


def test_an_unusable_connection_is_closed_and_replaced() -> None:
    factory = Factory()
    pool = make_pool(factory, size=1)
    with pytest.raises(RuntimeError), pool.connection() as broken:
        broken.healthy = False
        raise RuntimeError("the server went away")
    assert broken.closed
    with pool.connection() as fresh:
        assert fresh is not broken and not fresh.closed


def test_a_failed_connect_gives_its_place_back() -> None:
    factory = Factory(fail_next=True)
    pool = make_pool(factory, size=1)
    with pytest.raises(ConnectionError), pool.connection():
        pass  # pragma: no cover - never entered
    with pool.connection() as conn:
        assert conn.number == 1


def test_close_closes_idle_connections_now_and_lent_ones_when_they_return() -> None:
    factory = Factory()
    pool = make_pool(factory)
    with pool.connection() as lent:
        with pool.connection() as idle:
            pass
        pool.close()
        assert idle.closed and not lent.closed
    assert lent.closed
    with pytest.raises(PoolClosed), pool.connection():
        pass  # pragma: no cover - never entered
    pool.close()  # twice is harmless


def test_a_thread_waiting_for_a_connection_learns_that_the_pool_closed() -> None:
    factory = Factory()
    pool = make_pool(factory, size=1)
    outcome: list[BaseException] = []
    asking = threading.Event()

    def waiter() -> None:
        asking.set()
        try:
            with pool.connection():
                pass
        except BaseException as exc:  # noqa: BLE001 - inspected by the main thread
            outcome.append(exc)

    with pool.connection():
        thread = threading.Thread(target=waiter)
        thread.start()
        asking.wait()
        pool.close()
    thread.join()
    assert len(outcome) == 1 and isinstance(outcome[0], PoolClosed)


def test_a_pool_needs_room() -> None:
    with pytest.raises(ValueError, match="room for one connection"):
        make_pool(Factory(), size=0)
