"""Finding the line of a key path (``apps[3].team``) in an estate file, for error messages.

JSON is located exactly: a small scanner walks the (already valid) document and records the
line of every member and item. TOML is located by walking the path through the text: an array
of tables by counting its ``[[name]]`` headers, a key by its ``key =`` line, an inline item by
its value.
"""

from __future__ import annotations

import contextlib
import json
import re
from bisect import bisect_right
from collections.abc import Callable
from functools import lru_cache
from typing import Any

Path = tuple[str | int, ...]

_WS = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")
_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]


def clean_path(loc: tuple[Any, ...]) -> Path:
    """A pydantic error location without the union branches it tried (``str``, model names)."""
    return tuple(
        p
        for p in loc
        if isinstance(p, int)
        or (isinstance(p, str) and p not in ("str", "AddOnEntry", "LogDrainEntry") and "[" not in p)
    )


def find_line(text: str, loc: tuple[Any, ...], data: Any) -> int | None:
    """The 1-based line of ``loc`` in ``text`` (or of its closest located parent), or None."""
    if not text.strip():
        return None
    path = clean_path(loc)
    if text.lstrip().startswith(("{", "[")):
        lines = _json_lines(text)
        for end in range(len(path), 0, -1):
            if path[:end] in lines:
                return lines[path[:end]]
        return None
    return _toml_line(text.splitlines(), path, data)


@lru_cache(maxsize=4)
def _json_lines(text: str) -> dict[Path, int]:
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    out: dict[Path, int] = {}

    def line(pos: int) -> int:
        return bisect_right(starts, pos)

    def skip(pos: int) -> int:
        match = _WS.match(text, pos)
        return match.end() if match else pos

    def value(pos: int, path: Path) -> int:
        pos = skip(pos)
        char = text[pos]
        if char == "{":
            pos = skip(pos + 1)
            if text[pos] == "}":
                return pos + 1
            while True:
                pos = skip(pos)
                key, after = _scanstring(text, pos + 1)
                out.setdefault((*path, key), line(pos))
                pos = value(skip(after) + 1, (*path, key))  # past the ':'
                pos = skip(pos)
                if text[pos] == ",":
                    pos += 1
                    continue
                return pos + 1
        if char == "[":
            pos = skip(pos + 1)
            if text[pos] == "]":
                return pos + 1
            index = 0
            while True:
                pos = skip(pos)
                out.setdefault((*path, index), line(pos))
                pos = skip(value(pos, (*path, index)))
                if text[pos] == ",":
                    pos += 1
                    index += 1
                    continue
                return pos + 1
        if char == '"':
            return _scanstring(text, pos + 1)[1]
        match = _SCALAR.match(text, pos)
        return match.end() if match else pos + 1

    with contextlib.suppress(IndexError, ValueError):  # a partial map is still useful
        value(0, ())
    return out


def _toml_line(lines: list[str], path: Path, data: Any) -> int | None:
    start, end = 0, len(lines)
    found: int | None = None
    node: Any = data
    table = ""  # dotted name of the array of tables we are in
    for position, part in enumerate(path):
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            header = re.compile(rf"^\s*\[\[\s*{re.escape(table)}\s*\]\]") if table else None
            hits = [i for i in range(start, end) if header and header.match(lines[i])]
            if part < len(hits):
                start = found = hits[part]
                end = (
                    hits[part + 1]
                    if part + 1 < len(hits)
                    else _next_sibling(lines, hits[part], end, table)
                )
            else:  # an inline array item: find it by its value
                anchor = _anchor(item)
                hit = next((i for i in range(start, end) if anchor and anchor in lines[i]), None)
                if hit is not None:
                    start = found = hit
            node = item
            continue
        table = f"{table}.{part}" if table and isinstance(path[position - 1], int) else part
        key = re.compile(rf"^\s*{re.escape(part)}\s*=|^\s*\[\[\s*{re.escape(table)}\s*\]\]")
        hit = next((i for i in range(start, end) if key.search(lines[i])), None)
        if hit is not None:
            start = found = hit
        node = node.get(part) if isinstance(node, dict) else None
    return None if found is None else found + 1


def _next_sibling(lines: list[str], after: int, end: int, table: str) -> int:
    """Where the table starting at ``after`` ends: the next header of the same or a parent."""
    depth = table.count(".")
    for i in range(after + 1, end):
        match = re.match(r"^\s*\[\[?\s*([A-Za-z0-9_.-]+)\s*\]\]?", lines[i])
        if match and match.group(1).count(".") <= depth:
            return i
    return end


def _anchor(item: Any) -> str | None:
    if isinstance(item, str):
        return json.dumps(item)
    if isinstance(item, dict):
        for key in ("name", "token", "url", "plan", "email"):
            value = item.get(key)
            if isinstance(value, str):
                return json.dumps(value)
    return None
