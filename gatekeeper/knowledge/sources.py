"""Where each fact of the knowledge base comes from.

Every fact in ``gatekeeper.knowledge`` points at one of these, so that a finding's evidence,
``gatekeeper policy explain`` and docs/policy.md can cite it, and a maintainer knows what to
re-read when Heroku or the law changes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """A citable source: a short title and where to read it."""

    title: str
    url: str

    def __str__(self) -> str:
        return f"{self.title} <{self.url}>"


HEROKU_REGIONS = Source(
    "Heroku Dev Center, Regions; Platform API GET /regions",
    "https://devcenter.heroku.com/articles/regions",
)
HEROKU_SPACE_REGIONS = Source(
    "Heroku Dev Center, Private Spaces: available regions",
    "https://devcenter.heroku.com/articles/private-spaces",
)
HEROKU_ELEMENTS_TERMS = Source(
    "Heroku Elements Terms of Use, section 1.2 (third-party add-ons are separate contracts)",
    "https://www.heroku.com/policy/elements-terms",
)
HEROKU_POSTGRES_PLANS = Source(
    "Heroku Dev Center, Choosing the Right Heroku Postgres Plan (plan tiers)",
    "https://devcenter.heroku.com/articles/heroku-postgres-plans",
)
HEROKU_POSTGRES_SPACES = Source(
    "Heroku Dev Center, Heroku Postgres on Private and Shield Spaces "
    "(Essential-tier databases exist only in us and eu)",
    "https://devcenter.heroku.com/articles/heroku-postgres-and-private-spaces",
)
HEROKU_KVS_SPACES = Source(
    "Heroku Dev Center, Heroku Key-Value Store and Private Spaces "
    "(only private-tier plans run inside a space)",
    "https://devcenter.heroku.com/articles/heroku-redis-and-private-spaces",
)
HEROKU_POSTGRES_BACKUPS = Source(
    "heroku/roadmap#261: Heroku Postgres backups stored in the US whatever the database region",
    "https://github.com/heroku/roadmap/issues/261",
)
HEROKU_CONNECT = Source(
    "Heroku Dev Center, Heroku Connect (syncs Heroku Postgres with a Salesforce org)",
    "https://devcenter.heroku.com/articles/heroku-connect",
)
HEROKU_SHIELD = Source(
    "Heroku Dev Center, Shield Private Spaces",
    "https://devcenter.heroku.com/articles/shield-private-space",
)
HEROKU_LOG_DRAINS = Source(
    "Heroku Dev Center, Log Drains",
    "https://devcenter.heroku.com/articles/log-drains",
)
HEROKU_TELEMETRY = Source(
    "Heroku Dev Center, Heroku Telemetry (telemetry drains of Fir apps and spaces); heroku/cli "
    "src/commands/telemetry/",
    "https://devcenter.heroku.com/articles/heroku-telemetry",
)
HEROKU_PRIVATE_SPACE_LOGGING = Source(
    "Heroku Dev Center, Private Space Logging for Shield Spaces; heroku/cli "
    "src/commands/spaces/drains/get.ts",
    "https://devcenter.heroku.com/articles/private-space-logging",
)
HEROKU_APP_TRANSFER = Source(
    "Heroku Dev Center, Transferring Apps",
    "https://devcenter.heroku.com/articles/transferring-apps",
)
HEROKU_ENTERPRISE_ACCOUNTS = Source(
    "Heroku Dev Center, Heroku Enterprise Accounts",
    "https://devcenter.heroku.com/articles/enterprise-accounts",
)
ISO_3166 = Source(
    "ISO 3166-1 alpha-2 country codes (ISO 3166 Maintenance Agency)",
    "https://www.iso.org/iso-3166-country-codes.html",
)
EEA_AGREEMENT = Source(
    "Agreement on the European Economic Area; EU member states (europa.eu)",
    "https://european-union.europa.eu/principles-countries-history/eu-countries_en",
)
ADEQUACY_DECISIONS = Source(
    "European Commission, Adequacy decisions (GDPR Art. 45)",
    "https://commission.europa.eu/law/law-topic/data-protection/international-dimension-data-protection/adequacy-decisions_en",
)
DPF_ADEQUACY = Source(
    "Commission Implementing Decision (EU) 2023/1795 on the EU-US Data Privacy Framework "
    "(covers certified organisations only)",
    "https://eur-lex.europa.eu/eli/dec_impl/2023/1795/oj",
)
GDPR_ART_9 = Source(
    "GDPR Art. 9 (special categories) and Recital 26 (pseudonymised data is personal data)",
    "https://eur-lex.europa.eu/eli/reg/2016/679/oj",
)
GDPR_ART_28 = Source(
    "GDPR Art. 28 (processing by a processor requires a contract)",
    "https://eur-lex.europa.eu/eli/reg/2016/679/oj",
)
GDPR_ART_44 = Source(
    "GDPR Chapter V, Art. 44-49 (transfers to third countries)",
    "https://eur-lex.europa.eu/eli/reg/2016/679/oj",
)
