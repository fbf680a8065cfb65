"""A fake ``HerokuApi`` for the collector's unit tests: API paths mapped to payloads shaped
like Heroku's (the fields the models read), or to the error a request should raise. Lists
cost one request per page of 1,000 items, as with the real client.

    api = FakeApi({"/teams/lab": team("lab"), "/teams/lab/apps": [team_app("a", "lab")]})
    estate = asyncio.run(collect_estate(api, AuditScope(teams=("lab",))))
    assert api.calls == [...]
"""

from __future__ import annotations

import builtins
import copy
import math
import uuid
from typing import Any, TypeVar

from gatekeeper.errors import ForbiddenError, NotFoundError, ServerError
from gatekeeper.heroku.interface import ClientStats
from gatekeeper.heroku.models import HerokuModel
from gatekeeper.heroku.protocol import parse_model

M = TypeVar("M", bound=HerokuModel)

PAGE_SIZE = 1000  # Heroku's largest page, what the client asks for


def uid(kind: str, name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"test:{kind}:{name}"))


def ref(kind: str, name: str) -> dict[str, str]:
    return {"id": uid(kind, name), "name": name}


REGIONS = {
    "eu": ("Ireland", "Dublin", "eu-west-1", False),
    "us": ("United States", "Virginia", "us-east-1", False),
    "frankfurt": ("Germany", "Frankfurt", "eu-central-1", True),
}


def region(name: str) -> dict[str, Any]:
    country, locale, aws, private = REGIONS[name]
    return {
        **ref("region", name),
        "country": country,
        "locale": locale,
        "description": f"{locale}, {country}",
        "private_capable": private,
        "provider": {"name": "amazon-web-services", "region": aws},
    }


def team(name: str, enterprise: str | None = None) -> dict[str, Any]:
    return {
        **ref("team", name),
        "type": "enterprise" if enterprise else "team",
        "role": "admin",
        "enterprise_account": ref("enterprise-account", enterprise) if enterprise else None,
    }


def space(name: str, team_name: str, region_name: str, *, shield: bool = False) -> dict[str, Any]:
    return {
        **ref("space", name),
        "team": ref("team", team_name),
        "region": ref("region", region_name),
        "shield": shield,
        "state": "allocated",
        "generation": ref("generation", "cedar"),
    }


def app(
    name: str,
    team_name: str | None,
    region_name: str = "eu",
    *,
    space_name: str | None = None,
    owner: str = "jane@example.edu",
    shield: bool = False,
) -> dict[str, Any]:
    """``GET /apps`` and ``GET /apps/{app}`` shape."""
    email = f"{team_name}@herokumanager.com" if team_name else owner
    return {
        **ref("app", name),
        "owner": {"id": uid("user", email), "email": email},
        "team": ref("team", team_name) if team_name else None,
        "region": ref("region", region_name),
        "space": {**ref("space", space_name), "shield": shield} if space_name else None,
        "generation": ref("generation", "cedar"),
    }


def team_app(
    name: str, team_name: str, region_name: str = "eu", *, space_name: str | None = None
) -> dict[str, Any]:
    """``GET /teams/{team}/apps`` shape (team as a name reference)."""
    payload = app(name, team_name, region_name, space_name=space_name)
    payload["team"] = {"name": team_name}
    del payload["generation"]  # the team-app resource does not say
    if space_name:
        payload["space"] = ref("space", space_name)
    return payload


def addon(name: str, plan: str, app_name: str, *, state: str = "provisioned") -> dict[str, Any]:
    service = plan.partition(":")[0]
    return {
        **ref("addon", name),
        "addon_service": ref("service", service),
        "plan": ref("plan", plan),
        "app": ref("app", app_name),
        "state": state,
    }


def attachment(addon_name: str, owner: str, app_name: str | None = None) -> dict[str, Any]:
    """``GET /addon-attachments`` shape: ``addon_name`` (owned by ``owner``) attached to
    ``app_name`` (default: its owner)."""
    user = app_name or owner
    return {
        **ref("attachment", f"{addon_name}:{user}"),
        "addon": {**ref("addon", addon_name), "app": ref("app", owner)},
        "app": ref("app", user),
        "namespace": None,
    }


def drain(url: str, app_name: str, *, addon_name: str | None = None) -> dict[str, Any]:
    return {
        "id": uid("drain", app_name + url),
        "url": url,
        "token": "d.x",
        "app": ref("app", app_name),
        "addon": (
            {"id": uid("addon", addon_name), "name": addon_name, "app": ref("app", app_name)}
            if addon_name
            else None
        ),
    }


def forbidden(path: str) -> ForbiddenError:
    return ForbiddenError(
        "You do not have access to this resource", status=403, error_id="forbidden", path=path
    )


def server_error(path: str) -> ServerError:
    return ServerError(
        "Internal server error", status=503, error_id="service_unavailable", path=path
    )


class FakeApi:
    """``HerokuApi`` over a dict: path -> payload (a list for list endpoints) or an
    exception to raise (an ``ApiError``, or a ``RecursionError`` as a body nested too deeply
    to decode raises). An unknown path answers 404. Records every call, in order."""

    def __init__(self, routes: dict[str, Any], *, rate_limit_remaining: int | None = 4500) -> None:
        self.routes = routes
        self.calls: list[str] = []
        self._stats = ClientStats()
        self._remaining = rate_limit_remaining

    @property
    def stats(self) -> ClientStats:
        return self._stats

    @property
    def rate_limit_remaining(self) -> int | None:
        return self._remaining

    def _answer(self, path: str) -> Any:
        self.calls.append(path)
        self._stats.requests_sent += 1
        if self._remaining is not None and path != "/account/rate-limits":
            self._remaining -= 1
        if path not in self.routes:
            raise NotFoundError(
                "Couldn't find that resource", status=404, error_id="not_found", path=path
            )
        value = self.routes[path]
        if isinstance(value, Exception):  # an ApiError, or what a hostile body causes
            raise value
        return copy.deepcopy(value)

    async def get(self, path: str, *, variant: str | None = None) -> Any:
        return self._answer(path)

    async def get_model(self, path: str, model: type[M], *, variant: str | None = None) -> M:
        return parse_model(await self.get(path), model, path)

    async def list(self, path: str, *, variant: str | None = None) -> builtins.list[Any]:
        """Like the client: one request per page of ``PAGE_SIZE`` items."""
        value = self._answer(path)
        assert isinstance(value, list), f"{path} is not a list endpoint in this fake"
        pages = max(1, math.ceil(len(value) / PAGE_SIZE))
        for _ in range(pages - 1):
            self._answer(path)
        self._stats.pages += pages
        return value

    async def list_models(
        self, path: str, model: type[M], *, variant: str | None = None
    ) -> builtins.list[M]:
        return [parse_model(item, model, path) for item in await self.list(path)]


def lab_routes() -> dict[str, Any]:
    """Two teams of enterprise ``uni`` and one outside it, a space, personal app, drains."""
    return {
        "/account/rate-limits": {"remaining": 4500},
        "/regions": [region("eu"), region("us"), region("frankfurt")],
        "/spaces": [space("fra-space", "psych", "frankfurt")],
        "/teams": [team("psych", "uni"), team("bio", "uni"), team("students")],
        "/enterprise-accounts/uni/teams": [team("psych", "uni"), team("bio", "uni")],
        "/teams/psych": team("psych", "uni"),
        "/teams/bio": team("bio", "uni"),
        "/teams/students": team("students"),
        "/teams/psych/apps": [
            team_app("survey", "psych"),
            team_app("lab-exp", "psych", "frankfurt", space_name="fra-space"),
        ],
        "/teams/psych/addons": [
            addon("pg-one", "heroku-postgresql:essential-0", "survey"),
            addon("pt-one", "papertrail:choklad", "survey"),
            addon("pg-gone", "heroku-postgresql:mini", "lab-exp", state="deprovisioned"),
        ],
        "/teams/bio/apps": [team_app("trial", "bio")],
        "/teams/bio/addons": [addon("sentry-one", "sentry:f1", "trial")],
        "/teams/students/apps": [team_app("game", "students", "us")],
        "/teams/students/addons": [],
        "/apps": [
            app("survey", "psych"),
            app("lab-exp", "psych", "frankfurt", space_name="fra-space"),
            app("trial", "bio"),
            app("game", "students", "us"),
            app("thesis", None),
        ],
        "/addons": [
            addon("pg-one", "heroku-postgresql:essential-0", "survey"),
            addon("pt-one", "papertrail:choklad", "survey"),
            addon("sentry-one", "sentry:f1", "trial"),
            addon("pg-two", "heroku-postgresql:essential-0", "thesis"),
        ],
        "/apps/survey/log-drains": [
            drain("syslog+tls://logs.papertrailapp.com:1234", "survey", addon_name="pt-one")
        ],
        "/apps/lab-exp/log-drains": [],
        "/apps/trial/log-drains": [
            drain("https://user:pass@logs.example.io/in?token=s3cret#frag", "trial")
        ],
        "/apps/game/log-drains": [],
        "/apps/thesis/log-drains": [],
        "/addon-attachments": [],
    }
