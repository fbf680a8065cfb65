"""The parts of an ``app.json`` (Heroku's app manifest) that decide where data goes.

Heroku reads ``app.json`` when it creates an app from a repository: the Heroku Button, review
apps, Heroku CI and ``heroku create`` with a manifest (Dev Center "app.json Schema"). Of its
keys, ``gatekeeper plan`` judges ``addons`` (each a plan string such as
``"heroku-postgresql:essential-0"``, or an object ``{"plan": ..., "as": ..., "options":
{...}}``) and reads ``stack``. For an environment (``review`` for review apps, ``test`` for
Heroku CI), the ``environments.<name>`` keys override the top-level ones, as Heroku applies
them. The other keys (env, formation, scripts, buildpacks, ...)
decide nothing about where data goes, and Heroku adds keys, so they are passed over unread.

The keys read are validated strictly: a wrong type or a plan that is not ``service`` or
``service:plan`` is a problem naming the file, the line (``gatekeeper.textpos``) and the key
path, and every problem is reported at once (``InputFileError``, exit 2).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gatekeeper.errors import InputFileError, Problem
from gatekeeper.textpos import format_path, line_of

DEFAULT_APP_JSON = "app.json"
WHAT = "app.json"

# A plan as app.json writes it: the add-on service, then optionally ``:`` and the plan
# (``heroku-postgresql:essential-0``; a Managed Inference plan is a model id, which may hold
# dots). Services are lower-case slugs (``GET /addon-services``).
_SERVICE = r"[a-z][a-z0-9-]*"
_PLAN = re.compile(rf"(?P<service>{_SERVICE})(?::(?P<plan>[a-z0-9][a-z0-9._-]*))?")
# ``as``: the attachment name, which Heroku turns into the config var prefix (DATABASE_URL).
_ATTACHMENT = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_ADDON_KEYS = frozenset({"plan", "as", "options"})


@dataclass(frozen=True)
class PlannedAddOn:
    """An add-on app.json asks for: ``plan`` as written, its service, and the attachment."""

    service: str
    plan: str  # "heroku-postgresql:essential-0", or the bare service (its default plan)
    attachment: str | None = None  # "as"

    @property
    def names_plan(self) -> bool:
        """Whether app.json names the plan (``service:plan``), not only the service, for
        which Heroku provisions the service's default plan."""
        return ":" in self.plan


@dataclass(frozen=True)
class AppManifest:
    """What ``gatekeeper plan`` reads from an app.json."""

    path: str
    addons: tuple[PlannedAddOn, ...] = ()
    stack: str | None = None
    environment: str | None = None  # the environments.<name> applied, if any


def load_app_json(path: str | Path, *, environment: str | None = None) -> AppManifest:
    """Read and validate the app.json at ``path``; ``InputFileError`` (exit 2) names the
    file, the line and the key of every problem."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError(
            [Problem(name, None, "", "does not exist")],
            what=WHAT,
            hint="Give the path of the app's manifest (gatekeeper plan PATH/app.json), or run "
            "in the directory that holds it.",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputFileError(
            [Problem(name, None, "", f"cannot be read: {reason}")], what=WHAT
        ) from None
    return parse_app_json(text, name=name, environment=environment)


def parse_app_json(
    text: str, *, name: str = DEFAULT_APP_JSON, environment: str | None = None
) -> AppManifest:
    """The manifest in ``text`` (the contents of the file ``name``), with the overrides of
    ``environments.<environment>`` when one is given."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(
            [Problem(name, exc.lineno, "", f"is not valid JSON: {exc.msg}")], what=WHAT
        ) from None
    except RecursionError:
        raise InputFileError([Problem(name, None, "", "is nested too deeply")], what=WHAT) from None
    if not isinstance(data, dict):
        raise InputFileError([Problem(name, 1, "", "must be a JSON object")], what=WHAT)
    reader = _Reader(name, text)
    addons = reader.addons(("addons",), data.get("addons", []))
    stack = reader.optional_string((), data, "stack")
    reader.optional_string((), data, "name")
    if environment is not None:
        override = reader.environment(data, environment)
        if "addons" in override:
            addons = reader.addons(("environments", environment, "addons"), override["addons"])
        if "stack" in override:
            stack = reader.optional_string(("environments", environment), override, "stack")
    if reader.problems:
        raise InputFileError(reader.problems, what=WHAT, hint=_HINT)
    return AppManifest(path=name, addons=addons, stack=stack, environment=environment)


_HINT = (
    'app.json is described in Heroku\'s Dev Center, "app.json Schema"; an add-on is '
    '"service" or "service:plan", or {"plan": "service:plan", "as": "NAME"}.'
)


class _Reader:
    """Collects the problems of one manifest, each with its line."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self.problems: list[Problem] = []

    def problem(self, path: tuple[str | int, ...], message: str) -> None:
        line = line_of(self.text, path)
        self.problems.append(Problem(self.name, line, format_path(path), message))

    def optional_string(
        self, at: tuple[str | int, ...], data: dict[str, Any], key: str
    ) -> str | None:
        value = data.get(key)
        if value is None or isinstance(value, str):
            return value
        self.problem((*at, key), f"must be a string, not {_kind(value)}")
        return None

    def environment(self, data: dict[str, Any], name: str) -> dict[str, Any]:
        """The keys ``environments.<name>`` overrides; {} when it has no such entry (then
        Heroku uses the top-level keys)."""
        environments = data.get("environments", {})
        if not isinstance(environments, dict):
            self.problem(("environments",), f"must be an object, not {_kind(environments)}")
            return {}
        override = environments.get(name, {})
        if not isinstance(override, dict):
            self.problem(("environments", name), f"must be an object, not {_kind(override)}")
            return {}
        return override

    def addons(self, path: tuple[str | int, ...], value: Any) -> tuple[PlannedAddOn, ...]:
        if not isinstance(value, list):
            self.problem(path, f"must be an array of add-ons, not {_kind(value)}")
            return ()
        found = (self.addon((*path, index), item) for index, item in enumerate(value))
        return tuple(addon for addon in found if addon is not None)

    def addon(self, path: tuple[str | int, ...], item: Any) -> PlannedAddOn | None:
        if isinstance(item, str):
            return self.plan(path, item, None)
        if not isinstance(item, dict):
            self.problem(path, f"must be a plan string or an object, not {_kind(item)}")
            return None
        for key in sorted(set(item) - _ADDON_KEYS):
            self.problem((*path, key), "is not an add-on key (plan, as, options)")
        attachment = item.get("as")
        if attachment is not None and not (
            isinstance(attachment, str) and _ATTACHMENT.fullmatch(attachment)
        ):
            self.problem((*path, "as"), "must be an attachment name such as DATABASE")
            attachment = None
        if "options" in item and not isinstance(item["options"], dict):
            self.problem((*path, "options"), f"must be an object, not {_kind(item['options'])}")
        if "plan" not in item:
            self.problem(path, 'has no "plan"')
            return None
        if not isinstance(item["plan"], str):
            self.problem((*path, "plan"), f"must be a string, not {_kind(item['plan'])}")
            return None
        return self.plan((*path, "plan"), item["plan"], attachment)

    def plan(self, path: tuple[str | int, ...], value: str, attachment: str | None) -> PlannedAddOn:
        match = _PLAN.fullmatch(value)
        if match is None:
            self.problem(path, f'{json.dumps(value)} is not an add-on plan ("service:plan")')
            return PlannedAddOn(service="", plan=value, attachment=attachment)
        return PlannedAddOn(service=match["service"], plan=value, attachment=attachment)


def _kind(value: Any) -> str:
    """The JSON name of ``value``'s type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
