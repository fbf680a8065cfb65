"""Heroku regions and the country each one keeps data in.

Update here when Heroku opens a region. A region missing from this table makes every app in
it block with ``unknown-region`` (fail closed): gatekeeper never guesses a country.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gatekeeper.knowledge.sources import HEROKU_REGIONS, HEROKU_SPACE_REGIONS, Source


@dataclass(frozen=True)
class RegionFact:
    """One Heroku region: where it is and which runtime offers it."""

    name: str  # Heroku's region name, e.g. "frankfurt"
    country: str  # ISO 3166-1 alpha-2
    location: str  # the city or area Heroku names
    provider_region: str  # the AWS region behind it
    runtime: Literal["common", "private"]  # Common Runtime or Private Spaces only
    source: Source


def _common(name: str, country: str, location: str, aws: str) -> RegionFact:
    return RegionFact(name, country, location, aws, "common", HEROKU_REGIONS)


def _private(name: str, country: str, location: str, aws: str) -> RegionFact:
    return RegionFact(name, country, location, aws, "private", HEROKU_SPACE_REGIONS)


REGIONS: dict[str, RegionFact] = {
    r.name: r
    for r in (
        _common("us", "US", "Virginia, United States", "us-east-1"),
        _common("eu", "IE", "Dublin, Ireland", "eu-west-1"),
        _private("dublin", "IE", "Dublin, Ireland", "eu-west-1"),
        _private("frankfurt", "DE", "Frankfurt, Germany", "eu-central-1"),
        _private("london", "GB", "London, United Kingdom", "eu-west-2"),
        _private("montreal", "CA", "Montreal, Canada", "ca-central-1"),
        _private("mumbai", "IN", "Mumbai, India", "ap-south-1"),
        _private("oregon", "US", "Oregon, United States", "us-west-2"),
        _private("singapore", "SG", "Singapore", "ap-southeast-1"),
        _private("sydney", "AU", "Sydney, Australia", "ap-southeast-2"),
        _private("tokyo", "JP", "Tokyo, Japan", "ap-northeast-1"),
        _private("virginia", "US", "Virginia, United States", "us-east-1"),
    )
}


def region_fact(name: str | None) -> RegionFact | None:
    """The known facts about a region, or None when gatekeeper cannot map it (fail closed)."""
    if not name:
        return None
    return REGIONS.get(name)


# The country of each AWS region behind a Heroku region (GET /regions gives both): where a
# Heroku service that names AWS regions rather than Heroku ones keeps data (Managed Inference).
AWS_REGION_COUNTRIES: dict[str, str] = {r.provider_region: r.country for r in REGIONS.values()}


def aws_region_country(name: str) -> str | None:
    """The country of an AWS region, or None when no Heroku region runs on it (fail closed)."""
    return AWS_REGION_COUNTRIES.get(name)
