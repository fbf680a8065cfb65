"""The simulated estate: what the simulator serves, and the facts the gatekeeper should see.

A ``SimEstate`` holds enterprise accounts, teams, spaces, apps (with their add-ons and the
lists of each resource kind, ``gatekeeper.simulator.kinds``) and the API tokens that can read
them. It is built by ``load_estate`` (the file
format of docs/simulator.md), ``demo_estate`` or ``generate_estate``, or from a gatekeeper
snapshot with ``SimEstate.from_facts``.

``SimEstate.to_facts(token)`` is the ground truth: the ``gatekeeper.facts.Estate`` that a
correct collector gathers over HTTP with that token. Tests compare the two.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from gatekeeper.drain_url import reduce_drain_url
from gatekeeper.simulator import catalog
from gatekeeper.simulator.naming import is_uuid, stable_id

if TYPE_CHECKING:
    from gatekeeper import facts
    from gatekeeper.simulator.kinds import Owner
    from gatekeeper.simulator.kinds.interface import Keep
    from gatekeeper.simulator.kinds.log_drains import SimLogDrain
    from gatekeeper.simulator.kinds.telemetry_drains import SimTelemetryDrain

ALL = "*"  # in a token's teams / apps / enterprise_accounts: every one of them
SIM_ESTATE_SCHEMA = "gatekeeper.sim-estate/v1"
DEMO_ADMIN_TOKEN = "HRKU-demo-admin-0000000000000000"
DEMO_JDOE_TOKEN = "HRKU-demo-jdoe-0000000000000000"
# Heroku shows a team app's owner as a pseudo-user <team>@herokumanager.com.
TEAM_OWNER_DOMAIN = "herokumanager.com"


@dataclass
class SimEnterpriseAccount:
    """An enterprise account (the contracting customer of a DPA)."""

    name: str
    id: str = ""

    def __post_init__(self) -> None:
        self.id = self.id or stable_id("enterprise-account", self.name)


@dataclass
class SimTeam:
    """A team; ``enterprise_account`` is None for a team outside any enterprise account."""

    name: str
    enterprise_account: str | None = None
    id: str = ""

    def __post_init__(self) -> None:
        self.id = self.id or stable_id("team", self.name)


@dataclass
class SimWebhook:
    """An app webhook subscription (``heroku webhooks:add``). Heroku never shows its secret
    again, so the simulator keeps none."""

    url: str
    include: list[str] = field(default_factory=lambda: ["api:release"])
    level: Literal["notify", "sync"] = "notify"
    id: str = ""  # empty: derived from the app and the URL


@dataclass(init=False)
class SimSpace:
    """A Private Space (``shield`` for a Shield space) owned by a team. ``generation`` is
    "cedar" or "fir" (a Fir space has no Shield); ``log_drain`` is the URL of a Shield
    space's Private Space Logging drain (None: not enabled). ``kinds`` holds the lists of
    each resource kind under a space (``kinds.kinds_of("space")``), by key; keyword
    arguments of those names fill them (``telemetry_drains=[...]``)."""

    OWNER: ClassVar[Owner] = "space"

    name: str
    region: str
    team: str | None
    shield: bool
    id: str
    generation: str
    log_drain: str | None
    kinds: dict[str, list[Any]]

    def __init__(
        self,
        name: str,
        region: str,
        team: str | None,
        shield: bool = False,
        id: str = "",
        generation: str = "cedar",
        log_drain: str | None = None,
        **kinds: list[Any],
    ) -> None:
        self.name = name
        self.region = region
        self.team = team
        self.shield = shield
        self.id = id or stable_id("space", name)
        self.generation = generation
        self.log_drain = log_drain
        self.kinds = _kind_lists(self, kinds)
        self.fill_ids()

    def fill_ids(self) -> None:
        """Derive the ids of the kinds' objects that were left empty."""
        _fill_kind_ids(self)

    @property
    def telemetry_drains(self) -> list[SimTelemetryDrain]:
        return self.kinds["telemetry_drains"]


def _kind_lists(owner: SimApp | SimSpace, given: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """One list per kind of ``owner``, the given ones kept as they are; an unknown keyword
    is an error, as in any constructor."""
    from gatekeeper.simulator.kinds import kinds_of

    keys = [k.key for k in kinds_of(owner.OWNER)]
    unknown = sorted(set(given) - set(keys))
    if unknown:
        name = type(owner).__name__
        raise TypeError(f"{name}() got an unexpected keyword argument {unknown[0]!r}")
    return {key: given.get(key, []) for key in keys}


def _fill_kind_ids(owner: SimApp | SimSpace) -> None:
    from gatekeeper.simulator.kinds import kinds_of

    for kind in kinds_of(owner.OWNER):
        kind.fill_ids(owner.kinds[kind.key], owner.OWNER, owner.name)


@dataclass
class SimAttachment:
    """An add-on owned by another app (``addon``: its name) attached to this one."""

    addon: str
    name: str = ""  # the attachment's name, e.g. "SHARED_DATABASE"; empty: from the service
    id: str = ""


@dataclass
class SimAddOn:
    """An add-on owned by (billed to, and attached to) one app."""

    plan: str  # "service:plan", e.g. "heroku-postgresql:essential-0"
    name: str
    attachment: str = ""  # e.g. "DATABASE"; empty: chosen by ``SimApp.fill_ids``
    id: str = ""

    def __post_init__(self) -> None:
        self.id = self.id or stable_id("addon", self.name)

    @property
    def service(self) -> str:
        return self.plan.partition(":")[0]


@dataclass
class SimPipeline:
    """The pipeline an app is coupled to (``GET /apps/{app}/pipeline-couplings``)."""

    name: str
    stage: Literal["test", "review", "development", "staging", "production"] = "production"


@dataclass(init=False)
class SimApp:
    """An app: owned by a team (``team``) or by a person (``owner``, an e-mail address).

    ``region`` is the region name (for an app in a space: the space's region); it may be
    None only when replaying a snapshot in which the API did not say. ``kinds`` holds the
    lists of each resource kind under an app (``kinds.kinds_of("app")``), by key; keyword
    arguments of those names fill them (``log_drains=[...]``).
    """

    OWNER: ClassVar[Owner] = "app"

    name: str
    region: str | None
    team: str | None
    owner: str | None
    space: str | None
    addons: list[SimAddOn]
    attachments: list[SimAttachment]
    stack: str
    pipeline: SimPipeline | None
    dynos: dict[str, int]
    webhooks: list[SimWebhook]
    id: str
    kinds: dict[str, list[Any]]

    def __init__(
        self,
        name: str,
        region: str | None,
        team: str | None = None,
        owner: str | None = None,
        space: str | None = None,
        addons: list[SimAddOn] | None = None,
        attachments: list[SimAttachment] | None = None,
        stack: str = "heroku-24",
        pipeline: SimPipeline | None = None,
        dynos: dict[str, int] | None = None,
        id: str = "",
        webhooks: list[SimWebhook] | None = None,
        **kinds: list[Any],
    ) -> None:
        self.name = name
        self.region = region
        self.team = team
        self.owner = owner
        self.space = space
        self.addons = [] if addons is None else addons
        self.attachments = [] if attachments is None else attachments
        self.stack = stack
        self.pipeline = pipeline
        self.dynos = {"web": 1} if dynos is None else dynos
        # not in the estate file: only `gatekeeper webhooks status` reads them (in memory)
        self.webhooks = [] if webhooks is None else webhooks
        self.id = id or stable_id("app", name)
        self.kinds = _kind_lists(self, kinds)
        self.fill_ids()

    def fill_ids(self) -> None:
        """Derive the ids of the kinds' objects and webhooks, and the attachment names left
        empty."""
        _fill_kind_ids(self)
        for webhook in self.webhooks:
            webhook.id = webhook.id or stable_id("app-webhook", self.name, webhook.url)
        for attachment in self.attachments:
            attachment.id = attachment.id or stable_id("attachment", self.name, attachment.addon)
            attachment.name = attachment.name or f"{attachment.addon.upper().replace('-', '_')}"
        if any(not o.attachment for o in self.addons):
            _name_attachments(self.addons)

    @property
    def log_drains(self) -> list[SimLogDrain]:
        return self.kinds["log_drains"]

    @property
    def telemetry_drains(self) -> list[SimTelemetryDrain]:
        return self.kinds["telemetry_drains"]

    @property
    def owner_email(self) -> str:
        """``owner.email`` as the API shows it (a team's pseudo-user for a team app)."""
        if self.team is not None:
            return f"{self.team}@{TEAM_OWNER_DOMAIN}"
        return self.owner or ""


@dataclass
class SimToken:
    """An API token and what its user can see.

    ``teams``, ``enterprise_accounts`` and ``apps`` list names, or ``["*"]`` for all. A token
    always sees the personal apps its user owns, every app of its teams, and the apps it is a
    collaborator on (``apps``). ``role`` is the user's role in each of its teams. ``scope``
    is the OAuth scope of its authorization (``["read"]``, or ``["global"]`` like the
    account's API key); only a ``global`` token may list the account's authorizations.
    """

    token: str = field(repr=False)
    email: str
    name: str | None = None
    teams: list[str] = field(default_factory=list)
    enterprise_accounts: list[str] = field(default_factory=list)
    apps: list[str] = field(default_factory=list)
    role: Literal["admin", "member"] = "member"
    scope: list[str] = field(default_factory=lambda: ["read"])

    def sees_team(self, team: str | None) -> bool:
        return team is not None and (ALL in self.teams or team in self.teams)

    def sees_enterprise_account(self, name: str | None) -> bool:
        return name is not None and (
            ALL in self.enterprise_accounts or name in self.enterprise_accounts
        )

    def collaborates_on(self, app: SimApp) -> bool:
        """Owner or collaborator (what ``GET /users/~/apps`` lists)."""
        return app.owner == self.email or ALL in self.apps or app.name in self.apps

    def sees_app(self, app: SimApp) -> bool:
        return self.collaborates_on(app) or self.sees_team(app.team)


@dataclass
class SimEstate:
    """Everything the simulator serves. See docs/simulator.md for the file format."""

    enterprise_accounts: list[SimEnterpriseAccount] = field(default_factory=list)
    teams: list[SimTeam] = field(default_factory=list)
    spaces: list[SimSpace] = field(default_factory=list)
    apps: list[SimApp] = field(default_factory=list)
    tokens: list[SimToken] = field(default_factory=list)
    # display names of people (e-mail -> name), for GET /account; optional
    people: dict[str, str] = field(default_factory=dict)
    description: str = ""

    def token(self, secret: str) -> SimToken | None:
        """The token entry for ``secret``, or None."""
        return next((t for t in self.tokens if t.token == secret), None)

    def app(self, name: str) -> SimApp | None:
        return next((a for a in self.apps if a.name == name), None)

    def team(self, name: str | None) -> SimTeam | None:
        return next((t for t in self.teams if t.name == name), None) if name else None

    def space(self, name: str | None) -> SimSpace | None:
        return next((s for s in self.spaces if s.name == name), None) if name else None

    def enterprise_account(self, name: str | None) -> SimEnterpriseAccount | None:
        if not name:
            return None
        return next((e for e in self.enterprise_accounts if e.name == name), None)

    # ----------------------------------------------------------------- ground truth

    def to_facts(self, token: str | None = None) -> facts.Estate:
        """The facts a correct collector gathers with ``token`` (None: everything).

        An add-on attached from an app the token cannot see keeps no owner facts, and the
        attaching app gets one ``addon-attachments`` error per such owner (fail closed, as
        the collector: ``GET /apps/{owner}`` answers 403).

        Apps are sorted by name; add-ons and drains by id (the API's default order). Drain
        URLs keep scheme, host, port and path, without credentials, query or fragment.
        ``owner_email`` is ``owner.email`` as the API shows it. Regions are all of
        ``GET /regions``. Enterprise accounts are those of the visible teams plus those the
        token is a member of.
        """
        from gatekeeper import facts

        viewer = None
        if token is not None:
            viewer = self.token(token)
            if viewer is None:
                raise ValueError("this token is not in the estate")

        def visible_app(app: SimApp) -> bool:
            return viewer is None or viewer.sees_app(app)

        apps = sorted((a for a in self.apps if visible_app(a)), key=lambda a: a.name)
        team_names = {t.name for t in self.teams if viewer is None or viewer.sees_team(t.name)}
        teams = sorted((t for t in self.teams if t.name in team_names), key=lambda t: t.name)
        ea_names = {t.enterprise_account for t in teams if t.enterprise_account}
        ea_names |= {
            e.name
            for e in self.enterprise_accounts
            if viewer is None or viewer.sees_enterprise_account(e.name)
        }
        space_names = {s.name for s in self.spaces if s.team in team_names}
        space_names |= {a.space for a in apps if a.space}
        in_use = {a.space for a in apps if a.space}
        return facts.Estate(
            source="simulator",
            apps=tuple(_app_facts(a, self, viewer) for a in apps),
            teams=tuple(
                facts.Team(id=t.id, name=t.name, enterprise_account=t.enterprise_account)
                for t in teams
            ),
            enterprise_accounts=tuple(
                facts.EnterpriseAccount(id=e.id, name=e.name)
                for e in sorted(self.enterprise_accounts, key=lambda e: e.name)
                if e.name in ea_names
            ),
            spaces=tuple(
                _space_facts(s, s.name in in_use)
                for s in sorted(self.spaces, key=lambda s: s.name)
                if s.name in space_names
            ),
            regions=tuple(
                facts.Region(
                    name=r.name,
                    country=r.country,
                    provider_region=r.provider_region,
                    private_capable=r.private_capable,
                )
                for r in catalog.REGIONS
            ),
        )

    def generation(self, app: SimApp) -> str:
        """The app's generation: its space's (Fir runs only in Fir spaces), else Cedar."""
        space = self.space(app.space)
        return space.generation if space is not None else "cedar"

    def owner_of(self, addon_name: str) -> tuple[SimAddOn, SimApp] | None:
        """The add-on called ``addon_name`` and the app that owns it."""
        for app in self.apps:
            for addon in app.addons:
                if addon.name == addon_name:
                    return addon, app
        return None

    def attached(self, app: SimApp) -> list[tuple[SimAttachment, SimAddOn, SimApp]]:
        """The add-ons owned elsewhere that ``app`` has attached, with their owners."""
        out = []
        for attachment in app.attachments:
            found = self.owner_of(attachment.addon)
            if found is not None:
                out.append((attachment, *found))
        return out

    @classmethod
    def from_facts(
        cls, estate: facts.Estate, *, tokens: Sequence[SimToken] | None = None
    ) -> SimEstate:
        """An estate that serves a gatekeeper snapshot (``gatekeeper snapshot``).

        Ids and names are kept (an id that is not a UUID is replaced by a derived one). Drain
        URLs are served as the snapshot stored them (already without secrets). Without
        ``tokens``, the demo admin token sees everything.
        """

        def keep(value: str, kind: str, name: str) -> str:
            return value if is_uuid(value) else stable_id(kind, name, value)

        eas = {
            e.name: SimEnterpriseAccount(e.name, keep(e.id, "enterprise-account", e.name))
            for e in estate.enterprise_accounts
        }
        teams: dict[str, SimTeam] = {}
        for t in estate.teams:
            teams[t.name] = SimTeam(t.name, t.enterprise_account, keep(t.id, "team", t.name))
            if t.enterprise_account and t.enterprise_account not in eas:
                eas[t.enterprise_account] = SimEnterpriseAccount(t.enterprise_account)
        spaces = {
            s.name: SimSpace(
                s.name,
                s.region,
                s.team,
                s.shield,
                keep(s.id, "space", s.name),
                generation=s.generation or "cedar",
                log_drain=s.log_drain.url if s.log_drain and s.log_drain.state == "set" else None,
            )
            for s in estate.spaces
        }
        for s in estate.spaces:
            _kinds_from_facts(spaces[s.name], s, keep)
        apps: list[SimApp] = []
        for a in estate.apps:
            if a.team and a.team not in teams:
                teams[a.team] = SimTeam(a.team)
            if a.space and a.space not in spaces:
                spaces[a.space] = SimSpace(a.space, a.region or "eu", a.team)
            addons = [
                SimAddOn(plan=o.plan, name=o.name, id=keep(o.id, "addon", o.name))
                for o in a.addons
                if not a.attached_from_elsewhere(o)
            ]
            attachments = [SimAttachment(o.name) for o in a.addons if a.attached_from_elsewhere(o)]
            app = SimApp(
                name=a.name,
                region=a.region,
                team=a.team,
                owner=None if a.team else (a.owner_email or None),
                space=a.space,
                addons=addons,
                attachments=attachments,
                id=keep(a.id, "app", a.name),
            )
            _kinds_from_facts(app, a, keep)
            apps.append(app)
        if tokens is None:
            tokens = [
                SimToken(
                    DEMO_ADMIN_TOKEN,
                    "admin@example.com",
                    "Snapshot Admin",
                    teams=[ALL],
                    enterprise_accounts=[ALL],
                    apps=[ALL],
                    role="admin",
                )
            ]
        return cls(
            enterprise_accounts=list(eas.values()),
            teams=list(teams.values()),
            spaces=list(spaces.values()),
            apps=apps,
            tokens=list(tokens),
            description=f"snapshot {estate.source}".strip(),
        )


def _kinds_from_facts(owner: SimApp | SimSpace, found: facts.App | facts.Space, keep: Keep) -> None:
    """Serve the snapshot's objects of each kind of ``owner`` (their ids are kept)."""
    from gatekeeper.simulator.kinds import kinds_of

    for kind in kinds_of(owner.OWNER):
        owner.kinds[kind.key] = kind.from_facts(getattr(found, kind.key), keep)


def _space_facts(space: SimSpace, in_use: bool) -> facts.Space:
    """The space as the collectors see it: its drains are read for the spaces of the apps
    they judge (Fir: telemetry drains; Shield: the Private Space Logging drain)."""
    from gatekeeper import facts

    log_drain = None
    if space.shield and in_use:
        if space.log_drain is None:
            log_drain = facts.SpaceLogDrain(state="unknown", reason=NO_SPACE_DRAIN_REASON)
        else:
            reduced = reduce_drain_url(space.log_drain)
            log_drain = facts.SpaceLogDrain(state="set", host=reduced.host, url=reduced.url)
    return facts.Space(
        id=space.id,
        name=space.name,
        region=space.region,
        shield=space.shield,
        team=space.team,
        generation=space.generation,
        log_drain=log_drain,
        **_kind_facts(space, read=in_use, fir=space.generation == "fir"),
    )


def _kind_facts(owner: SimApp | SimSpace, *, read: bool, fir: bool) -> dict[str, tuple[Any, ...]]:
    """The facts of each kind of ``owner``; empty where the collector does not read them (a
    space's, for a space no judged app runs in; a Fir kind's, outside Fir)."""
    from gatekeeper.simulator.kinds import kinds_of

    return {
        k.key: k.to_facts(owner.kinds[k.key], owner) if read and (fir or not k.fir_only) else ()
        for k in kinds_of(owner.OWNER)
    }


#: what the collector keeps for a Shield space without a drain, as the simulator answers it
#: (404 not_found: the simulator's choice; what Heroku answers is not documented)
NO_SPACE_DRAIN_REASON = "the API answered HTTP 404"


def _app_facts(app: SimApp, estate: SimEstate, viewer: SimToken | None) -> facts.App:
    from gatekeeper import facts

    app.fill_ids()
    owner_kind: Literal["team", "person"] = "team" if app.team else "person"
    addons = [
        facts.AddOn(
            id=o.id,
            name=o.name,
            service=o.service,
            plan=o.plan,
            app=app.name,
            owner_region=app.region,
            owner_team=app.team,
            owner_account=owner_kind,
        )
        for o in app.addons
    ]
    errors: dict[str, facts.FactError] = {}
    for _attachment, addon, owner in sorted(estate.attached(app), key=lambda t: t[1].id):
        known = viewer is None or viewer.sees_app(owner)  # else GET /apps/{owner} fails
        if not known:
            errors.setdefault(
                owner.name,
                facts.FactError(
                    fact="addon-attachments",
                    message=f"The app {owner.name} that owns the attached add-on {addon.name} "
                    "could not be read (HTTP 403)",
                    status=403,
                ),
            )
        addons.append(
            facts.AddOn(
                id=addon.id,
                name=addon.name,
                service=addon.service,
                plan=addon.plan,
                app=owner.name,
                owner_region=owner.region if known else None,
                owner_team=owner.team if known else None,
                owner_account=("team" if owner.team else "person") if known else None,
            )
        )
    generation = estate.generation(app)
    return facts.App(
        id=app.id,
        name=app.name,
        owner=owner_kind,
        owner_email=app.owner_email or None,
        team=app.team,
        region=app.region,
        space=app.space,
        generation=generation,
        addons=tuple(sorted(addons, key=lambda o: o.id)),
        errors=tuple(errors[name] for name in sorted(errors)),
        **_kind_facts(app, read=True, fir=generation == "fir"),
    )


def _name_attachments(addons: list[SimAddOn]) -> None:
    """Give each add-on without one the attachment name Heroku would pick."""
    taken: set[str] = {o.attachment for o in addons if o.attachment}
    for addon in addons:
        if not addon.attachment:
            addon.attachment = attachment_name(addon.service, taken)
            taken.add(addon.attachment)


def attachment_name(service: str, taken: set[str]) -> str:
    """The first free attachment name for ``service`` (``DATABASE``, then by colour)."""
    from gatekeeper.simulator.naming import COLOURS

    info = catalog.service_info(service)
    if info.attachment_prefix not in taken:
        return info.attachment_prefix
    base = service.upper().replace("-", "_")
    for colour in COLOURS:
        candidate = f"{base}_{colour}"
        if candidate not in taken:
            return candidate
    index = 2
    while f"{base}_{index}" in taken:
        index += 1
    return f"{base}_{index}"
