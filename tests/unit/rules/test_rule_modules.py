"""Each rule module carries its rules: ids, texts, sources, fact kinds and options, once.

The catalog, ``policy explain``, the policy's rule ids and option tables and the loader's
refusals are built from these declarations, so the tests here hold the declarations
themselves: a rule id written in one place, fact kinds that are collected, sources that are
citable objects, and no import of the policy from the rules.
"""

from __future__ import annotations

import ast
import inspect
import typing
from pathlib import Path
from typing import get_args

import pytest

from gatekeeper.facts import FactKind
from gatekeeper.knowledge import sources
from gatekeeper.needs import Needs
from gatekeeper.policy import Policy
from gatekeeper.policy.checks import FIXED_SEVERITY, UNWAIVABLE
from gatekeeper.policy_values import PolicyTable
from gatekeeper.rules.catalog import RULES
from gatekeeper.rules.metadata import NotWaivable, RuleInfo, RuleModule
from gatekeeper.rules.registry import ALL_RULE_MODULES, APP_RULE_MODULES, module_for

PACKAGE = Path(__file__).resolve().parents[3] / "gatekeeper"
# Facts about Heroku, not rules: "heroku-connect" is also an add-on service's name there.
NOT_RULE_CODE = ("simulator", "knowledge")
MODULES = [pytest.param(m, id=m.__name__.rsplit(".", 1)[-1]) for m in ALL_RULE_MODULES]


def _string_constants(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def _runtime_imports(path: Path) -> list[str]:
    """Modules imported when ``path`` is imported (``if TYPE_CHECKING:`` blocks left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
        for stmt in node.body
        for child in ast.walk(stmt)
    }
    names = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
    return names


def test_each_rule_id_is_written_once_as_a_string() -> None:
    counts = dict.fromkeys(RULES, 0)
    for path in PACKAGE.rglob("*.py"):
        if path.relative_to(PACKAGE).parts[0] in NOT_RULE_CODE:
            continue
        for value in _string_constants(path):
            if value in counts:
                counts[value] += 1
    assert counts == dict.fromkeys(RULES, 1)


def test_the_catalog_is_the_modules_declarations_in_order() -> None:
    declared = [info for module in ALL_RULE_MODULES for info in module.RULES]
    assert list(RULES.values()) == declared  # no id declared twice, none dropped
    for info in declared:
        assert info in module_for(info.id).RULES


def test_app_rules_and_the_catalog_list_the_same_modules() -> None:
    from gatekeeper.rules import waivers

    assert {m.__name__ for m in APP_RULE_MODULES} | {waivers.__name__} == {
        m.__name__ for m in ALL_RULE_MODULES
    }
    assert all(callable(m.evaluate) for m in APP_RULE_MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_a_module_declares_rules_needs_and_options(module: RuleModule) -> None:
    assert module.RULES and all(isinstance(i, RuleInfo) for i in module.RULES)
    assert isinstance(module.NEEDS, frozenset)
    options = module.OPTIONS
    assert options is None or issubclass(options, PolicyTable)
    for info in module.RULES:
        assert info.id in (inspect.getdoc(module) or "")  # the docstring documents it


def test_every_fact_kind_a_rule_needs_is_collected_by_default() -> None:
    needed = {kind for module in ALL_RULE_MODULES for kind in module.NEEDS}
    assert needed <= set(get_args(FactKind))
    assert needed <= Needs.everything().kinds
    assert needed <= Needs.from_policy(Policy(version=1)).kinds


@pytest.mark.parametrize("module", MODULES)
def test_the_facts_a_rule_checks_for_failure_are_facts_it_declares(module: RuleModule) -> None:
    """``ctx.unknown("space")`` in a module means it reads spaces: NEEDS must say so."""
    tree = ast.parse(inspect.getsource(module))
    checked = {
        arg.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "unknown"
        for arg in node.args
        if isinstance(arg, ast.Constant)
    }
    assert checked <= module.NEEDS


def test_sources_are_the_knowledge_bases_objects() -> None:
    known = {id(v) for v in vars(sources).values() if isinstance(v, sources.Source)}
    cited = [s for info in RULES.values() for s in info.sources]
    assert cited and all(id(s) in known for s in cited)
    # Rules about Heroku or the law cite where that comes from; the rest judge the policy.
    uncited = {info.id for info in RULES.values() if not info.sources}
    assert uncited == {"addon-denied", "waiver-expired", "waiver-unused", "api-error"}


def test_the_loader_refuses_waivers_for_exactly_the_rules_that_say_so() -> None:
    not_waivable = {i.id for i in RULES.values() if isinstance(i.waiver, NotWaivable)}
    assert set(UNWAIVABLE) == not_waivable == {"api-error", "waiver-expired", "waiver-unused"}
    assert set(FIXED_SEVERITY) == {"api-error"}


@pytest.mark.parametrize("module", MODULES)
def test_a_rules_options_are_a_table_of_the_policy(module: RuleModule) -> None:
    options = module.OPTIONS
    if options is None:
        return
    tables = [name for name, t in typing.get_type_hints(Policy).items() if t is options]
    assert len(tables) == 1, options


def test_the_rules_never_import_the_policy_at_run_time() -> None:
    """The policy is made of the rules' declarations (rule ids, option tables); a rule only
    reads a policy it is given, so it imports the policy's types for type checking only."""
    lower = [*(PACKAGE / "rules").glob("*.py"), *(PACKAGE / "knowledge").glob("*.py")]
    lower.append(PACKAGE / "policy_values.py")
    for path in lower:
        imported = _runtime_imports(path)
        assert not [m for m in imported if m.startswith("gatekeeper.policy.")], path
        assert "gatekeeper.policy" not in imported, path
    for path in [*(PACKAGE / "knowledge").glob("*.py"), PACKAGE / "policy_values.py"]:
        assert not [m for m in _runtime_imports(path) if m.startswith("gatekeeper.rules")]
