"""The Python API: ``gatekeeper.__all__`` is exactly the documented set, every name in it
can be imported, and ``import gatekeeper`` stays light."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import gatekeeper

DOC = Path(__file__).resolve().parents[3] / "docs" / "python-api.md"


def documented() -> set[str]:
    table = DOC.read_text(encoding="utf-8").split("## Names", 1)[1]
    return set(re.findall(r"^\| `(\w+)` \|", table, re.M))


def test_all_is_exactly_the_documented_set() -> None:
    assert len(gatekeeper.__all__) == len(set(gatekeeper.__all__))
    assert set(gatekeeper.__all__) == documented()


def test_every_exported_name_is_importable() -> None:
    """In a fresh process, so that each name is loaded lazily as a user's program loads it."""
    code = (
        "import gatekeeper\n"
        "for name in gatekeeper.__all__:\n"
        "    exec(f'from gatekeeper import {name}')\n"
        "print(len(gatekeeper.__all__))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == str(len(gatekeeper.__all__))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        gatekeeper.nope  # noqa: B018


def test_import_gatekeeper_does_not_import_httpx_or_pydantic() -> None:
    code = (
        "import sys, gatekeeper; "
        "print(sorted(m for m in ('httpx', 'pydantic', 'click') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
