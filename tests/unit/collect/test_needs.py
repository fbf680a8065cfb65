"""``Needs``: what a run collects, derived once from the policy; the policy's switches are
read in ``gatekeeper/needs.py`` only, so no flag is threaded through the modules."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import get_args

import pytest

from gatekeeper.facts import FactKind
from gatekeeper.needs import OPTIONAL_KINDS, Needs
from gatekeeper.policy.loader import loads_policy

PACKAGE = Path(__file__).resolve().parents[3] / "gatekeeper"


@pytest.mark.parametrize(("switch", "drains"), [("true", True), ("false", False)])
def test_the_drain_switch_decides_whether_drains_are_needed(switch: str, drains: bool) -> None:
    policy = loads_policy(
        f'version = 1\n[logs]\ncheck_drains = {switch}\n[[apps]]\nname = "*"\ndata_class = "none"\n'
    )
    needs = Needs.from_policy(policy)
    assert needs.wants("log-drains") is drains
    assert needs.kinds | {"log-drains"} == set(get_args(FactKind))


def test_only_optional_kinds_can_be_switched_off() -> None:
    assert set(get_args(FactKind)) >= OPTIONAL_KINDS
    assert Needs.everything().without(*OPTIONAL_KINDS).kinds == set(get_args(FactKind)) - set(
        OPTIONAL_KINDS
    )


def test_the_policy_switches_are_read_in_needs_only() -> None:
    readers = []
    for source in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "check_drains":
                readers.append(str(source.relative_to(PACKAGE)))
    assert readers == ["needs.py"]
