"""Every source's estate passes through gather: an app listed twice appears once, and copies
that disagree block it (api-error), never allow it."""

from __future__ import annotations

import dataclasses

from usecase_fakes import ALLOWED, BLOCKED, TODAY, FakeSource, demo_facts, university

from gatekeeper.collect.estate import AuditScope
from gatekeeper.engine import evaluate
from gatekeeper.facts import Estate
from gatekeeper.needs import Needs
from gatekeeper.sources.gather import gather, one_entry_per_app
from gatekeeper.usecases.audit import audit
from gatekeeper.usecases.check import check_app
from gatekeeper.usecases.snapshot import merge, take_snapshot


def twice(facts: Estate, app_name: str, **changes: object) -> Estate:
    app = next(a for a in facts.apps if a.name == app_name)
    return dataclasses.replace(facts, apps=(*facts.apps, dataclasses.replace(app, **changes)))


def test_identical_copies_are_one_app_whatever_the_order_of_their_lists() -> None:
    facts = demo_facts()
    app = next(a for a in facts.apps if len(a.addons) > 1)
    reordered = dataclasses.replace(app, addons=tuple(reversed(app.addons)))
    doubled = dataclasses.replace(facts, apps=(*facts.apps, reordered))
    assert one_entry_per_app(doubled) == facts
    assert one_entry_per_app(facts) is facts


def test_conflicting_copies_block_the_app_once() -> None:
    facts = twice(demo_facts(), ALLOWED, region="us", name="econ-game-copy")
    estate = gather(FakeSource(facts), AuditScope(everything=True), Needs.everything())
    assert [a.id for a in estate.apps].count(estate.apps[0].id) == 1
    assert len(estate.apps) == len(demo_facts().apps)
    app = next(a for a in estate.apps if a.name == ALLOWED)
    (error,) = [e for e in app.errors if e.fact == "app"]
    assert "conflicting facts" in error.message and "name, region differ" in error.message
    report = evaluate(estate, university(), TODAY)
    judged = [a for a in report.apps if a.id == app.id]
    assert len(judged) == 1 and judged[0].decision == "block"
    assert "api-error" in {f.rule for f in judged[0].findings}


def test_check_and_audit_never_allow_a_conflicting_app() -> None:
    facts = twice(demo_facts(), ALLOWED, region="us")
    checked = check_app(ALLOWED, policy=university(), source=FakeSource(facts), today=TODAY)
    assert (checked.status, checked.exit_code) == ("could-not-evaluate", 3)
    assert len(checked.report.apps) == 1
    audited = audit(
        AuditScope(everything=True), policy=university(), source=FakeSource(facts), today=TODAY
    )
    assert [a.decision for a in audited.report.apps if a.name == ALLOWED] == ["block"]
    assert audited.exit_code == 3


def test_a_snapshot_keeps_each_app_once_and_the_conflict() -> None:
    facts = demo_facts()
    part = dataclasses.replace(facts, apps=tuple(a for a in facts.apps if a.name == BLOCKED))
    assert merge([facts, part]).apps == merge([facts]).apps
    outcome = take_snapshot(source=FakeSource(twice(facts, BLOCKED, region="eu")), apps=(BLOCKED,))
    (app,) = [a for a in outcome.estate.apps if a.name == BLOCKED]
    assert any(e.fact == "app" for e in app.errors)
