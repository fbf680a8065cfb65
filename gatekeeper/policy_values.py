"""The building blocks of the policy file's tables: a strict table base and the value types.

Both the policy (``gatekeeper.policy.model``: agreements, classes, apps, waivers) and the
rule modules (``gatekeeper.rules``: a rule's own options table, such as ``[logs]``) declare
tables of the policy file. They build them from this module, which imports neither of them:
the policy is made of the rules' declarations, and a rule never imports the policy
(docs/policy.md is the reference of the format).

Also here: how the policy language matches names (shell globs, case-sensitive, as Heroku names
are lower case) and how it quotes a value in a message (as TOML writes a basic string).
"""

from __future__ import annotations

import fnmatch
import re
from typing import Annotated

from gatekeeper.records import Check

_GLOB_CHARS = re.compile(r"[*?\[]")
_HOST_GLOB = re.compile(r"^[a-z0-9*?\[\]!-]+(\.[a-z0-9*?\[\]!-]+)*$")
_SERVICE = re.compile(r"^[a-z0-9*?][a-z0-9*?._-]*$")


class PolicyTable:
    """A table of the policy file: unknown keys are errors, types are TOML's own. Tables are
    frozen dataclasses read by ``gatekeeper.records`` (strict, no pydantic on a check's path)."""

    record_extra = "forbid"


def quote(value: str) -> str:
    """A value as TOML writes a basic string: in double quotes, escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def suggest(value: str, choices: list[str] | tuple[str, ...]) -> str:
    """`` (did you mean "x"?)`` for the closest choice, or nothing."""
    import difflib  # here: only a policy with a typo needs it

    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {quote(close[0])}?)" if close else ""


def is_glob(pattern: str) -> bool:
    """True when a name contains glob characters (``*``, ``?``, ``[``)."""
    return bool(_GLOB_CHARS.search(pattern))


def glob_match(name: str, pattern: str) -> bool:
    """Case-sensitive shell-style match, as Heroku names are lower case."""
    return fnmatch.fnmatchcase(name, pattern)


def _check_host_glob(value: str) -> str:
    if "://" in value or "/" in value or ":" in value:
        raise ValueError(
            f"{quote(value)} is not a host name: write only the host or a host glob, such as "
            '"logs.example.edu" or "*.example.edu" (no scheme, port or path)'
        )
    if value != value.lower() or not _HOST_GLOB.match(value):
        raise ValueError(
            f"{quote(value)} is not a host name or host glob (lower-case letters, digits, dots, "
            "hyphens and the glob characters * ? [ ])"
        )
    return value


def _check_service(value: str) -> str:
    if ":" in value:
        raise ValueError(
            f"{quote(value)} names a plan; name the add-on service instead "
            f"({quote(value.split(':', 1)[0])})"
        )
    if not _SERVICE.match(value):
        raise ValueError(
            f"{quote(value)} is not an add-on service name (lower case, as in "
            '`heroku addons:services`, e.g. "papertrail")'
        )
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


HostGlob = Annotated[str, Check(_check_host_glob)]
ServiceName = Annotated[str, Check(_check_service)]
Glob = Annotated[str, Check(_not_blank)]
Text = Annotated[str, Check(_not_blank)]
