"""Where each fact of the knowledge base comes from.

Every fact in ``gatekeeper.knowledge`` points at one of these, so that a finding's evidence,
``gatekeeper policy explain`` and docs/policy.md can cite it, and a maintainer knows what to
re-read when Heroku or the law changes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """A citable source: a short title, where to read it, and its date.

    ``date`` (YYYY-MM-DD) is the date of the source (a commit, a decision, a page's "last
    updated"), or the day a maintainer last read it when the source has none; empty for the
    sources that predate dated entries.
    """

    title: str
    url: str
    date: str = ""

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
    "Heroku Dev Center, Heroku Postgres and Private Spaces "
    "(Essential-tier databases exist only in us and eu; Standard and Premium databases of an "
    "app in a Private Space can be created in another region with -- --region)",
    "https://devcenter.heroku.com/articles/heroku-postgres-and-private-spaces",
)
HEROKU_KVS_SPACES = Source(
    "Heroku Dev Center, Heroku Key-Value Store and Private Spaces "
    "(only private-tier plans run inside a space)",
    "https://devcenter.heroku.com/articles/heroku-redis-and-private-spaces",
)
HEROKU_POSTGRES_BACKUPS = Source(
    "heroku/roadmap#261: Heroku Postgres logical backups (PGBackups) stored in the US whatever "
    "the database region",
    "https://github.com/heroku/roadmap/issues/261",
)
HEROKU_CONNECT = Source(
    "Heroku Dev Center, Heroku Connect (syncs Heroku Postgres with a Salesforce org)",
    "https://devcenter.heroku.com/articles/heroku-connect",
)
HEROKU_CONNECT_SERVICE = Source(
    "heroku/heroku-connect-plugin, README.md (heroku addons:create herokuconnect) and "
    "src/commands/connect/info.ts: the add-on service is herokuconnect; heroku-connect is the "
    "CLI plugin's name (commit 29e3de0)",
    "https://github.com/heroku/heroku-connect-plugin/blob/"
    "29e3de0183e72cec5ea71caf844ceaf52358a73d/README.md",
    "2026-08-21",
)
HEROKU_APPLINK = Source(
    "Heroku Dev Center, Working with Heroku AppLink (connects an app to Salesforce and Data "
    "Cloud orgs)",
    "https://devcenter.heroku.com/articles/working-with-heroku-applink",
)
HEROKU_APPLINK_SERVICE = Source(
    "heroku/heroku-cli-plugin-applink, src/lib/base.ts (addonServiceSlug): the add-on service "
    "is heroku-applink (commit 7193328)",
    "https://github.com/heroku/heroku-cli-plugin-applink/blob/"
    "7193328db376e54d73f4f7dbb7af59e43935e208/src/lib/base.ts",
    "2026-06-01",
)
HEROKU_INFERENCE = Source(
    "Heroku Dev Center, Heroku Managed Inference and Agents (all models are hosted on Amazon "
    "Bedrock; the plan is the model id; the endpoint is in the INFERENCE_URL config var)",
    "https://devcenter.heroku.com/articles/heroku-inference",
    "2025-03-27",
)
HEROKU_INFERENCE_MODELS = Source(
    "heroku/heroku-cli-plugin-ai, test/helpers/fixtures.ts: the answer of GET /available-models "
    "that heroku ai:models:list prints (model_id, regions), added in e5f4817 on 2025-03-03, "
    "unchanged at 4f6cc4a (2026-07-23); src/lib/base.ts: service heroku-inference, the plan is "
    "the model id, the endpoint in the attachment's _URL config var",
    "https://github.com/heroku/heroku-cli-plugin-ai/blob/"
    "4f6cc4ae64749b6e276337cc6f24fa3a48fa5c53/test/helpers/fixtures.ts",
    "2025-03-03",
)
HEROKU_GENERATIONS = Source(
    "Heroku Dev Center, Heroku Generations (Fir: no Shield, no syslog/HTTPS log drains yet)",
    "https://devcenter.heroku.com/articles/generations",
)
HEROKU_SUSTAINING = Source(
    "Heroku blog, An Update on Heroku: a sustaining engineering model; no new Enterprise "
    "Account contracts to new customers (existing contracts continue and can be renewed)",
    "https://www.heroku.com/blog/an-update-on-heroku/",
    "2026-02-06",
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
BRAZIL_ADEQUACY = Source(
    "Commission Implementing Decision (EU) 2026/179 of 26 January 2026 on the adequate "
    "protection of personal data by Brazil (Official Journal of 28 January 2026)",
    "https://eur-lex.europa.eu/eli/dec_impl/2026/179/oj",
    "2026-01-26",
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
SALESFORCE_DPA = Source(
    "Salesforce Data Processing Addendum and Trust and Compliance Documentation (Heroku): "
    "Salesforce, Inc. is the processor of the services, including Heroku",
    "https://www.salesforce.com/company/legal/trust-and-compliance-documentation/",
    "2026-12-02",
)
HEROKU_SUBPROCESSORS = Source(
    "Salesforce Trust and Compliance Documentation, Heroku: Infrastructure and Sub-processors "
    "(Heroku runs on Amazon Web Services; the AWS region of each Heroku region is in GET "
    "/regions)",
    "https://www.salesforce.com/company/legal/trust-and-compliance-documentation/",
    "2026-12-02",
)
