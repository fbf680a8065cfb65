"""The stable rule ids, their default severities, and the text ``policy explain`` shows.

Formatters (SARIF rule entries, JUnit, HTML) read this catalog; the engine refuses
any rule id that is not here. DESIGN section 5 is the source of the ids and severities.
"""

from __future__ import annotations

from dataclasses import dataclass

from gatekeeper.report.model import Severity


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
        for head, body in (("Why", self.why), ("Source", self.source), ("Fix", self.fix),
                           ("Waive", self.waive)):
            if body:
                parts += ["", f"{head}:", body]
        return "\n".join(parts)


def _r(id: str, sev: Severity, title: str) -> RuleInfo:
    return RuleInfo(id=id, default_severity=sev, title=title)


RULES: dict[str, RuleInfo] = {
    r.id: r
    for r in [
        _r("unknown-region", "block", "The app's region cannot be mapped to a country."),
        _r("region-not-allowed", "block",
           "The region's country is not allowed for the app's data class."),
        _r("personal-account", "block",
           "The data class requires an agreement and the app belongs to a person, not a team."),
        _r("team-not-covered", "block",
           "No active Heroku agreement names the app's team or its enterprise account."),
        _r("agreement-expired", "block", "The only agreements covering the app have expired."),
        _r("agreement-expiring", "warn",
           "The covering agreement ends within expiry_warning_days."),
        _r("shield-required", "block",
           "The data class requires Shield and the app is not in a Shield space."),
        _r("addon-denied", "block", "An add-on service is on the deny list."),
        _r("addon-no-agreement", "block",
           "A third-party add-on has no active agreement and the data class requires one."),
        _r("addon-location-not-allowed", "block",
           "The agreement's countries for that add-on are not allowed for the data class."),
        _r("addon-outside-region", "warn",
           "A Heroku data add-on is known to live outside the app's region."),
        _r("heroku-connect", "warn", "Data is synced to a Salesforce org this tool does not see."),
        _r("postgres-backups", "info", "Heroku Postgres backups may be stored in the US."),
        _r("log-drain-not-allowed", "block",
           "A log drain not created by an add-on points to a host that is not allowed."),
        _r("unclassified-app", "warn", "No [[apps]] entry matches; the default class was assumed."),
        _r("waiver-expired", "warn", "A waiver has expired; the finding it covered counts again."),
        _r("waiver-unused", "info", "A waiver matched nothing in an audit."),
        _r("api-error", "block", "A fact needed for the decision could not be read (fail closed)."),
    ]
}
