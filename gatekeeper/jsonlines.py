"""Finds the line of a value in JSON text by its key path, for error messages.

``json`` tells where a syntax error is, but pydantic's validation errors only carry a key
path (``apps.3.region``). This walks the text once and records the line where each path's
value starts. Only called on the error path; any surprise yields ``None``, never an error.
"""

from __future__ import annotations

import bisect
import contextlib
import re
from collections.abc import Callable, Sequence

_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SCALAR = re.compile(r"-?[0-9][0-9.eE+-]*|true|false|null")


def line_of(text: str, path: Sequence[str | int]) -> int | None:
    """1-based line where the value at ``path`` starts (the nearest existing parent's line
    when the path is missing), or None when the text cannot be walked."""
    return line_finder(text)(path)


def line_finder(text: str) -> Callable[[Sequence[str | int]], int | None]:
    """``line_of`` for many paths of one text: the text is walked once, not once per path
    (which for a large snapshot with many errors took minutes)."""
    lines: dict[tuple[str | int, ...], int] = {}
    with contextlib.suppress(ValueError, IndexError, RecursionError):
        _Walker(text, lines).value(0, ())

    def find(path: Sequence[str | int]) -> int | None:
        key = tuple(path)
        while key:
            if key in lines:
                return lines[key]
            key = key[:-1]
        return lines.get(())

    return find


class _Walker:
    def __init__(self, text: str, lines: dict[tuple[str | int, ...], int]) -> None:
        self.text = text
        self.lines = lines
        # Where each line ends, so that finding a position's line is a binary search, not a
        # count from the start (which made large files quadratic).
        self._newlines = [m.start() for m in re.finditer("\n", text)]

    def _skip(self, pos: int) -> int:
        match = _WS.match(self.text, pos)
        return match.end() if match else pos

    def _line(self, pos: int) -> int:
        return bisect.bisect_left(self._newlines, pos) + 1

    def value(self, pos: int, path: tuple[str | int, ...]) -> int:
        pos = self._skip(pos)
        self.lines.setdefault(path, self._line(pos))
        ch = self.text[pos]
        if ch == "{":
            return self._object(pos + 1, path)
        if ch == "[":
            return self._array(pos + 1, path)
        match = _STRING.match(self.text, pos) or _SCALAR.match(self.text, pos)
        if not match:
            raise ValueError(pos)
        return match.end()

    def _object(self, pos: int, path: tuple[str | int, ...]) -> int:
        pos = self._skip(pos)
        if self.text[pos] == "}":
            return pos + 1
        while True:
            pos = self._skip(pos)
            match = _STRING.match(self.text, pos)
            if not match:
                raise ValueError(pos)
            key = match.group()[1:-1]
            key_line = self._line(pos)
            pos = self._skip(match.end())
            if self.text[pos] != ":":
                raise ValueError(pos)
            self.lines.setdefault((*path, key), key_line)
            pos = self._skip(self.value(pos + 1, (*path, key)))
            if self.text[pos] == ",":
                pos += 1
                continue
            if self.text[pos] == "}":
                return pos + 1
            raise ValueError(pos)

    def _array(self, pos: int, path: tuple[str | int, ...]) -> int:
        pos = self._skip(pos)
        if self.text[pos] == "]":
            return pos + 1
        index = 0
        while True:
            pos = self._skip(self.value(pos, (*path, index)))
            index += 1
            if self.text[pos] == ",":
                pos += 1
                continue
            if self.text[pos] == "]":
                return pos + 1
            raise ValueError(pos)
