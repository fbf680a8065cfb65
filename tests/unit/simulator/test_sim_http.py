"""The simulator's HTTP helpers: Accept, Authorization, ETag matching, routing, 3.sdk shapes."""

from __future__ import annotations

import base64

import pytest

from gatekeeper.simulator import DEMO_ADMIN_TOKEN, DEMO_JDOE_TOKEN, demo_estate, routes
from gatekeeper.simulator.resources import to_sdk
from gatekeeper.simulator.server import (
    _etag_matches,
    acceptable,
    bearer_token,
    describe_token,
    etag_of,
    is_sdk,
)


@pytest.mark.parametrize(
    ("accept", "ok", "sdk"),
    [
        ("application/vnd.heroku+json; version=3", True, False),
        ("application/vnd.heroku+json;version=3", True, False),
        ("Application/VND.Heroku+JSON; version=3.sdk", True, True),
        ("application/vnd.heroku+json; version=3.pipelines", True, False),
        ("text/html, application/vnd.heroku+json; version=3", True, False),
        ("application/vnd.heroku+json; version=2", False, False),
        ("application/vnd.heroku+json; version=30", False, False),
        ("application/json", False, False),
        ("", False, False),
        (None, False, False),
    ],
)
def test_accept(accept: str | None, ok: bool, sdk: bool) -> None:
    assert acceptable(accept) is ok
    assert is_sdk(accept) is sdk


def test_authorization_schemes() -> None:
    assert bearer_token("Bearer abc") == ("abc", "Bearer")
    assert bearer_token("bearer  abc ") == ("abc", "Bearer")
    basic = base64.b64encode(b":secret-token").decode()
    assert bearer_token(f"Basic {basic}") == ("secret-token", "Basic")
    assert bearer_token("Basic !!!") == (None, "Basic")
    assert bearer_token("Bearer") == (None, "Bearer")
    assert bearer_token(None) == (None, None)
    assert bearer_token("Token abc") == (None, "Token")


def test_etags() -> None:
    tag = etag_of(b"[]")
    assert tag == etag_of(b"[]") != etag_of(b"[1]")
    assert tag.startswith('"') and tag.endswith('"') and len(tag) == 34
    assert _etag_matches(tag, tag)
    assert _etag_matches(f'"other", W/{tag}', tag)
    assert _etag_matches("*", tag)
    assert not _etag_matches(None, tag)
    assert not _etag_matches('"other"', tag)


@pytest.mark.parametrize(
    ("path", "handler", "params"),
    [
        ("/apps", "apps", {}),
        ("/apps/", "apps", {}),
        ("/apps/survey", "app_info", {"app": "survey"}),
        ("/apps/survey/addons", "app_addons", {"app": "survey"}),
        ("/users/~/apps", "user_apps", {"user": "~"}),
        (
            "/users/jane.doe%40uni-example.edu/apps",
            "user_apps",
            {"user": "jane.doe@uni-example.edu"},
        ),
        ("/teams/apps/survey", "team_app_info", {"app": "survey"}),
        ("/teams/psych-lab/apps", "team_apps", {"team": "psych-lab"}),
        (
            "/plans/heroku-postgresql:essential-0",
            "plan_info",
            {"plan": "heroku-postgresql:essential-0"},
        ),
        ("/account/rate-limits", "rate_limits", {}),
    ],
)
def test_routing(path: str, handler: str, params: dict[str, str]) -> None:
    found = routes.resolve(path)
    assert found is not None
    assert found[0].handler.__name__ == handler
    assert found[1] == params


def test_only_rate_limits_are_free() -> None:
    free = [r.handler.__name__ for r in routes._ROUTES if r.free]
    assert free == ["rate_limits"]
    assert routes.resolve("/apps/survey/builds") is None


def test_sdk_shapes() -> None:
    assert to_sdk("space", {"generation": {"id": "x", "name": "cedar"}})["generation"] == "cedar"
    plan = to_sdk("plan", {"price": {"cents": 1, "contract": False, "unit": "month"}})
    assert plan["price"]["metered"] is False
    addon = to_sdk("add-on", {"billed_price": None, "plan": {"id": "p", "name": "a:b"}})
    assert addon["billed_price"] is None and addon["plan"] == {"id": "p", "name": "a:b"}
    assert to_sdk("region", {"name": "eu"}) == {"name": "eu"}


def test_token_descriptions() -> None:
    estate = demo_estate()
    admin, jdoe = estate.token(DEMO_ADMIN_TOKEN), estate.token(DEMO_JDOE_TOKEN)
    assert admin is not None and jdoe is not None
    assert describe_token(admin) == (
        "admin@uni-example.edu (admin; teams: all; collaborator on apps: all)"
    )
    assert describe_token(jdoe) == "jane.doe@uni-example.edu (member; teams: psych-lab)"
