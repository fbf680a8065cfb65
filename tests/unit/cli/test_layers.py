"""The CLI holds no domain logic: no module of gatekeeper/commands imports the engine, the
collectors or the history store; it goes through the use cases (gatekeeper.usecases) and
the fact sources (gatekeeper.sources) instead. The web layer (gatekeeper/serve) is as thin:
it never imports the engine or the collectors. Checked on the source, TYPE_CHECKING imports
included."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[3] / "gatekeeper"
COMMANDS = PACKAGE / "commands"
SERVE = PACKAGE / "serve"
FORBIDDEN = ("gatekeeper.engine", "gatekeeper.collect", "gatekeeper.store")
# The server reads the live state the store keeps (its views are the use cases' answers),
# but it judges nothing itself and collects nothing itself.
FORBIDDEN_IN_SERVE = ("gatekeeper.engine", "gatekeeper.collect", "gatekeeper.rules")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            # ``from gatekeeper import engine`` imports the module too
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def forbidden(names: set[str], banned: tuple[str, ...] = FORBIDDEN) -> set[str]:
    return {n for n in names if any(n == f or n.startswith(f + ".") for f in banned)}


@pytest.mark.parametrize("path", sorted(COMMANDS.glob("*.py")), ids=lambda p: p.name)
def test_no_command_imports_the_engine_the_collectors_or_the_store(path: Path) -> None:
    assert forbidden(imported_modules(path)) == set()


@pytest.mark.parametrize("path", sorted(SERVE.glob("*.py")), ids=lambda p: p.name)
def test_the_server_imports_neither_the_engine_nor_the_collectors(path: Path) -> None:
    assert forbidden(imported_modules(path), FORBIDDEN_IN_SERVE) == set()


def test_the_scan_sees_every_kind_of_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from typing import TYPE_CHECKING\n"
        "import gatekeeper.engine\n"
        "from gatekeeper import store\n"
        "if TYPE_CHECKING:\n"
        "    from gatekeeper.collect.estate import AuditScope\n"
        "def f():\n"
        "    from gatekeeper.usecases import audit\n"
    )
    assert forbidden(imported_modules(sample)) == {
        "gatekeeper.engine",
        "gatekeeper.store",
        "gatekeeper.collect.estate",
        "gatekeeper.collect.estate.AuditScope",
    }
