"""The response models parse payloads generated from the official schema's examples, are
nullable exactly where the schema says so, ignore fields they do not read, and are strict."""

from __future__ import annotations

import copy
import importlib.util
import json
import typing
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from gatekeeper.heroku import models
from gatekeeper.heroku.models import HerokuModel
from gatekeeper.records import RecordError, read, record_fields

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "schema_examples"
# The official schema, as kept in the repository (tests never read outside it).
SCHEMA = ROOT / "tests" / "fixtures" / "heroku-platform-api-schema.json"

MODELS: dict[str, type[HerokuModel]] = {
    "account": models.Account,
    "app": models.App,
    "team-app": models.TeamApp,
    "team": models.Team,
    "enterprise-account": models.EnterpriseAccount,
    "space": models.Space,
    "region": models.Region,
    "add-on": models.AddOn,
    "add-on-service": models.AddOnService,
    "plan": models.Plan,
    "region-capability": models.RegionCapability,
    "log-drain": models.LogDrain,
    "add-on-attachment": models.AddOnAttachment,
}


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return data


NULLABLE: dict[str, list[str]] = json.loads((FIXTURES / "_nullable.json").read_text())


def gen_fixtures() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_fixtures", ROOT / "scripts" / "gen_fixtures.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_resource_has_a_fixture_and_a_model() -> None:
    assert set(MODELS) == set(gen_fixtures().RESOURCES)
    for name in MODELS:
        assert (FIXTURES / f"{name}.json").is_file()


@pytest.mark.parametrize("name", sorted(MODELS))
def test_schema_example_parses(name: str) -> None:
    parsed = read(MODELS[name], example(name))
    assert parsed.id == example(name)["id"]  # type: ignore[attr-defined]


def model_paths(model: type[HerokuModel], prefix: str = "") -> dict[str, bool]:
    """Dotted field path -> whether the model accepts null there (nested models included)."""
    paths: dict[str, bool] = {}
    for field_name, annotation in typing.get_type_hints(model).items():
        path = f"{prefix}{field_name}"
        paths[path] = _accepts_none(annotation)
        for nested in _models_in(annotation):
            paths.update(model_paths(nested, f"{path}."))
    return paths


def _accepts_none(annotation: Any) -> bool:
    return annotation is None or type(None) in getattr(annotation, "__args__", ())


def _models_in(annotation: Any) -> list[type[HerokuModel]]:
    candidates = [annotation, *getattr(annotation, "__args__", ())]
    return [c for c in candidates if isinstance(c, type) and issubclass(c, HerokuModel)]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_nullable_exactly_where_the_schema_says(name: str) -> None:
    paths = model_paths(MODELS[name])
    schema_nullable = set(NULLABLE[name])
    for path, nullable in paths.items():
        assert nullable == (path in schema_nullable), (
            f"{name}.{path}: model nullable={nullable}, schema nullable={not nullable}"
        )


@pytest.mark.parametrize("name", sorted(MODELS))
def test_null_is_accepted_or_refused_as_modelled(name: str) -> None:
    for path, nullable in model_paths(MODELS[name]).items():
        data = copy.deepcopy(example(name))
        target = data
        *parents, leaf = path.split(".")
        for part in parents:
            target = target[part]
        target[leaf] = None
        if nullable:
            read(MODELS[name], data)
        else:
            with pytest.raises(RecordError):
                read(MODELS[name], data)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_unknown_fields_are_ignored(name: str) -> None:
    data = {**example(name), "a_field_heroku_added_later": {"x": 1}}
    assert read(MODELS[name], data) == read(MODELS[name], example(name))


@pytest.mark.parametrize("name", sorted(MODELS))
def test_missing_fields_are_refused(name: str) -> None:
    for field_name in record_fields(MODELS[name]):
        data = {k: v for k, v in example(name).items() if k != field_name}
        with pytest.raises(RecordError):
            read(MODELS[name], data)


def test_types_are_strict() -> None:
    data = {**example("space"), "shield": "true"}
    with pytest.raises(RecordError):
        read(models.Space, data)


def test_team_outside_an_enterprise_account() -> None:
    team = read(models.Team, {**example("team"), "enterprise_account": None})
    assert team.enterprise_account is None


def test_custom_log_drain_has_no_addon() -> None:
    drain = read(models.LogDrain, {**example("log-drain"), "addon": None})
    assert drain.addon is None
    assert drain.url == "https://example.com/drain"


def test_error_body_model() -> None:
    body = read(models.ErrorBody, {"id": "not_found", "message": "Couldn't find it."})
    assert (body.id, body.message, body.url) == ("not_found", "Couldn't find it.", None)


def test_fixtures_are_up_to_date_with_the_schema() -> None:
    files = gen_fixtures().build_fixtures(json.loads(SCHEMA.read_text()))
    stale = [
        name
        for name, text in files.items()
        if not (FIXTURES / name).is_file() or (FIXTURES / name).read_text() != text
    ]
    assert not stale, f"run `python scripts/gen_fixtures.py`; stale: {stale}"
