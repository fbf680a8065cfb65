"""Every worked example in gatekeeper/examples/ validates and gives the expected decisions on
the demo estate.

Adding a file to gatekeeper/examples/ adds a case: the test fails until its expected decisions
on the demo estate ("University of Example", the simulator's ground truth) are written down
here.
"""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from gatekeeper.cli import cli
from gatekeeper.engine import evaluate
from gatekeeper.examples import EXAMPLES_DIR
from gatekeeper.facts import Estate
from gatekeeper.policy import load_policy
from gatekeeper.simulator.demo import demo_estate

POLICIES = EXAMPLES_DIR
TODAY = date(2026, 6, 1)

EXPECTED: dict[str, dict[str, tuple[str, set[str]]]] = {
    # app: (decision, the unwaived rules that fired, info included)
    "university.toml": {
        "survey": ("allow", {"postgres-backups"}),
        # bio-dashboard's sentry, attached to otree-study from another team
        "otree-study": ("block", {"addon-no-agreement", "postgres-backups"}),
        "experiment-us": ("block", {"region-not-allowed"}),
        "frankfurt-exp": (
            "warn",
            {"addon-outside-region", "heroku-applink", "postgres-backups"},
        ),
        # heroku-connect waived; bio-shield's Private Space Logging drain is not allowed
        "clinical-trial": ("block", {"log-drain-not-allowed", "postgres-backups"}),
        "fir-survey": ("block", {"telemetry-drain-not-allowed", "unclassified-app"}),
        "bio-dashboard": (
            "block",
            {
                "addon-no-agreement",
                "addon-location-not-allowed",  # a US-only inference model
                "log-drain-not-allowed",
                "unclassified-app",
            },
        ),
        "econ-game": ("allow", set()),
        "econ-archive": ("allow", set()),
        "student-game": ("block", {"team-not-covered", "unclassified-app"}),
        "jdoe-thesis": ("block", {"personal-account", "postgres-backups", "unclassified-app"}),
    },
    "clinic-special-category.toml": {
        "survey": (
            "block",
            {"shield-required", "addon-no-agreement", "postgres-backups", "unclassified-app"},
        ),
        "otree-study": (
            "block",
            {
                "shield-required",
                "addon-no-agreement",
                "log-drain-not-allowed",
                "postgres-backups",
                "unclassified-app",
            },
        ),
        "experiment-us": ("block", {"region-not-allowed", "shield-required", "unclassified-app"}),
        "frankfurt-exp": (
            "block",
            {
                "shield-required",
                "addon-outside-region",
                "heroku-applink",
                "postgres-backups",
                "unclassified-app",
            },
        ),
        "clinical-trial": ("block", {"log-drain-not-allowed", "postgres-backups"}),
        "fir-survey": (
            "block",
            {"shield-required", "telemetry-drain-not-allowed", "unclassified-app"},
        ),
        "bio-dashboard": (
            "block",
            {
                "shield-required",
                "addon-no-agreement",
                "addon-location-not-allowed",
                "log-drain-not-allowed",
                "unclassified-app",
            },
        ),
        "econ-game": ("allow", set()),
        "econ-archive": ("allow", set()),
        "student-game": ("block", {"shield-required", "team-not-covered", "unclassified-app"}),
        "jdoe-thesis": (
            "block",
            {"shield-required", "personal-account", "postgres-backups", "unclassified-app"},
        ),
    },
    "small-lab-no-agreements.toml": {
        "survey": ("block", {"team-not-covered", "addon-no-agreement", "unclassified-app"}),
        "otree-study": (
            "block",
            {"team-not-covered", "addon-no-agreement", "log-drain-not-allowed", "unclassified-app"},
        ),
        "experiment-us": ("block", {"team-not-covered", "unclassified-app"}),
        "frankfurt-exp": (
            "block",
            {"team-not-covered", "addon-outside-region", "heroku-applink", "unclassified-app"},
        ),
        "clinical-trial": (
            "block",
            {"team-not-covered", "heroku-connect", "log-drain-not-allowed", "unclassified-app"},
        ),
        "fir-survey": (
            "block",
            {"team-not-covered", "telemetry-drain-not-allowed", "unclassified-app"},
        ),
        "bio-dashboard": (
            "block",
            {"team-not-covered", "addon-no-agreement", "log-drain-not-allowed", "unclassified-app"},
        ),
        "econ-game": ("allow", set()),
        "econ-archive": ("allow", set()),
        "student-game": ("block", {"team-not-covered", "unclassified-app"}),
        "jdoe-thesis": ("block", {"personal-account", "unclassified-app"}),
    },
}

FILES = sorted(p.name for p in POLICIES.glob("*.toml"))


@pytest.fixture(scope="module")
def demo() -> Estate:
    return demo_estate().to_facts()


def test_every_example_has_expectations() -> None:
    assert len(FILES) >= 3
    assert sorted(EXPECTED) == FILES


@pytest.mark.parametrize("name", FILES)
def test_example_validates(name: str) -> None:
    path = POLICIES / name
    result = CliRunner().invoke(
        cli, ["policy", "validate", str(path)], catch_exceptions=False, standalone_mode=False
    )
    assert result.return_value == 0, result.output
    assert result.output.startswith(f"OK: {path} (")


@pytest.mark.parametrize("name", FILES)
def test_example_decisions_on_the_demo_estate(name: str, demo: Estate) -> None:
    report = evaluate(demo, load_policy(POLICIES / name), TODAY)
    got = {a.name: (a.decision, {f.rule for f in a.findings if not f.waived}) for a in report.apps}
    assert got == EXPECTED[name]
    expected_overall = max(
        (d for d, _ in EXPECTED[name].values()), key=["allow", "warn", "block"].index
    )
    assert report.decision == expected_overall
    assert report.policy_path == str(POLICIES / name)


@pytest.mark.parametrize("name", FILES)
def test_examples_stay_meaningful_for_years(name: str) -> None:
    policy = load_policy(POLICIES / name)
    for agreement in policy.agreements:
        assert agreement.expires >= date(2028, 1, 1), agreement.id
    for waiver in policy.waivers:
        assert waiver.expires >= date(2028, 1, 1), waiver.rule


def test_university_blocks_explain_themselves(demo: Estate) -> None:
    report = evaluate(demo, load_policy(POLICIES / "university.toml"), TODAY)
    student = next(a for a in report.apps if a.name == "student-game")
    covered = next(f for f in student.findings if f.rule == "team-not-covered")
    assert "heroku apps:transfer --team" in covered.remediation
    assert "dpo@uni-example.edu" in covered.remediation
    bio = next(a for a in report.apps if a.name == "bio-dashboard")
    drain = next(f for f in bio.findings if f.rule == "log-drain-not-allowed")
    assert drain.remediation.startswith(
        "Remove the drain: `heroku drains:remove https://logs.example-logging.io/ingest "
        "-a bio-dashboard`"
    )
    assert [a.state for a in report.agreements] == ["active", "active", "active"]
    assert [w.used for w in report.waivers] == [True, True, True]
    assert report.policy_findings == ()
