"""The stable rule ids, their default severities, and the text ``policy explain`` shows.

Formatters (SARIF rule entries, JUnit, HTML) read this catalog; the engine refuses
any rule id that is not here. docs/design.md#5-rules-stable-ids-default-severity
is the source of the ids and severities.
Each rule is implemented by one module of ``gatekeeper.rules`` (see ``registry.py``), whose
docstring documents it in more depth; docs/policy.md is the reference for the policy file.
"""

from __future__ import annotations

from dataclasses import dataclass

from gatekeeper.results import Severity


@dataclass(frozen=True)
class RuleInfo:
    id: str
    default_severity: Severity
    title: str  # one line: what it fires on
    why: str = ""  # why it matters
    source: str = ""  # where the fact behind it comes from
    fix: str = ""  # how to fix a finding
    waive: str = ""  # how to waive it (a [[waivers]] example)

    def help_text(self) -> str:
        """The whole explanation, as ``gatekeeper policy explain RULE`` prints it."""
        parts = [f"{self.id} (default: {self.default_severity})", "", self.title]
        for head, body in (
            ("Why", self.why),
            ("Source", self.source),
            ("Fix", self.fix),
            ("Waive", self.waive),
        ):
            if body:
                parts += ["", f"{head}:", body]
        return "\n".join(parts)


def _waiver(rule: str, app: str, subject: str | None, reason: str) -> str:
    subject_line = f'subject = "{subject}"\n' if subject else ""
    return (
        f'[[waivers]]\nrule = "{rule}"\napp = "{app}"\n{subject_line}'
        f'reason = "{reason}"\napproved_by = "DPO, ticket 1234"\nexpires = 2027-06-30'
    )


_SEVERITY_NOTE = 'Change its severity for everybody in [rules], e.g. {id} = "warn" (or "off").'

RULES: dict[str, RuleInfo] = {
    r.id: r
    for r in [
        RuleInfo(
            "unknown-region",
            "block",
            "The app's region cannot be mapped to a country.",
            why="Where the data lives decides which law applies. Gatekeeper never guesses a "
            "country: a region missing from its table blocks (fail closed).",
            source="Heroku Dev Center 'Regions' and GET /regions; the table is "
            "gatekeeper/knowledge/regions.py.",
            fix="Update gatekeeper (newer versions know more regions), or report the region.",
            waive=_waiver(
                "unknown-region",
                "new-region-app",
                None,
                "Region confirmed to be in Germany by Heroku support",
            ),
        ),
        RuleInfo(
            "region-not-allowed",
            "block",
            "The region's country is not allowed for the app's data class.",
            why="[classes.<class>] countries lists where data of that class may be (GDPR "
            "Chapter V restricts transfers outside the EEA). 'EEA' is the 30 EEA "
            "countries, 'adequate' the countries with an EU adequacy decision; the US "
            "counts as adequate only when the covering Heroku agreement has mechanism = "
            "\"dpf\" (EU-US Data Privacy Framework certification), or when 'US' is listed.",
            source="Region -> country: Heroku Dev Center 'Regions'. Adequacy: European "
            "Commission adequacy decisions; Implementing Decision (EU) 2023/1795 (DPF).",
            fix="Heroku cannot move an app between regions: create a new app in an allowed "
            "region (heroku apps:create NEW --region eu --team TEAM), move code and data, "
            "destroy the old one. Or classify the app with an [[apps]] entry if its data "
            "is less sensitive.",
            waive=_waiver(
                "region-not-allowed",
                "experiment-us",
                "us",
                "Only synthetic test data until the move on 2027-06-01",
            ),
        ),
        RuleInfo(
            "personal-account",
            "block",
            "The data class requires an agreement and the app belongs to a person, not a team.",
            why="A data processing agreement follows the contracting customer: the "
            "institution's enterprise account and its teams, never a researcher's "
            "personal Heroku account.",
            source="GDPR Art. 28; Heroku Dev Center 'Heroku Enterprise Accounts'.",
            fix="heroku apps:transfer --team TEAM -a APP, with TEAM a team the institution's "
            "Heroku agreement covers.",
            waive=_waiver(
                "personal-account",
                "jdoe-thesis",
                None,
                "Transfer scheduled; no participant data yet",
            ),
        ),
        RuleInfo(
            "team-not-covered",
            "block",
            "No active Heroku agreement names the app's team or its enterprise account.",
            why="Only the teams and enterprise accounts named in a Heroku agreement "
            "([[agreements]] heroku = true) are covered. A team opened with a private "
            "credit card is outside the enterprise account and not covered.",
            source="GDPR Art. 28; the policy's [[agreements]].",
            fix="Move the app to a covered team (heroku apps:transfer --team TEAM -a APP), "
            "or have the team added to the enterprise account or to the agreement, then "
            "to the policy's [[agreements]] teams.",
            waive=_waiver(
                "team-not-covered",
                "student-*",
                "student-projects",
                "Course apps with synthetic data only",
            ),
        ),
        RuleInfo(
            "agreement-expired",
            "block",
            "The only agreements covering the app have expired.",
            why="An agreement is in force from 'signed' through 'expires' (both days "
            "included). After that the processing has no contract.",
            source="The policy's [[agreements]] expires dates.",
            fix="Renew the agreement and update expires in its [[agreements]] entry, or move "
            "the app to a team covered by an agreement in force.",
            waive=_waiver(
                "agreement-expired",
                "*",
                "salesforce-dpa",
                "Renewal signed, counter-signature pending",
            ),
        ),
        RuleInfo(
            "agreement-expiring",
            "warn",
            "The covering agreement ends within expiry_warning_days.",
            why="A warning before agreement-expired starts blocking deploys: renewals take "
            "time. Raised for Heroku agreements and add-on agreements, on every app they "
            "cover, when the longest-running covering agreement ends within "
            "[defaults] expiry_warning_days (60 by default).",
            source="The policy's [[agreements]] expires dates.",
            fix="Renew the agreement and update expires in its [[agreements]] entry.",
            waive=_waiver(
                "agreement-expiring", "*", "salesforce-dpa", "Renewal in progress, legal ticket 77"
            ),
        ),
        RuleInfo(
            "shield-required",
            "block",
            "The data class requires Shield and the app is not in a Shield space.",
            why="Shield Private Spaces are Heroku's offer for regulated data (stricter "
            "isolation, encryption and logging); a class with requires_shield = true, "
            "typically special-category data (GDPR Art. 9), must run in one.",
            source="Heroku Dev Center 'Shield Private Spaces'; the app's space (space.shield).",
            fix="Create a Shield space (heroku spaces:create --space NAME --shield --region "
            "dublin --team TEAM), create a new app in it (heroku apps:create NEW --space "
            "NAME), move code and data, destroy the old app. Apps cannot be moved into a "
            "space.",
            waive=_waiver(
                "shield-required", "clinical-pilot", None, "Pilot with fully synthetic records"
            ),
        ),
        RuleInfo(
            "addon-denied",
            "block",
            "An add-on service is on the deny list.",
            why="The DPO has ruled the service out ([addons] deny), whatever the data class.",
            source="The policy's [addons] deny list.",
            fix="heroku addons:destroy ADDON -a APP.",
            waive=_waiver(
                "addon-denied", "legacy-app", "logentries", "Removal planned with the next release"
            ),
        ),
        RuleInfo(
            "addon-no-agreement",
            "block",
            "A third-party add-on has no active agreement and the data class requires one.",
            why="Third-party add-ons are separate processors under a separate contract to "
            "which Salesforce is not a party, so the Heroku agreement does not cover them. "
            "Each service needs its own agreement ([[agreements]] addon_services).",
            source="Heroku Elements Terms of Use section 1.2; GDPR Art. 28. Heroku-operated "
            "services: gatekeeper/knowledge/addons.py.",
            fix="heroku addons:destroy ADDON -a APP, or sign a DPA with the provider and add "
            'it: [[agreements]] id, addon_services = ["SERVICE"], countries, mechanism, '
            "signed, expires.",
            waive=_waiver(
                "addon-no-agreement",
                "bio-dashboard",
                "sentry",
                "No personal data reaches Sentry (scrubbing enabled)",
            ),
        ),
        RuleInfo(
            "addon-location-not-allowed",
            "block",
            "The agreement's countries for that add-on are not allowed for the data class.",
            why="An add-on agreement's countries say where the provider processes the data; "
            "each must be allowed for the app's class. A US provider counts as adequate "
            'only with mechanism = "dpf" (EU-US Data Privacy Framework certification).',
            source="The policy's [[agreements]] countries and mechanism; Implementing Decision "
            "(EU) 2023/1795 (DPF).",
            fix="Use a provider or plan that processes data in an allowed country, or remove "
            "the add-on (heroku addons:destroy ADDON -a APP). Correct the agreement's "
            "countries or mechanism in the policy if they are wrong.",
            waive=_waiver(
                "addon-location-not-allowed",
                "survey",
                "sendgrid",
                "Only pseudonymous ids in e-mails",
            ),
        ),
        RuleInfo(
            "addon-outside-region",
            "warn",
            "A Heroku data add-on is known to live outside the app's region.",
            why="Heroku states that a region is not a residency guarantee for add-ons. "
            "Essential-tier Postgres (and Key-Value Store mini) exist only in us and eu, "
            "so such a database of an app in a Private Space is outside the space's "
            "region and network.",
            source="Heroku Dev Center 'Heroku Postgres on Private and Shield Spaces' and "
            "'Heroku Key-Value Store and Private Spaces'.",
            fix="Use a plan that lives in the space (heroku addons:create "
            "heroku-postgresql:private-0 -a APP), copy the data, destroy the old add-on.",
            waive=_waiver(
                "addon-outside-region",
                "frankfurt-exp",
                "heroku-postgresql",
                "Cache of public data only",
            ),
        ),
        RuleInfo(
            "heroku-connect",
            "warn",
            "Data is synced to a Salesforce org this tool does not see.",
            why="Heroku Connect copies data between Heroku Postgres and a Salesforce org; "
            "that org's location and contract are outside what gatekeeper can check.",
            source="Heroku Dev Center 'Heroku Connect'.",
            fix="Confirm the org is covered by the institution's Salesforce agreement and keeps "
            "data in an allowed country, then record that as a waiver.",
            waive=_waiver(
                "heroku-connect",
                "clinical-trial",
                None,
                "Org 00D... is the hospital's EU org under the Salesforce DPA",
            ),
        ),
        RuleInfo(
            "postgres-backups",
            "info",
            "Heroku Postgres backups may be stored in the US.",
            why="Backups of Heroku Postgres were reported stored in the US whatever the "
            "database's region. Raised when the class does not allow the US.",
            source="heroku/roadmap#261 (https://github.com/heroku/roadmap/issues/261).",
            fix="Ask Heroku support where the backups are kept and record the answer. "
            + _SEVERITY_NOTE.format(id="postgres-backups"),
            waive=_waiver(
                "postgres-backups",
                "*",
                None,
                "Accepted: backups covered by the Salesforce DPA (SCC)",
            ),
        ),
        RuleInfo(
            "log-drain-not-allowed",
            "block",
            "A log drain not created by an add-on points to a host that is not allowed.",
            why="Router logs hold every visitor's IP address (personal data). A custom drain "
            "ships them to the host in its URL, which must be allowed in [logs] "
            'allowed_drain_hosts (host globs such as "*.example.edu").',
            source="Heroku Dev Center 'Log Drains'; the app's log drains.",
            fix="heroku drains:remove URL -a APP, or add the host to [logs] "
            "allowed_drain_hosts if it is the institution's own or under an agreement.",
            waive=_waiver(
                "log-drain-not-allowed",
                "bio-dashboard",
                "logs.example-logging.io",
                "Provider under contract, DPA being added to the policy",
            ),
        ),
        RuleInfo(
            "unclassified-app",
            "warn",
            "No [[apps]] entry matches; the default class was assumed.",
            why="An unclassified app is assumed to hold data of [defaults] data_class "
            "(personal unless the policy says otherwise): institutions do not take a "
            "researcher's own 'no personal data here' on trust.",
            source="The policy's [[apps]] entries (first match wins).",
            fix='Add [[apps]] name = "APP", data_class = "...", reason = "..." to the '
            "policy, exact names before globs.",
            waive=_waiver("unclassified-app", "tmp-*", None, "Short-lived review apps"),
        ),
        RuleInfo(
            "waiver-expired",
            "warn",
            "A waiver has expired; the finding it covered counts again.",
            why="Waivers are dated exceptions: after their expires day they hide nothing.",
            source="The policy's [[waivers]] expires dates.",
            fix="Fix the findings, or have the exception approved again and set a new expires.",
            waive="Cannot be waived: renew or remove the expired waiver. "
            + _SEVERITY_NOTE.format(id="waiver-expired"),
        ),
        RuleInfo(
            "waiver-unused",
            "info",
            "A waiver matched nothing in an audit.",
            why="A waiver that matches nothing is stale or mistyped (wrong rule, app glob or "
            "subject); stale exceptions should not pile up.",
            source="The policy's [[waivers]].",
            fix="Remove the waiver, or correct its rule, app or subject.",
            waive="Cannot be waived. " + _SEVERITY_NOTE.format(id="waiver-unused"),
        ),
        RuleInfo(
            "api-error",
            "block",
            "A fact needed for the decision could not be read (fail closed).",
            why="Without the fact the app cannot be judged; no failed read ever turns into allow.",
            source="The Heroku Platform API response (HTTP status, error id, Request-Id).",
            fix="401: log in again with a read-scope token. 403: use a token of a member of "
            "the app's team. 429/5xx/timeouts: run again later.",
            waive="Cannot be waived, lowered or switched off (fail closed).",
        ),
    ]
}
