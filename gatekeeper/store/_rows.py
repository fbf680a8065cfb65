"""What the backends share: the columns of an audit row, and report (de)serialization.

Reports are stored as pydantic's own JSON (``Report.model_dump_json``), which round-trips
every field of the model; the versioned ``gatekeeper.report/v1`` contract is a rendering for
users and is deliberately not used here. Since schema version 2 that JSON is compressed with
zlib (``report_zlib``; ``report_json`` is then empty) and written app by app, so that the
JSON of a 10,000-app report (about 30 MB) never exists whole in memory.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeVar, cast, get_args

from gatekeeper.errors import StoreSchemaError
from gatekeeper.store.interface import AuditRecord
from gatekeeper.store.schema import SCHEMA_VERSION

if TYPE_CHECKING:
    from gatekeeper.register.model import Register
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
    """``zlib.compress(serial.to_json(report).encode())``, made one app at a time."""
    import zlib

    from gatekeeper import serial

    head = serial.to_json(dataclasses.replace(report, apps=()))
    # Inside JSON strings quotes are escaped, so this is the field and nothing else.
    before, apps_field, after = head.partition('"apps":[]')
    if not apps_field:  # pragma: no cover - the model always has the field
        raise RuntimeError("the report JSON has no apps field")
    compressor = zlib.compressobj()
    parts = [compressor.compress(before.encode()), compressor.compress(b'"apps":[')]
    for index, app in enumerate(report.apps):
        text = serial.to_json(app).encode()
        parts.append(compressor.compress(b"," + text if index else text))
    parts += [compressor.compress(b"]" + after.encode()), compressor.flush()]
    return b"".join(parts)


def compressed_register(register: Register) -> bytes:
    """The register as zlib-compressed pydantic JSON (rows are small: one per recipient)."""
    import zlib

    return zlib.compress(register.model_dump_json(by_alias=True).encode())


def load_register(value: object) -> Register:
    """The stored register of one audit (``register_zlib``)."""
    import zlib

    from gatekeeper.register.model import Register

    if not isinstance(value, bytes):
        raise Unreadable("register_zlib is not bytes")
    try:
        data = zlib.decompress(value)
    except zlib.error as exc:
        raise Unreadable(f"register_zlib is not zlib data: {exc}") from None
    return _validated(Register, data)


def open_finding_rows(report: Report) -> Iterator[tuple[str, str]]:
    """``(fingerprint, finding JSON)`` of each open finding of ``report``, the first one per
    fingerprint, as ``gatekeeper.compare.open_findings`` picks them. A generator: the backends
    insert row by row, so the serialized findings never exist all at once."""
    from gatekeeper import serial
    from gatekeeper.compare import open_findings

    for fp, finding in open_findings(report.all_findings()).items():
        yield fp, serial.to_json(finding)


def chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    """``items`` in lists of at most ``size`` (bound parameters per query are limited)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


# -- reading: every stored value is checked, because a store file can be damaged ----------
#
# The decoders raise ``Unreadable`` (never ValueError, TypeError or zlib.error from deep
# inside), and the store turns it into a ``StoreError`` that names the store and the audit.
# SQLite hands text over as bytes (``text_factory``), so that text that is not UTF-8 is found
# here, where the audit is known, instead of inside the driver.


class Unreadable(Exception):
    """A stored value that does not decode; ``str()`` says which and why."""


def record_from_row(row: Sequence[object]) -> AuditRecord:
    """An ``AuditRecord`` from a row of ``RECORD_COLUMNS``."""
    if len(row) != len(RECORD_COLUMNS):
        raise Unreadable(f"the row has {len(row)} columns instead of {len(RECORD_COLUMNS)}")
    from gatekeeper import results

    value = dict(zip(RECORD_COLUMNS, row, strict=True))
    decision = text(value["decision"], "decision")
    if decision not in get_args(results.Decision):
        raise Unreadable(f"decision is {decision[:20]!r}, not allow, warn or block")
    policy_sha256 = value["policy_sha256"]
    return AuditRecord(
        id=whole(value["id"], "id"),
        recorded_at=moment(value["recorded_at"], "recorded_at"),
        generated_at=moment(value["generated_at"], "generated_at"),
        scope=text(value["scope"], "scope"),
        source=text(value["source"], "source"),
        decision=cast("Decision", decision),
        allow=whole(value["allow_count"], "allow_count"),
        warn=whole(value["warn_count"], "warn_count"),
        block=whole(value["block_count"], "block_count"),
        findings=whole(value["findings_count"], "findings_count"),
        waived=whole(value["waived_count"], "waived_count"),
        policy_sha256=None if policy_sha256 is None else text(policy_sha256, "policy_sha256"),
    )


def load_report(report_json: object, report_zlib: object) -> Report:
    """The stored report of one audit: ``report_zlib`` when it was written since schema
    version 2, else ``report_json``."""
    import zlib

    from gatekeeper.results import Report

    if report_zlib is None:
        data = _json(report_json, "report_json")
    elif isinstance(report_zlib, bytes):
        try:
            data = zlib.decompress(report_zlib)
        except zlib.error as exc:
            raise Unreadable(f"report_zlib is not zlib data: {exc}") from None
    else:
        raise Unreadable("report_zlib is not bytes")
    return _validated(Report, data)


def load_findings(rows: Iterable[object]) -> list[Finding]:
    """The stored findings (``finding_json`` values) of one audit."""
    from gatekeeper.results import Finding

    return [_validated(Finding, _json(row, "finding_json")) for row in rows]


def fingerprints(rows: Iterable[object]) -> set[str]:
    """The stored fingerprints of one audit."""
    return {text(row, "fingerprint") for row in rows}


def schema_version(value: object) -> int:
    """The ``schema_version`` stored in ``meta``: a whole number from 0."""
    stored = text(value, "schema_version")
    if not stored.strip().isdigit():
        raise Unreadable(f"schema_version is {stored[:20]!r}, not a whole number")
    return int(stored)


def text(value: object, column: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise Unreadable(f"{column} is not UTF-8 text") from None
    raise Unreadable(f"{column} is not text")


def whole(value: object, column: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise Unreadable(f"{column} is not a whole number")


def moment(value: object, column: str) -> datetime:
    if isinstance(value, datetime):
        return as_utc(value)
    try:
        return as_utc(datetime.fromisoformat(text(value, column)))
    except ValueError:
        raise Unreadable(f"{column} is not an ISO 8601 timestamp") from None


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _json(value: object, column: str) -> str | bytes:
    if isinstance(value, str | bytes):
        return value  # pydantic checks the UTF-8 and the JSON
    raise Unreadable(f"{column} is not JSON text")


M = TypeVar("M")


def _validated(model: type[M], data: str | bytes) -> M:
    from pydantic import ValidationError

    from gatekeeper import serial

    try:
        return serial.from_json(model, data)
    except ValidationError as exc:
        first = exc.errors()[0]["msg"] if exc.error_count() else "no detail"
        raise Unreadable(f"{exc.error_count()} problem(s), first: {first}") from None


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
