"""The documented request formula (``request_budget``, docstring of
gatekeeper/collect/estate.py) and ``AuditScope``. The formula is checked by hand on small
estates, and against what the collector really asks for on one that needs several pages."""

from __future__ import annotations

import asyncio

import pytest
from collect_fakes import FakeApi, addon, attachment, lab_routes, team, team_app

from gatekeeper.collect import AuditScope, collect_estate, request_budget
from gatekeeper.collect.estate import pages
from gatekeeper.errors import UsageError
from gatekeeper.facts import AddOn, App, Estate, Space, Team
from gatekeeper.needs import Needs

NO_DRAINS = Needs.everything().without("log-drains")  # [logs] check_drains = false


@pytest.mark.parametrize(
    ("items", "expected"),
    [(0, 1), (1, 1), (999, 1), (1000, 1), (1001, 2), (2500, 3), (10_000, 10), (10_001, 11)],
)
def test_pages_of_1000(items: int, expected: int) -> None:
    assert pages(items) == expected


def estate(
    apps_per_team: dict[str | None, int], *, addons_per_app: int = 2, spaces: int = 1
) -> Estate:
    apps = []
    for team_name, count in apps_per_team.items():
        for i in range(count):
            name = f"{team_name or 'me'}-{i}"
            apps.append(
                App(
                    id=f"id-{name}",
                    name=name,
                    owner="team" if team_name else "person",
                    team=team_name,
                    generation="cedar",
                    addons=tuple(
                        AddOn(
                            id=f"{name}-{j}", name=f"{name}-{j}", service="s", plan="s:p", app=name
                        )
                        for j in range(addons_per_app)
                    ),
                )
            )
    teams = tuple(Team(id=f"t-{t}", name=t, enterprise_account="uni") for t in apps_per_team if t)
    space_facts = tuple(Space(id=f"s{i}", name=f"s{i}", region="eu") for i in range(spaces))
    return Estate(apps=tuple(apps), teams=teams, spaces=space_facts)


def test_teams_without_drains() -> None:
    facts = estate({"a": 10, "b": 600})  # b: 1,200 add-ons, two pages
    scope = AuditScope(teams=("a", "b"))
    # rate limits + regions + spaces + 2 team lookups + a (1 + 1) + b (1 + 2)
    # + 2 pages of the 1,220 attachments (GET /addon-attachments)
    assert request_budget(scope=scope, estate=facts, needs=NO_DRAINS) == 3 + 2 + 2 + 3 + 2


def test_drains_add_one_request_per_app() -> None:
    facts = estate({"a": 10, "b": 600})
    scope = AuditScope(teams=("a", "b"))
    without = request_budget(scope=scope, estate=facts, needs=NO_DRAINS)
    assert request_budget(scope=scope, estate=facts, needs=Needs.everything()) == without + 610


def test_enterprise_lists_its_teams_in_pages() -> None:
    facts = estate({"a": 1, "b": 1})
    scope = AuditScope(enterprises=("uni",))
    assert (
        request_budget(
            scope=scope,
            estate=facts,
            needs=NO_DRAINS,
            teams_per_enterprise={"uni": 2},
        )
        == 3 + 1 + 2 * 2 + 1  # + 1 page of attachments
    )
    assert (
        request_budget(
            scope=scope,
            estate=facts,
            needs=NO_DRAINS,
            teams_per_enterprise={"uni": 1500},
        )
        == 3 + 2 + 2 * 2 + 1
    )


def test_everything_uses_account_wide_pages() -> None:
    facts = estate({"a": 1500, "b": 1500, None: 1}, addons_per_app=1, spaces=1001)
    scope = AuditScope(everything=True)
    # rate limits + regions + 2 space pages + 1 teams page + 4 app pages + 4 add-on pages
    # + 4 attachment pages
    assert request_budget(scope=scope, estate=facts, needs=NO_DRAINS) == 2 + 2 + 1 + 4 + 4 + 4


def test_the_budget_grows_with_pages_not_apps() -> None:
    scope = AuditScope(teams=("a",))
    small = request_budget(
        scope=scope,
        estate=estate({"a": 10}, addons_per_app=1),
        needs=NO_DRAINS,
    )
    large = request_budget(
        scope=scope,
        estate=estate({"a": 1000}, addons_per_app=1),
        needs=NO_DRAINS,
    )
    assert small == large  # one page of apps and one of add-ons either way
    larger = request_budget(
        scope=scope,
        estate=estate({"a": 1001}, addons_per_app=1),
        needs=NO_DRAINS,
    )
    assert larger == large + 3  # a second page of apps, add-ons and attachments


def test_the_collector_keeps_to_the_budget_across_pages() -> None:
    """A team of 2,345 apps and 3,001 add-ons: 3 + 4 pages, counted as the client would."""
    routes = lab_routes()
    many_apps = [team_app(f"app-{i:04d}", "bio") for i in range(2345)]
    routes["/teams/bio/apps"] = many_apps
    routes["/teams/bio/addons"] = [
        addon(f"sentry-{i:04d}", "sentry:f1", f"app-{i % 2345:04d}") for i in range(3001)
    ]
    routes["/addon-attachments"] = [
        attachment(f"sentry-{i:04d}", f"app-{i % 2345:04d}") for i in range(3001)
    ]
    routes["/enterprise-accounts/uni/teams"] = [team("bio", "uni")]
    for payload in many_apps:
        routes[f"/apps/{payload['name']}/log-drains"] = []
    for check_drains in (False, True):
        api = FakeApi(routes)
        scope = AuditScope(enterprises=("uni",))
        facts = asyncio.run(
            collect_estate(
                api,
                scope,
                needs=Needs.everything() if check_drains else NO_DRAINS,
            )
        )
        assert len(facts.apps) == 2345
        assert sum(len(a.addons) for a in facts.apps) == 3001
        expected = request_budget(
            scope=scope,
            estate=facts,
            needs=Needs.everything() if check_drains else NO_DRAINS,
            teams_per_enterprise={"uni": 1},
        )
        assert len(api.calls) == expected
        # + 4 pages of attachments
        assert expected == 4 + 3 + 4 + 4 + (2345 if check_drains else 0)


def test_an_empty_scope_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="--team, --enterprise or --all"):
        AuditScope()


@pytest.mark.parametrize(
    ("scope", "key"),
    [
        (AuditScope(everything=True), "all"),
        (AuditScope(everything=True, teams=("a",)), "all"),
        (AuditScope(teams=("b", "a", "b")), "team:a,team:b"),
        (AuditScope(teams=("x",), enterprises=("uni",)), "enterprise:uni,team:x"),
    ],
)
def test_scope_keys_are_stable(scope: AuditScope, key: str) -> None:
    assert scope.describe() == key
