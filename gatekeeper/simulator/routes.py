"""The simulator's endpoints: which path answers what, for whom.

Each handler gets the request ``Context`` (the index, the token's view, the path) and
returns ``One`` object or ``Many`` (a list the server pages with ``Range``), or raises
``ApiFailure`` with Heroku's error ``id`` and message. Only GET (and HEAD) exist: the
gatekeeper and this simulator are read-only. The lists of each resource kind (log drains,
telemetry drains) are routed by their modules in ``gatekeeper.simulator.kinds``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from gatekeeper.simulator import catalog, resources
from gatekeeper.simulator.estate import (
    SimApp,
    SimEnterpriseAccount,
    SimSpace,
    SimTeam,
    SimToken,
    SimWebhook,
)
from gatekeeper.simulator.faults import Faults
from gatekeeper.simulator.index import EstateIndex, Listing, Resource, Variant

if TYPE_CHECKING:
    from gatekeeper.simulator.kinds import Owner

Json = dict[str, Any]

NOT_FOUND_ROUTE = (
    "The requested API endpoint was not found. Are you using the right HTTP verb (i.e. GET vs. "
    "POST), and did you specify your intended version with the Accept header?"
)


# Attachment names repeat across apps (every app has a DATABASE): a name range would skip
# the repeats at a page boundary, so these lists page by id only.
ATTACHMENT_FIELDS = ("id",)


class ApiFailure(Exception):
    """An error answer: HTTP status, Heroku's error ``id`` and message."""

    def __init__(
        self, status: int, error_id: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_id = error_id
        self.message = message
        self.headers = headers or {}


@dataclass
class Context:
    """What a handler knows about the request."""

    index: EstateIndex
    viewer: SimToken
    path: str
    faults: Faults
    rate_remaining: Callable[[], int]
    viewer_key: str = ""

    def __post_init__(self) -> None:
        self.viewer_key = self.viewer_key or str(id(self.viewer))


@dataclass
class One:
    """A single object: a cached resource, or a body computed for this request."""

    resource: Resource | None = None
    body: Json | None = None


@dataclass
class Many:
    """A list, paged by the server."""

    listing: Listing


Reply = One | Many
Handler = Callable[..., Reply]


@dataclass
class Route:
    pattern: re.Pattern[str]
    handler: Handler
    free: bool = False  # costs no rate-limit token
    params: tuple[str, ...] = field(default_factory=tuple)
    template: str = ""  # as registered, e.g. "/apps/{app}/log-drains"


_ROUTES: list[Route] = []


def route(template: str, *, free: bool = False) -> Callable[[Handler], Handler]:
    """Register ``handler`` for ``template`` (``{name}`` matches one path segment)."""
    regex = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "/?$"

    def register(handler: Handler) -> Handler:
        _ROUTES.append(Route(re.compile(regex), handler, free, template=template))
        return handler

    return register


def resolve(path: str) -> tuple[Route, dict[str, str]] | None:
    """The route for ``path`` and its decoded parameters, or None."""
    for candidate in _ROUTES:
        match = candidate.pattern.match(path)
        if match:
            return candidate, {k: unquote(v) for k, v in match.groupdict().items()}
    return None


def _constant(body: Json) -> Callable[[Variant], Json]:
    """A renderer for a body that no variant changes."""
    return lambda variant: body


def not_found(what: str) -> ApiFailure:
    return ApiFailure(404, "not_found", f"Couldn't find that {what}.")


def forbidden(message: str) -> ApiFailure:
    return ApiFailure(403, "forbidden", message)


# ------------------------------------------------------------------ access checks


def _app(ctx: Context, key: str) -> SimApp:
    app = ctx.index.find_app(key)
    if app is None:
        raise not_found("app")
    if not ctx.viewer.sees_app(app) or Faults.app_in(ctx.faults.forbidden_apps, app.name):
        raise forbidden(f"You do not have access to the app {app.name}.")
    return app


def _team(ctx: Context, key: str) -> SimTeam:
    team = ctx.index.find_team(key)
    if team is None:
        raise not_found("team")
    if not ctx.viewer.sees_team(team.name):
        raise forbidden(f"You do not have access to the team {team.name}.")
    return team


def _enterprise(ctx: Context, key: str) -> SimEnterpriseAccount:
    ea = ctx.index.find_enterprise_account(key)
    if ea is None:
        raise not_found("enterprise account")
    if not ctx.viewer.sees_enterprise_account(ea.name):
        raise forbidden(f"You do not have access to the enterprise account {ea.name}.")
    return ea


def _space(ctx: Context, key: str) -> SimSpace:
    space = ctx.index.find_space(key)
    if space is None:
        raise not_found("space")
    if not ctx.viewer.sees_team(space.team):
        raise forbidden(f"You do not have access to the space {space.name}.")
    return space


def owner(ctx: Context, kind: Owner, key: str) -> SimApp | SimSpace:
    """The app or space (``kind``) called ``key`` or with that id, if the viewer sees it."""
    return _app(ctx, key) if kind == "app" else _space(ctx, key)


def _self(ctx: Context, user: str) -> None:
    viewer = ctx.viewer
    if user not in ("~", viewer.email, resources.user_id(viewer.email)):
        raise forbidden("You can only read your own account.")


# ------------------------------------------------------------------ account


@route("/account")
def account(ctx: Context) -> Reply:
    return One(ctx.index.account_resource(ctx.viewer.email))


@route("/account/rate-limits", free=True)
def rate_limits(ctx: Context) -> Reply:
    return One(body={"remaining": ctx.rate_remaining()})


@route("/oauth/authorizations")
def oauth_authorizations(ctx: Context) -> Reply:
    # The list holds every token of the account, so only a global token may read it: a read
    # token that could would be a way to a global one.
    if "global" not in ctx.viewer.scope:
        raise forbidden(
            "This token's scope does not allow listing OAuth authorizations (it needs global)."
        )
    index, email = ctx.index, ctx.viewer.email
    name = index.person_name(email)

    def build() -> list[Resource]:
        out = []
        for token in index.estate.tokens:
            if token.email == email:
                body = resources.authorization(token, name)
                out.append(Resource(body["id"], body["id"], _constant(body)))
        return out

    return Many(index.listing(("oauth-authorizations", email), build, fields=("id",)))


@route("/users/{user}")
def user_info(ctx: Context, user: str) -> Reply:
    _self(ctx, user)
    return account(ctx)


@route("/users/{user}/apps")
def user_apps(ctx: Context, user: str) -> Reply:
    _self(ctx, user)
    index, viewer = ctx.index, ctx.viewer
    return Many(
        index.listing(
            ("user-apps", ctx.viewer_key),
            lambda: [index.app_resource(a) for a in index.estate.apps if viewer.collaborates_on(a)],
        )
    )


@route("/users/{user}/addons")
def user_addons(ctx: Context, user: str) -> Reply:
    _self(ctx, user)
    index, viewer = ctx.index, ctx.viewer
    return Many(
        index.listing(
            ("user-addons", ctx.viewer_key),
            lambda: [
                index.addon_resource(o, a)
                for a in index.estate.apps
                if viewer.collaborates_on(a)
                for o in a.addons
            ],
        )
    )


# ------------------------------------------------------------------ apps


@route("/apps")
def apps(ctx: Context) -> Reply:
    index = ctx.index
    return Many(
        index.listing(
            ("apps", ctx.viewer_key),
            lambda: [index.app_resource(a) for a in index.visible_apps(ctx.viewer)],
        )
    )


@route("/apps/{app}")
def app_info(ctx: Context, app: str) -> Reply:
    return One(ctx.index.app_resource(_app(ctx, app)))


@route("/apps/{app}/addons")
def app_addons(ctx: Context, app: str) -> Reply:
    found, index = _app(ctx, app), ctx.index
    return Many(
        index.listing(
            ("app-addons", found.id),
            lambda: (
                [index.addon_resource(o, found) for o in found.addons]
                + [index.addon_resource(o, owner) for o, owner, _ in index.attached_to(found)]
            ),
        )
    )


@route("/apps/{app}/addons/{addon}")
def app_addon(ctx: Context, app: str, addon: str) -> Reply:
    found = _app(ctx, app)
    match = next((o for o in found.addons if addon in (o.id, o.name, o.attachment)), None)
    if match is None:
        raise not_found("add-on")
    return One(ctx.index.addon_resource(match, found))


@route("/apps/{app}/addon-attachments")
def app_attachments(ctx: Context, app: str) -> Reply:
    found, index = _app(ctx, app), ctx.index
    return Many(
        index.listing(
            ("app-attachments", found.id),
            lambda: index.attachments_of(found),
            fields=ATTACHMENT_FIELDS,
        )
    )


@route("/apps/{app}/addon-attachments/{attachment}")
def app_attachment(ctx: Context, app: str, attachment: str) -> Reply:
    found = _app(ctx, app)
    match = next(
        (o for o in found.addons if attachment in (o.attachment, resources.attachment_id(o))), None
    )
    if match is None:
        raise not_found("add-on attachment")
    return One(ctx.index.attachment_resource(match, found))


@route("/apps/{app}/webhooks")
def app_webhooks(ctx: Context, app: str) -> Reply:
    found, index = _app(ctx, app), ctx.index

    def build() -> list[Resource]:
        return [_webhook_resource(w, found) for w in found.webhooks]

    return Many(index.listing(("app-webhooks", found.id), build, fields=("id",)))


def _webhook_resource(webhook: SimWebhook, app: SimApp) -> Resource:
    return Resource(webhook.id, webhook.id, lambda v: resources.app_webhook(webhook, app))


@route("/apps/{app}/dynos")
def app_dynos(ctx: Context, app: str) -> Reply:
    found = _app(ctx, app)

    def build() -> list[Resource]:
        out = []
        for kind, count in sorted(found.dynos.items()):
            for number in range(1, count + 1):
                body = resources.dyno(found, kind, number)
                out.append(Resource(body["id"], body["name"], _constant(body)))
        return out

    return Many(ctx.index.listing(("app-dynos", found.id), build))


@route("/apps/{app}/collaborators")
def app_collaborators(ctx: Context, app: str) -> Reply:
    found, index = _app(ctx, app), ctx.index

    def build() -> list[Resource]:
        people: dict[str, str | None] = {}
        if found.owner:
            people[found.owner] = "owner"
        for token in index.estate.tokens:
            if token.email in people:
                continue
            if token.collaborates_on(found):
                people[token.email] = "collaborator" if found.team is None else token.role
            elif token.sees_team(found.team):
                people[token.email] = token.role
        out = []
        for email, role in people.items():
            body = resources.collaborator(found, email, role)
            out.append(Resource(body["id"], email, _constant(body)))
        return out

    return Many(index.listing(("app-collaborators", found.id), build, fields=("id",)))


@route("/apps/{app}/pipeline-couplings")
def app_pipeline_coupling(ctx: Context, app: str) -> Reply:
    found = _app(ctx, app)
    if found.pipeline is None:
        raise not_found("pipeline coupling")
    return One(body=resources.pipeline_coupling(found))


@route("/apps/{app}/config-vars")
def app_config_vars(ctx: Context, app: str) -> Reply:
    _app(ctx, app)
    raise forbidden(
        "This token does not have the read-protected scope needed to read config "
        "vars. The gatekeeper never reads them."
    )


@route("/apps/{app}/releases/{release}/config-vars")
def app_release_config_vars(ctx: Context, app: str, release: str) -> Reply:
    return app_config_vars(ctx, app)


# ------------------------------------------------------------------ teams


@route("/teams")
def teams(ctx: Context) -> Reply:
    index, viewer = ctx.index, ctx.viewer
    return Many(
        index.listing(
            ("teams", ctx.viewer_key),
            lambda: [
                index.team_resource(t, viewer.role)
                for t in index.estate.teams
                if viewer.sees_team(t.name)
            ],
        )
    )


@route("/teams/{team}")
def team_info(ctx: Context, team: str) -> Reply:
    found = _team(ctx, team)
    return One(ctx.index.team_resource(found, ctx.viewer.role))


@route("/teams/{team}/apps")
def team_apps(ctx: Context, team: str) -> Reply:
    found, index = _team(ctx, team), ctx.index
    return Many(
        index.listing(
            ("team-apps", found.id),
            lambda: [
                index.team_app_resource(a, True) for a in index.apps_of_team.get(found.name, [])
            ],
        )
    )


@route("/teams/{team}/addons")
def team_addons(ctx: Context, team: str) -> Reply:
    found, index = _team(ctx, team), ctx.index
    return Many(
        index.listing(
            ("team-addons", found.id),
            lambda: [
                index.addon_resource(o, a)
                for a in index.apps_of_team.get(found.name, [])
                for o in a.addons
            ],
        )
    )


@route("/teams/apps/{app}")
def team_app_info(ctx: Context, app: str) -> Reply:
    found = _app(ctx, app)
    if found.team is None:
        raise not_found("team app")
    return One(ctx.index.team_app_resource(found, True))


# ------------------------------------------------------------------ add-ons


@route("/addons")
def addons(ctx: Context) -> Reply:
    index = ctx.index
    return Many(
        index.listing(
            ("addons", ctx.viewer_key),
            lambda: [
                index.addon_resource(o, a) for a in index.visible_apps(ctx.viewer) for o in a.addons
            ],
        )
    )


@route("/addons/{addon}")
def addon_info(ctx: Context, addon: str) -> Reply:
    entry = ctx.index.addons.get(addon)
    if entry is None:
        raise not_found("add-on")
    found, app = entry
    _app(ctx, app.id)
    return One(ctx.index.addon_resource(found, app))


@route("/addons/{addon}/addon-attachments")
def addon_attachments(ctx: Context, addon: str) -> Reply:
    entry = ctx.index.addons.get(addon)
    if entry is None:
        raise not_found("add-on")
    found, app = entry
    _app(ctx, app.id)
    index = ctx.index
    uses = [
        (user, attachment)
        for user in index.estate.apps
        for attachment in user.attachments
        if attachment.addon == found.name and ctx.viewer.sees_app(user)
    ]
    items = [index.attachment_resource(found, app)]
    items += [index.attachment_resource(found, app, used) for used in uses]
    return Many(Listing(items, ATTACHMENT_FIELDS))


@route("/addon-attachments")
def attachments(ctx: Context) -> Reply:
    index = ctx.index
    return Many(
        index.listing(
            ("attachments", ctx.viewer_key),
            lambda: [r for a in index.visible_apps(ctx.viewer) for r in index.attachments_of(a)],
            fields=ATTACHMENT_FIELDS,
        )
    )


@route("/addon-attachments/{attachment}")
def attachment_info(ctx: Context, attachment: str) -> Reply:
    foreign = ctx.index.foreign_attachments.get(attachment)
    if foreign is not None:
        addon, owner, used = foreign
        _app(ctx, used[0].id)
        return One(ctx.index.attachment_resource(addon, owner, used))
    entry = ctx.index.attachments.get(attachment)
    if entry is None:
        raise not_found("add-on attachment")
    found, app = entry
    _app(ctx, app.id)
    return One(ctx.index.attachment_resource(found, app))


# ------------------------------------------------------------------ enterprise accounts


@route("/enterprise-accounts")
def enterprise_accounts(ctx: Context) -> Reply:
    index, viewer = ctx.index, ctx.viewer
    return Many(
        index.listing(
            ("enterprise-accounts", ctx.viewer_key),
            lambda: [
                index.enterprise_resource(e, viewer)
                for e in index.estate.enterprise_accounts
                if viewer.sees_enterprise_account(e.name)
            ],
        )
    )


@route("/enterprise-accounts/{ea}")
def enterprise_account_info(ctx: Context, ea: str) -> Reply:
    return One(ctx.index.enterprise_resource(_enterprise(ctx, ea), ctx.viewer))


@route("/enterprise-accounts/{ea}/teams")
def enterprise_account_teams(ctx: Context, ea: str) -> Reply:
    found, index, viewer = _enterprise(ctx, ea), ctx.index, ctx.viewer
    return Many(
        index.listing(
            ("enterprise-teams", found.id, ctx.viewer_key),
            lambda: [
                index.team_resource(t, index.team_role(viewer, t))
                for t in index.estate.teams
                if t.enterprise_account == found.name
            ],
        )
    )


# ------------------------------------------------------------------ spaces and regions


@route("/spaces")
def spaces(ctx: Context) -> Reply:
    index, viewer = ctx.index, ctx.viewer
    return Many(
        index.listing(
            ("spaces", ctx.viewer_key),
            lambda: [
                index.space_resource(s) for s in index.estate.spaces if viewer.sees_team(s.team)
            ],
        )
    )


@route("/spaces/{space}")
def space_info(ctx: Context, space: str) -> Reply:
    return One(ctx.index.space_resource(_space(ctx, space)))


@route("/spaces/{space}/log-drain")
def space_log_drain(ctx: Context, space: str) -> Reply:
    """Private Space Logging. Without a drain (or outside a Shield space) the simulator
    answers 404: what Heroku answers then is not documented (docs/heroku-facts.md)."""
    found = _space(ctx, space)
    if not found.shield or found.log_drain is None:
        raise ApiFailure(404, "not_found", "Private Space Logging is not enabled for this space.")
    return One(body=resources.space_log_drain(found, found.log_drain))


@route("/regions")
def regions(ctx: Context) -> Reply:
    index = ctx.index
    return Many(
        index.listing(("regions",), lambda: [index.region_resource(r) for r in catalog.REGIONS])
    )


@route("/regions/{region}")
def region_info(ctx: Context, region: str) -> Reply:
    found = ctx.index.find_region(region)
    if found is None:
        raise not_found("region")
    return One(ctx.index.region_resource(found))


# ------------------------------------------------------------------ services and plans


@route("/addon-services")
def addon_services(ctx: Context) -> Reply:
    index = ctx.index
    return Many(
        index.listing(
            ("addon-services",),
            lambda: [index.service_resource(s) for s in index.services.values()],
        )
    )


def _service(ctx: Context, key: str) -> catalog.ServiceInfo:
    found = ctx.index.find_service(key)
    if found is None:
        raise not_found("add-on service")
    return found


@route("/addon-services/{service}")
def addon_service_info(ctx: Context, service: str) -> Reply:
    return One(ctx.index.service_resource(_service(ctx, service)))


@route("/addon-services/{service}/plans")
def addon_service_plans(ctx: Context, service: str) -> Reply:
    found, index = _service(ctx, service), ctx.index
    return Many(
        index.listing(
            ("plans", found.name),
            lambda: [
                index.plan_resource(p) for p in index.plans.values() if p.service == found.name
            ],
        )
    )


@route("/addon-services/{service}/plans/{plan}")
def addon_service_plan(ctx: Context, service: str, plan: str) -> Reply:
    found = _service(ctx, service)
    match = ctx.index.find_plan(plan, found.name)
    if match is None:
        raise not_found("plan")
    return One(ctx.index.plan_resource(match))


@route("/addon-services/{service}/region-capabilities")
def addon_service_region_capabilities(ctx: Context, service: str) -> Reply:
    found, index = _service(ctx, service), ctx.index

    def build() -> list[Resource]:
        out = []
        for name in found.regions:
            info = catalog.REGIONS_BY_NAME[name]
            body = resources.region_capability(found, info)
            out.append(Resource(body["id"], name, _constant(body)))
        return out

    return Many(index.listing(("region-capabilities", found.name), build, fields=("id",)))


@route("/plans/{plan}")
def plan_info(ctx: Context, plan: str) -> Reply:
    match = ctx.index.find_plan(plan)
    if match is None:
        raise not_found("plan")
    return One(ctx.index.plan_resource(match))
