"""Heroku's ``Range`` pagination: parsing the header and cutting one page out of a list.

The grammar Heroku documents and answers with (``Next-Range``)::

    Range: <field> [ ']' ]<start>..[ '[' ]<end> [; max=<n>] [, order=asc|desc]

``]start`` excludes the start value (the next page begins after the last one seen),
``end[`` excludes the end. The default page is 200 items, the most 1000. A list answers
206 with ``Next-Range`` while more items follow, 200 with the last page.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

DEFAULT_PAGE = 200
MAX_PAGE = 1000

T = TypeVar("T")

_RANGE = re.compile(r"^\s*(?P<field>[a-z_]+)\s*(?P<bounds>[^;,]*?)\s*(?:[;,](?P<options>.*))?$")


class RangeError(ValueError):
    """The Range header cannot be satisfied (answered with 416)."""


@dataclass(frozen=True)
class RangeSpec:
    """A parsed ``Range`` header."""

    field: str = "id"
    start: str | None = None
    start_exclusive: bool = False
    end: str | None = None
    end_exclusive: bool = False
    max: int = DEFAULT_PAGE
    order: Literal["asc", "desc"] = "asc"

    def header(self) -> str:
        """The header value that asks for this range again."""
        start = (("]" if self.start_exclusive else "") + self.start) if self.start else ""
        end = (self.end + ("[" if self.end_exclusive else "")) if self.end else ""
        options = f"max={self.max}" + (", order=desc" if self.order == "desc" else "")
        return f"{self.field} {start}..{end}; {options}"

    def first_page(self) -> RangeSpec:
        """The same range from its beginning (what a looping ``Next-Range`` points back to)."""
        return RangeSpec(
            self.field, None, False, self.end, self.end_exclusive, self.max, self.order
        )


def parse_range(header: str | None, fields: Sequence[str]) -> RangeSpec:
    """Parse ``header`` for a list sortable by ``fields``; no header means the first page."""
    if header is None or not header.strip():
        return RangeSpec(field=fields[0])
    match = _RANGE.match(header)
    if not match:
        raise RangeError(f"cannot parse Range {header!r}")
    field = match.group("field")
    if field not in fields:
        raise RangeError(f"this list can be ranged by {', '.join(fields)}, not {field!r}")
    bounds = match.group("bounds")
    if ".." not in bounds:
        raise RangeError(f"a Range needs 'start..end' (either may be empty), got {bounds!r}")
    raw_start, _, raw_end = bounds.partition("..")
    start_exclusive = raw_start.startswith("]")
    end_exclusive = raw_end.endswith("[")
    start = raw_start[1:] if start_exclusive else raw_start
    end = raw_end[:-1] if end_exclusive else raw_end
    size = DEFAULT_PAGE
    order: Literal["asc", "desc"] = "asc"
    for option in re.split(r"[;,]", match.group("options") or ""):
        option = option.strip()
        if not option:
            continue
        key, sep, value = option.partition("=")
        key, value = key.strip(), value.strip()
        if not sep:
            raise RangeError(f"unknown Range option {option!r}")
        if key == "max":
            if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
                raise RangeError(f"max must be a whole number from 1 to {MAX_PAGE}, got {value!r}")
            size = int(value)
        elif key == "order":
            if value not in ("asc", "desc"):
                raise RangeError(f"order must be asc or desc, got {value!r}")
            order = "desc" if value == "desc" else "asc"
        else:
            raise RangeError(f"unknown Range option {key!r}")
    return RangeSpec(
        field,
        start or None,
        start_exclusive and bool(start),
        end or None,
        end_exclusive and bool(end),
        size,
        order,
    )


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, their keys, and the range of the next page (if any)."""

    items: Sequence[T]
    first_key: str | None
    last_key: str | None
    next_range: RangeSpec | None

    def content_range(self, field: str) -> str | None:
        if self.first_key is None or self.last_key is None:
            return None
        return f"{field} {self.first_key}..{self.last_key}"


def cut_page(items: Sequence[T], keys: Sequence[str], spec: RangeSpec) -> Page[T]:
    """The page ``spec`` selects from ``items``, which are sorted ascending by ``keys``."""
    if spec.order == "asc":
        lo = _lower(keys, spec.start, exclusive=spec.start_exclusive)
        hi = _upper(keys, spec.end, exclusive=spec.end_exclusive)
        stop = min(hi, lo + spec.max) if hi > lo else lo
        chosen = list(items[lo:stop])
        chosen_keys = keys[lo:stop]
        more = stop < hi
    else:
        hi = _upper(keys, spec.start, exclusive=spec.start_exclusive)
        lo = _lower(keys, spec.end, exclusive=spec.end_exclusive)
        begin = max(lo, hi - spec.max) if hi > lo else hi
        chosen = list(reversed(items[begin:hi]))
        chosen_keys = list(reversed(keys[begin:hi]))
        more = begin > lo
    if not chosen:
        return Page(chosen, None, None, None)
    next_range = None
    if more:
        next_range = RangeSpec(
            spec.field, chosen_keys[-1], True, spec.end, spec.end_exclusive, spec.max, spec.order
        )
    return Page(chosen, chosen_keys[0], chosen_keys[-1], next_range)


def _lower(keys: Sequence[str], bound: str | None, *, exclusive: bool) -> int:
    if bound is None:
        return 0
    return bisect_right(keys, bound) if exclusive else bisect_left(keys, bound)


def _upper(keys: Sequence[str], bound: str | None, *, exclusive: bool) -> int:
    if bound is None:
        return len(keys)
    return bisect_left(keys, bound) if exclusive else bisect_right(keys, bound)
