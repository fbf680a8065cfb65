"""Positions in TOML and JSON text: the line of a key path, for error messages.

``tomllib``, ``json`` and pydantic report what is wrong with a document by key path
(``apps.3.region``, ``agreements[2].expires``), never by line. This package scans a text once
and records the line where each key, table, array-of-tables element and array item starts:
``("agreements", 2, "expires") -> 41``. A :class:`KeyLines` answers for a path, or for its
nearest recorded parent when the path itself is missing (a required key that is absent points
at the table or object that lacks it).

The policy loader and its checks, the snapshot loader, the simulator's estate files and the
baseline report parser all locate their problems here. The scanners understand what those
files contain (TOML: headers, dotted and quoted keys, arrays of tables, multi-line strings
and arrays, inline tables, comments; JSON: all of it), are iterative (deeply nested input
cannot exhaust the stack), stop at :data:`MAX_DEPTH`, and never raise: on text they do not
understand they stop and keep what they found.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from gatekeeper.textpos.json_text import json_key_lines
from gatekeeper.textpos.keylines import MAX_DEPTH, KeyLines, Path, format_path
from gatekeeper.textpos.toml_text import toml_key_lines

__all__ = [
    "MAX_DEPTH",
    "KeyLines",
    "Path",
    "clean_path",
    "find_line",
    "format_path",
    "json_key_lines",
    "key_lines",
    "line_finder",
    "line_of",
    "toml_key_lines",
]

# What pydantic puts into an error location besides keys and indexes: the member of a union it
# tried (``str``, a model's class name) or a parametrised type (``list[str]``).
_UNION_TAGS = frozenset({"str", "int", "float", "bool", "none", "list", "dict"})
# A first line like ``[[apps]]`` or ``[institution]`` starts TOML, not a JSON array.
_TOML_HEADER = re.compile(r"\[\[?[ \t]*[A-Za-z0-9_.\"' -]+[ \t]*\]\]?[ \t]*(#.*)?\r?$")


def clean_path(loc: Sequence[Any]) -> Path:
    """A pydantic error location as a key path: without the union members it tried (``str``,
    ``AddOnEntry``: keys of these files are lower case) and parametrised types."""
    return tuple(
        part
        for part in loc
        if isinstance(part, int)
        or (
            isinstance(part, str)
            and part not in _UNION_TAGS
            and "[" not in part
            and not part[:1].isupper()
        )
    )


@lru_cache(maxsize=4)  # one text, many problems: scanned once
def key_lines(text: str) -> KeyLines:
    """:func:`json_key_lines` for text that starts like JSON, else :func:`toml_key_lines`."""
    start = text.lstrip()
    if start.startswith("{") or (
        start.startswith("[") and not _TOML_HEADER.match(start.split("\n", 1)[0])
    ):
        return json_key_lines(text)
    return toml_key_lines(text)


def line_finder(text: str) -> Callable[[Sequence[str | int]], int | None]:
    """The line of a key path in ``text`` (JSON or TOML), for many paths of one text."""
    return key_lines(text).line_of


def line_of(text: str, path: Sequence[str | int]) -> int | None:
    """The 1-based line of ``path`` in ``text`` (or of its nearest parent), or None."""
    return key_lines(text).line_of(path)


def find_line(text: str, loc: Sequence[Any], data: object = None) -> int | None:
    """The line of a pydantic error location ``loc`` in ``text`` (:func:`clean_path`), or
    None. ``data``, the parsed text, is not needed: the scan finds every item by position."""
    if not text.strip():
        return None
    return key_lines(text).line_of(clean_path(loc))
