"""What the backends share: the columns of an audit row, and report (de)serialization.

Reports are stored as pydantic's own JSON (``Report.model_dump_json``), which round-trips
every field of the model; the versioned ``gatekeeper.report/v1`` contract is a rendering for
users and is deliberately not used here. Since schema version 2 that JSON is compressed with
zlib (``report_zlib``; ``report_json`` is then empty) and written app by app, so that the
JSON of a 10,000-app report (about 30 MB) never exists whole in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, cast

from gatekeeper.errors import StoreError, StoreSchemaError
from gatekeeper.store.interface import SCHEMA_VERSION, AuditRecord

if TYPE_CHECKING:
    from gatekeeper.results import Decision, Finding, Report

# The columns every backend selects for an AuditRecord, in this order.
RECORD_COLUMNS = (
    "id",
    "recorded_at",
    "generated_at",
    "scope",
    "source",
    "decision",
    "allow_count",
    "warn_count",
    "block_count",
    "findings_count",
    "waived_count",
    "policy_sha256",
)


@dataclass(frozen=True)
class NewAudit:
    """The values of one audit row, computed before the transaction opens."""

    recorded_at: datetime
    generated_at: datetime
    scope: str
    source: str
    decision: Decision
    allow: int
    warn: int
    block: int
    findings: int
    waived: int
    policy_sha256: str | None
    report_zlib: bytes


def new_audit(report: Report, *, scope: str, source: str) -> NewAudit:
    """Serialize and summarize ``report`` (the slow part, done outside any transaction)."""
    summary = report.summary
    findings = report.all_findings()
    return NewAudit(
        recorded_at=datetime.now(UTC),
        generated_at=as_utc(report.generated_at),
        scope=scope,
        source=source,
        decision=report.decision,
        allow=summary.allow,
        warn=summary.warn,
        block=summary.block,
        findings=len(findings),
        waived=sum(1 for f in findings if f.waived),
        policy_sha256=report.policy_sha256,
        report_zlib=compressed_report(report),
    )


def compressed_report(report: Report) -> bytes:
    """``zlib.compress(report.model_dump_json().encode())``, made one app at a time."""
    import zlib

    head = report.model_copy(update={"apps": ()}).model_dump_json()
    # Inside JSON strings quotes are escaped, so this is the field and nothing else.
    before, apps_field, after = head.partition('"apps":[]')
    if not apps_field:  # pragma: no cover - the model always has the field
        raise RuntimeError("the report JSON has no apps field")
    compressor = zlib.compressobj()
    parts = [compressor.compress(before.encode()), compressor.compress(b'"apps":[')]
    for index, app in enumerate(report.apps):
        text = app.model_dump_json().encode()
        parts.append(compressor.compress(b"," + text if index else text))
    parts += [compressor.compress(b"]" + after.encode()), compressor.flush()]
    return b"".join(parts)


def open_finding_rows(report: Report) -> Iterator[tuple[str, str]]:
    """``(fingerprint, finding JSON)`` of each open finding of ``report``, the first one per
    fingerprint, as ``gatekeeper.compare.open_findings`` picks them. A generator: the backends
    insert row by row, so the serialized findings never exist all at once."""
    from gatekeeper.compare import open_findings

    for fp, finding in open_findings(report.all_findings()).items():
        yield fp, finding.model_dump_json()


def load_findings(texts: list[str], *, audit_id: int, location: str) -> list[Finding]:
    """Stored finding rows of one audit; a row that no longer parses is a store error."""
    from pydantic import ValidationError

    from gatekeeper.results import Finding

    try:
        return [Finding.model_validate_json(text) for text in texts]
    except ValidationError as exc:
        raise StoreError(
            f"A finding of audit #{audit_id} in the history store {location} could not be "
            f"read ({exc.error_count()} problem(s), first: {exc.errors()[0]['msg']}).",
            hint="It may have been written by another version of gatekeeper.",
        ) from None


def chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    """``items`` in lists of at most ``size`` (bound parameters per query are limited)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def record_from_row(row: tuple[object, ...]) -> AuditRecord:
    """An ``AuditRecord`` from a row of ``RECORD_COLUMNS`` (timestamps as datetime or ISO text)."""
    (
        audit_id,
        recorded_at,
        generated_at,
        scope,
        source,
        decision,
        allow,
        warn,
        block,
        findings,
        waived,
        policy_sha256,
    ) = row
    return AuditRecord(
        id=int(cast(int, audit_id)),
        recorded_at=_moment(recorded_at),
        generated_at=_moment(generated_at),
        scope=str(scope),
        source=str(source),
        decision=cast("Decision", str(decision)),
        allow=int(cast(int, allow)),
        warn=int(cast(int, warn)),
        block=int(cast(int, block)),
        findings=int(cast(int, findings)),
        waived=int(cast(int, waived)),
        policy_sha256=None if policy_sha256 is None else str(policy_sha256),
    )


def load_report(text: str, compressed: bytes | None, *, audit_id: int, location: str) -> Report:
    """The stored report of one audit (``compressed`` when written since schema version 2,
    else ``text``); a record that no longer parses is a store error."""
    import zlib

    from pydantic import ValidationError

    from gatekeeper.results import Report

    try:
        data = text if compressed is None else zlib.decompress(compressed)
    except zlib.error as exc:
        raise StoreError(
            f"Audit #{audit_id} in the history store {location} could not be read ({exc}).",
        ) from None
    try:
        return Report.model_validate_json(data)
    except ValidationError as exc:
        raise StoreError(
            f"Audit #{audit_id} in the history store {location} could not be read "
            f"({exc.error_count()} problem(s), first: {exc.errors()[0]['msg']}).",
            hint="It may have been written by another version of gatekeeper.",
        ) from None


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _moment(value: object) -> datetime:
    if isinstance(value, datetime):
        return as_utc(value)
    return as_utc(datetime.fromisoformat(str(value)))


def checked_version(location: str, version: int) -> int:
    """``version`` of the store at ``location``, refused when a newer gatekeeper wrote it:
    this one would misread the tables (exit 2, not a guess)."""
    if version > SCHEMA_VERSION:
        raise StoreSchemaError(
            f"The history store {location} has schema version {version}; this gatekeeper "
            f"knows version {SCHEMA_VERSION} at most.",
            hint="Upgrade gatekeeper, or use another store with --store.",
        )
    return version
