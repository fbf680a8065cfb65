"""The policy file, version 1, as strict pydantic models
(docs/design.md#4-the-policy-file-toml-owned-by-the-dpo).

The tables of the rules' own options (``[addons]``, ``[logs]``) are declared by their rule
modules (``OPTIONS``), and the rule ids come from the rules' declarations (the catalog): the
policy is made of the rules, which never import it.

Every table forbids unknown keys, so a typo (``requires_agrement``) is an error instead of a
rule silently switched off. Types are strict: TOML has real booleans, integers and dates, and a
quoted ``"2028-12-31"`` is refused with a hint to drop the quotes. Checks that span several
entries (duplicate agreement ids, an agreement that covers nothing, ...) live in
``gatekeeper.policy.checks``; ``gatekeeper.policy.loader`` runs both and reports every problem
with its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Literal

from gatekeeper.knowledge import (
    COMMON_MISTAKES,
    COUNTRY_NAMES,
    DATA_CLASSES,
    GROUPS,
    HEROKU_OPERATED_SERVICES,
    DataClass,
    is_country_entry,
)
from gatekeeper.policy_values import (
    Glob,
    PolicyTable,
    ServiceName,
    Text,
    glob_match,
    is_glob,
    quote,
    suggest,
)
from gatekeeper.records import Bounds, Check, described, set_by_code
from gatekeeper.results import Severity
from gatekeeper.rules.addons import AddonsPolicy
from gatekeeper.rules.catalog import RULES
from gatekeeper.rules.log_drains import LogsPolicy

POLICY_VERSION = 1

SeverityOverride = Literal["block", "warn", "info", "off"]
Mechanism = Literal["scc", "bcr", "dpf", "adequacy"]


def _check_country(value: str) -> str:
    if is_country_entry(value):
        return value
    hint = COMMON_MISTAKES.get(value.upper()) if value.upper() in COMMON_MISTAKES else None
    if hint is None and (value.upper() in COUNTRY_NAMES):
        hint = value.upper()
    if hint is None:
        hint = next((g for g in GROUPS if g.lower() == value.lower()), None)
    suggestion = f" (did you mean {quote(hint)}?)" if hint else ""
    raise ValueError(
        f"unknown country code or group {quote(value)}{suggestion}: use upper-case ISO "
        '3166-1 alpha-2 codes ("DE", "US") or the groups "EEA" and "adequate"'
    )


def _check_rule_id(value: str) -> str:
    if value in RULES:
        return value
    raise ValueError(
        f"unknown rule id {quote(value)}{suggest(value, sorted(RULES))} "
        "(`gatekeeper policy explain` lists every rule id)"
    )


COUNTRY_ENTRY_SCHEMA: dict[str, object] = {
    "type": "string",
    "enum": sorted(GROUPS) + sorted(COUNTRY_NAMES),
    "description": "An ISO 3166-1 alpha-2 country code, or the group EEA or adequate.",
}

CountryEntry = Annotated[str, Check(_check_country, json_schema=COUNTRY_ENTRY_SCHEMA)]
RuleId = Annotated[
    str, Check(_check_rule_id, json_schema={"type": "string", "enum": sorted(RULES)})
]


@dataclass(frozen=True, kw_only=True)
class Institution(PolicyTable):
    """``[institution]``: who owns the policy; the contact appears in every block message."""

    name: str = described("", description="The institution's name, shown in reports.")
    contact: str = described(
        "",
        description='Who researchers ask, e.g. "dpo@uni-example.edu"; shown in every '
        "block message.",
    )
    # The defaults of the register's Art. 30 fields (issue 13): an [[apps]] entry that does
    # not set one takes the institution's.
    purpose: str = described("", description="Default purpose of the processing, for the register.")
    data_subjects: list[Text] = described(
        default_factory=list,
        description='Default categories of data subjects, e.g. ["study participants"].',
    )
    data_categories: list[Text] = described(
        default_factory=list,
        description='Default categories of personal data, e.g. ["e-mail address"].',
    )
    retention: str = described("", description="Default time limit for erasure, for the register.")
    controller_contact: str = described(
        "",
        description="The controller and its contact (GDPR Art. 30(1)(a)) shown in the "
        "register; default: contact.",
    )
    ethics_reference: str = described(
        "", description="Default ethics approval reference, for the register."
    )


@dataclass(frozen=True, kw_only=True)
class Defaults(PolicyTable):
    """``[defaults]``: what applies when nothing more specific does."""

    data_class: DataClass = described(
        "personal", description="The class assumed for an app no [[apps]] entry matches."
    )
    expiry_warning_days: Annotated[int, Bounds(ge=0, le=3650)] = described(
        60, description="Warn this many days before an agreement or waiver ends."
    )
    fail_on: Literal["block", "warn"] = described(
        "block", description='"warn" makes warnings fail checks too (exit code 1).'
    )


@dataclass(frozen=True, kw_only=True)
class ClassRule(PolicyTable):
    """``[classes.<class>]``: what a data class requires. A class without a table has none."""

    countries: list[CountryEntry] | None = described(
        None,
        description="Where data of this class may be: ISO codes and the groups EEA and "
        "adequate. Leave out to allow every country; [] allows none.",
    )
    requires_agreement: bool = described(
        False, description="Heroku and every third-party add-on need an active agreement."
    )
    requires_shield: bool = described(
        False, description="The app must run in a Heroku Shield Private Space."
    )


@dataclass(frozen=True, kw_only=True)
class Agreement(PolicyTable):
    """``[[agreements]]``: a data processing agreement (DPA) the institution has signed.

    Either the Salesforce/Heroku DPA (``heroku = true``, naming the enterprise accounts and
    teams it covers) or an agreement with add-on providers (``addon_services``, optionally
    limited to some teams or enterprise accounts).
    """

    id: Text = described(description="A unique name, used in findings and waivers.")
    heroku: bool = described(False, description="This is the Salesforce/Heroku DPA.")
    addon_services: list[ServiceName] = described(
        default_factory=list, description="Add-on services this agreement covers."
    )
    enterprise_accounts: list[Text] = described(
        default_factory=list, description="Enterprise accounts covered (all their teams)."
    )
    teams: list[Text] = described(default_factory=list, description="Teams covered.")
    mechanism: Mechanism | None = described(
        None,
        description="Transfer mechanism: scc, bcr, dpf (EU-US Data Privacy Framework "
        "certification) or adequacy.",
    )
    countries: list[CountryEntry] = described(
        default_factory=list,
        description="Where this processor processes the data (required for add-on agreements).",
    )
    signed: date | None = described(None, description="Date signed (TOML date, no quotes).")
    expires: date = described(description="Last day the agreement is in force (TOML date).")
    document: str = described("", description="Where the signed document is kept.")

    @property
    def kind(self) -> Literal["heroku", "addon"]:
        return "heroku" if self.heroku else "addon"

    def state(self, today: date) -> Literal["active", "expired", "not-yet-signed"]:
        """In force from ``signed`` (when given) through ``expires``, both days included."""
        if today > self.expires:
            return "expired"
        if self.signed is not None and today < self.signed:
            return "not-yet-signed"
        return "active"

    def applies_to(self, team: str | None, enterprise_account: str | None) -> bool:
        """Whether the agreement's team/enterprise scope includes this owner.

        A Heroku agreement covers exactly the teams and enterprise accounts it names. An add-on
        agreement without teams or enterprise accounts applies to every app.
        """
        if not self.heroku and not self.teams and not self.enterprise_accounts:
            return True
        if team is not None and team in self.teams:
            return True
        return enterprise_account is not None and enterprise_account in self.enterprise_accounts

    def covers_service(self, service: str) -> bool:
        return any(glob_match(service, s) for s in self.addon_services)


@dataclass(frozen=True, kw_only=True)
class AppEntry(PolicyTable):
    """``[[apps]]``: classifies apps by name. The first matching entry wins."""

    name: Glob = described(description='App name or glob ("econ-*").')
    data_class: DataClass = described(description="The data class of the matching apps.")
    reason: str = described("", description="Why this class: kept in the report for the DPO.")
    # What GDPR Art. 30(1) asks and the API cannot know; each defaults to [institution]'s.
    purpose: str | None = described(None, description="Purpose of the processing (register).")
    data_subjects: list[Text] | None = described(
        None, description='Categories of data subjects, e.g. ["study participants"].'
    )
    data_categories: list[Text] | None = described(
        None, description='Categories of personal data, e.g. ["e-mail address", "answers"].'
    )
    retention: str | None = described(
        None, description='Time limit for erasure, e.g. "deleted 2 years after the study".'
    )
    controller_contact: str | None = described(
        None, description="Controller and contact for this processing (register)."
    )
    ethics_reference: str | None = described(
        None, description="Reference of the ethics approval (register)."
    )


@dataclass(frozen=True, kw_only=True)
class Waiver(PolicyTable):
    """``[[waivers]]``: an approved, dated exception for the findings of one rule."""

    rule: RuleId = described(description="The rule id whose findings this waiver hides.")
    app: Glob = described(description="App name or glob.")
    subject: str | None = described(
        None,
        description="The add-on (service or name), drain host, agreement or region the "
        "finding concerns, or a glob; leave out to match every subject.",
    )
    reason: Text = described(description="Why the exception is acceptable.")
    approved_by: Text = described(description="Who approved it (name or role).")
    expires: date = described(description="Last day the waiver applies (TOML date).")

    def label(self) -> str:
        """How findings and reports name this waiver."""
        subject = f" {self.subject}" if self.subject else ""
        return f"{self.rule} {self.app}{subject}"

    def matches(self, rule: str, app: str, subjects: tuple[str, ...]) -> bool:
        if rule != self.rule or not glob_match(app, self.app):
            return False
        if self.subject is None:
            return True
        return any(glob_match(s, self.subject) for s in subjects)


@dataclass(frozen=True, kw_only=True)
class Policy(PolicyTable):
    """A whole policy file, version 1. Load it with ``gatekeeper.policy.load_policy``."""

    # The JSON Schema's title and description (gatekeeper.policy.schema).
    schema_title = "heroku-gatekeeper policy"
    schema_description = (
        "Data protection policy for heroku-gatekeeper (version 1). See docs/policy.md."
    )

    version: Literal[1] = described(description="Policy file format version; always 1.")
    institution: Institution = field(default_factory=Institution)
    defaults: Defaults = field(default_factory=Defaults)
    classes: dict[DataClass, ClassRule] = field(default_factory=dict)
    agreements: list[Agreement] = field(default_factory=list)
    addons: AddonsPolicy = field(default_factory=AddonsPolicy)
    logs: LogsPolicy = field(default_factory=LogsPolicy)
    apps: list[AppEntry] = field(default_factory=list)
    rules: dict[RuleId, SeverityOverride] = described(
        default_factory=dict, description="Severity overrides: rule id = block|warn|info|off."
    )
    waivers: list[Waiver] = field(default_factory=list)

    # Set by the loader (gatekeeper.policy.loader), not read from the file; a copy made with
    # dataclasses.replace (a policy with fewer waivers, say) keeps them.
    _source_path: str | None = set_by_code()
    _sha256: str | None = set_by_code()

    @property
    def source_path(self) -> str | None:
        """The file the policy was loaded from (or the ``source`` given to ``loads_policy``)."""
        return self._source_path

    @property
    def sha256(self) -> str | None:
        """SHA-256 of the policy file's bytes, hex: which policy a report was made with."""
        return self._sha256

    def classify(self, app_name: str) -> tuple[DataClass, int | None]:
        """The app's data class and the index of the [[apps]] entry that set it.

        The first matching entry wins; None means no entry matched and the default applies.
        """
        for index, entry in enumerate(self.apps):
            if glob_match(app_name, entry.name):
                return entry.data_class, index
        return self.defaults.data_class, None

    def class_rule(self, data_class: str) -> ClassRule:
        """The class's requirements; a class without a table requires nothing."""
        for name, rule in self.classes.items():
            if name == data_class:
                return rule
        return _NO_REQUIREMENTS

    def severity(self, rule_id: str) -> Severity | None:
        """The severity the rule has under this policy; None when it is switched off."""
        override = self.rules.get(rule_id)
        if override == "off":
            return None
        if override is not None:
            return override
        return RULES[rule_id].default_severity

    @property
    def heroku_operated(self) -> frozenset[str]:
        """Built-in Heroku-operated services plus ``[addons] operated_by_heroku``."""
        return HEROKU_OPERATED_SERVICES | frozenset(self.addons.operated_by_heroku)

    @property
    def contact(self) -> str:
        """Whom to ask, for remediation texts."""
        return self.institution.contact or "your data protection officer"


_NO_REQUIREMENTS = ClassRule()

__all__ = [
    "DATA_CLASSES",
    "POLICY_VERSION",
    "AddonsPolicy",
    "Agreement",
    "AppEntry",
    "ClassRule",
    "DataClass",
    "Defaults",
    "Institution",
    "LogsPolicy",
    "Mechanism",
    "Policy",
    "SeverityOverride",
    "Waiver",
    "glob_match",
    "is_glob",
    "quote",
    "suggest",
]
