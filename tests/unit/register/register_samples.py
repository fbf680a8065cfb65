"""The register of the demo estate under the university policy, built in process (imported
by name: tests are not a package)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from gatekeeper.engine import evaluate
from gatekeeper.facts import Estate
from gatekeeper.policy import Policy, load_policy, loads_policy
from gatekeeper.register.build import build_register
from gatekeeper.register.model import Register
from gatekeeper.simulator import DEMO_ADMIN_TOKEN, demo_estate

ROOT = Path(__file__).resolve().parents[3]
TODAY = date(2026, 6, 1)


def university() -> Policy:
    return load_policy(ROOT / "gatekeeper" / "examples" / "university.toml")


def demo_facts() -> Estate:
    return demo_estate().to_facts(DEMO_ADMIN_TOKEN)


def register_of(
    estate: Estate | None = None, policy: Policy | None = None, today: date = TODAY
) -> Register:
    estate = estate if estate is not None else demo_facts()
    policy = policy if policy is not None else university()
    return build_register(policy, estate, evaluate(estate, policy, today), today)


def policy_text(text: str) -> Policy:
    return loads_policy(text)
