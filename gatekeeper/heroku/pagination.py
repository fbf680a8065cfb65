"""Following Heroku's ``Range`` pagination only while it moves forward.

A list is read with ``Range: id ..; max=1000``; while more follows, Heroku answers ``206`` with
``Next-Range: id ]<last id>..; max=1000`` (``]`` excludes the id itself). A server that points
back, repeats a range in another spelling or never ends would otherwise cost thousands of
requests and keep every page in memory. ``ListGuard`` stops such a list with a
``ProtocolError`` (exit 3): the next range must start after the last id returned, and the
number of pages is bounded by what the first page's size implies for the longest list the
gatekeeper accepts (``MAX_LIST_ITEMS``), plus a margin.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from gatekeeper.errors import ProtocolError
from gatekeeper.redact import redact

FIELD = "id"
PAGE_SIZE = 1000  # Heroku's largest page
FIRST_RANGE = f"{FIELD} ..; max={PAGE_SIZE}"
MAX_LIST_ITEMS = 100_000  # far beyond any estate (10,000 apps have ~20,000 add-ons)
PAGE_MARGIN = 10  # pages allowed beyond what the first page's size implies
MAX_PAGES = 1_000  # whatever the first page says (a first page of one item implies 100,000)

_RANGE = re.compile(
    r"^\s*(?:(?P<field>[a-z_]+)\s+)?(?P<exclusive>\])?(?P<start>[^.\s;,]*)\s*\.\.\s*"
    r"(?P<end>[^;,\s]*?)\s*(?:[;,](?P<options>.*))?$"
)
PARTIAL_LIST_HINT = (
    "Nothing was decided on a partial list (fail closed); run again, and if "
    "it persists, check https://status.heroku.com."
)


@dataclass(frozen=True)
class Range:
    """A ``Range`` / ``Next-Range`` value reduced to what it means, whatever its spelling."""

    field: str
    start: str
    exclusive: bool
    end: str
    options: tuple[str, ...]

    @classmethod
    def parse(cls, value: str) -> Range | None:
        match = _RANGE.match(value)
        if match is None:
            return None
        options = tuple(
            sorted(
                re.sub(r"\s+", "", option).lower()
                for option in re.split(r"[;,]", match.group("options") or "")
                if option.strip()
            )
        )
        return cls(
            field=match.group("field") or FIELD,
            start=match.group("start").lower(),
            exclusive=bool(match.group("exclusive")),
            end=match.group("end").lower(),
            options=options,
        )


class ListGuard:
    """Watches the pages of one list and raises ``ProtocolError`` when it stops making sense."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.pages = 0
        self.items = 0
        self._max_pages = MAX_PAGES
        self._first_size = 0
        self._last: str | None = None  # the last id returned so far
        first = Range.parse(FIRST_RANGE)
        assert first is not None  # a constant
        self._asked: dict[Range, str] = {first: FIRST_RANGE}  # each range as first spelled

    def page(self, items: list[Any], next_range: str | None) -> str:
        """Count a 206 page of ``items``; returns the range to ask for next."""
        self.pages += 1
        self.items += len(items)
        if self.pages == 1:
            self._first_size = len(items)
            implied = math.ceil(MAX_LIST_ITEMS / max(1, len(items)))
            self._max_pages = min(MAX_PAGES, implied + PAGE_MARGIN)
        if not next_range:
            raise _error(
                f"The API answered GET {self.path} with 206 Partial Content but no Next-Range "
                f"header (after {self.pages} page(s)), so the rest of the list cannot be fetched."
            )
        parsed = Range.parse(next_range)
        if parsed is None or parsed.field != FIELD:
            raise _error(
                f"The API's Next-Range for GET {self.path} is not a range of ids "
                f"({_shown(next_range)}) after {self.pages} page(s)."
            )
        spelled = self._asked.get(parsed)
        if spelled is not None:
            other = f", spelled differently from {_shown(spelled)}" if spelled != next_range else ""
            raise _error(
                f"The API's Next-Range for GET {self.path} repeats a range already fetched "
                f"({_shown(next_range)}{other}) after {self.pages} page(s); stopping instead "
                "of looping forever."
            )
        last = _last_id(items) or self._last  # an empty page: the last id of an earlier one
        self._last = last
        if not self._moves_forward(parsed, last):
            raise _error(
                f"The API's Next-Range for GET {self.path} goes backwards: it starts at "
                f"{_shown(parsed.start) if parsed.start else 'the beginning'}, not after the "
                f"last id returned ({_shown(last or '')}), "
                f"after {self.pages} page(s); stopping instead of fetching pages again."
            )
        if self.pages >= self._max_pages or self.items >= MAX_LIST_ITEMS:
            raise _error(
                f"The list GET {self.path} did not end after {self.pages} pages "
                f"({self.items:,} items): the gatekeeper reads at most {MAX_LIST_ITEMS:,} items "
                f"a list, which with a first page of {self._first_size:,} means at most "
                f"{self._max_pages:,} pages; stopping instead of reading on."
            )
        self._asked[parsed] = next_range
        return next_range

    def _moves_forward(self, parsed: Range, last: str | None) -> bool:
        if last is None:
            # Items without ids (never from Heroku) cannot show the way; a repeated range
            # and the page bound still stop such a list.
            return True
        # "]last" is Heroku's own answer; an inclusive start must lie beyond the last id.
        return parsed.start >= last if parsed.exclusive else parsed.start > last


def _error(message: str) -> ProtocolError:
    return ProtocolError(message, hint=PARTIAL_LIST_HINT)


def _last_id(items: list[Any]) -> str | None:
    if items and isinstance(items[-1], dict):
        value = items[-1].get(FIELD)
        if isinstance(value, str) and value:
            return value.lower()
    return None


def _shown(value: str) -> str:
    return repr(redact(value[:120]))
