"""The knowledge base: every fact is well-formed and carries a source."""

from __future__ import annotations

from datetime import date

import pytest

from gatekeeper import knowledge
from gatekeeper.knowledge import (
    ADEQUATE,
    COUNTRY_NAMES,
    DATA_CLASSES,
    EEA,
    GROUPS,
    HEROKU_OPERATED_SERVICES,
    PLAN_TIERS,
    REGIONS,
    canonical,
    countries,
    expand,
    is_country_entry,
    plan_tier,
    region_fact,
    sources,
)


def test_iso_codes() -> None:
    assert len(COUNTRY_NAMES) == 249
    assert all(len(c) == 2 and c.isupper() for c in COUNTRY_NAMES)
    assert COUNTRY_NAMES["DE"] == "Germany" and COUNTRY_NAMES["GB"] == "United Kingdom"


def test_eea_is_the_eu_plus_three() -> None:
    assert len(countries.EU_MEMBERS) == 27
    assert set(EEA) == countries.EU_MEMBERS | {"IS", "LI", "NO"}
    assert "GB" not in EEA and "CH" not in EEA


def test_adequacy_list_follows_the_design() -> None:
    assert set(ADEQUATE) == {
        "AD",
        "AR",
        "BR",
        "CA",
        "CH",
        "FO",
        "GB",
        "GG",
        "IL",
        "IM",
        "JE",
        "JP",
        "KR",
        "NZ",
        "UY",
    }
    assert "US" not in ADEQUATE  # only through an agreement with mechanism "dpf"
    assert not ADEQUATE & EEA
    assert set(GROUPS) == {"EEA", "adequate"}


@pytest.mark.parametrize(
    ("entry", "ok"),
    [("DE", True), ("EEA", True), ("adequate", True), ("de", False), ("UK", False), ("EU", False)],
)
def test_country_entries(entry: str, ok: bool) -> None:
    assert is_country_entry(entry) is ok


def test_expand_and_canonical() -> None:
    assert expand(["EEA", "US"]) == EEA | {"US"}
    assert canonical(["US", "adequate", "DE", "EEA", "US"]) == ("EEA", "adequate", "DE", "US")


@pytest.mark.parametrize(
    ("region", "country"),
    [
        ("us", "US"),
        ("eu", "IE"),
        ("dublin", "IE"),
        ("frankfurt", "DE"),
        ("london", "GB"),
        ("montreal", "CA"),
        ("mumbai", "IN"),
        ("oregon", "US"),
        ("singapore", "SG"),
        ("sydney", "AU"),
        ("tokyo", "JP"),
        ("virginia", "US"),
    ],
)
def test_regions_of_the_design(region: str, country: str) -> None:
    fact = region_fact(region)
    assert fact is not None and fact.country == country
    assert fact.country in COUNTRY_NAMES
    assert fact.source.url.startswith("https://")


def test_no_guessing_for_unknown_regions() -> None:
    assert region_fact("mars") is None and region_fact(None) is None and region_fact("") is None
    assert {r.name for r in REGIONS.values() if r.runtime == "common"} == {"us", "eu"}


def test_heroku_operated_services_of_the_design() -> None:
    assert set(HEROKU_OPERATED_SERVICES) == {
        "heroku-postgresql",
        "heroku-redis",
        "heroku-kafka",
        "herokuconnect",
        "heroku-applink",
        "scheduler",
        "heroku-inference",
    }


@pytest.mark.parametrize(
    ("service", "plan", "tier", "regions"),
    [
        ("heroku-postgresql", "heroku-postgresql:essential-0", "essential", {"us", "eu"}),
        ("heroku-postgresql", "heroku-postgresql:essential-2", "essential", {"us", "eu"}),
        ("heroku-postgresql", "heroku-postgresql:mini", "essential", {"us", "eu"}),
        ("heroku-postgresql", "heroku-postgresql:standard-0", "standard", None),
        ("heroku-postgresql", "heroku-postgresql:private-0", "private", None),
        ("heroku-postgresql", "heroku-postgresql:shield-0", "shield", None),
        ("heroku-redis", "heroku-redis:mini", "mini", {"us", "eu"}),
        ("heroku-redis", "heroku-redis:private-7", "private", None),
    ],
)
def test_plan_tiers(service: str, plan: str, tier: str, regions: set[str] | None) -> None:
    found = plan_tier(service, plan)
    assert found is not None and found.tier == tier
    assert found.regions == (frozenset(regions) if regions is not None else None)


@pytest.mark.parametrize(
    "plan", ["heroku-postgresql:essentials-0", "heroku-postgresql:mini-x", "heroku-postgresql:dev"]
)
def test_unknown_plans_have_no_tier(plan: str) -> None:
    assert plan_tier("heroku-postgresql", plan) is None


def test_every_fact_has_a_source() -> None:
    for tier in PLAN_TIERS:
        assert tier.source.url.startswith("https://")
    for name in dir(sources):
        value = getattr(sources, name)
        if isinstance(value, sources.Source):
            assert value.title and value.url.startswith("https://"), name
    assert knowledge.DATA_CLASSES_SOURCE.url.startswith("https://")
    assert countries.ADEQUATE_SOURCE and countries.EEA_SOURCE and countries.DPF_SOURCE


def test_data_classes_in_order() -> None:
    assert DATA_CLASSES == ("none", "anonymous", "pseudonymous", "personal", "special")


def test_connect_and_applink_services() -> None:
    assert knowledge.CONNECT_SERVICE == "herokuconnect"  # "heroku-connect" is the CLI plugin
    assert "heroku-connect" not in HEROKU_OPERATED_SERVICES
    assert knowledge.APPLINK_SERVICE == "heroku-applink"


@pytest.mark.parametrize(
    ("model", "regions", "countries"),
    [
        ("claude-3-5-sonnet", ("eu-central-1", "us-east-1"), {"DE", "US"}),
        ("claude-3-5-sonnet-latest", ("us-east-1",), {"US"}),
        ("claude-3-haiku", ("eu-central-1", "us-east-1"), {"DE", "US"}),
        ("claude-3-5-haiku", ("us-east-1",), {"US"}),
        ("cohere-embed-multilingual", ("us-east-1",), {"US"}),
        ("stable-image-ultra", ("eu-central-1", "us-east-1"), {"DE", "US"}),
    ],
)
def test_inference_models_and_their_regions(
    model: str, regions: tuple[str, ...], countries: set[str]
) -> None:
    found = knowledge.inference_model(model)
    assert found is not None and found.aws_regions == regions
    assert found.countries == countries
    assert found.source.url.startswith("https://github.com/heroku/heroku-cli-plugin-ai/")


def test_unknown_models_and_aws_regions_are_not_guessed() -> None:
    assert knowledge.inference_model("claude-4-sonnet") is None
    assert knowledge.aws_region_country("us-east-1") == "US"
    assert knowledge.aws_region_country("eu-central-1") == "DE"
    assert knowledge.aws_region_country("eu-north-1") is None
    assert set(knowledge.MODELS) == {m.model_id for m in knowledge.MODELS.values()}
    assert all(m.countries is not None for m in knowledge.MODELS.values())
    assert "Bedrock" in knowledge.INFERENCE_SUBPROCESSOR


def test_brazil_is_adequate_with_its_decision() -> None:
    assert "BR" in ADEQUATE
    assert (
        countries.BRAZIL_ADEQUACY_SOURCE.url == "https://eur-lex.europa.eu/eli/dec_impl/2026/179/oj"
    )
    assert countries.BRAZIL_ADEQUACY_SOURCE.date == "2026-01-26"


def test_standard_and_premium_postgres_in_a_space_can_be_elsewhere() -> None:
    choosable = {t.tier for t in PLAN_TIERS if t.region_choosable_in_space}
    assert choosable == {"standard", "premium"}


def test_the_corrections_carry_a_source_and_its_date() -> None:
    dated = [
        sources.HEROKU_CONNECT_SERVICE,
        sources.HEROKU_APPLINK_SERVICE,
        sources.HEROKU_INFERENCE,
        sources.HEROKU_INFERENCE_MODELS,
        sources.HEROKU_SUSTAINING,
        sources.BRAZIL_ADEQUACY,
    ]
    for source in dated:
        assert date.fromisoformat(source.date) <= date(2026, 12, 31), source
    for name in dir(sources):
        value = getattr(sources, name)
        if isinstance(value, sources.Source) and value.date:
            date.fromisoformat(value.date)
