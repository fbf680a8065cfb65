"""The register's formats by name: ``csv``, ``xlsx``, ``json``, ``html``.

Each module is imported on first use (``openpyxl``, in the optional ``xlsx`` extra, is loaded
only to write a workbook). ``audit --output register-FMT=FILE`` and ``gatekeeper register
--format FMT`` use these names.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from gatekeeper.errors import UsageError

if TYPE_CHECKING:
    from gatekeeper.register.formats.interface import RegisterFormatter

_FORMATTERS: dict[str, tuple[str, str]] = {
    "csv": ("gatekeeper.register.formats.csv_format", "RegisterCsv"),
    "xlsx": ("gatekeeper.register.formats.xlsx_format", "RegisterXlsx"),
    "json": ("gatekeeper.register.formats.json_format", "RegisterJson"),
    "html": ("gatekeeper.register.formats.html_format", "RegisterHtml"),
}

#: the prefix of the register's formats among ``--output FMT=FILE``
OUTPUT_PREFIX = "register-"


def register_format_names() -> tuple[str, ...]:
    return tuple(_FORMATTERS)


def get_register_formatter(name: str) -> RegisterFormatter:
    """The formatter called ``name``; an unknown one is a usage error listing the names."""
    if name not in _FORMATTERS:
        raise UsageError(
            f"Unknown register format {name!r}.",
            hint=f"Choose one of: {', '.join(_FORMATTERS)}.",
        )
    module_name, class_name = _FORMATTERS[name]
    formatter: RegisterFormatter = getattr(importlib.import_module(module_name), class_name)()
    return formatter
