"""The audit use case without click: nothing is lost (publish, then record, then notify), a
damaged history costs only the comparison, and a failed notification says what was done."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from usecase_fakes import BLOCKED, TODAY, FakeSource, FakeStore, demo_facts, university

from gatekeeper.collect.estate import AuditScope
from gatekeeper.errors import NotificationError, StoreError, TransportError, UsageError
from gatekeeper.report.interface import RenderOptions
from gatekeeper.report.policy_lines import NO_ENTRY_RULES
from gatekeeper.results import Report
from gatekeeper.usecases.audit import AuditOutcome, audit

ALL = AuditScope(everything=True)


def run(store: FakeStore, events: list[str] | None = None, **options: Any) -> AuditOutcome:
    log = events if events is not None else store.events

    def publish(report: Report, render: RenderOptions) -> None:
        log.append("publish")

    return audit(
        ALL,
        policy=university(),
        source=FakeSource(demo_facts()),
        store=lambda: store,
        publish=publish,
        today=TODAY,
        **options,
    )


def test_publish_then_record_then_notify() -> None:
    store = FakeStore()
    sent: list[dict[str, Any]] = []

    def notify(payload: dict[str, Any]) -> None:
        store.events.append("notify")
        sent.append(payload)

    outcome = run(store, notify=notify)
    assert store.events == ["publish", "record", "close", "notify"]
    assert outcome.record is not None and outcome.record.scope == "all"
    assert outcome.record.source == "fake"
    assert (outcome.status, outcome.exit_code, outcome.notified) == ("blocked", 1, True)
    assert [n.text for n in outcome.notices] == [
        "recorded as " + outcome.record.label + " in memory",
        "notification sent.",
    ]
    assert BLOCKED in sent[0]["text"]


def test_no_history_opens_no_store_and_records_nothing() -> None:
    store = FakeStore()
    outcome = run(store, record=False)
    assert store.events == ["publish"] and outcome.record is None and not store.records


def test_since_last_compares_with_the_last_audit_of_the_scope() -> None:
    store = FakeStore()
    first = run(store, since_last=True)
    assert first.changes is not None and first.changes.baseline == "no earlier audit"
    assert "no earlier audit of all in memory" in first.notices[0].text
    second = run(store, since_last=True)
    assert second.changes is not None and second.changes.new == ()
    assert second.report.changes == second.changes
    assert first.record is not None and second.changes.baseline == first.record.label


@pytest.mark.parametrize(
    "broken", [{"latest_record"}, {"open_fingerprints"}, {"no-fingerprints", "get"}]
)
def test_a_damaged_history_costs_only_the_comparison(broken: set[str]) -> None:
    """A StoreError from any read of the comparison: the report is still published and
    recorded, a warning says the comparison was not possible, the exit code is the report's."""
    store = FakeStore()
    run(store)
    store.broken = broken
    store.failure = StoreError("history.sqlite3: audit #1, row 3: unreadable timestamp 'x'.")
    store.events.clear()
    outcome = run(store, since_last=True)
    assert "publish" in store.events and "record" in store.events
    assert outcome.changes is None and outcome.report.changes is None
    assert outcome.record is not None and outcome.record.id == 2
    assert (outcome.status, outcome.exit_code) == ("blocked", 1)
    warning = next(n for n in outcome.notices if n.level == "warning")
    assert "comparison with the last audit of all was not possible" in warning.text
    assert "row 3: unreadable timestamp" in warning.text


def test_a_damaged_row_of_resolved_findings_costs_only_the_comparison() -> None:
    """open_findings is read lazily, for the resolved findings only."""
    store = FakeStore()
    facts = demo_facts()
    run(store)  # audit #1 has blocking findings; the next one has none of them
    store.broken, store.failure = {"open_findings"}, StoreError("row 7 is damaged.")
    source = FakeSource(dataclasses.replace(facts, apps=facts.apps[:1]))
    outcome = audit(ALL, policy=university(), source=source, store=lambda: store, since_last=True)
    assert "open_findings" in store.events
    assert outcome.changes is None and outcome.record is not None
    assert any("row 7 is damaged" in n.text for n in outcome.notices)


def test_a_record_that_fails_is_an_error_after_publishing() -> None:
    store = FakeStore(broken={"record"}, failure=StoreError("the disk is full."))
    with pytest.raises(StoreError):
        run(store)
    assert store.events == ["publish", "record", "close"]


@pytest.mark.parametrize(
    ("failure", "code"),
    [
        (TransportError("Could not deliver the notification to http://127.0.0.1:9."), 3),
        (NotificationError("The webhook answered HTTP 500."), 3),
        (UsageError("The notification URL must use https."), 2),
    ],
)
def test_a_failed_notification_keeps_its_exit_code_and_says_what_was_done(
    failure: Exception, code: int
) -> None:
    store = FakeStore()

    def notify(payload: dict[str, Any]) -> None:
        raise failure

    outcome = run(store, notify=notify)
    assert outcome.failure is failure and outcome.failure.exit_code == code
    assert outcome.record is not None and not outcome.notified
    message = outcome.failure.user_message()
    assert message.startswith(
        f"The report was written and recorded as {outcome.record.label} in memory, but the "
        "notification was not sent: "
    )
    assert outcome.exit_code == 1  # the report's own code; the CLI exits with the failure's


def test_a_failed_notification_without_history_says_so() -> None:
    def notify(payload: dict[str, Any]) -> None:
        raise NotificationError("HTTP 404.")

    outcome = run(FakeStore(), record=False, notify=notify)
    assert outcome.failure is not None
    assert "written (this audit was not recorded)" in outcome.failure.user_message()


def test_since_last_and_baseline_together_are_a_usage_error() -> None:
    with pytest.raises(UsageError, match="not both"):
        run(FakeStore(), since_last=True, baseline="report.json")


def test_the_render_options_name_the_scope_and_the_policy_place() -> None:
    """SARIF's category per audit scope, and the policy file's place in its work tree."""
    outcome = run(FakeStore(), record=False)
    assert outcome.render_options.run_scope == "audit/all"
    source = outcome.render_options.placed_policy()
    assert source is not None and source.path.endswith("gatekeeper/examples/university.toml")
    decided = [f for f in outcome.report.all_findings() if f.rule not in NO_ENTRY_RULES]
    assert decided and {f.fingerprint for f in decided} == set(source.lines)
