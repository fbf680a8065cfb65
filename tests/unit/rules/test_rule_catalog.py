"""The catalog, the rule modules and the docs agree on every rule id."""

from __future__ import annotations

import inspect
import tomllib
import typing
from pathlib import Path

import pytest

from gatekeeper import records
from gatekeeper.policy import Policy
from gatekeeper.rules.catalog import RULES
from gatekeeper.rules.metadata import RuleModule
from gatekeeper.rules.registry import ALL_RULE_MODULES, module_for

DOCS = Path(__file__).resolve().parents[3] / "docs" / "policy.md"

# docs/design.md#5-rules-stable-ids-default-severity: the stable ids and their default severities.
DESIGN_TABLE = {
    "unknown-region": "block",
    "region-not-allowed": "block",
    "personal-account": "block",
    "team-not-covered": "block",
    "agreement-expired": "block",
    "agreement-expiring": "warn",
    "shield-required": "block",
    "addon-denied": "block",
    "addon-no-agreement": "block",
    "addon-location-not-allowed": "block",
    "addon-outside-region": "warn",
    "heroku-connect": "warn",
    "heroku-applink": "warn",
    "postgres-backups": "info",
    "log-drain-not-allowed": "block",
    "telemetry-drain-not-allowed": "block",
    "unclassified-app": "warn",
    "waiver-expired": "warn",
    "waiver-unused": "info",
    "api-error": "block",
}


def test_ids_and_default_severities_follow_the_design() -> None:
    assert {r.id: r.default_severity for r in RULES.values()} == DESIGN_TABLE


@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_rule_is_explained_in_full(rule: str) -> None:
    info = RULES[rule]
    for text in (info.title, info.why, info.source, info.fix, info.waive):
        assert text.strip(), rule


def test_every_rule_is_implemented_by_exactly_one_module() -> None:
    implemented = [
        rule for module in ALL_RULE_MODULES for rule in (info.id for info in module.RULES)
    ]
    assert sorted(implemented) == sorted(RULES)
    for rule in RULES:
        assert rule in (inspect.getdoc(module_for(rule)) or "")


def test_every_rule_module_documents_itself() -> None:
    for module in ALL_RULE_MODULES:
        doc = inspect.getdoc(module) or ""
        assert len(doc) > 200, module.__name__


@pytest.mark.parametrize("rule", sorted(RULES))
def test_docs_describe_every_rule(rule: str) -> None:
    assert f"`{rule}`" in DOCS.read_text(encoding="utf-8")


def _docs_rule_table() -> list[tuple[str, ...]]:
    """(id, default) of each row of the table under docs/policy.md's "## Rules"."""
    section = DOCS.read_text(encoding="utf-8").split("\n## Rules\n", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [tuple(cell.strip().strip("`") for cell in row.split("|")[1:3]) for row in rows]


def test_the_docs_rule_table_is_the_catalog() -> None:
    assert _docs_rule_table() == [(r.id, r.default_severity) for r in RULES.values()]


@pytest.mark.parametrize(
    "module", [m for m in ALL_RULE_MODULES if m.OPTIONS is not None], ids=lambda m: m.__name__
)
def test_the_docs_show_every_option_of_a_rule(module: RuleModule) -> None:
    """docs/policy.md's example of a rule's own table sets exactly the options its model has,
    validly."""
    options = module.OPTIONS
    assert options is not None
    table = next(name for name, t in typing.get_type_hints(Policy).items() if t is options)
    section = DOCS.read_text(encoding="utf-8").split(f"\n### `[{table}]`\n", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    values = tomllib.loads(example)[table]
    assert set(values) == set(records.record_fields(options))
    records.read(options, values)
