"""The live-state queries of ``SQLStore`` (``gatekeeper.store.live``), for every dialect.

A mixin of ``SQLStore``, which provides the connection units, transactions and rendering;
the only dialect difference here is how a job is claimed (``Dialect.row_lock``): PostgreSQL
locks the row it picks and lets other workers skip it, SQLite's write transaction already
excludes every other writer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast, get_args

from gatekeeper.store import _rows
from gatekeeper.store.live import (
    AppCheck,
    AppPage,
    AppState,
    AppSummary,
    Counts,
    Job,
    JobKind,
    NewEvent,
    StoredEvent,
)

if TYPE_CHECKING:
    from gatekeeper.store.dialect import Connection, Dialect

_SUMMARY = "name, team, region, decision, checked_at, source, previous_decision"
_UPSERT_STATE = (
    "INSERT INTO {s}app_states AS cur (name, team, region, decision, previous_decision,"
    " checked_at, source, audit_id, app_json) VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?)"
    " ON CONFLICT (name) DO UPDATE SET team = excluded.team, region = excluded.region,"
    " previous_decision = cur.decision, decision = excluded.decision,"
    " checked_at = excluded.checked_at, source = excluded.source,"
    " audit_id = excluded.audit_id, app_json = excluded.app_json"
    " WHERE cur.checked_at <= excluded.checked_at"
)
_INSERT_CHECK = (
    "INSERT INTO {s}app_checks (name, decision, checked_at, source, audit_id)"
    " VALUES (?, ?, ?, ?, ?)"
)
_INSERT_EVENT = (
    "INSERT INTO {s}webhook_events (delivery_id, event_id, resource, action, app_name,"
    " received_at, body_json) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
)
_JOB = "id, kind, app_name, state, attempts, claimed_by, error"
_DECISIONS = ("allow", "warn", "block")


class LiveQueries:
    """The ``LiveStore`` methods; mixed into ``SQLStore``."""

    _dialect: Dialect

    if TYPE_CHECKING:

        def _sql(self, template: str) -> str: ...

        def _unit(self, action: str) -> AbstractContextManager[Connection]: ...

        def _transaction(
            self, conn: Connection, begin: Sequence[str]
        ) -> AbstractContextManager[None]: ...

        def _decoding(self, what: str) -> AbstractContextManager[None]: ...

    # -- app states ----------------------------------------------------------------------

    def record_app_states(self, states: Iterable[AppState]) -> None:
        dialect = self._dialect
        state_rows: list[Sequence[object]] = []
        check_rows: list[Sequence[object]] = []
        for state in states:
            app = state.summary
            when = dialect.timestamp(_rows.as_utc(app.checked_at))
            state_rows.append(
                (
                    app.name,
                    app.team,
                    app.region,
                    app.decision,
                    when,
                    app.source,
                    state.audit_id,
                    state.app_json,
                )
            )
            check_rows.append((app.name, app.decision, when, app.source, state.audit_id))
        with self._unit("write to") as conn, self._transaction(conn, dialect.begin_write):
            dialect.insert_many(conn, self._sql(_UPSERT_STATE), state_rows)
            dialect.insert_many(conn, self._sql(_INSERT_CHECK), check_rows)

    def app_state(self, name: str) -> AppState | None:
        with self._unit("read") as conn:
            query = f"SELECT {_SUMMARY}, audit_id, app_json FROM {{s}}app_states WHERE name = ?"
            row = conn.execute(self._sql(query), (name,)).fetchone()
        if row is None:
            return None
        with self._decoding(f"The state of app {name!r}"):
            audit_id = None if row[7] is None else _rows.whole(row[7], "audit_id")
            return AppState(_summary(row[:7]), _rows.text(row[8], "app_json"), audit_id)

    def list_apps(
        self,
        *,
        decision: str | None = None,
        team: str | None = None,
        after: str | None = None,
        limit: int = 50,
    ) -> AppPage:
        where, params = [], []
        for column, value in (("decision", decision), ("team", team)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if after is not None:
            where.append("name > ?")
            params.append(after)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        query = f"SELECT {_SUMMARY} FROM {{s}}app_states {clause} ORDER BY name LIMIT ?"
        apps = self._summaries(query, (*params, limit + 1))
        more = len(apps) > limit
        apps = apps[:limit]
        return AppPage(apps=apps, after=apps[-1].name if more and apps else None)

    def app_counts(self) -> Counts:
        with self._unit("read") as conn:
            query = "SELECT team, decision, COUNT(*) FROM {s}app_states GROUP BY team, decision"
            rows = conn.execute(self._sql(query)).fetchall()
        overall = dict.fromkeys(_DECISIONS, 0)
        by_team: dict[str | None, dict[str, int]] = {}
        with self._decoding("The app states"):
            for team, decision, count in rows:
                name = None if team is None else _rows.text(team, "team")
                verdict = _decision(decision, "decision")
                overall[verdict] += int(count)
                by_team.setdefault(name, dict.fromkeys(_DECISIONS, 0))[verdict] += int(count)
        return Counts(overall=overall, by_team=by_team)

    def changed_since(self, moment: datetime, *, limit: int = 50) -> list[AppSummary]:
        query = (
            f"SELECT {_SUMMARY} FROM {{s}}app_states WHERE source = 'event' AND checked_at > ?"
            " ORDER BY checked_at DESC, name LIMIT ?"
        )
        return self._summaries(query, (self._dialect.timestamp(_rows.as_utc(moment)), limit))

    def app_history(self, name: str, *, limit: int = 50) -> list[AppCheck]:
        with self._unit("read") as conn:
            query = (
                "SELECT decision, checked_at, source, audit_id FROM {s}app_checks"
                " WHERE name = ? ORDER BY id DESC LIMIT ?"
            )
            rows = conn.execute(self._sql(query), (name, limit)).fetchall()
        with self._decoding(f"The history of app {name!r}"):
            return [
                AppCheck(
                    decision=_decision(decision, "decision"),
                    checked_at=_rows.moment(checked_at, "checked_at"),
                    source=_source(source),
                    audit_id=None if audit_id is None else _rows.whole(audit_id, "audit_id"),
                )
                for decision, checked_at, source, audit_id in rows
            ]

    # -- webhook events ------------------------------------------------------------------

    def record_event(self, event: NewEvent) -> StoredEvent | None:
        dialect = self._dialect
        with self._unit("write to") as conn, self._transaction(conn, dialect.begin_write):
            inserted = conn.execute(
                self._sql(_INSERT_EVENT),
                (
                    event.delivery_id,
                    event.event_id,
                    event.resource,
                    event.action,
                    event.app_name,
                    dialect.timestamp(_rows.as_utc(event.received_at)),
                    event.body_json,
                ),
            )
            if inserted.rowcount == 0:  # a delivery or event seen before
                return None
            key, value = (
                ("delivery_id", event.delivery_id)
                if event.delivery_id is not None
                else ("event_id", event.event_id)
            )
            row = conn.execute(
                self._sql(f"SELECT id FROM {{s}}webhook_events WHERE {key} = ?"), (value,)
            ).fetchone()
            if event.app_name is not None:
                self._queue(conn, "recheck", event.app_name)
        with self._decoding("A webhook event"):
            return StoredEvent(
                id=_rows.whole(row[0], "id"),
                resource=event.resource,
                action=event.action,
                app_name=event.app_name,
                received_at=_rows.as_utc(event.received_at),
            )

    def recent_events(self, *, limit: int = 20) -> list[StoredEvent]:
        with self._unit("read") as conn:
            query = (
                "SELECT id, resource, action, app_name, received_at FROM {s}webhook_events"
                " ORDER BY id DESC LIMIT ?"
            )
            rows = conn.execute(self._sql(query), (limit,)).fetchall()
        with self._decoding("A webhook event"):
            return [
                StoredEvent(
                    id=_rows.whole(row[0], "id"),
                    resource=_rows.text(row[1], "resource"),
                    action=_rows.text(row[2], "action"),
                    app_name=None if row[3] is None else _rows.text(row[3], "app_name"),
                    received_at=_rows.moment(row[4], "received_at"),
                )
                for row in rows
            ]

    # -- jobs ----------------------------------------------------------------------------

    def queue_job(self, kind: JobKind, app_name: str | None = None) -> int:
        with self._unit("write to") as conn, self._transaction(conn, self._dialect.begin_write):
            return self._queue(conn, kind, app_name)

    def claim_job(self, worker: str, *, lease: timedelta) -> Job | None:
        dialect = self._dialect
        now = datetime.now(UTC)
        pick = (
            "SELECT id FROM {s}jobs WHERE state = 'queued' OR (state = 'running'"
            " AND claimed_at < ?) ORDER BY id LIMIT 1" + dialect.row_lock
        )
        with self._unit("write to") as conn, self._transaction(conn, dialect.begin_write):
            row = conn.execute(self._sql(pick), (dialect.timestamp(now - lease),)).fetchone()
            if row is None:
                return None
            conn.execute(
                self._sql(
                    "UPDATE {s}jobs SET state = 'running', claimed_by = ?, claimed_at = ?,"
                    " attempts = attempts + 1 WHERE id = ?"
                ),
                (worker, dialect.timestamp(now), row[0]),
            )
            found = conn.execute(
                self._sql(f"SELECT {_JOB} FROM {{s}}jobs WHERE id = ?"), (row[0],)
            ).fetchone()
        with self._decoding(f"Job #{row[0]}"):
            return _job(found)

    def finish_job(self, job_id: int, worker: str, *, error: str | None = None) -> bool:
        dialect = self._dialect
        with self._unit("write to") as conn, self._transaction(conn, dialect.begin_write):
            done = conn.execute(
                self._sql(
                    "UPDATE {s}jobs SET state = 'done', finished_at = ?, error = ?"
                    " WHERE id = ? AND claimed_by = ? AND state = 'running'"
                ),
                (dialect.timestamp(datetime.now(UTC)), error, job_id, worker),
            )
            return done.rowcount == 1

    def get_job(self, job_id: int) -> Job | None:
        with self._unit("read") as conn:
            row = conn.execute(
                self._sql(f"SELECT {_JOB} FROM {{s}}jobs WHERE id = ?"), (job_id,)
            ).fetchone()
        if row is None:
            return None
        with self._decoding(f"Job #{job_id}"):
            return _job(row)

    def pending_jobs(self, kind: JobKind | None = None) -> int:
        query = "SELECT COUNT(*) FROM {s}jobs WHERE state <> 'done'"
        params: tuple[object, ...] = ()
        if kind is not None:
            query, params = f"{query} AND kind = ?", (kind,)
        with self._unit("read") as conn:
            row = conn.execute(self._sql(query), params).fetchone()
        return int(row[0])

    # -- internals -----------------------------------------------------------------------

    def _queue(self, conn: Connection, kind: JobKind, app_name: str | None) -> int:
        """Inside a write transaction: the waiting job of this kind and app, or a new one.
        A re-check queued behind a waiting one would read the same facts again."""
        same = "app_name = ?" if app_name is not None else "app_name IS NULL"
        waiting = conn.execute(
            self._sql(
                f"SELECT id FROM {{s}}jobs WHERE state = 'queued' AND kind = ? AND {same}"
                " ORDER BY id LIMIT 1"
            ),
            (kind, app_name) if app_name is not None else (kind,),
        ).fetchone()
        if waiting is not None:
            return int(waiting[0])
        return self._dialect.insert(
            conn,
            self._sql(
                "INSERT INTO {s}jobs (kind, app_name, state, queued_at, attempts)"
                " VALUES (?, ?, 'queued', ?, 0)"
            ),
            (kind, app_name, self._dialect.timestamp(datetime.now(UTC))),
        )

    def _summaries(self, query: str, params: Sequence[object]) -> list[AppSummary]:
        with self._unit("read") as conn:
            rows = conn.execute(self._sql(query), params).fetchall()
        with self._decoding("The app states"):
            return [_summary(row) for row in rows]


def _summary(row: Sequence[Any]) -> AppSummary:
    name, team, region, decision, checked_at, source, previous = row
    return AppSummary(
        name=_rows.text(name, "name"),
        team=None if team is None else _rows.text(team, "team"),
        region=None if region is None else _rows.text(region, "region"),
        decision=_decision(decision, "decision"),
        checked_at=_rows.moment(checked_at, "checked_at"),
        source=_source(source),
        previous_decision=None if previous is None else _decision(previous, "previous_decision"),
    )


def _decision(value: object, column: str) -> Any:
    from gatekeeper.results import Decision

    text = _rows.text(value, column)
    if text not in get_args(Decision):
        raise _rows.Unreadable(f"{column} is {text[:20]!r}, not allow, warn or block")
    return text


def _source(value: object) -> Any:
    text = _rows.text(value, "source")
    if text not in ("audit", "event"):
        raise _rows.Unreadable(f"source is {text[:20]!r}, not audit or event")
    return text


def _job(row: Sequence[Any]) -> Job:
    job_id, kind, app_name, state, attempts, claimed_by, error = row
    kind_text = _rows.text(kind, "kind")
    state_text = _rows.text(state, "state")
    if kind_text not in ("recheck", "audit") or state_text not in ("queued", "running", "done"):
        raise _rows.Unreadable(f"kind {kind_text[:20]!r} or state {state_text[:20]!r} unknown")
    return Job(
        id=_rows.whole(job_id, "id"),
        kind=cast(JobKind, kind_text),
        app_name=None if app_name is None else _rows.text(app_name, "app_name"),
        state=cast(Any, state_text),
        attempts=_rows.whole(attempts, "attempts"),
        claimed_by=None if claimed_by is None else _rows.text(claimed_by, "claimed_by"),
        error=None if error is None else _rows.text(error, "error"),
    )
