"""``--format json``: the versioned contract ``gatekeeper.report/v1`` (docs/design.md#6-interfaces).

The core of the contract, which consumers may rely on::

    {"schema": "gatekeeper.report/v1", "generated_at", "policy": {"path", "sha256"},
     "decision", "summary": {"allow", "warn", "block"},
     "apps": [{"name", "id", "team", "region", "space", "data_class", "decision",
               "findings": [{"rule", "severity", "subject", "message", "remediation",
                             "waived", "fingerprint"}]}]}

Documented additions (docs/report-formats.md): ``tool``, ``policy.fail_on``, per app
``country`` and ``shield``, per finding ``evidence`` and ``waiver``, and top-level
``policy_findings``, ``agreements``, ``waivers`` and ``changes`` (only when a baseline was
compared). The document is the models of :mod:`gatekeeper.report.v1`;
``report-schema-v1.json`` beside this module is their JSON Schema.

The writers here encode it one app at a time, to a stream: at 10,000 apps the whole document
as dicts, or as the chunks of ``json.dumps(indent=2)``, would take hundreds of megabytes.

:func:`parse_json_report` is the inverse, used by ``audit --baseline FILE``. It is lenient in
what it accepts (unknown keys from a newer v1 writer are ignored) and strict about what it
needs, and it reports every problem at once, with the line of each, as an
:class:`~gatekeeper.errors.InputFileError`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources
from typing import Any, TextIO

from pydantic import ValidationError

from gatekeeper.errors import InputFileError, Problem
from gatekeeper.report.interface import RenderOptions, StreamFormatter
from gatekeeper.report.v1 import ReportV1, app_document, head_document
from gatekeeper.results import REPORT_SCHEMA, AppResult, Report
from gatekeeper.textpos import line_finder

SCHEMA_RESOURCE = "report-schema-v1.json"


class JsonFormatter(StreamFormatter):
    """The machine-readable report; the same document the history store and baselines use."""

    name = "json"
    extension = ".json"

    def write(self, report: Report, options: RenderOptions, out: TextIO) -> None:
        # Exactly ``json.dumps(report_document(...), indent=2, ensure_ascii=False) + "\n"``.
        head = head_document(report, tool_version=options.tool_version)
        out.write("{\n")
        for position, (key, value) in enumerate(head.items()):
            out.write(("  " if not position else ",\n  ") + _encode(key, 0) + ": ")
            if key == "apps":
                _write_apps(report.apps, out)
            else:
                out.write(_encode(value, 1))
        out.write("\n}\n")


def compact_json_chunks(report: Report, *, tool_version: str) -> Iterator[str]:
    """``json.dumps(report_document(...), ensure_ascii=True, separators=(",", ":"))`` in
    pieces, one app at a time (the HTML report embeds this)."""

    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=True, separators=(",", ":"))

    head = head_document(report, tool_version=tool_version)
    for position, (key, value) in enumerate(head.items()):
        yield ("{" if not position else ",") + dumps(key) + ":"
        if key == "apps":
            yield "["
            for index, app in enumerate(report.apps):
                yield ("," if index else "") + dumps(app_document(app))
            yield "]"
        else:
            yield dumps(value)
    yield "}"


def _encode(value: Any, level: int) -> str:
    """``value`` as ``json.dumps(indent=2)`` writes it ``level`` levels deep in a document.

    JSON strings hold no raw line breaks (they are escaped), so every line break of the
    encoded text is one of the indentation's, and indenting it is a replacement.
    """
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return text.replace("\n", "\n" + "  " * level) if level else text


def _write_apps(apps: tuple[AppResult, ...], out: TextIO) -> None:
    """The ``apps`` list at level 1, encoded app by app."""
    if not apps:
        out.write("[]")
        return
    out.write("[\n")
    for index, app in enumerate(apps):
        out.write((",\n    " if index else "    ") + _encode(app_document(app), 2))
    out.write("\n  ]")


def report_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``gatekeeper.report/v1``, shipped as package data
    (generated from :mod:`gatekeeper.report.v1`)."""
    text = resources.files(__package__).joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


# --- parsing (the inverse) -------------------------------------------------------------------

_HINT = "Use a report written by `gatekeeper audit --format json` (or `check --format json`)."


def parse_json_report(text: str, *, source: str = "baseline report") -> Report:
    """Read a ``gatekeeper.report/v1`` document back into a :class:`Report`.

    ``source`` names the file in error messages. Raises
    :class:`~gatekeeper.errors.InputFileError` listing every problem found.
    """

    def fail(problems: list[Problem]) -> InputFileError:
        return InputFileError(problems, what="report", hint=_HINT)

    text = text.removeprefix("\ufeff")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(
            [Problem(source, exc.lineno, "", f"not valid JSON: {exc.msg} (column {exc.colno})")]
        ) from None
    except RecursionError:
        raise fail([Problem(source, None, "", "nested too deeply")]) from None
    if not isinstance(data, dict):
        raise fail([Problem(source, None, "", "expected a JSON object")])
    line_of = line_finder(text)
    found = data.get("schema")
    if found != REPORT_SCHEMA:
        where = line_of(["schema"]) if "schema" in data else None
        raise fail(
            [Problem(source, where, "schema", f"expected {REPORT_SCHEMA!r}, found {found!r}")]
        )
    try:
        return ReportV1.model_validate(data).to_report()
    except ValidationError as exc:
        problems = [
            Problem(source, line_of(err["loc"]), ".".join(str(p) for p in err["loc"]), err["msg"])
            for err in exc.errors(include_url=False)
        ]
        raise fail(problems) from None
