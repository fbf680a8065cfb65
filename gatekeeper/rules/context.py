"""What a rule sees: one app with everything resolved, and the candidate findings it yields.

The engine builds a ``World`` once per evaluation (indexes of the estate, the policy, the
day) and an ``AppContext`` per app; rule modules only read them. A rule yields
``Candidate`` findings; the engine applies severity overrides and waivers and turns them
into ``gatekeeper.results.Finding``. Pure: no I/O, no clock.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

from gatekeeper.codespan import code_span
from gatekeeper.facts import AddOn, App, Estate, FactKind, LogDrain, Space, Team
from gatekeeper.knowledge import (
    DataClass,
    RegionFact,
    canonical,
    country_allowed,
    describe_countries,
    expand,
    region_fact,
)
from gatekeeper.needs import Needs
from gatekeeper.policy_values import quote
from gatekeeper.results import Evidence
from gatekeeper.rules.attached import owner_words

if TYPE_CHECKING:  # the policy is made of the rules' declarations; a rule only reads it
    from gatekeeper.policy.model import Agreement, ClassRule, Policy
    from gatekeeper.rules.metadata import RuleInfo


def sh(word: str) -> str:
    """``word`` quoted for a POSIX shell, for the commands in remediations: names come from
    the API or a snapshot, and a fix a researcher copies into a terminal must run only what
    it says. Heroku's own names (letters, digits, dashes) come out unchanged."""
    return shlex.quote(word)


@dataclass(frozen=True)
class Candidate:
    """A finding before severity overrides and waivers.

    ``match_keys`` are further names a waiver's ``subject`` may match, besides ``subject``
    itself (an add-on finding's subject is the add-on's name; its service name is a key too).
    """

    rule: str
    subject: str | None
    message: str
    remediation: str
    evidence: tuple[Evidence, ...] = ()
    match_keys: tuple[str, ...] = ()

    @property
    def subject_keys(self) -> tuple[str, ...]:
        return ((self.subject,) if self.subject else ()) + self.match_keys


@dataclass(frozen=True)
class Coverage:
    """The agreements covering something, sorted into active, expired and not yet signed."""

    active: tuple[Agreement, ...] = ()
    expired: tuple[Agreement, ...] = ()
    pending: tuple[Agreement, ...] = ()

    @classmethod
    def of(cls, agreements: Iterable[Agreement], today: date) -> Coverage:
        # Sorted by (expires, id) so that nothing depends on the order of the policy file.
        ordered = sorted(agreements, key=lambda a: (a.expires, a.id))
        return cls(
            active=tuple(a for a in ordered if a.state(today) == "active"),
            expired=tuple(a for a in ordered if a.state(today) == "expired"),
            pending=tuple(a for a in ordered if a.state(today) == "not-yet-signed"),
        )

    @property
    def longest(self) -> Agreement | None:
        """The active agreement that runs longest (the one an expiry warning is about)."""
        return self.active[-1] if self.active else None

    @property
    def last_expired(self) -> Agreement | None:
        return self.expired[-1] if self.expired else None


@dataclass
class World:
    """The estate indexed once, with the policy and the day of the evaluation."""

    estate: Estate
    policy: Policy
    today: date
    teams: dict[str, Team] = field(default_factory=dict)
    spaces: dict[str, Space] = field(default_factory=dict)

    @classmethod
    def build(cls, estate: Estate, policy: Policy, today: date) -> World:
        return cls(
            estate=estate,
            policy=policy,
            today=today,
            teams={t.name: t for t in sorted(estate.teams, key=lambda t: t.id, reverse=True)},
            spaces={s.name: s for s in sorted(estate.spaces, key=lambda s: s.id, reverse=True)},
        )

    @cached_property
    def needs(self) -> Needs:
        """The fact kinds this policy judges (a rule whose kind is not needed stays quiet)."""
        return Needs.from_policy(self.policy)

    @cached_property
    def heroku_agreements(self) -> tuple[Agreement, ...]:
        return tuple(a for a in self.policy.agreements if a.heroku)

    @cached_property
    def covered_teams(self) -> tuple[str, ...]:
        """Teams of this estate that an active Heroku agreement covers (transfer targets)."""
        out = set()
        for team in self.teams.values():
            if Coverage.of(
                (
                    a
                    for a in self.heroku_agreements
                    if a.applies_to(team.name, team.enterprise_account)
                ),
                self.today,
            ).active:
                out.add(team.name)
        for a in self.heroku_agreements:
            if a.state(self.today) == "active":
                out.update(a.teams)
        return tuple(sorted(out))

    def context(self, app: App) -> AppContext:
        return AppContext(self, app)


class AppContext:
    """One app with its team, enterprise account, region, space and data class resolved."""

    def __init__(self, world: World, app: App) -> None:
        self.world = world
        self.app = app
        self.policy = world.policy
        self.needs = world.needs
        self.today = world.today
        self.failed = frozenset(e.fact for e in app.errors)
        self.team: Team | None = world.teams.get(app.team) if app.team else None
        self.enterprise_account = self.team.enterprise_account if self.team else None
        self.space: Space | None = world.spaces.get(app.space) if app.space else None
        self.region: str | None = app.region or (self.space.region if self.space else None)
        self.region_fact: RegionFact | None = region_fact(self.region)
        self.country: str | None = self.region_fact.country if self.region_fact else None
        self.data_class: DataClass
        self.data_class, self.class_entry = self.policy.classify(app.name)
        self.class_rule: ClassRule = self.policy.class_rule(self.data_class)
        self.heroku_coverage = Coverage.of(
            (a for a in world.heroku_agreements if a.applies_to(app.team, self.enterprise_account)),
            self.today,
        )

    # -- facts ---------------------------------------------------------------------------

    @property
    def is_personal(self) -> bool:
        return self.app.owner == "person" or not self.app.team

    @property
    def shield(self) -> bool:
        return bool(self.space and self.space.shield)

    def unknown(self, *facts: FactKind) -> bool:
        """True when a fact a rule needs could not be read (the app's api-error covers it)."""
        return "app" in self.failed or any(f in self.failed for f in facts)

    def addons(self) -> list[AddOn]:
        return sorted(self.app.addons, key=lambda a: (a.name, a.id))

    def drains(self) -> list[LogDrain]:
        return sorted(self.app.log_drains or (), key=lambda d: (d.url, d.id))

    @property
    def heroku_dpf(self) -> bool:
        """An active Heroku agreement covering the app relies on DPF certification."""
        return any(a.mechanism == "dpf" for a in self.heroku_coverage.active)

    def addon_coverage(self, service: str) -> Coverage:
        return Coverage.of(
            (
                a
                for a in self.policy.agreements
                if not a.heroku
                and a.covers_service(service)
                and a.applies_to(self.app.team, self.enterprise_account)
            ),
            self.today,
        )

    def agreement_countries_refused(self, agreement: Agreement) -> list[str]:
        """The agreement's countries that the app's class does not allow (sorted)."""
        return sorted(
            c
            for c in expand(agreement.countries)
            if not country_allowed(c, self.class_rule.countries, dpf=agreement.mechanism == "dpf")
        )

    # -- words ---------------------------------------------------------------------------

    @property
    def contact(self) -> str:
        return self.policy.contact

    def ask(self) -> str:
        return f"Questions: {self.contact}."

    def class_key(self) -> str:
        return f"classes.{self.data_class}"

    def region_words(self) -> str:
        if self.region_fact is None:
            return f"region {self.region}"
        f = self.region_fact
        return f"region {f.name} ({f.location}, {f.country})"

    def transfer_advice(self) -> str:
        """How to move the app to a team the Heroku agreement covers."""
        teams = [t for t in self.world.covered_teams if t != self.app.team]
        if not teams:
            return (
                f"{code_span(f'heroku apps:transfer --team TEAM -a {sh(self.app.name)}')}, "
                "with TEAM a team "
                "the institution's Heroku DPA covers"
            )
        advice = code_span(f"heroku apps:transfer --team {sh(teams[0])} -a {sh(self.app.name)}")
        if len(teams) > 1:
            advice += f" (covered teams: {', '.join(teams)})"
        return advice

    # -- evidence ------------------------------------------------------------------------

    def owner_evidence(self) -> tuple[Evidence, ...]:
        app = self.app
        if self.is_personal:
            who = app.owner_email or "a person"
            return (
                Evidence(
                    kind="app",
                    name=app.name,
                    detail=f"id {app.id}; in the personal account of {who}",
                ),
            )
        chain = [
            Evidence(kind="app", name=app.name, detail=f"id {app.id}; owned by team {app.team}")
        ]
        if self.team is None:
            chain.append(
                Evidence(
                    kind="team",
                    name=str(app.team),
                    detail="not in the collected facts: its enterprise account is unknown",
                )
            )
        elif self.enterprise_account:
            chain.append(
                Evidence(
                    kind="team",
                    name=self.team.name,
                    detail=f"in enterprise account {self.enterprise_account}",
                )
            )
            chain.append(Evidence(kind="enterprise-account", name=self.enterprise_account))
        else:
            chain.append(
                Evidence(kind="team", name=self.team.name, detail="not in any enterprise account")
            )
        return tuple(chain)

    def class_evidence(self) -> Evidence:
        if self.class_entry is None:
            return Evidence(
                kind="data-class",
                name=self.data_class,
                detail="the default class ([defaults] data_class): no [[apps]] entry matches",
            )
        entry = self.policy.apps[self.class_entry]
        reason = f": {entry.reason}" if entry.reason else ""
        return Evidence(
            kind="data-class",
            name=self.data_class,
            detail=f"from apps[{self.class_entry}] (name = {quote(entry.name)}){reason}",
        )

    def countries_evidence(self) -> Evidence:
        return Evidence(
            kind="policy",
            name=f"{self.class_key()}.countries",
            detail=describe_countries(self.class_rule.countries),
        )

    def region_evidence(self) -> tuple[Evidence, ...]:
        out = []
        if self.space is not None:
            out.append(
                Evidence(
                    kind="space",
                    name=self.space.name,
                    detail=("Shield" if self.space.shield else "not Shield")
                    + f"; region {self.space.region}",
                )
            )
        elif self.app.space:
            out.append(
                Evidence(
                    kind="space",
                    name=self.app.space,
                    detail="not in the collected facts: Shield unknown",
                )
            )
        if self.region_fact is not None:
            f = self.region_fact
            out.append(
                Evidence(
                    kind="region",
                    name=f.name,
                    detail=f"{f.location} ({f.country}); AWS {f.provider_region}; "
                    f"source: {f.source.url}",
                )
            )
        else:
            out.append(
                Evidence(
                    kind="region",
                    name=self.region or "(none)",
                    detail="not in gatekeeper's region table",
                )
            )
        return tuple(out)

    def agreement_evidence(self, agreement: Agreement) -> Evidence:
        parts = [
            "Heroku DPA"
            if agreement.heroku
            else "add-on DPA for " + ", ".join(sorted(set(agreement.addon_services)))
        ]
        if agreement.heroku:
            how = []
            if self.app.team in agreement.teams:
                how.append(f"team {self.app.team}")
            if self.enterprise_account in agreement.enterprise_accounts:
                how.append(f"enterprise account {self.enterprise_account}")
            if how:
                parts.append("covers this app through " + " and ".join(how))
        if agreement.mechanism:
            parts.append(f"mechanism {agreement.mechanism}")
        if agreement.countries:
            parts.append("countries " + ", ".join(canonical(agreement.countries)))
        if agreement.signed:
            parts.append(f"signed {agreement.signed.isoformat()}")
        parts.append(f"expires {agreement.expires.isoformat()}")
        if agreement.document:
            parts.append(f"document {agreement.document}")
        return Evidence(kind="agreement", name=agreement.id, detail="; ".join(parts))

    def addon_evidence(self, addon: AddOn) -> Evidence:
        operator = (
            "operated by Heroku" if addon.service in self.policy.heroku_operated else "third party"
        )
        detail = f"{addon.plan}; service {addon.service}; {operator}"
        if self.app.attached_from_elsewhere(addon):
            detail += "; " + owner_words(addon)
        return Evidence(kind="addon", name=addon.name, detail=detail)

    def candidate(
        self,
        rule: RuleInfo,
        subject: str | None,
        message: str,
        remediation: str,
        evidence: Iterable[Evidence] = (),
        match_keys: Iterable[str] = (),
    ) -> Candidate:
        return Candidate(
            rule=rule.id,
            subject=subject,
            message=message,
            remediation=remediation,
            evidence=tuple(evidence),
            match_keys=tuple(match_keys),
        )
