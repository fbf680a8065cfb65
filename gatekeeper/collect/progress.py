"""Progress of a collection run: a one-line bar on a terminal's stderr, nothing otherwise."""

from __future__ import annotations

import sys
import time
from typing import Protocol, TextIO


class Progress(Protocol):
    def phase(self, name: str, total: int | None = None) -> None:
        """A new phase begins (e.g. "listing", "log drains" with the number of apps)."""

    def advance(self, n: int = 1) -> None:
        """``n`` more apps of the current phase are done (listed, or their drains read)."""

    def status(
        self, *, requests: int, rate_remaining: int | None, pages: int | None = None
    ) -> None:
        """Counters shown beside the bar: list pages read, requests sent, rate budget left."""

    def close(self) -> None:
        """The run is over: clear the line."""


class NullProgress:
    def phase(self, name: str, total: int | None = None) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def status(
        self, *, requests: int, rate_remaining: int | None, pages: int | None = None
    ) -> None:
        pass

    def close(self) -> None:
        pass


class TerminalProgress:
    """Redraws at most ten times a second so the bar never slows the audit down."""

    def __init__(self, stream: TextIO, *, width: int = 24) -> None:
        self._stream = stream
        self._width = width
        self._name = ""
        self._total: int | None = None
        self._done = 0
        self._requests = 0
        self._pages = 0
        self._rate: int | None = None
        self._last_draw = 0.0
        self._drawn = False

    def phase(self, name: str, total: int | None = None) -> None:
        self._name, self._total, self._done = name, total, 0
        self._draw(force=True)

    def advance(self, n: int = 1) -> None:
        self._done += n
        self._draw()

    def status(
        self, *, requests: int, rate_remaining: int | None, pages: int | None = None
    ) -> None:
        self._requests, self._rate = requests, rate_remaining
        if pages is not None:
            self._pages = pages
        self._draw()

    def close(self) -> None:
        if self._drawn:
            self._stream.write("\r\x1b[2K")
            self._stream.flush()

    def _draw(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        if self._total:
            filled = min(self._width, self._width * self._done // self._total)
            bar = f"[{'#' * filled}{'.' * (self._width - filled)}] {self._done}/{self._total} apps"
        else:
            bar = f"{self._done} apps"
        rate = "?" if self._rate is None else str(self._rate)
        line = (
            f"{self._name}: {bar}  pages {self._pages}, requests {self._requests}, "
            f"rate budget left {rate}"
        )
        self._stream.write("\r\x1b[2K" + line)
        self._stream.flush()
        self._drawn = True


def progress_for(stream: TextIO | None = None) -> Progress:
    """A bar when ``stream`` (stderr by default) is a terminal, silence otherwise."""
    stream = stream or sys.stderr
    return TerminalProgress(stream) if stream.isatty() else NullProgress()
