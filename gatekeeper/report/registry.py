"""The ``--format`` registry: name -> formatter, for ``click.Choice`` and :func:`render`.

Formatter modules are imported on first use, so building the CLI's option list
(:func:`format_names`) imports no formatter, and pydantic is loaded only to render.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, TextIO

from gatekeeper.errors import UsageError
from gatekeeper.report.interface import Formatter, RenderOptions

if TYPE_CHECKING:
    from gatekeeper.results import Report

# name -> (module, class). The order is the order ``--help`` lists them in.
_FORMATTERS: dict[str, tuple[str, str]] = {
    "text": ("gatekeeper.report.text", "TextFormatter"),
    "json": ("gatekeeper.report.json_format", "JsonFormatter"),
    "sarif": ("gatekeeper.report.sarif", "SarifFormatter"),
    "junit": ("gatekeeper.report.junit", "JunitFormatter"),
    "github": ("gatekeeper.report.github", "GithubFormatter"),
    "markdown": ("gatekeeper.report.markdown", "MarkdownFormatter"),
    "html": ("gatekeeper.report.html", "HtmlFormatter"),
    "csv": ("gatekeeper.report.csv_format", "CsvFormatter"),
}


class _LazyFormats(Mapping[str, Formatter]):
    """A read-only mapping that imports each formatter module the first time it is asked for."""

    def __init__(self, entries: dict[str, tuple[str, str]]) -> None:
        self._entries = entries
        self._loaded: dict[str, Formatter] = {}

    def __getitem__(self, name: str) -> Formatter:
        formatter = self._loaded.get(name)
        if formatter is None:
            module_name, class_name = self._entries[name]
            cls = getattr(importlib.import_module(module_name), class_name)
            formatter = cls()
            assert isinstance(formatter, Formatter)
            self._loaded[name] = formatter
        return formatter

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries


#: every output format by its ``--format`` name
FORMATS: Mapping[str, Formatter] = _LazyFormats(_FORMATTERS)


def format_names() -> tuple[str, ...]:
    """The ``--format`` choices, in help order (imports no formatter)."""
    return tuple(_FORMATTERS)


def get_formatter(fmt: str) -> Formatter:
    """The formatter for ``fmt``; an unknown name is a usage error listing the known ones."""
    if fmt not in _FORMATTERS:
        raise UsageError(
            f"Unknown report format {fmt!r}.",
            hint=f"Choose one of: {', '.join(format_names())}.",
        )
    return FORMATS[fmt]


def render(report: Report, fmt: str, options: RenderOptions | None = None) -> str:
    """Render ``report`` in format ``fmt`` (``"text"``, ``"json"``, ...) and return the text."""
    return get_formatter(fmt).render(report, options or RenderOptions())


def write(report: Report, fmt: str, options: RenderOptions, out: TextIO) -> None:
    """Write ``report`` in format ``fmt`` to the text stream ``out``."""
    get_formatter(fmt).write(report, options, out)
