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
from typing import Literal

from gatekeeper.policy.model import Policy, Waiver

RULE_IDS = ("waiver-expired", "waiver-unused")


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
