"""Load a policy file: TOML -> strict models, every problem reported at once with its line.

The loader's promise: whatever bytes it is given, it returns a ``Policy`` or raises
``PolicyError`` (exit code 2) listing every problem found, each with the file, the line and
the key path (``agreements[2].expires``). Nothing else escapes it: not ``UnicodeDecodeError``,
not ``TOMLDecodeError``, not ``RecursionError`` from absurdly nested input.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
import tomllib
from datetime import date, datetime, time
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any

from gatekeeper.errors import PolicyError, Problem
from gatekeeper.knowledge import DATA_CLASSES
from gatekeeper.policy.checks import cross_checks
from gatekeeper.policy.model import (
    AddonsPolicy,
    Agreement,
    AppEntry,
    ClassRule,
    Defaults,
    Institution,
    LogsPolicy,
    Policy,
    Waiver,
    quote,
    suggest,
)
from gatekeeper.records import ErrorDetails, RecordError, read, record_fields

# The key-line scanner and the path words only place problems in the file (textpos): a
# valid policy never loads them.
if TYPE_CHECKING:
    from gatekeeper.textpos import KeyLines, Path

# Far beyond any real policy; refuses an accidentally given binary or log file quickly.
MAX_POLICY_BYTES = 5_000_000

_HINT = (
    "Fix the policy file; docs/policy.md describes the format and `gatekeeper policy "
    "explain` lists the rule ids."
)

_TABLES: dict[tuple[str, ...], type] = {
    (): Policy,
    ("institution",): Institution,
    ("defaults",): Defaults,
    ("classes", "*"): ClassRule,
    ("agreements", "*"): Agreement,
    ("addons",): AddonsPolicy,
    ("logs",): LogsPolicy,
    ("apps", "*"): AppEntry,
    ("waivers", "*"): Waiver,
}
_ARRAYS_OF_TABLES = {"agreements", "apps", "waivers"}

_MISSING: dict[tuple[str, ...], str] = {
    ("version",): "the policy format version is missing: add version = 1 at the top",
    ("agreements", "*", "expires"): "an agreement needs an end date: add expires = "
    "YYYY-MM-DD (the last day it is in force)",
    ("agreements", "*", "id"): 'an agreement needs an id = "..." (used in findings and waivers)',
    ("waivers", "*", "expires"): "a waiver needs an end date: add expires = YYYY-MM-DD; "
    "waivers never last forever",
    ("waivers", "*", "approved_by"): 'a waiver needs approved_by = "...": who approved '
    "this exception",
    ("waivers", "*", "reason"): 'a waiver needs reason = "...": why the exception is acceptable',
    ("waivers", "*", "rule"): 'a waiver needs rule = "...": the rule id whose findings it hides',
    ("waivers", "*", "app"): 'a waiver needs app = "...": the app name or glob it applies to',
    ("apps", "*", "name"): 'an [[apps]] entry needs name = "..." (an app name or glob)',
    ("apps", "*", "data_class"): 'an [[apps]] entry needs data_class = "..." (one of '
    + ", ".join(DATA_CLASSES)
    + ")",
}


def load_policy(path: str | FsPath) -> Policy:
    """Read and validate a policy file; raises ``PolicyError`` listing every problem."""
    source = str(path)
    try:
        data = FsPath(path).read_bytes()
    except FileNotFoundError:
        raise PolicyError(
            [Problem(source, None, "", "the policy file does not exist")],
            hint="Give an existing file with --policy, GATEKEEPER_POLICY, or "
            "put gatekeeper.toml in the current directory.",
        ) from None
    except IsADirectoryError:
        raise PolicyError(
            [Problem(source, None, "", "is a directory, not a policy file")]
        ) from None
    except OSError as exc:
        raise PolicyError(
            [Problem(source, None, "", f"cannot be read ({exc.strerror or type(exc).__name__})")]
        ) from None
    return loads_policy(data, source=source)


def loads_policy(text: str | bytes, *, source: str = "<string>") -> Policy:
    """Validate policy text (TOML, or its UTF-8 bytes); raises ``PolicyError`` on problems."""
    raw_bytes = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if len(raw_bytes) > MAX_POLICY_BYTES:
        _fail(
            source,
            [
                (
                    None,
                    "",
                    f"is {len(raw_bytes)} bytes long; a policy file is at most "
                    f"{MAX_POLICY_BYTES} bytes",
                )
            ],
        )
    decoded = _decode(raw_bytes, source)
    data = _parse_toml(decoded, source)
    # The key lines only place problems in the file: a valid policy never scans for them.
    lines = functools.cache(lambda: _key_lines(decoded))
    found: list[tuple[Path, str]] = []
    policy: Policy | None = None
    try:
        policy = read(Policy, data)
    except RecordError as exc:
        found += [_describe(err) for err in exc.errors()]
    except RecursionError:
        found.append(((), "the file is nested too deeply to be a policy"))
    found += cross_checks(data, lines)
    if found or policy is None:
        _fail(source, [(lines().line_of(path), _format_path(path), msg) for path, msg in found])
    assert policy is not None  # for the type checker: _fail raised otherwise
    return dataclasses.replace(
        policy, _source_path=source, _sha256=hashlib.sha256(raw_bytes).hexdigest()
    )


def _fail(source: str, entries: list[tuple[int | None, str, str]]) -> None:
    unique = sorted(set(entries), key=lambda e: (e[0] is None, e[0] or 0, e[1], e[2]))
    raise PolicyError([Problem(source, line, key, msg) for line, key, msg in unique], hint=_HINT)


def _decode(data: bytes, source: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a UTF-8 byte order mark, as some Windows editors write
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        _fail(
            source,
            [
                (
                    line,
                    "",
                    f"is not UTF-8 text (byte 0x{data[exc.start]:02x} at "
                    f"column {column}); TOML files must be UTF-8",
                )
            ],
        )
        raise AssertionError("unreachable") from None


_AT_LINE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_AT_END = re.compile(r"\s*\(at end of document\)\s*$")


def _parse_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line: int | None = getattr(exc, "lineno", None)
        column: int | None = getattr(exc, "colno", None)
        m = _AT_LINE.search(message)
        if m:
            line, column = int(m.group(1)), int(m.group(2))
            message = message[: m.start()]
        elif _AT_END.search(message):
            line = text.count("\n") + 1
            message = _AT_END.sub("", message)
        where = f" (column {column})" if column else ""
        key = _format_path(_key_lines(text).path_at(line)) if line else ""
        _fail(source, [(line, key, f"TOML syntax error: {message}{where}")])
    except RecursionError:
        _fail(source, [(None, "", "the file is nested too deeply to be a policy")])
    except ValueError as exc:  # e.g. a date that does not exist, on some Python versions
        _fail(source, [(None, "", f"TOML syntax error: {exc}")])
    raise AssertionError("unreachable")


def _key_lines(text: str) -> KeyLines:
    from gatekeeper.textpos import toml_key_lines

    return toml_key_lines(text)


def _format_path(path: Path) -> str:
    from gatekeeper.textpos import format_path

    return format_path(path)


def _shape(path: Path) -> tuple[str, ...]:
    """("agreements", 2, "expires") -> ("agreements", "*", "expires"); class names -> "*"."""
    out: list[str] = []
    for i, part in enumerate(path):
        if isinstance(part, int) or (i == 1 and path[0] == "classes"):
            out.append("*")
        else:
            out.append(part)
    return tuple(out)


def _toml_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, datetime):
        return "a date-time"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, time):
        return "a time"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _show(value: Any) -> str:
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | date | time):
        return str(value)
    return _toml_type(value)


_EXPECTED = {
    "string_type": "a string (in quotes)",
    "bool_type": "true or false",
    "int_type": "an integer",
    "list_type": "an array",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
}


def _describe(err: ErrorDetails) -> tuple[Path, str]:
    """One problem (``gatekeeper.records``, shaped as pydantic's) as (key path, plain words)."""
    loc = err["loc"]
    is_key = bool(loc) and loc[-1] == "[key]"
    path: Path = tuple(p for p in loc if p != "[key]")
    shape = _shape(path)
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    name = _format_path(path)

    if kind == "missing":
        message = _MISSING.get(shape)
        return path, message or f"the required key {path[-1]} is missing"
    if kind == "extra_forbidden":
        return path, _unknown_key(path)
    if kind == "value_error":
        return path, str(ctx.get("error", err["msg"])).removeprefix("Value error, ")
    if kind == "literal_error":
        if shape == ("version",):
            return path, (
                f"unsupported policy version {_show(value)}: this gatekeeper reads version 1"
            )
        if isinstance(value, str) and (is_key or shape[-1] == "data_class"):
            return path, (
                f"unknown data class {_show(value)}{suggest(value, DATA_CLASSES)}: "
                "the classes are " + ", ".join(DATA_CLASSES)
            )
        return path, f"{_show(value)} is not allowed here; use one of {ctx.get('expected')}"
    if kind == "date_type":
        if isinstance(value, str):
            return path, (
                f"must be a TOML date without quotes, such as {name.split('.')[-1]} "
                f"= 2028-12-31 (got the string {_show(value)})"
            )
        if isinstance(value, datetime):
            return (
                path,
                f"must be a date without a time of day, such as 2028-12-31 (got {_show(value)})",
            )
        return path, f"must be a date such as 2028-12-31, not {_toml_type(value)}"
    if kind == "list_type" and shape and shape[-1] in _ARRAYS_OF_TABLES and len(shape) == 1:
        return path, (f"must be an array of tables, written [[{path[0]}]], not {_toml_type(value)}")
    if kind in _EXPECTED:
        return path, f"must be {_EXPECTED[kind]}, not {_toml_type(value)} ({_show(value)})"
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = ctx.get("ge", ctx.get("le"))
        word = "at least" if kind == "greater_than_equal" else "at most"
        return path, f"must be {word} {bound}, not {_show(value)}"
    return path, str(err["msg"])


def _unknown_key(path: Path) -> str:
    key = str(path[-1])
    model = _TABLES.get(_shape(path[:-1]))
    if model is None:
        return f"unknown key {quote(key)}"
    allowed = record_fields(model)
    where = "at the top level" if not path[:-1] else f"in {_format_path(path[:-1])}"
    return (
        f"unknown key {quote(key)} {where}{suggest(key, allowed)}; allowed keys: "
        f"{', '.join(allowed)} (a typo must not switch a rule off, so unknown keys are "
        "errors)"
    )
