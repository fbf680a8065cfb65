"""The by-recipient view, the changes between registers, and the completeness rule."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from register_samples import demo_facts, register_of

from gatekeeper.register.changes import compare_registers
from gatekeeper.register.model import Register


def test_recipients_missing_an_agreement_come_first() -> None:
    recipients = register_of().recipients
    flags = [bool(r.missing_agreement) for r in recipients]
    assert flags == sorted(flags, reverse=True)
    assert all(r.recipient for r in recipients)
    papertrail = next(r for r in recipients if r.recipient == "papertrail")
    assert (papertrail.apps, papertrail.agreements, papertrail.missing_agreement) == (
        ("survey",),
        ("papertrail-dpa",),
        (),
    )


def test_no_earlier_register_makes_every_app_new() -> None:
    register = register_of()
    changes = compare_registers(None, register, baseline="no earlier audit")
    assert [c.kind for c in changes.items] == ["new app"] * 11


def test_the_same_register_has_no_changes() -> None:
    register = register_of()
    assert compare_registers(register, register, baseline="audit #1").items == ()


def test_an_agreement_that_lapsed_between_two_registers() -> None:
    before = register_of(today=date(2028, 4, 1))
    after = register_of(today=date(2028, 5, 1))  # papertrail-dpa ended on 2028-04-30
    after = after.model_copy(update={"generated_at": datetime(2028, 5, 1, tzinfo=UTC)})
    before = before.model_copy(update={"generated_at": datetime(2028, 4, 1, tzinfo=UTC)})
    lapsed = [c for c in compare_registers(before, after, baseline="x").items]
    assert [(c.kind, c.app, c.recipient) for c in lapsed] == [
        ("agreement lapsed", "survey", "papertrail")
    ]
    assert lapsed[0].detail == "papertrail-dpa expired on 2028-04-30"
    back = compare_registers(after, before, baseline="x").items
    assert [(c.kind, c.recipient) for c in back] == [("agreement added", "papertrail")]


def test_apps_and_recipients_that_come_and_go() -> None:
    estate = demo_facts()
    fewer = dataclasses.replace(
        estate, apps=tuple(a for a in estate.apps if a.name != "jdoe-thesis")
    )
    before, after = register_of(estate), register_of(fewer)
    assert [(c.kind, c.app) for c in compare_registers(before, after, baseline="x").items] == [
        ("app gone", "jdoe-thesis")
    ]
    assert [(c.kind, c.app) for c in compare_registers(after, before, baseline="x").items] == [
        ("new app", "jdoe-thesis")
    ]


def test_a_register_of_nothing_or_with_unread_facts_is_incomplete() -> None:
    assert register_of().complete
    assert not Register(generated_at=datetime(2026, 6, 1, tzinfo=UTC)).complete
    estate = demo_facts()
    from gatekeeper.facts import FactError

    broken = tuple(
        dataclasses.replace(a, errors=(FactError(fact="addons", message="503"),))
        if a.name == "survey"
        else a
        for a in estate.apps
    )
    assert not register_of(dataclasses.replace(estate, apps=broken)).complete
