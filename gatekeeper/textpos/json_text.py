"""Where each member and item of a JSON text starts (:func:`json_key_lines`)."""

from __future__ import annotations

import bisect
import contextlib
import json
import re
from collections.abc import Callable

from gatekeeper.textpos.keylines import MAX_DEPTH, KeyLines, Path

_SPACE = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"-?[0-9][0-9.eE+-]*|true|false|null")
_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]


def json_key_lines(text: str) -> KeyLines:
    """Scan JSON text and record the line of every member (its key) and item (its value),
    and of the document itself (``()``). Never raises."""
    result = KeyLines()
    with contextlib.suppress(ValueError, IndexError):
        _scan_json(text, result.lines)
    return result


def _scan_json(text: str, lines: dict[Path, int]) -> None:
    newlines = [m.start() for m in re.finditer("\n", text)]

    def line(pos: int) -> int:  # a binary search: counting from the start made it quadratic
        return bisect.bisect_left(newlines, pos) + 1

    def skip(pos: int) -> int:
        match = _SPACE.match(text, pos)
        return match.end() if match else pos

    def member(pos: int, parent: Path) -> tuple[int, Path]:
        """At a key: record it, return the position after its ``:`` and its path."""
        pos = skip(pos)
        if text[pos] != '"':
            raise ValueError(pos)
        key, after = _scanstring(text, pos + 1)
        lines.setdefault((*parent, key), line(pos))
        after = skip(after)
        if text[after] != ":":
            raise ValueError(after)
        return after + 1, (*parent, key)

    stack: list[tuple[str, Path, list[int]]] = []  # open containers: kind, path, next index
    pos, at_value = 0, True
    path: Path = ()
    while True:
        if at_value:
            pos = skip(pos)
            char = text[pos]  # past the end: IndexError, and the scan stops
            lines.setdefault(path, line(pos))
            if char in "{[":
                if len(stack) >= MAX_DEPTH:
                    raise ValueError("too deep")
                closing = "}" if char == "{" else "]"
                pos = skip(pos + 1)
                if text[pos] == closing:
                    pos, at_value = pos + 1, False
                elif char == "{":
                    stack.append(("object", path, [0]))
                    pos, path = member(pos, path)
                else:
                    stack.append(("array", path, [0]))
                    path = (*path, 0)
                continue
            if char == '"':
                pos = _scanstring(text, pos + 1)[1]
            else:
                match = _SCALAR.match(text, pos)
                if not match:
                    raise ValueError(pos)
                pos = match.end()
            at_value = False
            continue
        if not stack:
            return
        kind, parent, index = stack[-1]
        pos = skip(pos)
        if text[pos] == ",":
            if kind == "object":
                pos, path = member(pos + 1, parent)
            else:
                index[0] += 1
                pos, path = pos + 1, (*parent, index[0])
            at_value = True
        elif text[pos] == ("}" if kind == "object" else "]"):
            stack.pop()
            pos += 1
        else:
            raise ValueError(pos)
