"""Each resource kind of the simulator (``gatekeeper.simulator.kinds.KINDS``) is complete.

For every kind and each of its owners: the official schema (``tests/fixtures``) has the
kind's definition and a GET link ``/<owner>s/{...}/<path>`` that answers a list of it; the
simulator routes that path and answers it over HTTP with bodies that have exactly the
definition's properties and validate against it; the estate file has the kind's key, and the
demo estate, written out and read back, keeps every object; ``facts.App`` / ``facts.Space``
have the field that ``to_facts`` fills. A kind whose module lacks its routes, its body or its
estate-file key fails here.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft4Validator

from gatekeeper import facts, records
from gatekeeper.simulator import (
    DEMO_ADMIN_TOKEN,
    SimEstate,
    Simulator,
    demo_estate,
    estate_to_data,
    routes,
)
from gatekeeper.simulator.estate_file import AppEntry, SpaceEntry, estate_from_data
from gatekeeper.simulator.kinds import KINDS, Kind, kinds_of

SCHEMA = Path(__file__).resolve().parents[1] / "fixtures" / "heroku-platform-api-schema.json"
ACCEPT_V3 = "application/vnd.heroku+json; version=3"
CASES = [(kind, owner) for kind in KINDS for owner in kind.owners]
IDS = [f"{owner}-{kind.path}" for kind, owner in CASES]
ENTRIES = {"app": AppEntry, "space": SpaceEntry}
FACTS = {"app": facts.App, "space": facts.Space}


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def shape(template: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", template)


def owners(estate: SimEstate, owner: str) -> list[Any]:
    return list(estate.apps if owner == "app" else estate.spaces)


def demo_owner(estate: SimEstate, kind: Kind, owner: str) -> Any:
    """The first owner of the demo estate with objects of ``kind`` (the recipe gives the demo
    estate one of each, so that these checks see a body)."""
    found = [o for o in owners(estate, owner) if o.kinds[kind.key]]
    assert found, f"the demo estate has no {owner} with {kind.key}"
    return found[0]


def test_the_kinds_have_distinct_keys_and_paths() -> None:
    assert len({k.key for k in KINDS}) == len({k.path for k in KINDS}) == len(KINDS) >= 2
    assert [k.key for k in kinds_of("app")] == ["log_drains", "telemetry_drains"]
    assert [k.key for k in kinds_of("space")] == ["telemetry_drains"]


@pytest.mark.parametrize(("kind", "owner"), CASES, ids=IDS)
def test_the_official_schema_lists_the_kind_under_its_owner(kind: Kind, owner: str) -> None:
    definition = schema()["definitions"].get(kind.resource)
    assert definition is not None, f"the schema has no definition {kind.resource!r}"
    lists = [
        link
        for link in definition["links"]
        if link["method"] == "GET"
        and shape(link["href"]) == f"/{owner}s/{{}}/{kind.path}"
        and "array" in link.get("targetSchema", {}).get("type", [])
    ]
    assert len(lists) == 1, f"{kind.resource} has no list link under /{owner}s"


@pytest.mark.parametrize(("kind", "owner"), CASES, ids=IDS)
def test_the_simulator_routes_the_list(kind: Kind, owner: str) -> None:
    resolved = routes.resolve(f"/{owner}s/some-{owner}/{kind.path}")
    assert resolved is not None, f"no route for /{owner}s/{{{owner}}}/{kind.path}"
    route, params = resolved
    assert route.template == f"/{owner}s/{{{owner}}}/{kind.path}"
    assert params == {owner: f"some-{owner}"}


@pytest.mark.parametrize(("kind", "owner"), CASES, ids=IDS)
def test_the_bodies_are_the_schemas(kind: Kind, owner: str) -> None:
    estate = demo_estate()
    found = demo_owner(estate, kind, owner)
    definition = schema()["definitions"][kind.resource]
    validator = Draft4Validator({**schema(), "$ref": f"#/definitions/{kind.resource}"})
    with Simulator(estate) as sim:
        answer = httpx.get(
            f"{sim.url}/{owner}s/{found.name}/{kind.path}",
            headers={"Authorization": f"Bearer {DEMO_ADMIN_TOKEN}", "Accept": ACCEPT_V3},
        )
    assert answer.status_code == 200
    bodies = answer.json()
    assert sorted(b["id"] for b in bodies) == sorted(o.id for o in found.kinds[kind.key])
    for body in bodies:
        assert set(body) == set(definition["properties"])  # strictProperties
        validator.validate(body)


@pytest.mark.parametrize(("kind", "owner"), CASES, ids=IDS)
def test_the_estate_file_round_trip_keeps_every_object(kind: Kind, owner: str) -> None:
    assert kind.key in ENTRIES[owner].model_fields, f"the estate file has no {kind.key}"
    estate = demo_estate()
    data = estate_to_data(estate)
    again = estate_from_data(json.loads(json.dumps(data)))
    assert estate_to_data(again) == data
    before = {o.name: o.kinds[kind.key] for o in owners(estate, owner)}
    after = {o.name: o.kinds[kind.key] for o in owners(again, owner)}
    assert after == before and any(before.values())


@pytest.mark.parametrize(("kind", "owner"), CASES, ids=IDS)
def test_to_facts_fills_the_owners_field(kind: Kind, owner: str) -> None:
    assert kind.key in records.record_fields(FACTS[owner])
    estate = demo_estate()
    found = demo_owner(estate, kind, owner)
    truth = estate.to_facts()
    fact_owner = next(
        o for o in (truth.apps if owner == "app" else truth.spaces) if o.name == found.name
    )
    ids = [f.id for f in getattr(fact_owner, kind.key)]
    assert ids == sorted(o.id for o in found.kinds[kind.key])
    assert SimEstate.from_facts(truth).to_facts() == truth  # a snapshot is served as it is


def test_an_unknown_kind_keyword_is_an_error() -> None:
    from gatekeeper.simulator import SimApp

    with pytest.raises(TypeError, match="log_drain"):
        SimApp("survey", "eu", owner="jane@example.edu", log_drain=[])
