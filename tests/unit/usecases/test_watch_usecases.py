"""The use cases of ``gatekeeper serve`` without a server: receiving a webhook delivery,
re-checking an app after it (fail closed, notified when the decision changes), the audit
scope, and the worker's schedule. The store is a real SQLite database in memory."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from usecase_fakes import ALLOWED, BLOCKED, TODAY, FakeSource, demo_facts, university

from gatekeeper.collect.scope import AuditScope
from gatekeeper.errors import ApiError, NotificationError, UsageError
from gatekeeper.store.live import LiveStore
from gatekeeper.store.sqlite import SQLiteStore
from gatekeeper.usecases.events import receive_event, signature_of, signed
from gatekeeper.usecases.watch import audit_scope, direction, recheck_app

SECRET = "whsec-unit"


@pytest.fixture
def live() -> Iterator[LiveStore]:
    store = SQLiteStore(":memory:")
    yield store
    store.close()


def body(**fields: Any) -> bytes:
    document = {"id": "ev-1", "resource": "addon", "action": "create"}
    document.update(fields)
    return json.dumps(document).encode()


def test_the_signature_is_heroku_s_and_compared_whole() -> None:
    # base64(HMAC-SHA256(secret, body)), as `openssl dgst -sha256 -hmac s -binary | base64` says
    assert signature_of(b"{}", "s") == "FDyo1Re6GxgQJdcysc8nXZAQT8pXuwKlZVQpeKoYxLY="
    assert signed(b"{}", signature_of(b"{}", "s"), "s")
    for wrong in (None, "", signature_of(b"{}", "t"), signature_of(b"{} ", "s")):
        assert not signed(b"{}", wrong, "s")
    assert not signed(b"{}", signature_of(b"{}", ""), "")  # no secret: nothing is signed


@pytest.mark.parametrize(
    ("data", "app"),
    [
        ({"resource": "addon", "data": {"app": {"name": "survey"}}}, "survey"),
        ({"resource": "release", "data": {"app": {"name": "survey"}}}, "survey"),
        ({"resource": "app", "data": {"name": "econ-game"}}, "econ-game"),
        ({"resource": "addon", "data": {"name": "papertrail-x"}}, None),  # not an app's name
        ({"resource": "app", "data": {"name": "../etc"}}, None),
        ({"resource": "dyno", "data": {"app": {"name": "Not An App"}}}, None),
    ],
)
def test_the_app_an_event_names(live: LiveStore, data: dict[str, Any], app: str | None) -> None:
    raw = body(**data)
    received = receive_event(
        live, raw, signature=signature_of(raw, SECRET), delivery_id=None, secret=SECRET
    )
    assert received.status == "accepted" and received.event is not None
    assert received.event.app_name == app
    assert live.pending_jobs() == (1 if app else 0)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"id": "x"}', "no resource and action"),
        (b'{"resource": "app", "action": "update"}', "neither an event id nor a delivery id"),
    ],
)
def test_a_signed_body_that_is_no_event_is_refused(
    live: LiveStore, raw: bytes, reason: str
) -> None:
    received = receive_event(
        live, raw, signature=signature_of(raw, SECRET), delivery_id=None, secret=SECRET
    )
    assert received.status == "invalid" and reason in received.reason
    assert live.recent_events() == []


def test_only_what_the_dashboard_shows_is_kept(live: LiveStore) -> None:
    raw = body(
        data={"app": {"name": "survey"}, "config_vars": {"DATABASE_URL": "postgres://u:p@h/d"}},
        actor={"email": "researcher@uni-example.edu"},
        published_at="2026-11-25T10:00:00Z",
    )
    receive_event(live, raw, signature=signature_of(raw, SECRET), delivery_id="d-1", secret=SECRET)
    with live._unit("read") as conn:  # type: ignore[attr-defined]
        (kept,) = conn.execute("SELECT body_json FROM webhook_events").fetchone()
    assert json.loads(kept) == {
        "id": "ev-1",
        "resource": "addon",
        "action": "create",
        "app": "survey",
        "published_at": "2026-11-25T10:00:00Z",
    }


def test_direction() -> None:
    assert direction(None, "block") is None
    assert direction("allow", "allow") is None
    assert direction("allow", "warn") == "worse" and direction("warn", "block") == "worse"
    assert direction("block", "allow") == "better"


def test_a_recheck_records_the_state_and_notifies_a_change(live: LiveStore) -> None:
    sent: list[dict[str, Any]] = []
    source = FakeSource(demo_facts())
    first = recheck_app(
        BLOCKED, policy=university(), source=source, store=live, notify=sent.append, today=TODAY
    )
    assert (first.decision, first.previous, first.notified) == ("block", None, False)
    state = live.app_state(BLOCKED)
    assert state is not None and state.summary.source == "event"
    assert json.loads(state.app_json)["name"] == BLOCKED
    again = recheck_app(
        BLOCKED, policy=university(), source=source, store=live, notify=sent.append, today=TODAY
    )
    assert again.previous == "block" and not again.notified and sent == []


class FailingSource(FakeSource):
    def collect(self, *args: Any, **kwargs: Any) -> Any:
        raise ApiError("Heroku answered 503 for /apps/econ-game.", status=503)


def test_a_recheck_that_cannot_read_the_facts_records_a_block(live: LiveStore) -> None:
    sent: list[dict[str, Any]] = []
    recheck_app(
        ALLOWED, policy=university(), source=FakeSource(demo_facts()), store=live, today=TODAY
    )
    outcome = recheck_app(
        ALLOWED, policy=university(), source=FailingSource(demo_facts()), store=live,
        notify=sent.append, today=TODAY,
    )  # fmt: skip
    assert outcome.decision == "block" and outcome.failure and "503" in outcome.failure
    state = live.app_state(ALLOWED)
    assert state is not None and state.summary.decision == "block"
    app = json.loads(state.app_json)
    assert app["team"] == "econ-lab"  # what was known of it stays
    assert [f["rule"] for f in app["findings"]] == ["api-error"]
    assert sent[0]["decision_change"] == {
        "app": ALLOWED, "from": "allow", "to": "block", "direction": "worse",
    }  # fmt: skip


def test_a_failed_notification_is_the_outcome_s_not_lost_state(live: LiveStore) -> None:
    def refuse(payload: dict[str, Any]) -> None:
        raise NotificationError("The notification webhook answered HTTP 500.")

    recheck_app(
        ALLOWED, policy=university(), source=FakeSource(demo_facts()), store=live, today=TODAY
    )
    outcome = recheck_app(
        ALLOWED, policy=university(), source=FailingSource(demo_facts()), store=live,
        notify=refuse, today=TODAY,
    )  # fmt: skip
    assert isinstance(outcome.notify_failure, NotificationError) and not outcome.notified
    state = live.app_state(ALLOWED)
    assert state is not None and state.summary.decision == "block"


@pytest.mark.parametrize(
    ("text", "scope"),
    [
        ("enterprise:uni-example", AuditScope(enterprises=("uni-example",))),
        ("team:psych-lab, team:bio-lab", AuditScope(teams=("bio-lab", "psych-lab"))),
        ("all", AuditScope(everything=True)),
    ],
)
def test_the_audit_scope(text: str, scope: AuditScope) -> None:
    assert audit_scope(text) == scope


@pytest.mark.parametrize("text", ["", "psych-lab", "space:uni-frankfurt", "team:"])
def test_a_bad_audit_scope_names_the_variable(text: str) -> None:
    with pytest.raises(UsageError, match="GATEKEEPER_AUDIT_SCOPE"):
        audit_scope(text)


def test_an_error_that_is_not_could_not_evaluate_is_not_swallowed(live: LiveStore) -> None:
    class Broken(FakeSource):
        def collect(self, *args: Any, **kwargs: Any) -> Any:
            raise UsageError("snapshot lacks it")

    with pytest.raises(UsageError):
        recheck_app(ALLOWED, policy=university(), source=Broken(demo_facts()), store=live)
    assert live.app_state(ALLOWED) is None


def test_what_expires_within_the_policy_s_warning_window() -> None:
    from datetime import date

    from gatekeeper.usecases.dashboard import expiring

    # The university policy: papertrail-dpa and a waiver end 2028-04-30, sendgrid-dpa and
    # another waiver 2028-05-31; the window is 60 days.
    soon = expiring(university(), date(2028, 4, 1))
    assert [(e.kind, e.label, e.days_left) for e in soon] == [
        ("waiver", "addon-location-not-allowed * papertrail", 29),
        ("agreement", "papertrail-dpa", 29),
        ("waiver", "addon-location-not-allowed * sendgrid", 60),
        ("agreement", "sendgrid-dpa", 60),
    ]  # by date, then label
    assert expiring(university(), date(2026, 12, 1)) == []
    assert all(e.days_left >= 0 for e in expiring(university(), date(2028, 5, 15)))


def test_an_agreement_not_yet_signed_is_not_expiring() -> None:
    from datetime import date

    from gatekeeper.policy import loads_policy
    from gatekeeper.usecases.dashboard import expiring

    policy = loads_policy(
        """
version = 1
[[agreements]]
id = "future-dpa"
addon_services = ["papertrail"]
countries = ["DE"]
signed = 2027-01-10
expires = 2027-01-20
[[agreements]]
id = "current-dpa"
addon_services = ["sendgrid"]
countries = ["DE"]
expires = 2027-01-20
"""
    )
    # On 2027-01-05 both end within the 60-day window; only the one in force is expiring.
    assert [e.label for e in expiring(policy, date(2027, 1, 5))] == ["current-dpa"]
    assert [e.label for e in expiring(policy, date(2027, 1, 15))] == ["current-dpa", "future-dpa"]
