"""Reading an estate file (JSON or TOML) into a ``SimEstate``; format in docs/simulator.md.

Validation is strict, like the policy file: an unknown key, a wrong type, a dangling
reference (an app in a team that does not exist) or a duplicate name is an error that names
the file, the line where it can be found, and the key path. A gatekeeper snapshot
(``"schema": "gatekeeper.estate/v1"``) is accepted too and served as it is.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from types import GenericAlias
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, ValidationError, create_model

from gatekeeper.errors import InputFileError, Problem
from gatekeeper.simulator import catalog
from gatekeeper.simulator.estate import (
    ALL,
    SIM_ESTATE_SCHEMA,
    SimAddOn,
    SimApp,
    SimAttachment,
    SimEnterpriseAccount,
    SimEstate,
    SimPipeline,
    SimSpace,
    SimTeam,
    SimToken,
)
from gatekeeper.simulator.kinds import Owner, kinds_of
from gatekeeper.simulator.kinds.interface import Entry
from gatekeeper.simulator.naming import addon_name
from gatekeeper.textpos import clean_path, find_line

APP_NAME = re.compile(r"^[a-z][a-z0-9-]{1,28}[a-z0-9]$")
SPACE_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?!-))+[a-z0-9]$")
ADDON_NAME = re.compile(r"^[a-zA-Z][A-Za-z0-9_-]+$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
WHAT = "estate file"
#: who has the Fir-only kinds, for the message when another owner lists one
FIR_OWNERS: dict[Owner, str] = {"app": "apps in a Fir space", "space": "Fir spaces"}


class EnterpriseAccountEntry(Entry):
    name: str
    id: str | None = None


class TeamEntry(Entry):
    name: str
    enterprise_account: str | None = None
    id: str | None = None


class _SpaceKeys(Entry):
    """A space's own keys in file order; ``SpaceEntry`` adds the kinds' after ``generation``."""

    name: str
    region: str
    team: str
    shield: bool = False
    id: str | None = None
    generation: Literal["cedar", "fir"] = "cedar"
    log_drain: str | None = None  # Private Space Logging (Shield spaces): the drain URL


class AttachmentEntry(Entry):
    addon: str  # the name of an add-on of another app
    name: str | None = None
    id: str | None = None


class AddOnEntry(Entry):
    plan: str
    name: str | None = None
    attachment: str | None = None
    id: str | None = None


class PipelineEntry(Entry):
    name: str
    stage: Literal["test", "review", "development", "staging", "production"] = "production"


class _AppKeys(Entry):
    """An app's own keys in file order; ``AppEntry`` adds the kinds' after ``addons``."""

    name: str
    team: str | None = None
    owner: str | None = None
    region: str | None = None
    space: str | None = None
    addons: list[str | AddOnEntry] = Field(default_factory=list)
    attachments: list[str | AttachmentEntry] = Field(default_factory=list)
    stack: str = "heroku-24"
    pipeline: PipelineEntry | None = None
    dynos: dict[str, int] = Field(default_factory=lambda: {"web": 1})
    id: str | None = None


def _with_kinds(name: str, keys: type[Entry], owner: Owner, after: str) -> Any:
    """The model ``name``: ``keys`` with a list-valued key for each kind of ``owner``,
    inserted after the key ``after`` (their place in the file, and so in the order of
    pydantic's errors)."""
    fields: dict[str, Any] = {}
    for key, info in keys.model_fields.items():
        fields[key] = (info.annotation, info)
        if key == after:
            for kind in kinds_of(owner):
                fields[kind.key] = (GenericAlias(list, (kind.entry,)), Field(default_factory=list))
    return create_model(name, __base__=Entry, **fields)


# mypy sees the keys without the kinds (read with ``getattr(entry, kind.key)``); pydantic
# validates the models with them.
if TYPE_CHECKING:
    AppEntry = _AppKeys
    SpaceEntry = _SpaceKeys
else:
    AppEntry = _with_kinds("AppEntry", _AppKeys, "app", after="addons")
    SpaceEntry = _with_kinds("SpaceEntry", _SpaceKeys, "space", after="generation")


class TokenEntry(Entry):
    token: str
    email: str
    name: str | None = None
    teams: list[str] = Field(default_factory=list)
    enterprise_accounts: list[str] = Field(default_factory=list)
    apps: list[str] = Field(default_factory=list)
    role: Literal["admin", "member"] = "member"
    scope: list[str] = Field(default_factory=lambda: ["read"])


class EstateFile(Entry):
    """The top level of an estate file."""

    schema_: str = Field(default=SIM_ESTATE_SCHEMA, alias="schema")
    description: str = ""
    enterprise_accounts: list[EnterpriseAccountEntry] = Field(default_factory=list)
    teams: list[TeamEntry] = Field(default_factory=list)
    spaces: list[SpaceEntry] = Field(default_factory=list)
    people: dict[str, str] = Field(default_factory=dict)
    apps: list[AppEntry] = Field(default_factory=list)
    tokens: list[TokenEntry] = Field(default_factory=list)


def load_estate(path: str | Path) -> SimEstate:
    """Read an estate file (``.json`` or ``.toml``) or a gatekeeper snapshot (JSON).

    Raises ``InputFileError`` naming the file, the line where possible, and the key.
    """
    path = Path(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputFileError(
            [Problem(name, None, "", f"cannot be read: {reason}")], what=WHAT
        ) from None
    is_toml = path.suffix.lower() == ".toml"
    data = _parse(text, name, is_toml)
    if not isinstance(data, dict):
        raise InputFileError(
            [Problem(name, 1, "", "the top level must be a table/object")], what=WHAT
        )
    if data.get("schema") == "gatekeeper.estate/v1":
        return _from_snapshot(data, name, text)
    return estate_from_data(data, name=name, text=text)


def estate_from_data(data: dict[str, Any], *, name: str = "<estate>", text: str = "") -> SimEstate:
    """Validate parsed estate data (the file format, as dicts) and build the estate."""
    try:
        model = EstateFile.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            problems.append(
                Problem(name, find_line(text, loc, data), key_path(loc), _pydantic_message(error))
            )
        raise InputFileError(problems, what=WHAT) from None
    checker = _Checker(name, text, data)
    estate = checker.build(model)
    if checker.problems:
        raise InputFileError(checker.problems, what=WHAT)
    return estate


def _parse(text: str, name: str, is_toml: bool) -> Any:
    if is_toml:
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            match = re.search(r"\(at line (\d+), column \d+\)", str(exc))
            line = int(match.group(1)) if match else None
            message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
            raise InputFileError(
                [Problem(name, line, "", f"not valid TOML: {message}")], what=WHAT
            ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(
            [Problem(name, exc.lineno, "", f"not valid JSON: {exc.msg}")], what=WHAT
        ) from None


def _from_snapshot(data: dict[str, Any], name: str, text: str) -> SimEstate:
    from gatekeeper import facts, serial

    try:
        snapshot = serial.from_data(facts.Estate, data)
    except ValidationError as exc:
        problems = [
            Problem(
                name,
                find_line(text, tuple(e["loc"]), data),
                key_path(tuple(e["loc"])),
                _pydantic_message(e),
            )
            for e in exc.errors()
        ]
        raise InputFileError(problems, what="snapshot file") from None
    return SimEstate.from_facts(snapshot)


def key_path(loc: tuple[Any, ...]) -> str:
    """``("apps", 3, "team")`` -> ``"apps[3].team"`` (pydantic's union tags dropped)."""
    out = ""
    for part in clean_path(loc):
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def _pydantic_message(error: Any) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "unknown key (a typo?)"
    if kind == "missing":
        return "required key is missing"
    return str(error.get("msg", "invalid value"))


class _Checker:
    """Checks references and uniqueness while building the estate; collects every problem."""

    def __init__(self, name: str, text: str, data: dict[str, Any]) -> None:
        self.name = name
        self.text = text
        self.data = data
        self.problems: list[Problem] = []

    def problem(self, loc: tuple[Any, ...], message: str) -> None:
        self.problems.append(
            Problem(self.name, find_line(self.text, loc, self.data), key_path(loc), message)
        )

    def unique(self, kind: str, names: list[str]) -> None:
        seen: set[str] = set()
        for index, value in enumerate(names):
            if value in seen:
                self.problem((kind, index, "name"), f"duplicate name {value!r}")
            seen.add(value)

    def build(self, model: EstateFile) -> SimEstate:
        if model.schema_ != SIM_ESTATE_SCHEMA:
            self.problem(("schema",), f"expected {SIM_ESTATE_SCHEMA!r}, got {model.schema_!r}")
        self.unique("enterprise_accounts", [e.name for e in model.enterprise_accounts])
        self.unique("teams", [t.name for t in model.teams])
        self.unique("spaces", [s.name for s in model.spaces])
        self.unique("apps", [a.name for a in model.apps])
        eas = [SimEnterpriseAccount(e.name, e.id or "") for e in model.enterprise_accounts]
        ea_names = {e.name for e in eas}
        teams = []
        for i, t in enumerate(model.teams):
            if t.enterprise_account is not None and t.enterprise_account not in ea_names:
                self.problem(
                    ("teams", i, "enterprise_account"),
                    f"no enterprise account called {t.enterprise_account!r}",
                )
            teams.append(SimTeam(t.name, t.enterprise_account, t.id or ""))
        team_names = {t.name for t in teams}
        spaces = [self._space(i, s, team_names) for i, s in enumerate(model.spaces)]
        space_by_name = {s.name: s for s in spaces}
        apps = [self._app(i, a, team_names, space_by_name) for i, a in enumerate(model.apps)]
        self._unique_addons(model, apps)
        self._attachments(model, apps)
        app_names = {a.name for a in apps}
        tokens = [
            self._token(i, t, team_names, ea_names, app_names) for i, t in enumerate(model.tokens)
        ]
        secrets = [t.token for t in tokens]
        for i, secret in enumerate(secrets):
            if secret in secrets[:i]:
                self.problem(("tokens", i, "token"), "duplicate token")
        return SimEstate(
            enterprise_accounts=eas,
            teams=teams,
            spaces=spaces,
            apps=apps,
            tokens=tokens,
            people=dict(model.people),
            description=model.description,
        )

    def _space(self, i: int, s: SpaceEntry, team_names: set[str]) -> SimSpace:
        if not SPACE_NAME.match(s.name):
            self.problem(("spaces", i, "name"), f"{s.name!r} is not a valid space name")
        region = catalog.region_info(s.region)
        if region is None:
            self.problem(("spaces", i, "region"), f"unknown region {s.region!r}")
        elif not region.private_capable:
            self.problem(
                ("spaces", i, "region"),
                f"{s.region!r} is a Common Runtime region; spaces use a Private "
                "Space region such as 'frankfurt'",
            )
        if s.team not in team_names:
            self.problem(("spaces", i, "team"), f"no team called {s.team!r}")
        if s.generation == "fir" and s.shield:
            self.problem(("spaces", i, "shield"), "Fir spaces have no Shield")
        space = SimSpace(s.name, s.region, s.team, s.shield, s.id or "", s.generation, s.log_drain)
        self._kinds(("spaces", i), s, space, fir=s.generation == "fir")
        if s.log_drain is not None and not s.shield:
            self.problem(("spaces", i, "log_drain"), "Private Space Logging needs a Shield space")
        return space

    def _kinds(self, loc: tuple[Any, ...], entry: Any, owner: SimApp | SimSpace, fir: bool) -> None:
        """Read the kinds' keys of ``entry`` into ``owner``."""
        for kind in kinds_of(owner.OWNER):
            entries = getattr(entry, kind.key)
            if kind.fir_only and entries and not fir:
                self.problem((*loc, kind.key), f"only {FIR_OWNERS[owner.OWNER]} have them")
            owner.kinds[kind.key] = kind.parse(self, (*loc, kind.key), entries, owner)
        owner.fill_ids()

    def _app(
        self, i: int, a: AppEntry, team_names: set[str], spaces: dict[str, SimSpace]
    ) -> SimApp:
        loc: tuple[Any, ...] = ("apps", i)
        if not APP_NAME.match(a.name):
            self.problem(
                (*loc, "name"),
                f"{a.name!r} is not a valid Heroku app name "
                "(3-30 lower-case letters, digits and dashes)",
            )
        if (a.team is None) == (a.owner is None):
            self.problem(
                loc,
                "an app has exactly one of 'team' (a team app) or 'owner' "
                "(the e-mail of the person owning a personal app)",
            )
        if a.team is not None and a.team not in team_names:
            self.problem((*loc, "team"), f"no team called {a.team!r}")
        if a.owner is not None and not EMAIL.match(a.owner):
            self.problem((*loc, "owner"), f"{a.owner!r} is not an e-mail address")
        region = self._app_region(loc, a, spaces)
        addons = [self._addon(loc, j, a.name, entry) for j, entry in enumerate(a.addons)]
        pipeline = SimPipeline(a.pipeline.name, a.pipeline.stage) if a.pipeline else None
        space = spaces.get(a.space or "")
        attachments = [
            SimAttachment(e)
            if isinstance(e, str)
            else SimAttachment(e.addon, e.name or "", e.id or "")
            for e in a.attachments
        ]
        app = SimApp(
            attachments=attachments,
            name=a.name,
            region=region,
            team=a.team,
            owner=a.owner,
            space=a.space,
            addons=addons,
            stack=a.stack,
            pipeline=pipeline,
            dynos=dict(a.dynos),
            id=a.id or "",
        )
        self._kinds(loc, a, app, fir=space is not None and space.generation == "fir")
        return app

    def _app_region(self, loc: tuple[Any, ...], a: AppEntry, spaces: dict[str, SimSpace]) -> str:
        if a.space is not None:
            space = spaces.get(a.space)
            if space is None:
                self.problem((*loc, "space"), f"no space called {a.space!r}")
                return a.region or "us"
            if a.region is not None and a.region != space.region:
                self.problem(
                    (*loc, "region"),
                    f"the app is in space {space.name!r}, whose "
                    f"region is {space.region!r}, not {a.region!r}",
                )
            if a.team is not None and space.team is not None and a.team != space.team:
                self.problem(
                    (*loc, "space"),
                    f"space {space.name!r} belongs to team {space.team!r}, not {a.team!r}",
                )
            return space.region
        region = a.region or "us"
        info = catalog.region_info(region)
        if info is None:
            self.problem(
                (*loc, "region"),
                f"unknown region {region!r} (known: "
                + ", ".join(r.name for r in catalog.REGIONS)
                + ")",
            )
        elif info.private_capable:
            self.problem(
                (*loc, "region"), f"{region!r} is a Private Space region: name the 'space' instead"
            )
        return region

    def _addon(self, loc: tuple[Any, ...], j: int, app: str, entry: str | AddOnEntry) -> SimAddOn:
        spec = AddOnEntry(plan=entry) if isinstance(entry, str) else entry
        where = (*loc, "addons", j) if isinstance(entry, str) else (*loc, "addons", j, "plan")
        try:
            service, _short = catalog.split_plan(spec.plan)
        except ValueError:
            self.problem(where, f"a plan is written service:plan, got {spec.plan!r}")
            service = spec.plan or "unknown"
        name = spec.name or addon_name(catalog.service_info(service).name_prefix, app, j)
        if not ADDON_NAME.match(name):
            self.problem((*loc, "addons", j, "name"), f"{name!r} is not a valid add-on name")
        return SimAddOn(
            plan=spec.plan, name=name, attachment=spec.attachment or "", id=spec.id or ""
        )

    def _attachments(self, model: EstateFile, apps: list[SimApp]) -> None:
        owners = {o.name: app.name for app in apps for o in app.addons}
        for i, app in enumerate(apps):
            for j, attachment in enumerate(app.attachments):
                entry = model.apps[i].attachments[j]
                loc = ("apps", i, "attachments", j) + (() if isinstance(entry, str) else ("addon",))
                owner = owners.get(attachment.addon)
                if owner is None:
                    self.problem(loc, f"no add-on called {attachment.addon!r}")
                elif owner == app.name:
                    self.problem(loc, f"{attachment.addon!r} is this app's own add-on")

    def _unique_addons(self, model: EstateFile, apps: list[SimApp]) -> None:
        seen: set[str] = set()
        for i, app in enumerate(apps):
            for j, addon in enumerate(app.addons):
                if addon.name in seen:
                    entry = model.apps[i].addons[j]
                    loc = ("apps", i, "addons", j) + (() if isinstance(entry, str) else ("name",))
                    self.problem(loc, f"duplicate add-on name {addon.name!r}")
                seen.add(addon.name)

    def _token(
        self, i: int, t: TokenEntry, team_names: set[str], ea_names: set[str], app_names: set[str]
    ) -> SimToken:
        loc = ("tokens", i)
        if not EMAIL.match(t.email):
            self.problem((*loc, "email"), f"{t.email!r} is not an e-mail address")
        for key, names, known in (
            ("teams", t.teams, team_names),
            ("enterprise_accounts", t.enterprise_accounts, ea_names),
            ("apps", t.apps, app_names),
        ):
            for j, value in enumerate(names):
                if value != ALL and value not in known:
                    self.problem((*loc, key, j), f"{value!r} is not in the estate")
        return SimToken(
            token=t.token,
            email=t.email,
            name=t.name,
            teams=list(t.teams),
            enterprise_accounts=list(t.enterprise_accounts),
            apps=list(t.apps),
            role=t.role,
            scope=list(t.scope),
        )


def estate_to_data(estate: SimEstate) -> dict[str, Any]:
    """The estate in the file format (JSON-ready); ``load_estate`` reads it back."""

    def app_data(app: SimApp) -> dict[str, Any]:
        out: dict[str, Any] = {"name": app.name, "id": app.id}
        if app.team is not None:
            out["team"] = app.team
        else:
            out["owner"] = app.owner
        if app.space is not None:
            out["space"] = app.space
        else:
            out["region"] = app.region
        out["addons"] = [
            {"plan": o.plan, "name": o.name, "attachment": o.attachment, "id": o.id}
            for o in app.addons
        ]
        out.update(_kinds_data(app))
        if app.attachments:
            out["attachments"] = [
                {"addon": t.addon, "name": t.name, "id": t.id} for t in app.attachments
            ]
        if app.stack != "heroku-24":
            out["stack"] = app.stack
        if app.pipeline is not None:
            out["pipeline"] = {"name": app.pipeline.name, "stage": app.pipeline.stage}
        if app.dynos != {"web": 1}:
            out["dynos"] = dict(app.dynos)
        return out

    return {
        "schema": SIM_ESTATE_SCHEMA,
        "description": estate.description,
        "enterprise_accounts": [{"name": e.name, "id": e.id} for e in estate.enterprise_accounts],
        "teams": [
            {"name": t.name, "enterprise_account": t.enterprise_account, "id": t.id}
            for t in estate.teams
        ],
        "spaces": [_space_data(s) for s in estate.spaces],
        "people": dict(estate.people),
        "apps": [app_data(a) for a in estate.apps],
        "tokens": [
            {
                "token": t.token,
                "email": t.email,
                "name": t.name,
                "teams": t.teams,
                "enterprise_accounts": t.enterprise_accounts,
                "apps": t.apps,
                "role": t.role,
                **({"scope": t.scope} if t.scope != ["read"] else {}),
            }
            for t in estate.tokens
        ],
    }


def _space_data(space: SimSpace) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": space.name,
        "region": space.region,
        "team": space.team,
        "shield": space.shield,
        "id": space.id,
    }
    if space.generation != "cedar":
        out["generation"] = space.generation
    out.update(_kinds_data(space))
    if space.log_drain is not None:
        out["log_drain"] = space.log_drain
    return out


def _kinds_data(owner: SimApp | SimSpace) -> dict[str, Any]:
    out = {}
    for kind in kinds_of(owner.OWNER):
        entries = kind.dump(owner.kinds[kind.key])
        if entries is not None:
            out[kind.key] = entries
    return out
