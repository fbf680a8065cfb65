"""The audit history store: what every backend (SQLite, PostgreSQL) offers.

Each ``gatekeeper audit`` is recorded as one row: the whole report (serialized with pydantic,
not with the versioned JSON contract, so the store never depends on a formatter), its
summary, decision and scope; beside it, one row per open (unwaived) finding: its fingerprint
and the finding alone (schema version 2); and the DPO's register of the audit, when the
auditor gave one (schema version 3, for ``register --from-history`` and the register's
changes). ``audit --since-last`` reads the latest record of the same scope and compares
fingerprints (``gatekeeper.compare``) against those rows, loading only the findings that were
resolved, never the whole previous report (at 10,000 apps that report is over 100 MB as
objects); ``gatekeeper history`` lists records.

Guarantees every backend keeps (docs/history.md):

- One record is one transaction: an audit that fails or is interrupted while recording
  leaves no partial row, and the records before it untouched.
- The schema is versioned in a ``meta`` table and created or migrated when the store opens.
- Every failure is a ``StoreError`` (exit 3) naming the store: one that cannot be reached,
  and one whose stored values do not read back (a damaged file, a schema version that is
  not a number), which also names the audit. Only a store written by a newer gatekeeper is
  a ``StoreSchemaError`` (exit 2).
- No message ever shows a database password (``gatekeeper.redact``).
- Thread-safe: one open store may be shared by any number of threads (the requests of a web
  server). Each call is one unit of work on a connection of its own, borrowed from the
  store's small pool and given back; calls never see a half-recorded audit. ``close`` ends
  the store for every thread.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from gatekeeper.errors import UsageError
from gatekeeper.store.schema import SCHEMA_VERSION as SCHEMA_VERSION

if TYPE_CHECKING:
    from gatekeeper.register.model import Register
    from gatekeeper.results import Decision, Finding, Report

ALL_SCOPE = "all"


@dataclass(frozen=True)
class AuditRecord:
    """One recorded audit, without its report: what ``gatekeeper history`` lists."""

    id: int
    recorded_at: datetime  # when the store wrote it (UTC)
    generated_at: datetime  # when the report was generated
    scope: str  # normalized, e.g. "team:bio-lab,team:psych-lab" or "all"
    source: str  # where the facts came from, e.g. "api https://api.heroku.com"
    decision: Decision
    allow: int  # apps allowed
    warn: int  # apps with warnings
    block: int  # apps blocked
    findings: int  # all findings, waived ones included
    waived: int  # findings a waiver covers
    policy_sha256: str | None = None

    @property
    def label(self) -> str:
        """How a comparison names this audit: ``audit #12 of 2026-11-25T02:00:00Z``."""
        return f"audit #{self.id} of {format_utc(self.generated_at)}"


@dataclass(frozen=True)
class StoredAudit:
    """A recorded audit with its full report, as ``latest`` and ``get`` return it."""

    record: AuditRecord
    report: Report


class AuditStore(Protocol):
    """A history of audits, safe to share between threads (see above). Open one with
    ``gatekeeper.store.open_store``."""

    @property
    def location(self) -> str:
        """Where the store is, safe to print (a path, or a URL without its password)."""
        ...

    def record(
        self, report: Report, *, scope: str, source: str, register: Register | None = None
    ) -> AuditRecord:
        """Store ``report`` (and the audit's ``register``, when given) as one new audit of
        ``scope``, in one transaction."""
        ...

    def register(self, audit_id: int) -> Register | None:
        """The register recorded with the audit, or None (none was, or no such audit)."""
        ...

    def latest(self, scope: str) -> StoredAudit | None:
        """The last audit recorded for exactly this scope, or None."""
        ...

    def get(self, audit_id: int) -> StoredAudit | None:
        """The audit with this id, or None."""
        ...

    def latest_record(self, scope: str) -> AuditRecord | None:
        """The last audit recorded for exactly this scope, without its report, or None."""
        ...

    def open_fingerprints(self, audit_id: int) -> set[str] | None:
        """The fingerprints of the audit's open (unwaived) findings.

        None when the audit was recorded before schema version 2 and has no finding rows
        (compare with its whole report, ``get``, instead).
        """
        ...

    def open_findings(self, audit_id: int, fingerprints: Collection[str]) -> list[Finding]:
        """The audit's open findings with these fingerprints (in no particular order).

        When a fingerprint occurs more than once in the report, the first such finding
        (``Report.all_findings`` order) is the one stored.
        """
        ...

    def list(self, limit: int = 20, scope: str | None = None) -> list[AuditRecord]:
        """The newest ``limit`` audits (newest first), of one scope or of all."""
        ...

    def close(self) -> None:
        """Release the connection. Closing twice is harmless."""
        ...


def normalize_scope(scope: str) -> str:
    """One spelling per scope, so ``team:b,team:a`` and ``team:a, team:b`` match.

    Parts are ``kind:name`` (``team:psych-lab``, ``enterprise:uni-example``) or ``all``;
    they are stripped, de-duplicated and sorted. ``all`` with anything else is just ``all``.
    """
    parts = sorted({part.strip() for part in scope.split(",") if part.strip()})
    if not parts:
        raise UsageError(
            "The audit scope is empty.", hint='Use "all" or parts like "team:psych-lab".'
        )
    if ALL_SCOPE in parts:
        return ALL_SCOPE
    for part in parts:
        kind, sep, name = part.partition(":")
        if not sep or not kind or not name:
            raise UsageError(
                f"The audit scope part {part!r} is not of the form kind:name.",
                hint='Use "all" or parts like "team:psych-lab" or "enterprise:uni-example".',
            )
    return ",".join(parts)


def scope_of(
    *,
    teams: tuple[str, ...] | list[str] = (),
    enterprises: tuple[str, ...] | list[str] = (),
    everything: bool = False,
) -> str:
    """The scope string of an audit run with ``--team``/``--enterprise``/``--all``."""
    if everything:
        return ALL_SCOPE
    parts = [f"team:{t}" for t in teams] + [f"enterprise:{e}" for e in enterprises]
    return normalize_scope(",".join(parts))


def format_utc(moment: datetime) -> str:
    """``2026-11-25T02:00:00Z``: ISO 8601 in UTC to the second (naive times are taken as UTC)."""
    from datetime import UTC

    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
