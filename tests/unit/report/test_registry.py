from __future__ import annotations

import subprocess
import sys

import pytest
from report_samples import OPTIONS, block_report

from gatekeeper.errors import EXIT_USAGE, UsageError
from gatekeeper.report.interface import Formatter, RenderOptions
from gatekeeper.report.registry import FORMATS, format_names, get_formatter, render

ALL = ("text", "json", "sarif", "junit", "github", "markdown", "html", "csv")


def test_format_names_are_every_format_in_help_order() -> None:
    assert format_names() == ALL
    assert tuple(FORMATS) == ALL
    assert len(FORMATS) == len(ALL)


@pytest.mark.parametrize("name", ALL)
def test_each_formatter_implements_the_interface(name: str) -> None:
    formatter = FORMATS[name]
    assert isinstance(formatter, Formatter)
    assert formatter.name == name
    assert formatter.extension.startswith(".")
    assert FORMATS[name] is formatter  # loaded once
    assert render(block_report(), name, OPTIONS) == formatter.render(block_report(), OPTIONS)


def test_unknown_format_is_a_usage_error_naming_the_choices() -> None:
    with pytest.raises(UsageError) as info:
        get_formatter("pdf")
    assert info.value.exit_code == EXIT_USAGE
    assert "Unknown report format 'pdf'" in str(info.value)
    assert "text, json, sarif, junit, github, markdown, html, csv" in str(info.value)
    assert "pdf" not in FORMATS


def test_render_defaults_the_options() -> None:
    assert render(block_report(), "text") == render(block_report(), "text", RenderOptions())


def test_listing_formats_imports_no_formatter_and_no_pydantic() -> None:
    code = (
        "import sys\n"
        "from gatekeeper.report.registry import format_names\n"
        "assert format_names()[0] == 'text'\n"
        "loaded = [m for m in sys.modules if m.startswith('gatekeeper.report.') "
        "or m == 'pydantic']\n"
        "print(sorted(loaded))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['gatekeeper.report.interface', 'gatekeeper.report.registry']"
