"""The demo estate ("University of Example") built by hand as facts, for engine tests.

It mirrors the estate of the helpers' brief and ``gatekeeper.simulator.demo_estate()``;
``test_demo_facts.py`` asserts both agree (ids and generated add-on names aside), so the
engine tests do not depend on the simulator and the simulator cannot drift from the brief.
"""

from __future__ import annotations

import dataclasses
import textwrap
import uuid
from datetime import date

from gatekeeper.engine import evaluate
from gatekeeper.facts import (
    AddOn,
    App,
    EnterpriseAccount,
    Estate,
    FactError,
    LogDrain,
    Region,
    Space,
    SpaceLogDrain,
    Team,
    TelemetryDrain,
)
from gatekeeper.policy import Policy, loads_policy
from gatekeeper.results import AppResult, Finding, Report

_NS = uuid.UUID("6f1c2a10-0000-4000-8000-000000000000")


def _id(kind: str, name: str) -> str:
    return str(uuid.uuid5(_NS, f"{kind}:{name}"))


def addon(app: str, plan: str, name: str | None = None) -> AddOn:
    service = plan.split(":", 1)[0]
    name = name or f"{service.removeprefix('heroku-')}-{app}"
    return AddOn(id=_id("addon", name), name=name, service=service, plan=plan, app=app)


def drain(url: str, host: str, addon_name: str | None = None) -> LogDrain:
    return LogDrain(id=_id("drain", url), url=url, host=host, addon=addon_name)


def team_app(
    name: str,
    team: str,
    region: str,
    *,
    space: str | None = None,
    addons: tuple[AddOn, ...] = (),
    drains: tuple[LogDrain, ...] = (),
    generation: str = "cedar",
    telemetry: tuple[TelemetryDrain, ...] = (),
) -> App:
    return App(
        generation=generation,
        telemetry_drains=telemetry,
        id=_id("app", name),
        name=name,
        owner="team",
        owner_email=f"{team}@herokumanager.com",
        team=team,
        region=region,
        space=space,
        addons=addons,
        log_drains=drains,
    )


def telemetry(url: str, host: str, *signals: str) -> TelemetryDrain:
    return TelemetryDrain(id=_id("telemetry", url), host=host, url=url, signals=signals)


def attached(owner: AddOn, team: str, region: str) -> AddOn:
    """``owner`` as an app that has it attached sees it (owned by another app)."""
    return dataclasses.replace(owner, owner_team=team, owner_region=region, owner_account="team")


def demo_apps() -> tuple[App, ...]:
    papertrail = addon("survey", "papertrail:choklad")
    sentry = addon("bio-dashboard", "sentry:f1")
    return (
        team_app(
            "survey",
            "psych-lab",
            "eu",
            addons=(
                addon("survey", "heroku-postgresql:essential-0"),
                papertrail,
                addon("survey", "sendgrid:starter"),
            ),
            drains=(
                drain(
                    "syslog+tls://logs.papertrailapp.com:43215",
                    "logs.papertrailapp.com",
                    papertrail.name,
                ),
            ),
        ),
        team_app(
            "otree-study",
            "psych-lab",
            "eu",
            addons=(
                addon("otree-study", "heroku-postgresql:standard-0"),
                addon("otree-study", "heroku-redis:mini"),
                addon("otree-study", "scheduler:standard"),
                attached(sentry, "bio-lab", "eu"),  # owned by bio-dashboard
            ),
            drains=(drain("syslog+tls://logs.uni-example.edu:6514", "logs.uni-example.edu"),),
        ),
        team_app(
            "experiment-us",
            "psych-lab",
            "us",
            addons=(addon("experiment-us", "heroku-postgresql:essential-0"),),
        ),
        team_app(
            "frankfurt-exp",
            "psych-lab",
            "frankfurt",
            space="uni-frankfurt",
            addons=(
                addon(
                    "frankfurt-exp",
                    "heroku-postgresql:essential-0",
                    "postgresql-frankfurt-essential",
                ),
                addon(
                    "frankfurt-exp", "heroku-postgresql:private-0", "postgresql-frankfurt-private"
                ),
                addon("frankfurt-exp", "heroku-applink:base"),
            ),
        ),
        team_app(
            "fir-survey",
            "psych-lab",
            "frankfurt",
            space="uni-fir",
            generation="fir",
            telemetry=(
                telemetry(
                    "https://otlp.us.example-observability.com:4318/v1/logs",
                    "otlp.us.example-observability.com",
                    "logs",
                    "traces",
                ),
            ),
        ),
        team_app(
            "clinical-trial",
            "bio-lab",
            "dublin",
            space="bio-shield",
            addons=(
                addon("clinical-trial", "heroku-postgresql:shield-0"),
                addon("clinical-trial", "herokuconnect:demo"),
            ),
        ),
        team_app(
            "bio-dashboard",
            "bio-lab",
            "eu",
            addons=(
                sentry,
                addon("bio-dashboard", "heroku-inference:claude-3-5-haiku"),
            ),
            drains=(drain("https://logs.example-logging.io/ingest", "logs.example-logging.io"),),
        ),
        team_app("econ-game", "econ-lab", "eu"),
        team_app("econ-archive", "econ-lab", "us"),
        team_app(
            "student-game",
            "student-projects",
            "eu",
            addons=(addon("student-game", "heroku-redis:mini"),),
        ),
        App(
            id=_id("app", "jdoe-thesis"),
            name="jdoe-thesis",
            owner="person",
            owner_email="jane.doe@uni-example.edu",
            team=None,
            region="eu",
            addons=(addon("jdoe-thesis", "heroku-postgresql:essential-0"),),
            generation="cedar",
        ),
    )


REGIONS = (
    Region(name="us", country="United States", provider_region="us-east-1"),
    Region(name="eu", country="Ireland", provider_region="eu-west-1"),
    Region(name="dublin", country="Ireland", provider_region="eu-west-1", private_capable=True),
    Region(
        name="frankfurt", country="Germany", provider_region="eu-central-1", private_capable=True
    ),
)


def demo_facts() -> Estate:
    """The whole demo estate as the admin token sees it."""
    return Estate(
        source="test",
        apps=demo_apps(),
        teams=(
            Team(id=_id("team", "psych-lab"), name="psych-lab", enterprise_account="uni-example"),
            Team(id=_id("team", "bio-lab"), name="bio-lab", enterprise_account="uni-example"),
            Team(id=_id("team", "econ-lab"), name="econ-lab", enterprise_account="uni-example"),
            Team(id=_id("team", "student-projects"), name="student-projects"),
        ),
        enterprise_accounts=(EnterpriseAccount(id=_id("ea", "uni-example"), name="uni-example"),),
        spaces=(
            Space(
                id=_id("space", "uni-frankfurt"),
                name="uni-frankfurt",
                region="frankfurt",
                shield=False,
                team="psych-lab",
                generation="cedar",
            ),
            Space(
                id=_id("space", "bio-shield"),
                name="bio-shield",
                region="dublin",
                shield=True,
                team="bio-lab",
                generation="cedar",
                log_drain=SpaceLogDrain(
                    state="set",
                    host="siem.bio-partner.example.net",
                    url="https://siem.bio-partner.example.net/ingest",
                ),
            ),
            Space(
                id=_id("space", "uni-fir"),
                name="uni-fir",
                region="frankfurt",
                team="psych-lab",
                generation="fir",
                telemetry_drains=(
                    telemetry(
                        "https://otlp.eu01.example-apm.com/v1",
                        "otlp.eu01.example-apm.com",
                        "metrics",
                        "traces",
                    ),
                ),
            ),
        ),
        regions=REGIONS,
    )


def normalised(estate: Estate) -> dict[str, object]:
    """What must agree between two builds of the estate: names and facts, not ids."""
    addon_service = {o.name: o.service for a in estate.apps for o in a.addons}
    return {
        "apps": {
            a.name: (
                a.owner,
                a.owner_email,
                a.team,
                a.region,
                a.space,
                sorted(o.plan for o in a.addons),
                sorted(
                    (d.url, d.host, addon_service.get(d.addon or "", d.addon))
                    for d in (a.log_drains or ())
                ),
                a.errors,
                a.generation,
                sorted((d.url, d.host, d.signals) for d in a.telemetry_drains or ()),
                sorted(
                    (o.plan, o.app, o.owner_team, o.owner_region, o.owner_account)
                    for o in a.addons
                    if a.attached_from_elsewhere(o)
                ),
            )
            for a in estate.apps
        },
        "teams": sorted((t.name, t.enterprise_account) for t in estate.teams),
        "enterprise_accounts": sorted(e.name for e in estate.enterprise_accounts),
        "spaces": sorted(
            (
                s.name,
                s.region,
                s.shield,
                s.team,
                s.generation,
                sorted((d.url, d.host, d.signals) for d in s.telemetry_drains or ()),
                s.log_drain,
            )
            for s in estate.spaces
        ),
    }


# --- builders for rule and engine tests ---------------------------------------------------

TODAY = date(2026, 6, 1)


def make_app(
    name: str = "app",
    *,
    team: str | None = "psych-lab",
    region: str | None = "eu",
    space: str | None = None,
    addons: tuple[str, ...] = (),
    drains: tuple[LogDrain, ...] | None = (),
    owner_email: str | None = None,
    errors: tuple[FactError, ...] = (),
) -> App:
    """An app; ``addons`` are ``service:plan`` strings (named ``<service>-<app>-<n>``)."""
    built = tuple(
        addon(name, plan, f"{plan.split(':')[0]}-{name}-{i}") for i, plan in enumerate(addons)
    )
    return App(
        id=_id("app", name),
        name=name,
        owner="team" if team else "person",
        owner_email=owner_email
        or (f"{team}@herokumanager.com" if team else "jane.doe@uni-example.edu"),
        team=team,
        region=region,
        space=space,
        addons=built,
        log_drains=drains,
        errors=errors,
    )


def make_estate(*apps: App, teams: tuple[Team, ...] | None = None) -> Estate:
    """An estate with the demo's teams, enterprise account and spaces, and these apps."""
    demo = demo_facts()
    return Estate(
        source="test",
        apps=apps,
        teams=demo.teams if teams is None else teams,
        enterprise_accounts=demo.enterprise_accounts,
        spaces=demo.spaces,
        regions=demo.regions,
    )


def make_policy(text: str, *, version: bool = True) -> Policy:
    """A policy from TOML text (``version = 1`` added unless asked not to)."""
    body = textwrap.dedent(text)
    return loads_policy(("version = 1\n" if version else "") + body, source="test.toml")


def run(estate: Estate, policy: Policy, today: date = TODAY) -> Report:
    return evaluate(estate, policy, today)


def result(report: Report, app: str) -> AppResult:
    return next(a for a in report.apps if a.name == app)


def rules_of(report: Report, app: str, *, unwaived: bool = False) -> set[str]:
    return {f.rule for f in result(report, app).findings if not (unwaived and f.waived)}


def finding(report: Report, app: str, rule: str) -> Finding:
    found = [f for f in result(report, app).findings if f.rule == rule]
    assert len(found) == 1, found
    return found[0]
