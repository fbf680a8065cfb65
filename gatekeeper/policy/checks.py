"""Checks that span several keys or entries of a policy file.

They run on the raw TOML data, next to (not after) the pydantic validation, so that a file
with a type error in one agreement still gets its duplicate ids and impossible dates reported
in the same run. Every check skips values of the wrong type: the models report those.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeAlias

from gatekeeper.policy_values import glob_match, is_glob, quote
from gatekeeper.rules.catalog import RULES
from gatekeeper.rules.metadata import NotWaivable, RuleInfo

if TYPE_CHECKING:  # a valid policy never loads textpos: only a problem's words need it
    from gatekeeper.textpos import KeyLines, Path

# The rules that no waiver may hide, with the loader's answer to one that tries, and those
# whose severity [rules] may not change (fail closed): as their modules declare them.
UNWAIVABLE = {
    info.id: info.waiver.refusal for info in RULES.values() if isinstance(info.waiver, NotWaivable)
}
FIXED_SEVERITY: dict[str, RuleInfo] = {
    info.id: info
    for info in RULES.values()
    if isinstance(info.waiver, NotWaivable) and info.waiver.fixed_severity
}

Issue: TypeAlias = "tuple[Path, str]"


def cross_checks(raw: dict[str, Any], lines: Callable[[], KeyLines]) -> list[Issue]:
    """Every cross-entry problem of a policy file, as (key path, message). ``lines()``
    gives the file's key lines, which only a message naming another entry's line needs."""
    issues: list[Issue] = []
    issues += _check_agreements(raw.get("agreements"), lines)
    issues += _check_apps(raw.get("apps"), lines)
    issues += _check_waivers(raw.get("waivers"), lines)
    issues += _check_rules(raw.get("rules"))
    return issues


def _is_date(value: Any) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _str_list(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str)]


def _where(lines: Callable[[], KeyLines], path: Path) -> str:
    from gatekeeper.textpos import format_path

    line = lines().line_of(path)
    return f"{format_path(path)}, line {line}" if line else format_path(path)


def _check_agreements(agreements: Any, lines: Callable[[], KeyLines]) -> list[Issue]:
    if not isinstance(agreements, list):
        return []
    issues: list[Issue] = []
    first_id: dict[str, Path] = {}
    for i, a in enumerate(agreements):
        if not isinstance(a, dict):
            continue
        here: Path = ("agreements", i)
        agreement_id = a.get("id")
        if isinstance(agreement_id, str):
            if agreement_id in first_id:
                issues.append(
                    (
                        (*here, "id"),
                        f"duplicate agreement id {quote(agreement_id)}: "
                        f"{_where(lines, first_id[agreement_id])} has it already; "
                        "every agreement needs its own id",
                    )
                )
            else:
                first_id[agreement_id] = (*here, "id")
        heroku = a.get("heroku") is True
        services = _str_list(a.get("addon_services"))
        scoped = _str_list(a.get("teams")) or _str_list(a.get("enterprise_accounts"))
        if heroku and services:
            issues.append(
                (
                    (*here, "addon_services"),
                    "an agreement is either the Heroku DPA (heroku = true) or an "
                    "agreement with add-on providers (addon_services), not both: split "
                    "it into two [[agreements]]",
                )
            )
        elif not heroku and not services and "addon_services" not in a:
            issues.append(
                (
                    here,
                    "this agreement covers nothing: set heroku = true for the "
                    'Salesforce/Heroku DPA, or addon_services = ["..."] for an '
                    "add-on provider's",
                )
            )
        elif not heroku and not services:
            issues.append(
                (
                    (*here, "addon_services"),
                    "addon_services is empty, so this agreement covers no add-on",
                )
            )
        if (
            heroku
            and not scoped
            and isinstance(a.get("teams", []), list)
            and isinstance(a.get("enterprise_accounts", []), list)
        ):
            issues.append(
                (
                    (*here, "heroku"),
                    "a Heroku agreement must name what it covers: "
                    'enterprise_accounts = ["..."] and/or teams = ["..."] (a DPA '
                    "covers the contracting customer's accounts, never every app)",
                )
            )
        if services and not heroku and a.get("countries", []) == []:
            issues.append(
                (
                    (*here, "countries"),
                    "an add-on agreement needs countries = [...] (where the provider "
                    "processes the data), so gatekeeper can hold them against each "
                    "data class",
                )
            )
        signed, expires = a.get("signed"), a.get("expires")
        if (
            isinstance(signed, date)
            and isinstance(expires, date)
            and _is_date(signed)
            and (_is_date(expires) and expires < signed)
        ):
            issues.append(
                (
                    (*here, "expires"),
                    f"expires {expires.isoformat()} is before signed "
                    f"{signed.isoformat()}: one of the dates is wrong",
                )
            )
    return issues


def _check_apps(apps: Any, lines: Callable[[], KeyLines]) -> list[Issue]:
    """Entries that an earlier entry makes unreachable (the first match wins).

    Only an equal name or an earlier glob can match a name first, so each entry is held
    against one dictionary look-up and the earlier globs, not against every earlier entry
    (a policy with thousands of exact names stays fast)."""
    if not isinstance(apps, list):
        return []
    issues: list[Issue] = []
    earlier: list[tuple[Path, str]] = []
    first_seen: dict[str, int] = {}  # name -> its first position in `earlier`
    globs: list[int] = []  # positions in `earlier` of glob names, in order
    for i, entry in enumerate(apps):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        name = entry["name"]
        path: Path = ("apps", i, "name")
        equal = first_seen.get(name)
        shadow = next(
            (
                k
                for k in globs
                if (equal is None or k < equal)
                and (not is_glob(name) or earlier[k][1] == "*")
                and glob_match(name, earlier[k][1])
            ),
            None,
        )
        if shadow is not None:
            prev_path, prev = earlier[shadow]
            issues.append(
                (
                    path,
                    f"this entry is never used: {_where(lines, prev_path)} "
                    f"(name = {quote(prev)}) matches {quote(name)} first. The "
                    "first matching entry wins, so move exact names above globs",
                )
            )
        elif equal is not None:
            issues.append(
                (
                    path,
                    f"duplicate [[apps]] entry for {quote(name)}: "
                    f"{_where(lines, earlier[equal][0])} matches first, so this entry "
                    "is never used",
                )
            )
        first_seen.setdefault(name, len(earlier))
        if is_glob(name):
            globs.append(len(earlier))
        earlier.append((path, name))
    return issues


def _check_waivers(waivers: Any, lines: Callable[[], KeyLines]) -> list[Issue]:
    if not isinstance(waivers, list):
        return []
    issues: list[Issue] = []
    seen: dict[tuple[Any, ...], Path] = {}
    for i, w in enumerate(waivers):
        if not isinstance(w, dict):
            continue
        rule = w.get("rule")
        if isinstance(rule, str) and rule in UNWAIVABLE:
            issues.append((("waivers", i, "rule"), UNWAIVABLE[rule]))
        key = (rule, w.get("app"), w.get("subject"))
        if all(isinstance(k, str | None) for k in key):
            if key in seen:
                issues.append(
                    (
                        ("waivers", i),
                        "duplicate waiver: "
                        f"{_where(lines, seen[key])} has the same rule, app and subject",
                    )
                )
            else:
                seen[key] = ("waivers", i)
    return issues


def _check_rules(rules: Any) -> list[Issue]:
    if not isinstance(rules, dict):
        return []
    issues: list[Issue] = []
    for rule_id, info in FIXED_SEVERITY.items():
        value = rules.get(rule_id)
        if isinstance(value, str) and value != info.default_severity:
            assert isinstance(info.waiver, NotWaivable)
            issues.append(
                (
                    ("rules", rule_id),
                    f"{rule_id} is always {info.default_severity}: {info.waiver.fixed_severity}",
                )
            )
    return issues
