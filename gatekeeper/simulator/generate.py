"""Large, deterministic estates for end-to-end tests and benchmarks (``generate_estate``)."""

from __future__ import annotations

import random

from gatekeeper.simulator import catalog
from gatekeeper.simulator.estate import (
    ALL,
    DEMO_ADMIN_TOKEN,
    DEMO_JDOE_TOKEN,
    SimAddOn,
    SimApp,
    SimEnterpriseAccount,
    SimEstate,
    SimSpace,
    SimTeam,
    SimToken,
)
from gatekeeper.simulator.kinds.log_drains import SimLogDrain
from gatekeeper.simulator.naming import addon_name, port

_LABS = ("psych", "bio", "econ", "physics", "chem", "math", "med", "law", "ling", "geo")

# (plan, weight) for the add-ons after the first; third-party services are the point.
_EXTRA_ADDONS: tuple[tuple[str, int], ...] = (
    ("heroku-redis:mini", 20),
    ("papertrail:choklad", 14),
    ("sendgrid:starter", 12),
    ("sentry:f1", 10),
    ("scheduler:standard", 10),
    ("mailgun:starter", 6),
    ("newrelic:wayne", 6),
    ("memcachier:dev", 4),
    ("cloudamqp:lemur", 4),
    ("coralogix:free-trial", 3),
    ("herokuconnect:demo", 3),
    ("heroku-kafka:basic-0", 2),
)


def _custom_drains(domain: str) -> tuple[str, ...]:
    return (
        f"syslog+tls://logs.{domain}:6514",
        f"syslog://siem.{domain}:514",
        "https://logs.example-logging.io/ingest?token={secret}",
        "https://ingest:{secret}@http-intake.logs.example-datadog.eu/api/v2/logs",
    )


def generate_estate(
    *,
    apps: int,
    teams: int = 5,
    enterprise: str | None = "uni-example",
    addons_per_app: int = 2,
    drains: bool = True,
    seed: int = 0,
) -> SimEstate:
    """An estate of ``apps`` apps spread evenly over ``teams`` teams, all in ``enterprise``
    (None: no enterprise account), the same for the same arguments.

    The mix: most apps in ``eu``, some in ``us``, some in the teams' Private Spaces (a
    Frankfurt space, a Shield space in Dublin, an Oregon space); each app has
    ``addons_per_app`` add-ons, the first a Heroku Postgres database, the others drawn from
    Heroku's own and third-party services; with ``drains``, logging add-ons create drains
    and about one app in twelve has a custom drain (some with a secret in the URL). The
    tokens are the demo ones: ``DEMO_ADMIN_TOKEN`` sees everything, ``DEMO_JDOE_TOKEN`` is
    a member of the first team.
    """
    if apps < 0 or teams < 1 or addons_per_app < 0:
        raise ValueError("apps >= 0, teams >= 1 and addons_per_app >= 0 are required")
    rng = random.Random(seed)
    domain = f"{enterprise or 'example'}.edu"
    team_list = [
        SimTeam(f"{_LABS[i]}-lab" if i < len(_LABS) else f"lab-{i + 1:03d}", enterprise)
        for i in range(teams)
    ]
    space_specs = (
        ("fra", "frankfurt", False),
        ("shield", "dublin", True),
        ("ore", "oregon", False),
    )
    spaces = [
        SimSpace(f"{team_list[i].name}-{suffix}", region, team_list[i].name, shield)
        for i, (suffix, region, shield) in enumerate(space_specs[:teams])
    ]
    space_of_team = {s.team: s for s in spaces}
    plans = [p for p, _ in _EXTRA_ADDONS]
    weights = [w for _, w in _EXTRA_ADDONS]
    custom = _custom_drains(domain)
    taken: set[str] = set()  # add-on names (and so ids) are unique on Heroku

    app_list: list[SimApp] = []
    for i in range(apps):
        team = team_list[i % teams]
        short = team.name.removesuffix("-lab")
        name = f"{short}-{i:05d}"
        roll = rng.random()
        space = space_of_team.get(team.name) if roll >= 0.85 else None
        region = space.region if space else ("eu" if roll < 0.6 else "us")
        chosen = _database_plan(rng, space)[:addons_per_app] if addons_per_app else []
        while len(chosen) < addons_per_app:
            plan = rng.choices(plans, weights)[0]
            if plan not in chosen:
                chosen.append(plan)
        addons = [
            SimAddOn(
                plan=plan,
                name=_unique_addon_name(
                    catalog.service_info(plan.partition(":")[0]).name_prefix, name, j, taken
                ),
            )
            for j, plan in enumerate(chosen)
        ]
        log_drains: list[SimLogDrain] = []
        if drains:
            for addon in addons:
                if catalog.service_info(addon.service).creates_log_drain:
                    host = (
                        "logs.papertrailapp.com"
                        if addon.service == "papertrail"
                        else ("syslog.eu2.coralogix.com")
                    )
                    log_drains.append(
                        SimLogDrain(
                            url=f"syslog+tls://{host}:{port(name, addon.name)}", addon=addon.name
                        )
                    )
            if rng.random() < 1 / 12:
                template = rng.choice(custom)
                log_drains.append(
                    SimLogDrain(url=template.format(secret=f"{rng.getrandbits(64):016x}"))
                )
        app_list.append(
            SimApp(
                name=name,
                region=region,
                team=team.name,
                space=space.name if space else None,
                addons=addons,
                log_drains=log_drains,
            )
        )

    tokens = [
        SimToken(
            DEMO_ADMIN_TOKEN,
            f"admin@{domain}",
            "Estate Admin",
            teams=[ALL],
            enterprise_accounts=[ALL],
            apps=[ALL],
            role="admin",
        ),
        SimToken(DEMO_JDOE_TOKEN, f"jane.doe@{domain}", "Jane Doe", teams=[team_list[0].name]),
    ]
    return SimEstate(
        enterprise_accounts=[SimEnterpriseAccount(enterprise)] if enterprise else [],
        teams=team_list,
        spaces=spaces,
        apps=app_list,
        tokens=tokens,
        people={f"admin@{domain}": "Estate Admin", f"jane.doe@{domain}": "Jane Doe"},
        description=f"generated: {apps} apps, {teams} teams, seed {seed}",
    )


def _unique_addon_name(prefix: str, app: str, index: int, taken: set[str]) -> str:
    """``addon_name``, drawn again on a clash: its five digits collide now and then in
    large estates, and two add-ons sharing a name (and so an id) cannot exist on Heroku."""
    attempt = 0
    while (name := addon_name(prefix, app, index + 1000 * attempt)) in taken:
        attempt += 1
    taken.add(name)
    return name


def _database_plan(rng: random.Random, space: SimSpace | None) -> list[str]:
    """The first add-on: a Postgres plan that fits where the app runs (mostly)."""
    roll = rng.random()
    if space is not None and space.shield:
        return ["heroku-postgresql:shield-0"]
    if space is not None:
        # an essential database in a space lives outside the space's region: a finding
        return ["heroku-postgresql:private-0" if roll < 0.7 else "heroku-postgresql:essential-0"]
    if roll < 0.6:
        return ["heroku-postgresql:essential-0"]
    if roll < 0.9:
        return ["heroku-postgresql:standard-0"]
    return ["heroku-postgresql:essential-1"]
