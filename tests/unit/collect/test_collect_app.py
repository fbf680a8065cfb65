"""``collect_app`` (what ``check`` reads for one app): two waves of requests, details that
fail become errors on the app, an app that cannot be read stops the check."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from collect_fakes import (
    FakeApi,
    addon,
    app,
    drain,
    forbidden,
    region,
    server_error,
    space,
    team,
    uid,
)

from gatekeeper.collect import collect_app, collect_app_sync
from gatekeeper.errors import ForbiddenError, NotFoundError, ProtocolError
from gatekeeper.facts import Estate
from gatekeeper.needs import Needs

NO_DRAINS = Needs.everything().without("log-drains")  # [logs] check_drains = false


def app_routes() -> dict[str, Any]:
    return {
        "/apps/survey": app("survey", "psych"),
        "/apps/survey/addons": [
            addon("pg-one", "heroku-postgresql:essential-0", "survey"),
            addon("old", "sentry:f1", "survey", state="deprovisioned"),
        ],
        "/apps/survey/log-drains": [drain("syslog://logs.example.edu:514/x?k=v", "survey")],
        "/regions": [region("eu"), region("us"), region("frankfurt")],
        f"/teams/{uid('team', 'psych')}": team("psych", "uni"),
        "/apps/lab-exp": app("lab-exp", "psych", "frankfurt", space_name="fra-space"),
        "/apps/lab-exp/addons": [],
        "/apps/lab-exp/log-drains": [],
        f"/spaces/{uid('space', 'fra-space')}": space(
            "fra-space", "psych", "frankfurt", shield=True
        ),
        "/apps/thesis": app("thesis", None),
        "/apps/thesis/addons": [],
        "/apps/thesis/log-drains": [],
    }


Collect = Callable[..., Estate]


class SyncFakeApi:
    """The synchronous client's shape over ``FakeApi`` (its answers never really wait)."""

    def __init__(self, api: FakeApi) -> None:
        self._api = api

    def get(self, path: str, *, variant: str | None = None) -> Any:
        return asyncio.run(self._api.get(path))

    def get_model(self, path: str, model: type[Any], *, variant: str | None = None) -> Any:
        return asyncio.run(self._api.get_model(path, model))

    def list_models(self, path: str, model: type[Any], *, variant: str | None = None) -> list[Any]:
        return asyncio.run(self._api.list_models(path, model))

    def list(self, path: str, *, variant: str | None = None) -> list[Any]:
        return asyncio.run(self._api.list(path))


@pytest.fixture(params=["async", "sync"])
def check(request: pytest.FixtureRequest) -> Collect:
    """``collect_app`` on the asynchronous client, and ``collect_app_sync`` (check's) on the
    synchronous one: the same plan, so the same requests and the same estate."""
    if request.param == "async":
        return lambda api, name, **options: asyncio.run(collect_app(api, name, **options))
    return lambda api, name, **options: collect_app_sync(
        SyncFakeApi(api),  # type: ignore[arg-type]
        name,
        **options,
    )


def test_a_team_app_and_what_it_refers_to(check: Collect) -> None:
    api = FakeApi(app_routes())
    estate = check(api, "survey")
    assert sorted(api.calls[:4]) == [
        "/apps/survey",
        "/apps/survey/addons",
        "/apps/survey/log-drains",
        "/regions",
    ]
    assert api.calls[4:] == [f"/teams/{uid('team', 'psych')}"]  # the second wave
    (survey,) = estate.apps
    assert (survey.team, survey.region, survey.space) == ("psych", "eu", None)
    assert [a.name for a in survey.addons] == ["pg-one"]  # the deprovisioned one is gone
    assert [(d.host, d.url) for d in survey.log_drains or ()] == [
        ("logs.example.edu", "syslog://logs.example.edu:514/x")
    ]
    assert [r.name for r in estate.regions] == ["eu"]  # only the app's region
    assert [(t.name, t.enterprise_account) for t in estate.teams] == [("psych", "uni")]
    assert [e.name for e in estate.enterprise_accounts] == ["uni"]
    assert not survey.errors


def test_an_app_in_a_space_reads_the_space(check: Collect) -> None:
    api = FakeApi(app_routes())
    estate = check(api, "lab-exp")
    assert f"/spaces/{uid('space', 'fra-space')}" in api.calls
    assert [(s.name, s.shield, s.region) for s in estate.spaces] == [
        ("fra-space", True, "frankfurt")
    ]


def test_a_personal_app_has_no_team_request(check: Collect) -> None:
    api = FakeApi(app_routes())
    estate = check(api, "thesis")
    assert not [c for c in api.calls if c.startswith("/teams/")]
    (thesis,) = estate.apps
    assert (thesis.owner, thesis.owner_email) == ("person", "jane@example.edu")


def test_without_drains(check: Collect) -> None:
    api = FakeApi(app_routes())
    (survey,) = check(api, "survey", needs=NO_DRAINS).apps
    assert survey.log_drains is None
    assert "/apps/survey/log-drains" not in api.calls


@pytest.mark.parametrize(
    ("path", "fact", "status"),
    [
        ("/apps/survey/addons", "addons", 403),
        ("/apps/survey/log-drains", "log-drains", 503),
        ("/regions", "region", 503),
        (f"/teams/{uid('team', 'psych')}", "team", 403),
    ],
)
def test_a_detail_that_cannot_be_read_is_an_error_on_the_app(
    check: Collect, path: str, fact: str, status: int
) -> None:
    routes = app_routes()
    routes[path] = forbidden(path) if status == 403 else server_error(path)
    (survey,) = check(FakeApi(routes), "survey").apps
    assert [(e.fact, e.status) for e in survey.errors] == [(fact, status)]


def test_a_space_that_cannot_be_read_is_an_error_on_the_app(check: Collect) -> None:
    routes = app_routes()
    path = f"/spaces/{uid('space', 'fra-space')}"
    routes[path] = forbidden(path)
    estate = check(FakeApi(routes), "lab-exp")
    assert [e.fact for e in estate.apps[0].errors] == ["space"]
    assert estate.spaces == ()


def test_an_app_that_cannot_be_read_stops_the_check(check: Collect) -> None:
    routes = app_routes()
    routes["/apps/survey"] = forbidden("/apps/survey")
    with pytest.raises(ForbiddenError):
        check(FakeApi(routes), "survey")


def test_a_malformed_app_is_blocked_not_guessed(check: Collect) -> None:
    routes = app_routes()
    payload = app("survey", "psych")
    payload["region"] = None
    routes["/apps/survey"] = payload
    (survey,) = check(FakeApi(routes), "survey").apps
    assert [e.fact for e in survey.errors] == ["app"]
    assert survey.team == "psych"
    routes["/apps/survey"] = {"unexpected": True}
    with pytest.raises(ProtocolError, match="survey"):
        check(FakeApi(routes), "survey")


def test_app_names_are_quoted_into_paths(check: Collect) -> None:
    api = FakeApi({})
    with pytest.raises(NotFoundError):
        check(api, "a/b?c")
    assert "/apps/a%2Fb%3Fc" in api.calls  # the waves run concurrently: in any order
