"""waiver-expired and waiver-unused: the approved exceptions of ``[[waivers]]``.

A waiver hides the findings of exactly one rule, on apps matching its ``app`` glob, and, when
it has a ``subject``, only findings whose subject matches it (the add-on's name or service,
the drain's URL or host, the agreement id, the region, ...; globs allowed). A waived finding
is still reported, marked waived with the waiver's reason, approver and end date, but no longer
counts for the decision. A waiver applies through its ``expires`` day.

- **waiver-expired** (warn): the waiver's ``expires`` day has passed. It hides nothing any more,
  so the findings it covered count again, and each app with such a finding gets this warning.
  An expired waiver that matches nothing is reported once for the whole policy.
- **waiver-unused** (info): an active waiver matched no finding in this run: the problem is
  fixed, or the waiver is mistyped. Remove it. (In a check of one app, waivers for other apps
  are unused too; that changes no decision.)

``api-error`` can never be waived (fail closed), and waivers cannot waive these two rules.
Findings that belong to no app (``Report.policy_findings``) never change a decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Literal

from gatekeeper.facts import FactKind
from gatekeeper.policy_values import PolicyTable
from gatekeeper.results import Evidence
from gatekeeper.rules.context import Candidate
from gatekeeper.rules.metadata import NotWaivable, RuleInfo

if TYPE_CHECKING:
    from gatekeeper.policy.model import Policy, Waiver

_ABOUT_WAIVERS = "a waiver cannot waive the findings about waivers"

WAIVER_EXPIRED = RuleInfo(
    "waiver-expired",
    "warn",
    "A waiver has expired; the finding it covered counts again.",
    why="Waivers are dated exceptions: after their expires day they hide nothing.",
    source="The policy's [[waivers]] expires dates.",
    remedy="Fix the findings, or have the exception approved again and set a new expires.",
    waiver=NotWaivable(
        advice="Cannot be waived: renew or remove the expired waiver.",
        refusal=f"{_ABOUT_WAIVERS}: renew the expired waiver (a later expires) or remove it",
    ),
)
WAIVER_UNUSED = RuleInfo(
    "waiver-unused",
    "info",
    "A waiver matched nothing in an audit.",
    why="A waiver that matches nothing is stale or mistyped (wrong rule, app glob or "
    "subject); stale exceptions should not pile up.",
    source="The policy's [[waivers]].",
    remedy="Remove the waiver, or correct its rule, app or subject.",
    waiver=NotWaivable(
        advice="Cannot be waived.",
        refusal=f"{_ABOUT_WAIVERS}: remove the unused waiver instead",
    ),
)

RULES: tuple[RuleInfo, ...] = (WAIVER_EXPIRED, WAIVER_UNUSED)
# The policy alone: the engine applies these rules after all others, to what they found.
NEEDS: frozenset[FactKind] = frozenset()
OPTIONS: type[PolicyTable] | None = None


def waiver_note(waiver: Waiver) -> str:
    """How a waived finding shows its waiver."""
    return (
        f"{waiver.reason} (approved by {waiver.approved_by}, expires {waiver.expires.isoformat()})"
    )


def _preference(waiver: Waiver) -> tuple[object, ...]:
    # When several active waivers match one finding, show the one that lasts longest; the
    # rest of the key only makes the choice independent of the order of the policy file.
    return (
        -waiver.expires.toordinal(),
        waiver.rule,
        waiver.app,
        waiver.subject or "",
        waiver.reason,
        waiver.approved_by,
    )


@dataclass
class WaiverBook:
    """The policy's waivers as of one day, recording which ones matched what."""

    policy: Policy
    today: date
    used: set[int] = field(default_factory=set)  # indexes of active waivers that hid something
    expired_hits: set[int] = field(default_factory=set)  # expired waivers that matched

    def active(self, index: int) -> bool:
        return self.today <= self.policy.waivers[index].expires

    def match(
        self, rule: str, app: str, subjects: tuple[str, ...]
    ) -> tuple[Waiver | None, list[int]]:
        """The active waiver that hides this finding (if any) and every expired one matching."""
        hits = [i for i, w in enumerate(self.policy.waivers) if w.matches(rule, app, subjects)]
        active = [i for i in hits if self.active(i)]
        expired = [i for i in hits if not self.active(i)]
        self.used.update(active)
        self.expired_hits.update(expired)
        if not active:
            return None, expired
        best = min(active, key=lambda i: _preference(self.policy.waivers[i]))
        return self.policy.waivers[best], expired

    def state(self, index: int) -> Literal["active", "expiring", "expired"]:
        waiver = self.policy.waivers[index]
        if not self.active(index):
            return "expired"
        if (waiver.expires - self.today).days <= self.policy.defaults.expiry_warning_days:
            return "expiring"
        return "active"


def expired_candidate(waiver: Waiver, app: str | None) -> Candidate:
    """waiver-expired for one expired waiver: on an app it matched, or for the policy."""
    target = f"the findings of rule {waiver.rule} on app {app}" if app else "nothing any more"
    return Candidate(
        rule=WAIVER_EXPIRED.id,
        subject=waiver.label(),
        message=(
            f"The waiver for {waiver.label()} ({waiver.reason}; approved by "
            f"{waiver.approved_by}) expired on {waiver.expires.isoformat()}; it no longer "
            f"hides {target}" + (", which count again." if app else ".")
        ),
        remediation=(
            "Fix the findings, or have the exception approved again and set a new "
            "expires in the [[waivers]] entry; remove the waiver if it is no longer "
            "needed."
        ),
        evidence=(
            Evidence(
                kind="waiver",
                name=waiver.label(),
                detail=f"expired {waiver.expires.isoformat()}; approved by "
                f"{waiver.approved_by}; reason: {waiver.reason}",
            ),
        ),
    )


def unused_candidate(waiver: Waiver) -> Candidate:
    """waiver-unused for an active waiver that matched no finding in the run."""
    label = waiver.label()
    return Candidate(
        rule=WAIVER_UNUSED.id,
        subject=label,
        message=(
            f"The waiver for {label} (approved by {waiver.approved_by}, expires "
            f"{waiver.expires.isoformat()}) matched no finding in this run: the "
            "problem may be fixed, or the waiver mistyped."
        ),
        remediation="Remove the [[waivers]] entry if the problem is fixed; otherwise "
        "correct its rule, app or subject.",
        evidence=(Evidence(kind="waiver", name=label, detail=f"reason: {waiver.reason}"),),
    )
