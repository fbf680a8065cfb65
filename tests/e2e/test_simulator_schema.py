"""Every simulator response for the endpoints the gatekeeper and the Heroku CLI read validates
against the official Platform API schema (docs/simulator.md: "Every simulator response for
the listed endpoints validates against the official schema").

Each path is fetched over HTTP from the demo estate (with a pipeline coupling added, so that
``/apps/{app}/pipeline-couplings`` has a body) and validated against the ``targetSchema`` of
the schema link that serves it. The schema is a verbatim copy in ``tests/fixtures``. Heroku's
``strictProperties`` keyword is enforced as the schema means it: every listed property present,
no other; formats (uuid, date-time, email, uri) are checked.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import httpx
import jsonschema
import pytest
from jsonschema import Draft4Validator, FormatChecker, ValidationError
from jsonschema.validators import extend

from gatekeeper.simulator import DEMO_ADMIN_TOKEN, SimPipeline, Simulator, demo_estate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SCHEMA_V3 = FIXTURES / "heroku-platform-api-schema.json"
SCHEMA_SDK = FIXTURES / "heroku-platform-api-schema-3.sdk.json"
ACCEPT_V3 = "application/vnd.heroku+json; version=3"
ACCEPT_SDK = "application/vnd.heroku+json; version=3.sdk"

# The endpoints the gatekeeper (docs/design.md#3-heroku-facts-the-code-relies-on) and the
# Heroku CLI need, as link templates.
REQUIRED_TEMPLATES = {
    "/account",
    "/account/rate-limits",
    "/apps",
    "/apps/{app}",
    "/users/{user}/apps",
    "/teams",
    "/teams/{team}",
    "/teams/{team}/apps",
    "/teams/{team}/addons",
    "/apps/{app}/addons",
    "/addons",
    "/enterprise-accounts",
    "/enterprise-accounts/{ea}",
    "/enterprise-accounts/{ea}/teams",
    "/spaces",
    "/spaces/{space}",
    "/regions",
    "/regions/{region}",
    "/plans/{plan}",
    "/addon-services",
    "/addon-services/{svc}",
    "/addon-services/{svc}/plans/{plan}",
    "/addon-services/{svc}/region-capabilities",
    "/apps/{app}/log-drains",
    "/apps/{app}/addon-attachments",
    "/addon-attachments",
    "/apps/{app}/dynos",
    "/apps/{app}/collaborators",
    "/apps/{app}/pipeline-couplings",
}

# (template, concrete path, variant). Paths name demo resources by name; ids are looked up.
CASES: list[tuple[str, str, str]] = [
    ("/account", "/account", "v3"),
    ("/account/rate-limits", "/account/rate-limits", "v3"),
    ("/apps", "/apps", "v3"),
    ("/apps/{app}", "/apps/survey", "v3"),
    ("/apps/{app}", "/apps/frankfurt-exp", "v3"),
    ("/apps/{app}", "/apps/clinical-trial", "v3"),
    ("/apps/{app}", "/apps/jdoe-thesis", "v3"),
    ("/apps/{app}", "/apps/<id:survey>", "v3"),
    ("/users/{user}/apps", "/users/~/apps", "v3"),
    ("/teams", "/teams", "v3"),
    ("/teams/{team}", "/teams/psych-lab", "v3"),
    ("/teams/{team}", "/teams/student-projects", "v3"),
    ("/teams/{team}/apps", "/teams/psych-lab/apps", "v3"),
    ("/teams/{team}/apps", "/teams/bio-lab/apps", "v3"),
    ("/teams/{team}/addons", "/teams/psych-lab/addons", "v3"),
    ("/apps/{app}/addons", "/apps/survey/addons", "v3"),
    ("/apps/{app}/addons", "/apps/survey/addons", "sdk-expanded"),
    ("/apps/{app}/addons", "/apps/econ-game/addons", "v3"),
    ("/addons", "/addons", "v3"),
    ("/addons", "/addons", "sdk-expanded"),
    ("/addons/{addon}", "/addons/<addon:survey:papertrail>", "v3"),
    ("/apps/{app}/addons/{addon}", "/apps/survey/addons/<addon:survey:heroku-postgresql>", "v3"),
    ("/enterprise-accounts", "/enterprise-accounts", "v3"),
    ("/enterprise-accounts/{ea}", "/enterprise-accounts/uni-example", "v3"),
    ("/enterprise-accounts/{ea}/teams", "/enterprise-accounts/uni-example/teams", "v3"),
    ("/spaces", "/spaces", "v3"),
    ("/spaces", "/spaces", "sdk"),
    ("/spaces/{space}", "/spaces/uni-frankfurt", "v3"),
    ("/spaces/{space}", "/spaces/bio-shield", "v3"),
    ("/regions", "/regions", "v3"),
    ("/regions/{region}", "/regions/frankfurt", "v3"),
    ("/regions/{region}", "/regions/eu", "v3"),
    ("/plans/{plan}", "/plans/heroku-postgresql:essential-0", "v3"),
    ("/plans/{plan}", "/plans/heroku-postgresql:shield-0", "v3"),
    ("/addon-services", "/addon-services", "v3"),
    ("/addon-services/{svc}", "/addon-services/heroku-postgresql", "v3"),
    ("/addon-services/{svc}", "/addon-services/papertrail", "v3"),
    ("/addon-services/{svc}/plans", "/addon-services/sendgrid/plans", "v3"),
    (
        "/addon-services/{svc}/plans/{plan}",
        "/addon-services/heroku-postgresql/plans/essential-0",
        "v3",
    ),
    (
        "/addon-services/{svc}/region-capabilities",
        "/addon-services/heroku-postgresql/region-capabilities",
        "v3",
    ),
    (
        "/addon-services/{svc}/region-capabilities",
        "/addon-services/papertrail/region-capabilities",
        "v3",
    ),
    ("/apps/{app}/log-drains", "/apps/survey/log-drains", "v3"),
    ("/apps/{app}/log-drains", "/apps/bio-dashboard/log-drains", "v3"),
    ("/apps/{app}/log-drains", "/apps/econ-game/log-drains", "v3"),
    ("/apps/{app}/addon-attachments", "/apps/frankfurt-exp/addon-attachments", "v3"),
    ("/addon-attachments", "/addon-attachments", "v3"),
    ("/apps/{app}/dynos", "/apps/survey/dynos", "v3"),
    ("/apps/{app}/collaborators", "/apps/survey/collaborators", "v3"),
    ("/apps/{app}/collaborators", "/apps/jdoe-thesis/collaborators", "v3"),
    ("/apps/{app}/pipeline-couplings", "/apps/survey/pipeline-couplings", "v3"),
    # The 3.sdk variant (the Heroku CLI asks for it in `spaces` and `addons`) differs a little.
    ("/account", "/account", "sdk"),
    ("/apps", "/apps", "sdk"),
    ("/apps/{app}", "/apps/frankfurt-exp", "sdk"),
    ("/teams", "/teams", "sdk"),
    ("/teams/{team}/apps", "/teams/psych-lab/apps", "sdk"),
    ("/addons", "/addons", "sdk"),
    ("/plans/{plan}", "/plans/papertrail:choklad", "sdk"),
    (
        "/addon-services/{svc}/region-capabilities",
        "/addon-services/sentry/region-capabilities",
        "sdk",
    ),
]
# Lists that are empty in the demo estate on purpose (an app without add-ons or drains).
EMPTY = {"/apps/econ-game/addons", "/apps/econ-game/log-drains"}


@cache
def load_schema(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _strict_properties(
    validator: Any, strict: bool, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    """Heroku's ``strictProperties``: exactly the listed properties, all of them."""
    if not strict or not validator.is_type(instance, "object"):
        return
    listed = set(schema.get("properties", {}))
    missing = sorted(listed - set(instance))
    extra = sorted(set(instance) - listed)
    if missing:
        yield ValidationError(f"missing properties {missing}")
    if extra:
        yield ValidationError(f"properties the schema does not list {extra}")


FORMATS = FormatChecker(formats=())


@FORMATS.checks("uuid", raises=ValueError)
def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or (len(value) == 36 and bool(uuid.UUID(value)))


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value):
        raise ValueError(f"not an RFC 3339 date-time: {value!r}")
    return bool(datetime.fromisoformat(value.replace("Z", "+00:00")))


@FORMATS.checks("email")
def _is_email(value: object) -> bool:
    return not isinstance(value, str) or bool(re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value))


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or bool(re.fullmatch(r"[a-z][a-z0-9+.-]*://\S+", value))


StrictValidator = extend(Draft4Validator, {"strictProperties": _strict_properties})


def _template_regex(href: str) -> re.Pattern[str]:
    parts = re.split(r"\{\([^}]*\)\}", href)
    return re.compile("^" + "[^/]+".join(re.escape(p) for p in parts) + "$")


def target_schema(schema: dict[str, Any], path: str) -> dict[str, Any]:
    """The targetSchema of the GET link that serves ``path`` (the most specific one)."""
    found: list[tuple[int, dict[str, Any]]] = []
    for definition in schema["definitions"].values():
        for link in definition.get("links", []):
            if link.get("method") == "GET" and "targetSchema" in link:
                href = unquote(link["href"])
                if _template_regex(link["href"]).match(path):
                    found.append((href.count("{"), link["targetSchema"]))
    assert found, f"the official schema has no GET link for {path}"
    return min(found, key=lambda pair: pair[0])[1]


def validate(schema: dict[str, Any], path: str, body: Any) -> None:
    target = {"definitions": schema["definitions"], **target_schema(schema, path)}
    errors = sorted(
        StrictValidator(target, format_checker=FORMATS).iter_errors(body),
        key=lambda e: list(e.absolute_path),
    )
    assert not errors, f"{path}: " + "; ".join(
        f"at {'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in errors[:5]
    )


_client: list[httpx.Client] = []


@pytest.fixture(scope="module")
def schema_simulator() -> Iterator[Simulator]:
    estate = demo_estate()
    survey = estate.app("survey")
    assert survey is not None
    survey.pipeline = SimPipeline("survey-pipeline", "production")
    with Simulator(estate) as sim, httpx.Client(timeout=10) as client:
        _client.append(client)
        yield sim
        _client.clear()


def concrete(sim: Simulator, path: str) -> str:
    """Replace ``<id:APP>`` and ``<addon:APP:SERVICE>`` with values from the estate."""

    def lookup(match: re.Match[str]) -> str:
        kind, _, rest = match.group(1).partition(":")
        app_name, _, service = rest.partition(":")
        app = sim.estate.app(app_name if kind == "addon" else rest)
        assert app is not None
        if kind == "id":
            return app.id
        return quote(next(o.name for o in app.addons if o.service == service))

    return re.sub(r"<([^>]+)>", lookup, path)


def fetch(sim: Simulator, path: str, variant: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {DEMO_ADMIN_TOKEN}", "Accept": ACCEPT_V3}
    if variant.startswith("sdk"):
        headers["Accept"] = ACCEPT_SDK
    if variant == "sdk-expanded":
        headers["Accept-Expansion"] = "addon_service,plan"
    response = _client[0].get(sim.url + path, headers=headers)
    assert response.status_code == 200, (path, response.status_code, response.text)
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    return response


@pytest.mark.parametrize(
    ("template", "path", "variant"), CASES, ids=[f"{p}-{v}" for _, p, v in CASES]
)
def test_response_validates_against_the_official_schema(
    schema_simulator: Simulator, template: str, path: str, variant: str
) -> None:
    real_path = concrete(schema_simulator, path)
    body = fetch(schema_simulator, real_path, variant).json()
    if isinstance(body, list) and path not in EMPTY:
        assert body, f"{real_path} answered an empty list: nothing was validated"
    schema = load_schema(SCHEMA_SDK if variant.startswith("sdk") else SCHEMA_V3)
    validate(schema, real_path, body)


def test_every_required_endpoint_is_covered() -> None:
    covered = {template for template, _, _ in CASES}
    normalised = {re.sub(r"\{[^}]+\}", "{}", t) for t in covered}
    missing = [t for t in REQUIRED_TEMPLATES if re.sub(r"\{[^}]+\}", "{}", t) not in normalised]
    assert not missing


def test_expanded_addons_carry_the_full_service_and_plan(schema_simulator: Simulator) -> None:
    body = fetch(schema_simulator, "/apps/survey/addons", "sdk-expanded").json()
    postgres = next(o for o in body if o["addon_service"]["name"] == "heroku-postgresql")
    assert postgres["addon_service"]["human_name"] == "Heroku Postgres"
    assert postgres["plan"]["name"] == "heroku-postgresql:essential-0"
    assert postgres["plan"]["price"] == {
        "cents": 500,
        "contract": False,
        "metered": False,
        "unit": "month",
    }


def test_unexpanded_addons_carry_identities_only(schema_simulator: Simulator) -> None:
    body = fetch(schema_simulator, "/apps/survey/addons", "v3").json()
    assert all(set(o["addon_service"]) == {"id", "name"} for o in body)
    assert all(set(o["plan"]) == {"id", "name"} for o in body)


def test_the_validator_rejects_what_the_schema_forbids(schema_simulator: Simulator) -> None:
    """The check above can fail: a missing property, a wrong type, a bad uuid are caught."""
    app = fetch(schema_simulator, "/apps/survey", "v3").json()
    schema = load_schema(SCHEMA_V3)
    for broken in (
        {k: v for k, v in app.items() if k != "stack"},
        {**app, "maintenance": "no"},
        {**app, "id": "not-a-uuid"},
        {**app, "created_at": "yesterday"},
        {**app, "extra": 1},
    ):
        with pytest.raises(AssertionError):
            validate(schema, "/apps/survey", broken)


def test_config_vars_are_never_served(schema_simulator: Simulator) -> None:
    response = _client[0].get(
        schema_simulator.url + "/apps/survey/config-vars",
        headers={"Authorization": f"Bearer {DEMO_ADMIN_TOKEN}", "Accept": ACCEPT_V3},
    )
    assert response.status_code == 403
    assert response.json()["id"] == "forbidden"
    assert "URL" not in response.text


def test_jsonschema_is_the_real_package() -> None:
    assert hasattr(jsonschema, "Draft4Validator")
