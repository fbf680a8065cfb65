"""The endpoint table (``gatekeeper.heroku.endpoints``) against the official schema and the
simulator, and the collectors against the table.

For each entry: the official schema (``tests/fixtures``, the ``3.sdk`` copy for an entry that
asks for that variant) has a GET link with the same href under the entry's definition, whose
answer is a list exactly when the entry says so, and whose definition has every field the
model reads; the simulator routes the path with the same template and answers, over HTTP, what
the entry says (a list or one object) in a shape the model parses. The collectors build no
path of their own.
"""

from __future__ import annotations

import ast
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from gatekeeper import records
from gatekeeper.heroku import HerokuClient, endpoints
from gatekeeper.heroku.endpoints import Endpoint
from gatekeeper.simulator import DEMO_ADMIN_TOKEN, Simulator, demo_estate, routes

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
SCHEMAS = {
    None: FIXTURES / "heroku-platform-api-schema.json",
    "3.sdk": FIXTURES / "heroku-platform-api-schema-3.sdk.json",
    # The space log drain exists only in the 3.dogwood variant, of which no schema is
    # published; the 3.sdk copy has the link (space-log-drain, answering a log-drain).
    "3.dogwood": FIXTURES / "heroku-platform-api-schema-3.sdk.json",
}
# Names of the demo estate for each path parameter.
DEMO = {"app": "survey", "team": "psych-lab", "ea": "uni-example", "space": "uni-frankfurt"}
# Entries whose demo object is another one (the list must not be empty).
DEMO_FOR = {
    endpoints.APP_TELEMETRY_DRAINS.template: {"app": "fir-survey"},
    endpoints.SPACE_TELEMETRY_DRAINS.template: {"space": "uni-fir"},
    endpoints.SPACE_LOG_DRAIN.template: {"space": "bio-shield"},
}


def demo_path(entry: Endpoint[Any]) -> str:
    names = DEMO | DEMO_FOR.get(entry.template, {})
    return entry.path(**{name: names[name] for name in entry.parameters})


IDS = [e.template for e in endpoints.ALL]


@cache
def schema(variant: str | None) -> dict[str, Any]:
    return json.loads(SCHEMAS[variant].read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def shape(template: str) -> str:
    """A template with its parameters blanked: ``/apps/{(%23...identity)}`` -> ``/apps/{}``."""
    return re.sub(r"\{[^}]*\}", "{}", template)


def link(entry: Endpoint[Any], variant: str | None) -> dict[str, Any]:
    definition = schema(variant)["definitions"].get(entry.resource)
    assert definition is not None, f"the schema has no definition {entry.resource!r}"
    found = [
        candidate
        for candidate in definition.get("links", [])
        if candidate.get("method") == "GET" and shape(candidate["href"]) == shape(entry.template)
    ]
    assert len(found) == 1, f"{entry.resource} has no GET link {entry.template}"
    return found[0]


def test_the_table_is_not_empty_and_each_template_once() -> None:
    assert len(endpoints.ALL) >= 15
    assert len({shape(e.template) for e in endpoints.ALL}) == len(endpoints.ALL)


def answer_properties(variant: str | None, target: dict[str, Any], resource: str) -> Any:
    """The properties of what a link answers: its definition, or the one its target (or the
    target's items) refers to: another definition (space-log-drain answers a log-drain) or
    one nested in it (app-webhook's ``definitions/app_webhook``)."""
    ref = target.get("$ref") or (target.get("items") or {}).get("$ref")
    node: Any = schema(variant)["definitions"][resource]
    if ref:
        node = schema(variant)
        for key in ref.removeprefix("#/").split("/"):
            node = node[key]
    return node["properties"]


@pytest.mark.parametrize("entry", endpoints.ALL, ids=IDS)
def test_each_entry_is_a_link_of_the_official_schema(entry: Endpoint[Any]) -> None:
    variants = {entry.variant, "3.sdk"}  # the 3.sdk copy too, where it has the link
    for variant in variants:
        if variant == "3.sdk" and entry.variant is None:
            definition = schema(variant)["definitions"].get(entry.resource, {})
            if not any(
                shape(x["href"]) == shape(entry.template) for x in definition.get("links", [])
            ):
                continue
        found = link(entry, variant)
        target = found.get("targetSchema") or {}
        answers_list = "array" in target.get("type", [])
        assert answers_list == entry.many, f"{entry.template}: the schema's answer differs"
        properties = answer_properties(variant, target, entry.resource)
        missing = set(records.record_fields(entry.model)) - set(properties)
        assert not missing, f"{entry.model.__name__} reads fields {entry.resource} lacks"


@pytest.mark.parametrize("entry", endpoints.ALL, ids=IDS)
def test_the_simulator_routes_each_entry_by_the_same_template(entry: Endpoint[Any]) -> None:
    path = demo_path(entry)
    resolved = routes.resolve(path)
    assert resolved is not None, f"the simulator has no route for {path}"
    route, _ = resolved
    assert shape(route.template) == shape(entry.template)


@pytest.fixture(scope="module")
def demo_client() -> Any:
    estate = demo_estate()
    admin = estate.token(DEMO_ADMIN_TOKEN)
    assert admin is not None
    admin.scope = ["global"]  # only a global token may list the account's authorizations
    with Simulator(estate) as sim, HerokuClient(sim.url, DEMO_ADMIN_TOKEN) as client:
        yield client


@pytest.mark.parametrize("entry", endpoints.ALL, ids=IDS)
def test_the_simulator_answers_what_each_entry_says(entry: Endpoint[Any], demo_client: Any) -> None:
    path = demo_path(entry)
    if entry.many:
        items = demo_client.list(path, variant=entry.variant)
        assert isinstance(items, list) and items, f"{path}: no items to check"
        for item in items:
            records.read(entry.model, item)
    else:
        body = demo_client.get(path, variant=entry.variant)
        assert isinstance(body, dict)
        records.read(entry.model, body)


def test_the_collectors_build_no_path_of_their_own() -> None:
    """Every path in ``gatekeeper/collect`` comes from the endpoint table."""
    offending = []
    for source in sorted((ROOT / "gatekeeper" / "collect").glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
            elif isinstance(node, ast.JoinedStr):
                text = "".join(
                    v.value
                    for v in node.values
                    if isinstance(v, ast.Constant) and isinstance(v.value, str)
                )
            else:
                continue
            if re.match(r"/[a-z]", text):  # an API path, not a "/" between numbers
                offending.append(f"{source.name}:{node.lineno}: {text!r}")
    assert not offending
