"""The check use case without click: the app asked for is the app judged, or nothing is
allowed (exit 3)."""

from __future__ import annotations

import dataclasses

import pytest
from usecase_fakes import ALLOWED, BLOCKED, TODAY, FakeSource, demo_facts, university

from gatekeeper import records
from gatekeeper.errors import CouldNotEvaluate, UsageError
from gatekeeper.sources.snapshot import SnapshotSource
from gatekeeper.usecases.check import check_app


def test_the_app_asked_for_is_judged_alone() -> None:
    facts = demo_facts()
    source = FakeSource(facts)
    outcome = check_app(BLOCKED, policy=university(), source=source, today=TODAY)
    assert [a.name for a in outcome.report.apps] == [BLOCKED]
    assert (outcome.status, outcome.exit_code) == ("blocked", 1)
    allowed = check_app(ALLOWED, policy=university(), source=source, today=TODAY)
    assert (allowed.status, allowed.exit_code, allowed.report.decision) == ("allowed", 0, "allow")
    assert [s.app for s in source.asked] == [BLOCKED, ALLOWED]


def test_an_app_id_matches_whatever_its_case() -> None:
    facts = demo_facts()
    app = next(a for a in facts.apps if a.name == ALLOWED)
    outcome = check_app(app.id.upper(), policy=university(), source=FakeSource(facts))
    assert [a.id for a in outcome.report.apps] == [app.id]


def test_facts_about_another_app_are_never_an_allow() -> None:
    """The API answered GET /apps/econ-game with another app: nothing judged, exit 3."""
    facts = demo_facts()
    impostor = next(a for a in facts.apps if a.name == "survey")
    source = FakeSource(dataclasses.replace(facts, apps=(impostor,)))
    with pytest.raises(CouldNotEvaluate) as info:
        check_app(ALLOWED, policy=university(), source=source, today=TODAY)
    assert info.value.exit_code == 3
    message = info.value.user_message()
    assert "about another app" in message and "'survey'" in message and impostor.id in message
    assert "nothing is allowed" in message


def test_no_facts_at_all_are_never_an_allow() -> None:
    source = FakeSource(dataclasses.replace(demo_facts(), apps=()))
    with pytest.raises(CouldNotEvaluate, match="No facts were collected for app"):
        check_app(ALLOWED, policy=university(), source=source)


def test_a_snapshot_without_the_app_is_a_usage_error(tmp_path: object) -> None:
    from pathlib import Path

    from gatekeeper.snapshot import dump_snapshot

    path = Path(str(tmp_path)) / "snap.json"
    path.write_text(dump_snapshot(demo_facts()))
    with pytest.raises(UsageError, match="has no app 'nope-app'"):
        check_app("nope-app", policy=university(), source=SnapshotSource(path))
    outcome = check_app(BLOCKED, policy=university(), source=SnapshotSource(path), today=TODAY)
    assert [a.name for a in outcome.report.apps] == [BLOCKED]


def test_a_glob_waiver_this_app_does_not_use_is_not_reported_as_unused() -> None:
    """The example policy waives addon-location-not-allowed for papertrail on every app
    (``app = "*"``): a check of an app without papertrail must not call it unused; a waiver
    that names the app itself still is, when it matched nothing."""
    from datetime import date

    from gatekeeper.policy.model import Waiver

    policy = university()
    glob_waivers = [w for w in policy.waivers if w.app == "*"]
    assert glob_waivers  # the example policy has them
    exact = records.read(
        Waiver,
        {
            "rule": "region-not-allowed",
            "app": ALLOWED,
            "subject": "us",
            "reason": "test",
            "approved_by": "DPO",
            "expires": date(2099, 1, 1),
        },
    )
    policy = dataclasses.replace(policy, waivers=[*policy.waivers, exact])
    outcome = check_app(ALLOWED, policy=policy, source=FakeSource(demo_facts()), today=TODAY)
    unused = [f.subject for f in outcome.report.policy_findings if f.rule == "waiver-unused"]
    assert unused == [exact.label()]
    assert outcome.status == "allowed"
