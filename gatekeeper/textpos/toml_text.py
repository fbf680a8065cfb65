"""Where each key, table, array-of-tables element and array item of a TOML text starts
(:func:`toml_key_lines`).

``tomllib`` returns plain dicts without positions, so this scans the text once. It understands
what a policy or estate file can contain (headers, dotted and quoted keys, arrays of tables,
multi-line strings and arrays, inline tables, comments) and never raises: on text it does not
understand it stops and keeps what it found, so a lookup falls back to the nearest enclosing
table. It is iterative (no recursion), so deeply nested input cannot exhaust the stack.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

from gatekeeper.textpos.keylines import BARE_KEY, MAX_DEPTH, KeyLines, Path

_SCALAR_END = set(",]}#\n\r \t")


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1

    def peek(self, n: int = 1) -> str:
        return self.text[self.pos : self.pos + n]

    def advance(self, n: int = 1) -> None:
        chunk = self.text[self.pos : self.pos + n]
        self.line += chunk.count("\n")
        self.pos += len(chunk)

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def skip_blank(self, *, newlines: bool) -> None:
        while not self.at_end():
            c = self.text[self.pos]
            if c in " \t" or (newlines and c in "\r\n"):
                self.advance()
            elif c == "#":
                end = self.text.find("\n", self.pos)
                self.advance((len(self.text) if end < 0 else end) - self.pos)
            else:
                return

    def read_key(self) -> tuple[str, ...]:
        """A dotted key; raises ValueError when there is none."""
        parts: list[str] = []
        while True:
            self.skip_blank(newlines=False)
            c = self.peek()
            if c == '"':
                parts.append(self._read_basic_string())
            elif c == "'":
                parts.append(self._read_literal_string())
            else:
                m = BARE_KEY.match(self.text, self.pos)
                if not m:
                    raise ValueError("no key")
                parts.append(m.group(0))
                self.advance(m.end() - self.pos)
            self.skip_blank(newlines=False)
            if self.peek() != ".":
                return tuple(parts[:MAX_DEPTH])  # deeper parts are never looked up
            self.advance()

    def _read_basic_string(self) -> str:
        self.advance()  # opening quote
        out: list[str] = []
        while not self.at_end():
            c = self.text[self.pos]
            if c == "\\":
                out.append(self.peek(2)[1:])
                self.advance(2)
            elif c == '"':
                self.advance()
                return "".join(out)
            elif c == "\n":
                raise ValueError("newline in string")
            else:
                out.append(c)
                self.advance()
        raise ValueError("unterminated string")

    def _read_literal_string(self) -> str:
        end = self.text.find("'", self.pos + 1)
        if end < 0:
            raise ValueError("unterminated string")
        value = self.text[self.pos + 1 : end]
        self.advance(end + 1 - self.pos)
        return value

    def skip_string(self) -> bool:
        """Skip a string value at the cursor; False when the cursor is not on one."""
        for delim in ('"""', "'''"):
            if self.peek(3) == delim:
                self.advance(3)
                while not self.at_end():
                    if delim == '"""' and self.peek() == "\\":
                        self.advance(2)
                        continue
                    if self.peek(3) == delim:
                        # up to two more quotes may belong to the content
                        self.advance(3)
                        while self.peek() == delim[0]:
                            self.advance()
                        return True
                    self.advance()
                raise ValueError("unterminated multi-line string")
        if self.peek() == '"':
            self._read_basic_string()
            return True
        if self.peek() == "'":
            self._read_literal_string()
            return True
        return False

    def skip_scalar(self) -> None:
        start = self.pos
        while not self.at_end() and self.text[self.pos] not in _SCALAR_END:
            self.advance()
        # dates with a time part ("1979-05-27 07:32:00") contain one space
        if (
            self.peek() == " "
            and self.pos > start
            and re.fullmatch(r"\d{4}-\d{2}-\d{2}", self.text[start : self.pos])
            and re.match(r" \d{2}:", self.text[self.pos : self.pos + 4])
        ):
            self.advance()
            self.skip_scalar()


@dataclass
class _Frame:
    kind: str  # "array" or "inline"
    path: Path
    index: int = 0


def toml_key_lines(text: str) -> KeyLines:
    """Scan TOML text and record the line of every key path it can find. Never raises."""
    result = KeyLines()
    # On text it does not understand, keep what was found: lookups fall back to tables.
    with contextlib.suppress(ValueError, IndexError):
        _scan(text, result)
    return result


def _record(result: KeyLines, path: Path, line: int) -> None:
    for end in range(1, len(path) + 1):
        result.lines.setdefault(path[:end], line)


def _scan(text: str, result: KeyLines) -> None:
    s = _Scanner(text)
    table: Path = ()
    aot_counts: dict[Path, int] = {}
    stack: list[_Frame] = []

    def start_value(path: Path) -> None:
        s.skip_blank(newlines=False)
        c = s.peek()
        if c in "[{" and len(path) >= MAX_DEPTH:
            raise ValueError("too deep")
        if c == "[":
            s.advance()
            stack.append(_Frame("array", path))
        elif c == "{":
            s.advance()
            stack.append(_Frame("inline", path))
        elif not s.skip_string():
            s.skip_scalar()

    def resolve(parts: tuple[str, ...]) -> Path:
        resolved: Path = ()
        for part in parts:
            resolved = (*resolved, part)
            if resolved in aot_counts:
                resolved = (*resolved, aot_counts[resolved] - 1)
        return resolved

    while True:
        before = s.pos
        if stack:
            frame = stack[-1]
            s.skip_blank(newlines=True)
            c = s.peek()
            if not c:
                return
            if c == ("]" if frame.kind == "array" else "}"):
                s.advance()
                stack.pop()
            elif c == ",":
                s.advance()
            elif frame.kind == "array":
                path = (*frame.path, frame.index)
                frame.index += 1
                _record(result, path, s.line)
                start_value(path)
            else:
                parts = s.read_key()
                if s.peek() != "=":
                    raise ValueError("expected =")
                s.advance()
                path = (*frame.path, *parts)
                _record(result, path, s.line)
                start_value(path)
        else:
            s.skip_blank(newlines=True)
            if s.at_end():
                return
            if s.peek(2) == "[[":
                s.advance(2)
                parts = s.read_key()
                if s.peek(2) != "]]":
                    raise ValueError("expected ]]")
                s.advance(2)
                base = (*resolve(parts[:-1]), parts[-1])
                index = aot_counts.get(base, 0)
                aot_counts[base] = index + 1
                table = (*base, index)
                _record(result, table, s.line)
                result.headers.append((s.line, table))
            elif s.peek() == "[":
                s.advance()
                parts = s.read_key()
                if s.peek() != "]":
                    raise ValueError("expected ]")
                s.advance()
                table = resolve(parts)
                _record(result, table, s.line)
                result.headers.append((s.line, table))
            else:
                parts = s.read_key()
                if s.peek() != "=":
                    raise ValueError("expected =")
                s.advance()
                path = (*table, *parts)
                _record(result, path, s.line)
                start_value(path)
        if s.pos == before:
            raise ValueError("no progress")
