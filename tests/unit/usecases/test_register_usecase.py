"""The register use cases without click: the audit records and publishes its register, the
register is compared with the last audit's, and the history answers what it can."""

from __future__ import annotations

from typing import Any

import pytest
from usecase_fakes import TODAY, FakeSource, FakeStore, demo_facts, university

from gatekeeper.collect.estate import AuditScope
from gatekeeper.errors import StoreError, UsageError
from gatekeeper.register.model import Register
from gatekeeper.report.interface import RenderOptions
from gatekeeper.results import Report
from gatekeeper.usecases.audit import audit
from gatekeeper.usecases.register import current_register, register_from_history

ALL = AuditScope(everything=True)


def audited(store: FakeStore, *, with_register: bool = False) -> list[Register | None]:
    published: list[Register | None] = []

    def publish(report: Report, render: RenderOptions, register: Register | None = None) -> None:
        published.append(register)

    audit(
        ALL,
        policy=university(),
        source=FakeSource(demo_facts()),
        store=lambda: store,
        publish=publish,
        with_register=with_register,
        today=TODAY,
    )
    return published


def test_every_recorded_audit_keeps_its_register() -> None:
    store = FakeStore()
    assert audited(store) == [None]  # not asked to publish it
    stored = store.registers[1]
    assert stored is not None and len(stored.activities) == 11


def test_a_published_register_has_its_changes_since_the_last_audit() -> None:
    store = FakeStore()
    audited(store)
    [published] = audited(store, with_register=True)
    assert published is not None and published.changes is not None
    assert published.changes.baseline == "audit #1 of 2026-06-01T00:00:00Z"
    assert published.changes.items == ()
    assert store.registers[2] == published  # what was published is what was recorded


def test_the_register_now_compared_with_the_last_audit() -> None:
    store = FakeStore()
    outcome = current_register(
        ALL, policy=university(), source=FakeSource(demo_facts()), store=lambda: store, today=TODAY
    )
    assert outcome.register.changes is not None
    assert [n.text for n in outcome.notices] == ["no earlier audit of all in memory."]
    assert {c.kind for c in outcome.register.changes.items} == {"new app"}
    assert outcome.exit_code == 0 and store.closed


def test_a_damaged_history_costs_only_the_changes() -> None:
    store = FakeStore(broken={"latest_record"}, failure=StoreError("disk on fire"))
    outcome = current_register(
        ALL, policy=university(), source=FakeSource(demo_facts()), store=lambda: store, today=TODAY
    )
    assert outcome.register.changes is None
    [warning] = outcome.notices
    assert warning.level == "warning" and "disk on fire" in warning.text


def test_from_history_reads_the_latest_register_with_its_changes() -> None:
    store = FakeStore()
    audited(store)
    audited(store)
    outcome = register_from_history(lambda: store, None)
    assert outcome.register == store.registers[2].model_copy(  # type: ignore[union-attr]
        update={"changes": outcome.register.changes}
    )
    assert outcome.register.changes is not None
    assert outcome.register.changes.baseline.startswith("audit #1 of")
    assert outcome.notices[0].text.startswith("the register of audit #2")


@pytest.mark.parametrize(
    ("prepare", "words"),
    [
        (lambda store: None, "There is no audit of team:bio-lab in the history store memory."),
        (lambda store: store.registers.update({1: None}), "has no register"),
    ],
    ids=["no-audit", "audit-without-register"],
)
def test_from_history_says_what_is_missing(prepare: Any, words: str) -> None:
    store = FakeStore()
    audit(
        AuditScope(teams=("bio-lab",)),
        policy=university(),
        source=FakeSource(demo_facts()),
        store=lambda: store,
        today=TODAY,
    )
    store.records = [] if "no audit" in words else store.records
    prepare(store)
    with pytest.raises(UsageError, match=words):
        register_from_history(lambda: store, AuditScope(teams=("bio-lab",)))
