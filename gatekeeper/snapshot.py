"""Snapshots: the collected facts as JSON, to evaluate offline or replay in the simulator.

A snapshot holds only ``gatekeeper.facts`` (no tokens, no config vars; drain URLs are
already stripped of credentials by the collector). Loading is strict and never raises
anything but ``InputFileError`` (exit 2) for a bad file.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from gatekeeper import serial
from gatekeeper.errors import InputFileError, Problem
from gatekeeper.facts import ESTATE_SCHEMA, Estate
from gatekeeper.textpos import line_finder, line_of

WHAT = "snapshot"


def dump_snapshot(estate: Estate) -> str:
    return serial.to_json(estate, indent=2) + "\n"


def load_snapshot(path: str | Path) -> Estate:
    source = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputFileError(
            [Problem(source, None, "", f"cannot be read ({exc.strerror})")], what=WHAT
        ) from None
    return loads_snapshot(data, source=source)


def loads_snapshot(data: str | bytes, *, source: str = "<snapshot>") -> Estate:
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise InputFileError(
            [Problem(source, None, "", f"is not UTF-8 text ({exc.reason})")], what=WHAT
        ) from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(
            [Problem(source, exc.lineno, "", f"is not valid JSON: {exc.msg}")], what=WHAT
        ) from None
    except RecursionError:
        raise InputFileError(
            [Problem(source, None, "", "is nested too deeply")], what=WHAT
        ) from None
    if not isinstance(raw, dict):
        raise InputFileError([Problem(source, 1, "", "must be a JSON object")], what=WHAT)
    schema = raw.get("schema")
    if schema != ESTATE_SCHEMA:
        raise InputFileError(
            [
                Problem(
                    source,
                    line_of(text, ["schema"]),
                    "schema",
                    f"must be {ESTATE_SCHEMA!r} (got {schema!r}); write it with "
                    "`gatekeeper snapshot`",
                )
            ],
            what=WHAT,
        )
    try:
        return serial.from_data(Estate, raw)
    except ValidationError as exc:
        problems = []
        find_line = line_finder(text)
        for err in exc.errors()[:20]:
            loc = [p for p in err["loc"] if isinstance(p, str | int)]
            key = ".".join(str(p) for p in loc)
            problems.append(Problem(source, find_line(loc), key, err["msg"]))
        raise InputFileError(problems, what=WHAT) from None
    except RecursionError:
        raise InputFileError(
            [Problem(source, None, "", "is nested too deeply")], what=WHAT
        ) from None
