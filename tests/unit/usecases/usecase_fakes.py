"""Fakes for the use-case tests (imported by name: tests are not a package): a fact source
that answers a fixed estate, a history store in memory, and the demo facts and policy."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from gatekeeper.collect.estate import AuditScope
from gatekeeper.facts import Estate
from gatekeeper.needs import Needs
from gatekeeper.policy import Policy, load_policy
from gatekeeper.register.model import Register
from gatekeeper.results import Finding, Report
from gatekeeper.simulator import DEMO_ADMIN_TOKEN, demo_estate
from gatekeeper.sources.interface import AppScope
from gatekeeper.store.interface import AuditRecord, StoredAudit

ROOT = Path(__file__).resolve().parents[3]
TODAY = date(2026, 6, 1)
BLOCKED, ALLOWED = "experiment-us", "econ-game"


def demo_facts() -> Estate:
    return demo_estate().to_facts(DEMO_ADMIN_TOKEN)


def university() -> Policy:
    return load_policy(ROOT / "gatekeeper" / "examples" / "university.toml")


@dataclass
class FakeSource:
    """Answers ``estate`` (whatever the scope) and remembers what it was asked."""

    estate: Estate
    origin: str = "fake"
    asked: list[Any] = field(default_factory=list)

    def scope_key(self, scope: AuditScope | None) -> str:
        return scope.describe() if scope is not None else "fake:all"

    def collect(
        self, scope: AppScope | AuditScope | None, needs: Needs, *, progress: Any = None
    ) -> Estate:
        self.asked.append(scope)
        return self.estate


@dataclass
class FakeStore:
    """A history store in memory; ``broken`` names methods that raise ``failure``."""

    records: list[tuple[AuditRecord, Report]] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)
    failure: Exception | None = None
    events: list[str] = field(default_factory=list)
    closed: bool = False
    location: str = "memory"
    registers: dict[int, Register | None] = field(default_factory=dict)

    def _call(self, name: str) -> None:
        self.events.append(name)
        if name in self.broken:
            assert self.failure is not None
            raise self.failure

    def record(
        self, report: Report, *, scope: str, source: str, register: Register | None = None
    ) -> AuditRecord:
        self._call("record")
        summary = report.summary
        rec = AuditRecord(
            id=len(self.records) + 1,
            recorded_at=datetime.now(UTC),
            generated_at=report.generated_at,
            scope=scope,
            source=source,
            decision=report.decision,
            allow=summary.allow,
            warn=summary.warn,
            block=summary.block,
            findings=len(report.all_findings()),
            waived=sum(f.waived for f in report.all_findings()),
        )
        self.records.append((rec, report))
        self.registers[rec.id] = register
        return rec

    def register(self, audit_id: int) -> Register | None:
        self._call("register")
        return self.registers.get(audit_id)

    def latest_record(self, scope: str) -> AuditRecord | None:
        self._call("latest_record")
        found = [r for r, _ in self.records if r.scope == scope]
        return found[-1] if found else None

    def open_fingerprints(self, audit_id: int) -> set[str] | None:
        self._call("open_fingerprints")
        if "no-fingerprints" in self.broken:  # an audit recorded before finding rows
            return None
        report = self.records[audit_id - 1][1]
        return {f.fingerprint for f in report.all_findings() if not f.waived}

    def open_findings(self, audit_id: int, fingerprints: Collection[str]) -> list[Finding]:
        self._call("open_findings")
        report = self.records[audit_id - 1][1]
        return [f for f in report.all_findings() if f.fingerprint in fingerprints]

    def get(self, audit_id: int) -> StoredAudit | None:
        self._call("get")
        rec, report = self.records[audit_id - 1]
        return StoredAudit(rec, report)

    def latest(self, scope: str) -> StoredAudit | None:
        raise AssertionError("audit never loads a whole report by scope")

    def list(self, limit: int = 20, scope: str | None = None) -> list[AuditRecord]:
        found = [r for r, _ in reversed(self.records) if scope is None or r.scope == scope]
        return found[:limit]

    def close(self) -> None:
        self.events.append("close")
        self.closed = True
