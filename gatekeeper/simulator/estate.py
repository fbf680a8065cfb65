"""The simulated estate: what the simulator serves, and the facts the gatekeeper should see.

A ``SimEstate`` holds enterprise accounts, teams, spaces, apps (with their add-ons and log
drains) and the API tokens that can read them. It is built by ``load_estate`` (the file
format of docs/simulator.md), ``demo_estate`` or ``generate_estate``, or from a gatekeeper
snapshot with ``SimEstate.from_facts``.

``SimEstate.to_facts(token)`` is the ground truth: the ``gatekeeper.facts.Estate`` that a
correct collector gathers over HTTP with that token. Tests compare the two.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from gatekeeper.drain_url import reduce_drain_url
from gatekeeper.simulator import catalog
from gatekeeper.simulator.naming import drain_token, is_uuid, stable_id

if TYPE_CHECKING:
    from gatekeeper import facts

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
class SimTelemetryDrain:
    """An OpenTelemetry drain of a Fir app or space. ``headers`` hold ingest keys (secrets
    the simulator serves, as Heroku does, and the gatekeeper must never keep)."""

    endpoint: str
    signals: list[str] = field(default_factory=lambda: ["traces", "metrics", "logs"])
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    exporter_type: Literal["otlphttp", "otlp"] = "otlphttp"
    id: str = ""  # empty: derived from the owner and endpoint by ``fill_telemetry_ids``


@dataclass
class SimWebhook:
    """An app webhook subscription (``heroku webhooks:add``). Heroku never shows its secret
    again, so the simulator keeps none."""

    url: str
    include: list[str] = field(default_factory=lambda: ["api:release"])
    level: Literal["notify", "sync"] = "notify"
    id: str = ""  # empty: derived from the app and the URL


@dataclass
class SimSpace:
    """A Private Space (``shield`` for a Shield space) owned by a team. ``generation`` is
    "cedar" or "fir" (a Fir space has no Shield); ``log_drain`` is the URL of a Shield
    space's Private Space Logging drain (None: not enabled)."""

    name: str
    region: str
    team: str | None
    shield: bool = False
    id: str = ""
    generation: str = "cedar"
    telemetry_drains: list[SimTelemetryDrain] = field(default_factory=list)
    log_drain: str | None = None

    def __post_init__(self) -> None:
        self.id = self.id or stable_id("space", self.name)
        fill_telemetry_ids(self.telemetry_drains, "space", self.name)


def fill_telemetry_ids(drains: list[SimTelemetryDrain], kind: str, owner: str) -> None:
    for drain in drains:
        if not drain.id:
            drain.id = stable_id("telemetry-drain", kind, owner, drain.endpoint)


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
class SimLogDrain:
    """A log drain; ``addon`` names the add-on that created it (None: a custom drain).

    ``url`` is the full URL as Heroku returns it, credentials and query included.
    """

    url: str
    addon: str | None = None
    id: str = ""  # empty: derived from the app and URL by ``SimApp.fill_ids``

    @property
    def token(self) -> str:
        return drain_token(self.id)


@dataclass
class SimPipeline:
    """The pipeline an app is coupled to (``GET /apps/{app}/pipeline-couplings``)."""

    name: str
    stage: Literal["test", "review", "development", "staging", "production"] = "production"


@dataclass
class SimApp:
    """An app: owned by a team (``team``) or by a person (``owner``, an e-mail address).

    ``region`` is the region name (for an app in a space: the space's region); it may be
    None only when replaying a snapshot in which the API did not say.
    """

    name: str
    region: str | None
    team: str | None = None
    owner: str | None = None
    space: str | None = None
    addons: list[SimAddOn] = field(default_factory=list)
    log_drains: list[SimLogDrain] = field(default_factory=list)
    telemetry_drains: list[SimTelemetryDrain] = field(default_factory=list)
    attachments: list[SimAttachment] = field(default_factory=list)
    stack: str = "heroku-24"
    pipeline: SimPipeline | None = None
    dynos: dict[str, int] = field(default_factory=lambda: {"web": 1})
    webhooks: list[SimWebhook] = field(default_factory=list)
    id: str = ""

    def __post_init__(self) -> None:
        self.id = self.id or stable_id("app", self.name)
        self.fill_ids()

    def fill_ids(self) -> None:
        """Derive the drain and webhook ids and attachment names that were left empty."""
        for webhook in self.webhooks:
            webhook.id = webhook.id or stable_id("app-webhook", self.name, webhook.url)
        for drain in self.log_drains:
            if not drain.id:
                drain.id = stable_id("log-drain", self.name, drain.url)
        fill_telemetry_ids(self.telemetry_drains, "app", self.name)
        for attachment in self.attachments:
            attachment.id = attachment.id or stable_id("attachment", self.name, attachment.addon)
            attachment.name = attachment.name or f"{attachment.addon.upper().replace('-', '_')}"
        if any(not o.attachment for o in self.addons):
            _name_attachments(self.addons)

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
                telemetry_drains=_sim_telemetry(s.telemetry_drains, keep),
                log_drain=s.log_drain.url if s.log_drain and s.log_drain.state == "set" else None,
            )
            for s in estate.spaces
        }
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
            drains = [
                SimLogDrain(url=d.url, addon=d.addon, id=keep(d.id, "log-drain", d.url))
                for d in (a.log_drains or ())
            ]
            apps.append(
                SimApp(
                    name=a.name,
                    region=a.region,
                    team=a.team,
                    owner=None if a.team else (a.owner_email or None),
                    space=a.space,
                    addons=addons,
                    log_drains=drains,
                    telemetry_drains=_sim_telemetry(a.telemetry_drains, keep),
                    attachments=attachments,
                    id=keep(a.id, "app", a.name),
                )
            )
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


def _sim_telemetry(
    drains: Sequence[facts.TelemetryDrain] | None, keep: Callable[[str, str, str], str]
) -> list[SimTelemetryDrain]:
    """A snapshot's telemetry drains, served as it stored them (without headers)."""
    return [
        SimTelemetryDrain(d.url, list(d.signals), id=keep(d.id, "telemetry-drain", d.url))
        for d in drains or ()
    ]


def _telemetry_facts(drains: list[SimTelemetryDrain]) -> tuple[facts.TelemetryDrain, ...]:
    from gatekeeper import facts

    out = []
    for d in sorted(drains, key=lambda d: d.id):
        reduced = reduce_drain_url(d.endpoint)
        out.append(
            facts.TelemetryDrain(
                id=d.id, host=reduced.host, url=reduced.url, signals=tuple(sorted(d.signals))
            )
        )
    return tuple(out)


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
    fir = space.generation == "fir" and in_use
    return facts.Space(
        id=space.id,
        name=space.name,
        region=space.region,
        shield=space.shield,
        team=space.team,
        generation=space.generation,
        telemetry_drains=_telemetry_facts(space.telemetry_drains) if fir else (),
        log_drain=log_drain,
    )


#: what the collector keeps for a Shield space without a drain, as the simulator answers it
#: (404 not_found: the simulator's choice; what Heroku answers is not documented)
NO_SPACE_DRAIN_REASON = "the API answered HTTP 404"


def _app_facts(app: SimApp, estate: SimEstate, viewer: SimToken | None) -> facts.App:
    from gatekeeper import facts

    app.fill_ids()
    drains = sorted(app.log_drains, key=lambda d: d.id)
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
        log_drains=tuple(
            facts.LogDrain(id=d.id, host=reduced.host, url=reduced.url, addon=d.addon)
            for d, reduced in ((d, reduce_drain_url(d.url)) for d in drains)
        ),
        telemetry_drains=_telemetry_facts(app.telemetry_drains) if generation == "fir" else (),
        errors=tuple(errors[name] for name in sorted(errors)),
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
