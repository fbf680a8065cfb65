"""Which entry of the policy file decides each finding, and on which line it starts.

Findings are about Heroku apps, not about lines of text, yet code scanning (SARIF) hangs every
alert on a line of a file in the repository. The line that says most is the policy entry the
DPO would edit to change the outcome:

- a waived finding: the ``[[waivers]]`` entry that hides it; ``waiver-expired`` and
  ``waiver-unused``: the waiver they are about;
- ``agreement-expired`` and ``agreement-expiring``: the ``[[agreements]]`` entry;
- ``addon-denied``: ``[addons] deny``; the drain rules: ``[logs] allowed_drain_hosts``;
- every other finding on an app: the ``[[apps]]`` entry that gave the app its data class,
  which decides what the app needs; an app that no entry matches: ``[defaults]
  data_class`` (which is also where ``unclassified-app`` points).

``unknown-region`` and ``api-error`` have no such entry: they say that a fact is missing
from gatekeeper's knowledge or could not be read, which no line of the policy changes. They,
and any finding whose entry cannot be found in the text, have no line here; a report then
points at the top of the file.

Pure: the policy, its text and the findings in, lines out (``gatekeeper.usecases`` reads the
file and passes what is found to the formatters as :class:`PolicySource`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gatekeeper.policy_values import glob_match
from gatekeeper.results import API_ERROR_RULE
from gatekeeper.rules.addons import ADDON_DENIED
from gatekeeper.rules.coverage import AGREEMENT_EXPIRED, AGREEMENT_EXPIRING
from gatekeeper.rules.log_drains import LOG_DRAIN_NOT_ALLOWED
from gatekeeper.rules.region import UNKNOWN_REGION
from gatekeeper.rules.telemetry_drains import TELEMETRY_DRAIN_NOT_ALLOWED
from gatekeeper.rules.waivers import WAIVER_EXPIRED, WAIVER_UNUSED, waiver_note
from gatekeeper.textpos import Path, format_path, toml_key_lines

if TYPE_CHECKING:
    from gatekeeper.policy import Policy
    from gatekeeper.results import Finding

_DRAIN_HOSTS: Path = ("logs", "allowed_drain_hosts")
#: Rules decided by a table of the policy rather than by the app's data class.
TABLE_OF_RULE: dict[str, Path] = {
    ADDON_DENIED.id: ("addons", "deny"),
    LOG_DRAIN_NOT_ALLOWED.id: _DRAIN_HOSTS,
    TELEMETRY_DRAIN_NOT_ALLOWED.id: _DRAIN_HOSTS,
}
#: Rules about an agreement, named by the finding's subject (the agreement's id).
AGREEMENT_RULES = frozenset({AGREEMENT_EXPIRED.id, AGREEMENT_EXPIRING.id})
#: Rules about a waiver, named by the finding's subject (the waiver's label).
WAIVER_RULES = frozenset({WAIVER_EXPIRED.id, WAIVER_UNUSED.id})
#: Rules about facts, which no policy entry decides (see the module docstring).
NO_ENTRY_RULES = frozenset({UNKNOWN_REGION.id, API_ERROR_RULE})


@dataclass(frozen=True)
class PolicyLine:
    """The entry that decides a finding: its key path as messages write it, and its line."""

    entry: str  # "apps[2]", "agreements[0]", "defaults.data_class"
    line: int  # 1-based


@dataclass(frozen=True)
class PolicySource:
    """Where the policy file is in the repository, and the line that decides each finding.

    Built by :func:`gatekeeper.usecases.policy_file.policy_source` for a run; formatters only
    read it."""

    #: the policy file, relative to ``root``: ``/``-separated and not percent-encoded
    path: str
    #: the repository root (else the directory the run started in), a ``file:`` URI ending
    #: in ``/``
    root_uri: str
    #: finding fingerprint -> the entry that decides it; findings without one are absent
    lines: Mapping[str, PolicyLine] = field(default_factory=dict)


def deciding_path(policy: Policy, finding: Finding) -> Path | None:
    """The key path of the policy entry that decides ``finding``, or None when none does."""
    if finding.waived:
        for index, waiver in enumerate(policy.waivers):
            if (
                waiver.rule == finding.rule
                and waiver_note(waiver) == finding.waiver
                and (finding.app is None or glob_match(finding.app, waiver.app))
            ):
                return ("waivers", index)
    if finding.rule in WAIVER_RULES:
        for index, waiver in enumerate(policy.waivers):
            if waiver.label() == finding.subject:
                return ("waivers", index)
        return None
    if finding.rule in AGREEMENT_RULES:
        for index, agreement in enumerate(policy.agreements):
            if agreement.id == finding.subject:
                return ("agreements", index)
        return None
    if finding.rule in NO_ENTRY_RULES:
        return None
    if finding.rule in TABLE_OF_RULE:
        return TABLE_OF_RULE[finding.rule]
    if finding.app is None:
        return None
    _, entry = policy.classify(finding.app)
    return ("defaults", "data_class") if entry is None else ("apps", entry)


def finding_lines(policy: Policy, text: str, findings: Iterable[Finding]) -> dict[str, PolicyLine]:
    """The deciding entry of each finding that has one in ``text`` (the policy's TOML), by
    fingerprint. An entry the text does not spell out (``[defaults] data_class`` left to its
    default, an absent ``[logs]`` table) gives no line: the top of the file says as much."""
    lines = toml_key_lines(text).lines
    out: dict[str, PolicyLine] = {}
    for finding in findings:
        path = deciding_path(policy, finding)
        if path is None or finding.fingerprint in out:
            continue
        line = lines.get(path)
        if line is not None:
            out[finding.fingerprint] = PolicyLine(format_path(path), line)
    return out
