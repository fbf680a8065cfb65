"""The line of each key path found in a text, and how a path is written in messages."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

Path = tuple[str | int, ...]

BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
# Far deeper than any policy, snapshot or report; beyond it a scan stops (and lookups use the
# enclosing table), which keeps absurd input from costing more than linear time.
MAX_DEPTH = 32


@dataclass
class KeyLines:
    """Lines of the keys found in one text; look paths up with :meth:`line_of`."""

    lines: dict[Path, int] = field(default_factory=dict)
    headers: list[tuple[int, Path]] = field(default_factory=list)  # TOML: (line, table path)

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """Line of ``path``, else of its nearest recorded parent (in JSON, at worst the line
        where the document starts); None if nothing matches."""
        probe = tuple(path)
        while True:
            line = self.lines.get(probe)
            if line is not None:
                return line
            if not probe:
                return None
            probe = probe[:-1]

    def path_at(self, line: int) -> Path:
        """The key path in effect at a line: a key on that line, else the enclosing table."""
        on_line = [p for p, n in self.lines.items() if n == line]
        if on_line:
            return max(on_line, key=len)
        table: Path = ()
        for header_line, path in self.headers:
            if header_line <= line:
                table = path
        return table


def format_path(path: Path) -> str:
    """``("agreements", 2, "expires")`` -> ``agreements[2].expires`` (keys quoted if needed)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        text = part if BARE_KEY.fullmatch(part) else '"' + part.replace('"', '\\"') + '"'
        out += f".{text}" if out else text
    return out
