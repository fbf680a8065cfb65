"""The estate indexed for serving: lookups by name or id, what each token sees, and lists
whose items are rendered to JSON once and kept (a 10,000-app estate serves quickly).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from gatekeeper.simulator import catalog, resources
from gatekeeper.simulator.estate import (
    SimAddOn,
    SimApp,
    SimEnterpriseAccount,
    SimEstate,
    SimSpace,
    SimTeam,
    SimToken,
)
from gatekeeper.simulator.faults import UNKNOWN_PLAN, UNKNOWN_REGION, Faults

Json = dict[str, Any]


@dataclass(frozen=True)
class Variant:
    """How to render one item: the API variant (``3.sdk``), requested expansions, and the
    faults that touch its app."""

    expand: frozenset[str] = frozenset()
    sdk: bool = False
    null_region: bool = False
    unknown_region: bool = False
    unknown_plan: bool = False

    @classmethod
    def of(cls, app: str | None, expand: frozenset[str], sdk: bool, faults: Faults) -> Variant:
        if app is None or not faults.has_app_faults():
            return cls(expand, sdk) if expand or sdk else PLAIN
        return cls(
            expand,
            sdk,
            null_region=Faults.app_in(faults.null_region_apps, app),
            unknown_region=Faults.app_in(faults.unknown_region_apps, app),
            unknown_plan=Faults.app_in(faults.unknown_plan_apps, app),
        )

    def region(self, region: str | None) -> str | None:
        if self.null_region:
            return None
        return UNKNOWN_REGION if self.unknown_region else region


PLAIN = Variant()


def dumps(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class Resource:
    """One item of the API: its keys for ranges and its JSON, rendered once per variant.

    ``kind`` names the schema resource (``"app"``, ``"team"``, ...) so that the ``3.sdk``
    shape can be derived from the version 3 one (``resources.to_sdk``).
    """

    __slots__ = ("_cache", "_make", "app", "expandable", "id", "kind", "name")

    def __init__(
        self,
        id: str,
        name: str,
        make: Callable[[Variant], Json],
        app: str | None = None,
        *,
        kind: str = "",
        expandable: bool = False,
    ) -> None:
        self.id = id
        self.name = name
        self.app = app  # the app whose faults change this item
        self.kind = kind
        self.expandable = expandable  # honours Accept-Expansion (add-ons)
        self._make = make
        self._cache: dict[Variant, bytes] = {}

    def key(self, field: str) -> str:
        return self.name if field == "name" else self.id

    def body(self, expand: frozenset[str], sdk: bool, faults: Faults) -> bytes:
        variant = Variant.of(self.app, expand if self.expandable else frozenset(), sdk, faults)
        cached = self._cache.get(variant)
        if cached is None:
            body = self._make(variant)
            if variant.sdk:
                body = resources.to_sdk(self.kind, body)
            cached = dumps(body)
            self._cache[variant] = cached  # races only render the same bytes twice
        return cached


class Listing:
    """A list endpoint's items, sorted lazily (once) by each field it can be ranged by."""

    def __init__(self, items: Iterable[Resource], fields: tuple[str, ...] = ("id", "name")):
        self.items = list(items)
        self.fields = fields
        self._sorted: dict[str, tuple[list[Resource], list[str]]] = {}
        self._lock = threading.Lock()

    def sorted_by(self, field: str) -> tuple[list[Resource], list[str]]:
        with self._lock:
            done = self._sorted.get(field)
            if done is None:
                items = sorted(self.items, key=lambda r: (r.key(field), r.id))
                done = (items, [r.key(field) for r in items])
                self._sorted[field] = done
            return done


class EstateIndex:
    """Read-only views of one ``SimEstate``; build a new index when the estate changes."""

    def __init__(self, estate: SimEstate) -> None:
        self.estate = estate
        for app in estate.apps:
            app.fill_ids()
        self.apps: dict[str, SimApp] = {}
        for app in estate.apps:
            self.apps[app.name] = app
            self.apps[app.id] = app
        self.teams = _by_name_and_id(estate.teams)
        self.spaces = _by_name_and_id(estate.spaces)
        self.enterprise_accounts = _by_name_and_id(estate.enterprise_accounts)
        self.tokens = {t.token: t for t in estate.tokens}
        self.addons: dict[str, tuple[SimAddOn, SimApp]] = {}
        self.attachments: dict[str, tuple[SimAddOn, SimApp]] = {}
        self.apps_of_team: dict[str, list[SimApp]] = {}
        for app in estate.apps:
            if app.team:
                self.apps_of_team.setdefault(app.team, []).append(app)
            for addon in app.addons:
                self.addons[addon.id] = self.addons[addon.name] = (addon, app)
                self.attachments[resources.attachment_id(addon)] = (addon, app)
        # add-ons attached to apps that do not own them: by attaching app, and by attachment id
        self.attached: dict[str, list[tuple[SimAddOn, SimApp, resources.Attaching]]] = {}
        self.foreign_attachments: dict[str, tuple[SimAddOn, SimApp, resources.Attaching]] = {}
        for app in estate.apps:
            for attachment in app.attachments:
                entry = self.addons.get(attachment.addon)
                if entry is not None:
                    used = (entry[0], entry[1], (app, attachment))
                    self.attached.setdefault(app.id, []).append(used)
                    self.foreign_attachments[attachment.id] = used
        self.people = dict(estate.people)
        self.services = {s.name: s for s in catalog.SERVICES}
        self.plans = {p.name: p for p in catalog.PLANS}
        for app in estate.apps:
            for addon in app.addons:
                self.services.setdefault(addon.service, catalog.service_info(addon.service))
                self.plans.setdefault(addon.plan, catalog.plan_info(addon.plan))
        self._lock = threading.Lock()
        self._listings: dict[tuple[str, ...], Listing] = {}
        # One Resource per API object, shared by every list it appears in.
        self._app_res = {a.id: self._make_app_resource(a) for a in estate.apps}
        self._team_app_res: dict[tuple[str, bool], Resource] = {}
        self._addon_res: dict[str, Resource] = {}

    # --------------------------------------------------------------- lookups

    def find_app(self, key: str) -> SimApp | None:
        return self.apps.get(key)

    def find_team(self, key: str) -> SimTeam | None:
        return self.teams.get(key)

    def find_space(self, key: str) -> SimSpace | None:
        return self.spaces.get(key)

    def find_enterprise_account(self, key: str) -> SimEnterpriseAccount | None:
        return self.enterprise_accounts.get(key)

    def find_region(self, key: str) -> catalog.RegionInfo | None:
        return next((r for r in catalog.REGIONS if key in (r.name, r.id)), None)

    def find_service(self, key: str) -> catalog.ServiceInfo | None:
        return next((s for s in self.services.values() if key in (s.name, s.id)), None)

    def find_plan(self, key: str, service: str | None = None) -> catalog.PlanInfo | None:
        if service is not None and ":" not in key:
            key = f"{service}:{key}"
        found = next((p for p in self.plans.values() if key in (p.name, p.id)), None)
        if found is not None and service is not None and found.service != service:
            return None
        return found

    def account_resource(self, email: str) -> Resource:
        name = self.person_name(email)
        return Resource(
            resources.user_id(email),
            email,
            lambda v: resources.account(email, name),
            kind="account",
        )

    def person_name(self, email: str) -> str | None:
        return self.people.get(email) or next(
            (t.name for t in self.estate.tokens if t.email == email and t.name), None
        )

    # --------------------------------------------------------------- visibility

    def visible_apps(self, viewer: SimToken) -> list[SimApp]:
        return [a for a in self.estate.apps if viewer.sees_app(a)]

    def team_role(self, viewer: SimToken, team: SimTeam) -> str | None:
        return viewer.role if viewer.sees_team(team.name) else None

    # --------------------------------------------------------------- resources

    def _make_app_resource(self, app: SimApp) -> Resource:
        def make(v: Variant) -> Json:
            return resources.app(
                app,
                self.teams.get(app.team or ""),
                self.spaces.get(app.space or ""),
                v.region(app.region),
            )

        return Resource(app.id, app.name, make, app.name, kind="app")

    def app_resource(self, app: SimApp) -> Resource:
        return self._app_res[app.id]

    def team_app_resource(self, app: SimApp, joined: bool) -> Resource:
        key = (app.id, joined)
        found = self._team_app_res.get(key)
        if found is None:

            def make(v: Variant) -> Json:
                return resources.team_app(
                    app,
                    self.teams.get(app.team or ""),
                    self.spaces.get(app.space or ""),
                    v.region(app.region),
                    joined=joined,
                )

            found = self._team_app_res[key] = Resource(
                app.id, app.name, make, app.name, kind="team-app"
            )
        return found

    def addon_resource(self, addon: SimAddOn, app: SimApp) -> Resource:
        found = self._addon_res.get(addon.id)
        if found is None:

            def make(v: Variant) -> Json:
                plan = f"{addon.service}:{UNKNOWN_PLAN}" if v.unknown_plan else addon.plan
                return resources.addon(addon, app, plan_name=plan, expand=v.expand)

            found = self._addon_res[addon.id] = Resource(
                addon.id, addon.name, make, app.name, kind="add-on", expandable=True
            )
        return found

    def attachment_resource(
        self, addon: SimAddOn, app: SimApp, used_by: resources.Attaching | None = None
    ) -> Resource:
        """An attachment of ``addon`` (owned by ``app``) to its owner or to ``used_by``."""
        key = used_by[1].id if used_by else resources.attachment_id(addon)
        name = used_by[1].name if used_by else addon.attachment
        return Resource(key, name, lambda v: resources.attachment(addon, app, used_by))

    def attachments_of(self, app: SimApp) -> list[Resource]:
        """Every attachment of ``app``: its own add-ons and those it uses from other apps."""
        out = [self.attachment_resource(o, app) for o in app.addons]
        out += [
            self.attachment_resource(o, owner, used) for o, owner, used in self.attached_to(app)
        ]
        return out

    def attached_to(self, app: SimApp) -> list[tuple[SimAddOn, SimApp, resources.Attaching]]:
        return self.attached.get(app.id, [])

    def team_resource(self, team: SimTeam, role: str | None) -> Resource:
        ea = self.enterprise_accounts.get(team.enterprise_account or "")
        return Resource(team.id, team.name, lambda v: resources.team(team, ea, role), kind="team")

    def enterprise_resource(self, ea: SimEnterpriseAccount, viewer: SimToken) -> Resource:
        permissions = (
            ["billing", "create", "manage", "view"] if viewer.role == "admin" else ["view"]
        )
        return Resource(ea.id, ea.name, lambda v: resources.enterprise_account(ea, permissions))

    def space_resource(self, space: SimSpace) -> Resource:
        team = self.teams.get(space.team or "")
        return Resource(space.id, space.name, lambda v: resources.space(space, team), kind="space")

    @staticmethod
    def region_resource(info: catalog.RegionInfo) -> Resource:
        return Resource(info.id, info.name, lambda v: resources.region(info))

    @staticmethod
    def service_resource(info: catalog.ServiceInfo) -> Resource:
        return Resource(info.id, info.name, lambda v: resources.addon_service(info))

    @staticmethod
    def plan_resource(info: catalog.PlanInfo) -> Resource:
        return Resource(info.id, info.name, lambda v: resources.plan(info), kind="plan")

    # --------------------------------------------------------------- lists

    def listing(
        self,
        key: tuple[str, ...],
        build: Callable[[], Iterable[Resource]],
        fields: tuple[str, ...] = ("id", "name"),
    ) -> Listing:
        """The list cached under ``key`` (which includes whoever asks), built once."""
        with self._lock:
            found = self._listings.get(key)
        if found is None:
            found = Listing(build(), fields)
            with self._lock:
                found = self._listings.setdefault(key, found)
        return found


def _by_name_and_id(items: Iterable[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        out[item.name] = item
        out[item.id] = item
    return out
