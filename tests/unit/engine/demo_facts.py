"""The demo estate ("University of Example") built by hand as facts, for engine tests.

It mirrors the estate of the helpers' brief and ``gatekeeper.simulator.demo_estate()``;
``test_demo_facts.py`` asserts both agree (ids and generated add-on names aside), so the
engine tests do not depend on the simulator and the simulator cannot drift from the brief.
"""

from __future__ import annotations

import uuid

from gatekeeper.facts import AddOn, App, EnterpriseAccount, Estate, LogDrain, Region, Space, Team

_NS = uuid.UUID("6f1c2a10-0000-4000-8000-000000000000")


def _id(kind: str, name: str) -> str:
    return str(uuid.uuid5(_NS, f"{kind}:{name}"))


def addon(app: str, plan: str, name: str | None = None) -> AddOn:
    service = plan.split(":", 1)[0]
    name = name or f"{service.removeprefix('heroku-')}-{app}"
    return AddOn(id=_id("addon", name), name=name, service=service, plan=plan, app=app)


def drain(url: str, host: str, addon_name: str | None = None) -> LogDrain:
    return LogDrain(id=_id("drain", url), url=url, host=host, addon=addon_name)


def team_app(name: str, team: str, region: str, *, space: str | None = None,
             addons: tuple[AddOn, ...] = (), drains: tuple[LogDrain, ...] = ()) -> App:
    return App(id=_id("app", name), name=name, owner="team",
               owner_email=f"{team}@herokumanager.com", team=team, region=region, space=space,
               addons=addons, log_drains=drains)


def demo_apps() -> tuple[App, ...]:
    papertrail = addon("survey", "papertrail:choklad")
    return (
        team_app("survey", "psych-lab", "eu",
                 addons=(addon("survey", "heroku-postgresql:essential-0"), papertrail,
                         addon("survey", "sendgrid:starter")),
                 drains=(drain("syslog+tls://logs.papertrailapp.com:43215",
                               "logs.papertrailapp.com", papertrail.name),)),
        team_app("otree-study", "psych-lab", "eu",
                 addons=(addon("otree-study", "heroku-postgresql:standard-0"),
                         addon("otree-study", "heroku-redis:mini"),
                         addon("otree-study", "scheduler:standard")),
                 drains=(drain("syslog+tls://logs.uni-example.edu:6514",
                               "logs.uni-example.edu"),)),
        team_app("experiment-us", "psych-lab", "us",
                 addons=(addon("experiment-us", "heroku-postgresql:essential-0"),)),
        team_app("frankfurt-exp", "psych-lab", "frankfurt", space="uni-frankfurt",
                 addons=(addon("frankfurt-exp", "heroku-postgresql:essential-0",
                               "postgresql-frankfurt-essential"),
                         addon("frankfurt-exp", "heroku-postgresql:private-0",
                               "postgresql-frankfurt-private"))),
        team_app("clinical-trial", "bio-lab", "dublin", space="bio-shield",
                 addons=(addon("clinical-trial", "heroku-postgresql:shield-0"),
                         addon("clinical-trial", "heroku-connect:demo"))),
        team_app("bio-dashboard", "bio-lab", "eu",
                 addons=(addon("bio-dashboard", "sentry:f1"),),
                 drains=(drain("https://logs.example-logging.io/ingest",
                               "logs.example-logging.io"),)),
        team_app("econ-game", "econ-lab", "eu"),
        team_app("econ-archive", "econ-lab", "us"),
        team_app("student-game", "student-projects", "eu",
                 addons=(addon("student-game", "heroku-redis:mini"),)),
        App(id=_id("app", "jdoe-thesis"), name="jdoe-thesis", owner="person",
            owner_email="jane.doe@uni-example.edu", team=None, region="eu",
            addons=(addon("jdoe-thesis", "heroku-postgresql:essential-0"),)),
    )


REGIONS = (
    Region(name="us", country="United States", provider_region="us-east-1"),
    Region(name="eu", country="Ireland", provider_region="eu-west-1"),
    Region(name="dublin", country="Ireland", provider_region="eu-west-1", private_capable=True),
    Region(name="frankfurt", country="Germany", provider_region="eu-central-1",
           private_capable=True),
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
            Space(id=_id("space", "uni-frankfurt"), name="uni-frankfurt", region="frankfurt",
                  shield=False, team="psych-lab"),
            Space(id=_id("space", "bio-shield"), name="bio-shield", region="dublin", shield=True,
                  team="bio-lab"),
        ),
        regions=REGIONS,
    )


def normalised(estate: Estate) -> dict[str, object]:
    """What must agree between two builds of the estate: names and facts, not ids."""
    addon_service = {o.name: o.service for a in estate.apps for o in a.addons}
    return {
        "apps": {
            a.name: (a.owner, a.owner_email, a.team, a.region, a.space,
                     sorted(o.plan for o in a.addons),
                     sorted((d.url, d.host, addon_service.get(d.addon or "", d.addon))
                            for d in (a.log_drains or ())),
                     a.errors)
            for a in estate.apps
        },
        "teams": sorted((t.name, t.enterprise_account) for t in estate.teams),
        "enterprise_accounts": sorted(e.name for e in estate.enterprise_accounts),
        "spaces": sorted((s.name, s.region, s.shield, s.team) for s in estate.spaces),
    }
