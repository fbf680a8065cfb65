"""The knowledge base: the facts about Heroku and the law that the rules rely on.

This package is the one place a maintainer updates when Heroku or the law changes, and every
fact in it carries its source (``gatekeeper.knowledge.sources``):

- ``regions``: Heroku regions, their country and AWS region
  (docs/design.md#3-heroku-facts-the-code-relies-on). A region missing here blocks
  with ``unknown-region``.
- ``countries``: ISO 3166-1 alpha-2 codes, the ``EEA`` and ``adequate`` groups, and the rule
  that the US is adequate only for recipients certified under the Data Privacy Framework
  (``country_allowed``).
- ``addons``: the add-on services Heroku operates itself (Heroku Connect is ``herokuconnect``,
  AppLink ``heroku-applink``), and the regions Heroku's data plan tiers exist in (Essential
  Postgres only in ``us`` and ``eu``; Standard and Premium of a space app in any region).
- ``inference``: the models of Heroku Managed Inference and the AWS regions each is served
  from (on Amazon Bedrock), whatever the app's region.
- ``recipients``: who receives an app's data, for the DPO's register: Salesforce (Heroku) as
  processor, Amazon Web Services as the sub-processor of every region, a Salesforce org for
  Connect and AppLink; third-party add-on providers are processors of their own.

Pure data and small lookups: no I/O, importable from the pure core.
"""

from __future__ import annotations

from typing import Literal

from gatekeeper.knowledge.addons import (
    APPLINK_SERVICE,
    CONNECT_SERVICE,
    HEROKU_DATA_SERVICES,
    HEROKU_OPERATED_SERVICES,
    PLAN_TIERS,
    POSTGRES_SERVICE,
    PlanTier,
    plan_name,
    plan_tier,
)
from gatekeeper.knowledge.countries import (
    ADEQUATE,
    COMMON_MISTAKES,
    COUNTRY_NAMES,
    DPF_COUNTRY,
    EEA,
    GROUPS,
    canonical,
    country_allowed,
    country_name,
    describe_countries,
    expand,
    is_country_entry,
)
from gatekeeper.knowledge.inference import (
    INFERENCE_SERVICE,
    INFERENCE_SUBPROCESSOR,
    MODELS,
    InferenceModel,
    inference_model,
)
from gatekeeper.knowledge.regions import REGIONS, RegionFact, aws_region_country, region_fact
from gatekeeper.knowledge.sources import GDPR_ART_9, Source

DataClass = Literal["none", "anonymous", "pseudonymous", "personal", "special"]

# The data classes a policy can use, from least to most sensitive. Pseudonymised data is
# personal data (GDPR Recital 26); "special" is GDPR Art. 9 (health, ethnicity, ...).
DATA_CLASSES: tuple[DataClass, ...] = ("none", "anonymous", "pseudonymous", "personal", "special")
DATA_CLASSES_SOURCE: Source = GDPR_ART_9

__all__ = [
    "ADEQUATE",
    "APPLINK_SERVICE",
    "COMMON_MISTAKES",
    "CONNECT_SERVICE",
    "COUNTRY_NAMES",
    "DATA_CLASSES",
    "DATA_CLASSES_SOURCE",
    "DPF_COUNTRY",
    "EEA",
    "GROUPS",
    "HEROKU_DATA_SERVICES",
    "HEROKU_OPERATED_SERVICES",
    "INFERENCE_SERVICE",
    "INFERENCE_SUBPROCESSOR",
    "MODELS",
    "PLAN_TIERS",
    "POSTGRES_SERVICE",
    "REGIONS",
    "DataClass",
    "InferenceModel",
    "PlanTier",
    "RegionFact",
    "Source",
    "aws_region_country",
    "canonical",
    "country_allowed",
    "country_name",
    "describe_countries",
    "expand",
    "inference_model",
    "is_country_entry",
    "plan_name",
    "plan_tier",
    "region_fact",
]
