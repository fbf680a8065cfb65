"""The live state of the estate, for ``gatekeeper serve`` (issue 14): what the store keeps
beside the audit history.

- **App states**: the current state of each app (its decision, where it came from, the app
  as in the ``gatekeeper.report/v1`` contract), written by every audit (``source`` "audit")
  and by every re-check after a Heroku webhook (``source`` "event"). Each state written is
  also one row of the app's history. A state older than the one stored is not written
  (a slow re-check never overwrites a newer audit).
- **Webhook events**: each delivery received, once (a delivery or event id seen before is a
  duplicate), with only the fields the dashboard shows.
- **Jobs**: the worker's queue (re-check an app, run an audit): queued, running (claimed by
  one worker, with a lease), done. A job whose worker died is claimed again once its lease
  has run out, so an event is processed at least once; the work is idempotent (the app's
  state is simply written again).

Lists are read in SQL, a page at a time (keyset pagination by app name), and never load an
app's JSON to list it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal, Protocol

from gatekeeper.store.interface import AuditStore

if TYPE_CHECKING:
    from gatekeeper.results import Decision

StateSource = Literal["audit", "event"]
JobKind = Literal["recheck", "audit"]
JobState = Literal["queued", "running", "done"]


@dataclass(frozen=True)
class AppSummary:
    """One app in a list: its current decision, without its findings."""

    name: str
    team: str | None
    region: str | None
    decision: Decision
    checked_at: datetime
    source: StateSource
    previous_decision: Decision | None = None


@dataclass(frozen=True)
class AppState:
    """The current state of one app: the summary and the app's v1 JSON (``app_json``)."""

    summary: AppSummary
    app_json: str
    audit_id: int | None = None


@dataclass(frozen=True)
class AppPage:
    """One page of apps, by name; ``after`` is the last name of it when more follow."""

    apps: list[AppSummary]
    after: str | None


@dataclass(frozen=True)
class AppCheck:
    """One entry of an app's decision history."""

    decision: Decision
    checked_at: datetime
    source: StateSource
    audit_id: int | None


@dataclass(frozen=True)
class NewEvent:
    """A received webhook delivery, reduced to what is kept (never a secret)."""

    delivery_id: str | None
    event_id: str | None
    resource: str
    action: str
    app_name: str | None
    received_at: datetime
    body_json: str


@dataclass(frozen=True)
class StoredEvent:
    id: int
    resource: str
    action: str
    app_name: str | None
    received_at: datetime


@dataclass(frozen=True)
class Job:
    id: int
    kind: JobKind
    app_name: str | None
    state: JobState
    attempts: int
    claimed_by: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Counts:
    """Apps by decision, overall and by team (``None``: personal accounts)."""

    overall: Mapping[str, int]
    by_team: Mapping[str | None, Mapping[str, int]]


class LiveStore(AuditStore, Protocol):
    """An ``AuditStore`` that also keeps the live state (see above)."""

    def record_app_states(self, states: Iterable[AppState]) -> None:
        """Write each state (and its history row) in one transaction; a state older than
        the one stored for the app is skipped."""
        ...

    def app_state(self, name: str) -> AppState | None: ...

    def list_apps(
        self,
        *,
        decision: str | None = None,
        team: str | None = None,
        after: str | None = None,
        limit: int = 50,
    ) -> AppPage:
        """Apps by name after ``after``, filtered by decision and team, ``limit`` at most."""
        ...

    def app_counts(self) -> Counts: ...

    def changed_since(self, moment: datetime, *, limit: int = 50) -> list[AppSummary]:
        """Apps re-checked after an event since ``moment`` (the last audit), newest first."""
        ...

    def app_history(self, name: str, *, limit: int = 50) -> list[AppCheck]:
        """The app's decisions, newest first."""
        ...

    def record_event(self, event: NewEvent) -> StoredEvent | None:
        """Store ``event`` and, when it names an app, queue a re-check of it, in one
        transaction. None (and nothing written) when its delivery or event id was seen."""
        ...

    def recent_events(self, *, limit: int = 20) -> list[StoredEvent]: ...

    def queue_job(self, kind: JobKind, app_name: str | None = None) -> int:
        """Queue a job, or return the id of the same job already waiting (not yet claimed)."""
        ...

    def claim_job(self, worker: str, *, lease: timedelta) -> Job | None:
        """The oldest job that is queued, or running with a lease older than ``lease``,
        now running for ``worker``; None when there is none. Two workers never get the same
        job at once."""
        ...

    def finish_job(self, job_id: int, worker: str, *, error: str | None = None) -> bool:
        """Mark the job done; False when ``worker`` no longer holds it (its lease ran out
        and another worker claimed it)."""
        ...

    def get_job(self, job_id: int) -> Job | None: ...

    def pending_jobs(self, kind: JobKind | None = None) -> int:
        """Jobs not done yet (of one kind, or all)."""
        ...
