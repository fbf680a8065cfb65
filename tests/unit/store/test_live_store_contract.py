"""The live state of ``gatekeeper serve`` (``gatekeeper.store.live``), written once and run
against each backend: SQLite here, PostgreSQL in tests/interop/test_postgres_store.py (both
inherit ``LiveContract`` and provide ``store_factory``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from unit.store.test_store_contract import StoreFactory, run_together

from gatekeeper.errors import StoreError
from gatekeeper.store.live import AppState, AppSummary, LiveStore, NewEvent
from gatekeeper.store.sqlite import SQLiteStore

T0 = datetime(2026, 11, 25, 2, 0, 0, tzinfo=UTC)


def state(
    name: str,
    decision: str = "allow",
    *,
    at: datetime = T0,
    source: str = "audit",
    team: str | None = "psych-lab",
    audit_id: int | None = None,
) -> AppState:
    summary = AppSummary(name, team, "eu", decision, at, source)  # type: ignore[arg-type]
    return AppState(summary, f'{{"name": "{name}", "decision": "{decision}"}}', audit_id)


def event(delivery: str | None, event_id: str | None, app: str | None = "survey") -> NewEvent:
    return NewEvent(delivery, event_id, "api:addon", "create", app, T0, '{"resource": "addon"}')


class LiveContract:
    @pytest.fixture
    def live(self, store_factory: StoreFactory) -> LiveStore:
        return store_factory()  # type: ignore[return-value]

    def test_app_states_are_written_and_read(self, live: LiveStore) -> None:
        live.record_app_states([state("survey", "block", audit_id=None)])
        stored = live.app_state("survey")
        assert stored is not None
        assert stored.summary.decision == "block" and stored.summary.source == "audit"
        assert stored.summary.checked_at == T0
        assert stored.app_json == '{"name": "survey", "decision": "block"}'
        assert live.app_state("nothing") is None

    def test_a_newer_state_replaces_and_keeps_the_previous_decision(self, live: LiveStore) -> None:
        live.record_app_states([state("survey", "allow")])
        later = T0 + timedelta(minutes=5)
        live.record_app_states([state("survey", "block", at=later, source="event")])
        stored = live.app_state("survey")
        assert stored is not None
        assert (stored.summary.decision, stored.summary.previous_decision) == ("block", "allow")
        assert stored.summary.source == "event"
        assert [(c.decision, c.source) for c in live.app_history("survey")] == [
            ("block", "event"),
            ("allow", "audit"),
        ]

    def test_an_older_state_never_overwrites_a_newer_one(self, live: LiveStore) -> None:
        live.record_app_states([state("survey", "block", at=T0 + timedelta(hours=1))])
        live.record_app_states([state("survey", "allow", at=T0, source="event")])
        stored = live.app_state("survey")
        assert stored is not None and stored.summary.decision == "block"

    def test_apps_are_listed_in_pages_with_filters(self, live: LiveStore) -> None:
        live.record_app_states(
            [
                state(f"app-{i:02d}", ("allow", "warn", "block")[i % 3], team=f"t{i % 2}")
                for i in range(10)
            ]
        )
        first = live.list_apps(limit=4)
        assert [a.name for a in first.apps] == ["app-00", "app-01", "app-02", "app-03"]
        assert first.after == "app-03"
        second = live.list_apps(limit=4, after=first.after)
        third = live.list_apps(limit=4, after=second.after)
        assert [a.name for a in third.apps] == ["app-08", "app-09"] and third.after is None
        blocked = live.list_apps(decision="block")
        assert [a.name for a in blocked.apps] == ["app-02", "app-05", "app-08"]
        both = live.list_apps(decision="block", team="t0")
        assert [a.name for a in both.apps] == ["app-02", "app-08"]
        assert live.list_apps(team="nobody").apps == []

    def test_counts_overall_and_by_team(self, live: LiveStore) -> None:
        live.record_app_states(
            [state("a", "block"), state("b", "allow"), state("c", "warn", team=None)]
        )
        counts = live.app_counts()
        assert dict(counts.overall) == {"allow": 1, "warn": 1, "block": 1}
        assert dict(counts.by_team["psych-lab"]) == {"allow": 1, "warn": 0, "block": 1}
        assert dict(counts.by_team[None]) == {"allow": 0, "warn": 1, "block": 0}

    def test_changed_since_lists_event_rechecks_only(self, live: LiveStore) -> None:
        live.record_app_states([state("a"), state("b")])
        live.record_app_states([state("b", "block", at=T0 + timedelta(minutes=1), source="event")])
        assert [a.name for a in live.changed_since(T0)] == ["b"]
        assert live.changed_since(T0 + timedelta(minutes=2)) == []

    def test_an_event_is_stored_once_and_queues_one_recheck(self, live: LiveStore) -> None:
        stored = live.record_event(event("d-1", "e-1"))
        assert stored is not None and stored.app_name == "survey"
        assert live.record_event(event("d-1", "e-other")) is None  # same delivery
        assert live.record_event(event("d-other", "e-1")) is None  # same event
        assert live.record_event(event(None, "e-1")) is None
        assert [e.id for e in live.recent_events()] == [stored.id]
        assert live.pending_jobs() == 1
        job = live.claim_job("w", lease=timedelta(minutes=1))
        assert job is not None and (job.kind, job.app_name) == ("recheck", "survey")

    def test_an_event_without_an_app_is_stored_without_a_job(self, live: LiveStore) -> None:
        assert live.record_event(event("d-2", "e-2", app=None)) is not None
        assert live.pending_jobs() == 0

    def test_a_waiting_recheck_is_not_queued_twice(self, live: LiveStore) -> None:
        first = live.queue_job("recheck", "survey")
        assert live.queue_job("recheck", "survey") == first
        assert live.queue_job("recheck", "other") != first
        assert live.queue_job("audit") != live.queue_job("recheck", "third")
        assert live.queue_job("audit") == live.queue_job("audit")
        assert (live.pending_jobs("audit"), live.pending_jobs("recheck"), live.pending_jobs()) == (
            1,
            3,
            4,
        )

    def test_claim_finish_and_the_lease(self, live: LiveStore) -> None:
        job_id = live.queue_job("recheck", "survey")
        lease = timedelta(minutes=10)
        job = live.claim_job("w1", lease=lease)
        assert job is not None and job.id == job_id and job.attempts == 1
        assert job.state == "running" and job.claimed_by == "w1"
        assert live.claim_job("w2", lease=lease) is None  # held by w1
        # w1 died: once its lease has run out, w2 claims the job again.
        again = live.claim_job("w2", lease=timedelta(0))
        assert again is not None and again.id == job_id and again.attempts == 2
        assert live.finish_job(job_id, "w1") is False  # no longer w1's
        assert live.finish_job(job_id, "w2", error=None) is True
        done = live.get_job(job_id)
        assert done is not None and done.state == "done"
        assert live.claim_job("w3", lease=timedelta(0)) is None
        assert live.pending_jobs() == 0

    def test_a_recheck_can_be_queued_while_one_runs(self, live: LiveStore) -> None:
        running = live.queue_job("recheck", "survey")
        assert live.claim_job("w", lease=timedelta(minutes=1)) is not None
        # An event after the running check started needs a check of its own.
        assert live.queue_job("recheck", "survey") != running

    def test_two_workers_never_claim_the_same_job(self, store_factory: StoreFactory) -> None:
        setup: LiveStore = store_factory()  # type: ignore[assignment]
        ids = {setup.queue_job("recheck", f"app-{i}") for i in range(30)}
        claims: dict[str, list[int]] = {}
        lock = threading.Lock()

        def worker(name: str) -> None:
            own: LiveStore = store_factory()  # type: ignore[assignment]
            while (job := own.claim_job(name, lease=timedelta(minutes=5))) is not None:
                with lock:
                    claims.setdefault(name, []).append(job.id)
                assert own.finish_job(job.id, name)

        run_together(worker, ["w1", "w2", "w3"])
        claimed = [i for got in claims.values() for i in got]
        assert sorted(claimed) == sorted(ids)  # each job once, none lost

    def test_a_closed_store_fails_as_a_store_error(self, live: LiveStore) -> None:
        live.close()
        with pytest.raises(StoreError):
            live.list_apps()


@pytest.fixture
def store_factory(tmp_path: Path) -> Iterator[StoreFactory]:
    opened: list[SQLiteStore] = []

    def factory() -> SQLiteStore:
        store = SQLiteStore(tmp_path / "live.sqlite3")
        opened.append(store)
        return store

    yield factory
    for store in opened:
        store.close()


class TestSQLiteLive(LiveContract):
    pass
