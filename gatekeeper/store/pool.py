"""A few database connections shared by the threads that use one store.

Each unit of work (one read, one recorded audit) borrows a connection and gives it back, so a
connection serves one thread at a time and several threads (the requests of a web server)
work side by side, each on its own. The pool opens connections when they are first needed
and keeps at most ``size`` of them: a thread that finds them all lent waits for one to come
back, so a server that starts a thread per request does not open a connection per request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

C = TypeVar("C")


class PoolClosed(Exception):
    """The pool was closed before or while a connection was asked for."""


class ConnectionPool(Generic[C]):
    """At most ``size`` connections made by ``connect``; ``reusable`` says whether a returned
    one may serve again (one that may not is closed and replaced on demand)."""

    def __init__(
        self,
        connect: Callable[[], C],
        close: Callable[[C], None],
        *,
        size: int,
        reusable: Callable[[C], bool],
    ) -> None:
        if size < 1:
            raise ValueError("a pool needs room for one connection at least")
        self._connect = connect
        self._close = close
        self._reusable = reusable
        self._size = size
        self._idle: list[C] = []
        self._opened = 0  # idle and lent
        self._closed = False
        self._changed = threading.Condition()

    @contextmanager
    def connection(self) -> Iterator[C]:
        """Lend a connection for the ``with`` block; raise ``PoolClosed`` once closed."""
        conn = self._take()
        try:
            yield conn
        finally:
            self._give_back(conn)

    def close(self) -> None:
        """Close the idle connections now and the lent ones when they come back."""
        with self._changed:
            self._closed = True
            idle, self._idle = self._idle, []
            self._opened -= len(idle)
            self._changed.notify_all()
        for conn in idle:
            self._close(conn)

    def _take(self) -> C:
        with self._changed:
            while True:
                if self._closed:
                    raise PoolClosed
                if self._idle:
                    return self._idle.pop()
                if self._opened < self._size:
                    self._opened += 1  # claim the place before connecting, outside the lock
                    break
                self._changed.wait()
        try:
            return self._connect()
        except BaseException:
            with self._changed:
                self._opened -= 1
                self._changed.notify()
            raise

    def _give_back(self, conn: C) -> None:
        keep = self._reusable(conn)
        with self._changed:
            keep = keep and not self._closed
            if keep:
                self._idle.append(conn)
            else:
                self._opened -= 1
            self._changed.notify()
        if not keep:
            self._close(conn)
