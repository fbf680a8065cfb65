"""The JSON Schema for editors agrees with the loader on the example policies."""

from __future__ import annotations

import json
import tomllib
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from gatekeeper.policy.schema import policy_json_schema
from gatekeeper.rules.catalog import RULES

POLICIES = sorted((Path(__file__).resolve().parents[3] / "gatekeeper" / "examples").glob("*.toml"))


def as_json(value: Any) -> Any:
    """TOML data as an editor hands it to a JSON Schema validator (dates as strings)."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = policy_json_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_schema_is_json_and_draft_2020_12() -> None:
    schema = policy_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert json.loads(json.dumps(schema)) == schema
    assert "null" not in json.dumps(schema)  # TOML has no null


@pytest.mark.parametrize("path", POLICIES, ids=[p.name for p in POLICIES])
def test_example_policies_validate(validator: Draft202012Validator, path: Path) -> None:
    data = as_json(tomllib.loads(path.read_text(encoding="utf-8")))
    assert list(validator.iter_errors(data)) == []


@pytest.mark.parametrize(
    ("document", "words"),
    [
        (
            {"version": 1, "agreements": [{"id": "a", "heroku": True, "expries": "2028-01-01"}]},
            "expries",
        ),
        ({"version": 1, "rules": {"postgres-backup": "off"}}, "postgres-backup"),
        ({"version": 1, "classes": {"secret": {}}}, "secret"),
        ({"version": 1, "classes": {"personal": {"countries": ["UK"]}}}, "UK"),
        ({"version": 2}, "1 was expected"),
        (
            {
                "version": 1,
                "waivers": [
                    {"rule": "heroku-connect", "app": "x", "reason": "r", "approved_by": "D"}
                ],
            },
            "expires",
        ),
    ],
)
def test_schema_rejects_what_the_loader_rejects(
    validator: Draft202012Validator, document: dict[str, Any], words: str
) -> None:
    messages = " ".join(e.message for e in validator.iter_errors(document))
    assert words in messages


def test_the_copy_in_policies_is_current() -> None:
    copy = POLICIES[0].parent / "gatekeeper-policy.schema.json"
    assert json.loads(copy.read_text(encoding="utf-8")) == policy_json_schema(), (
        "run: gatekeeper policy schema -o gatekeeper/examples/gatekeeper-policy.schema.json"
    )


def test_schema_offers_rule_ids_and_countries_for_completion() -> None:
    schema = policy_json_schema()
    assert sorted(schema["properties"]["rules"]["propertyNames"]["enum"]) == sorted(RULES)
    countries = schema["$defs"]["CountryEntry"]["enum"]
    assert {"EEA", "adequate", "DE", "US"} <= set(countries)
