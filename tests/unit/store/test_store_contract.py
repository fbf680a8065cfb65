"""What every history store must do, written once and run against each backend.

A test class for a backend inherits ``StoreContract`` and provides two fixtures:
``store_factory``, a callable that opens a new store on the same database, and ``damage``, a
callable that runs one statement on that database with the backend's own driver, past the
store (``{s}`` before a table name, ``?`` for a parameter, as in gatekeeper.store.schema), to
damage what the store wrote. The SQLite class is in this directory; the PostgreSQL one is
tests/interop/test_postgres_store.py.
"""

from __future__ import annotations

import dataclasses
import threading
import zlib
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta

import pytest

from gatekeeper.compare import compare, compare_open, open_findings
from gatekeeper.errors import CouldNotEvaluate
from gatekeeper.register.model import Register, RegisterRow
from gatekeeper.results import (
    AgreementStatus,
    AppResult,
    Changes,
    Decision,
    Evidence,
    Finding,
    Report,
    Severity,
    WaiverStatus,
    fingerprint,
)
from gatekeeper.store import AuditStore, StoreError
from gatekeeper.store import _rows as rows_module

StoreFactory = Callable[[], AuditStore]
Damage = Callable[..., None]  # damage(statement, *params)

BASE_TIME = datetime(2026, 11, 25, 2, 0, 0, tzinfo=UTC)


def make_finding(
    rule: str,
    severity: Severity,
    app: str | None,
    app_id: str | None,
    subject: str | None = None,
    *,
    waived: bool = False,
    message: str | None = None,
) -> Finding:
    return Finding(
        rule=rule,
        severity=severity,
        app=app,
        app_id=app_id,
        subject=subject,
        message=message or f"{rule} on {app or 'policy'}",
        remediation=f"fix {rule}",
        evidence=(Evidence(kind="app", name=app or "-", detail="owner psych-lab"),),
        waived=waived,
        waiver="approved by dpo, expires 2027-01-01" if waived else None,
        fingerprint=fingerprint(rule, app_id, subject),
    )


def make_app(
    name: str, decision: Decision, *findings: Finding, team: str | None = "psych-lab"
) -> AppResult:
    return AppResult(
        name=name,
        id=f"id-{name}",
        team=team,
        region="eu",
        country="IE",
        data_class="personal",
        decision=decision,
        findings=findings,
    )


def make_report(n: int = 0, *, extra_apps: int = 0) -> Report:
    """A small but complete audit report; ``n`` varies its time and content."""
    survey = make_app(
        "survey",
        "block",
        make_finding("addon-no-agreement", "block", "survey", "id-survey", "papertrail"),
        make_finding("postgres-backups", "info", "survey", "id-survey", "heroku-postgresql"),
    )
    otree = make_app(
        "otree-study",
        "warn",
        make_finding("heroku-connect", "warn", "otree-study", "id-otree-study"),
        make_finding(
            "addon-no-agreement", "block", "otree-study", "id-otree-study", "sendgrid", waived=True
        ),
    )
    econ = make_app("econ-game", "allow", team="econ-lab")
    more = tuple(make_app(f"app-{n}-{i}", "allow") for i in range(extra_apps))
    return Report(
        generated_at=BASE_TIME + timedelta(days=n),
        policy_path="gatekeeper.toml",
        policy_sha256=f"{n:064x}",
        decision="block",
        apps=(survey, otree, econ, *more),
        policy_findings=(make_finding("waiver-unused", "info", None, None, f"waiver-{n}"),),
        agreements=(
            AgreementStatus(
                id="heroku-dpa",
                kind="heroku",
                covers=("uni-example",),
                countries=("EEA",),
                mechanism="scc",
                signed=date(2024, 1, 1),
                expires=date(2027, 1, 1),
                state="active",
                days_left=400,
            ),
        ),
        waivers=(
            WaiverStatus(
                rule="addon-no-agreement",
                app="otree-study",
                subject="sendgrid",
                reason="DPA in negotiation",
                approved_by="dpo@uni-example.edu",
                expires=date(2027, 1, 1),
                state="active",
                used=True,
            ),
        ),
        changes=Changes(baseline=f"audit #{n}", since=BASE_TIME, new=(), resolved=()),
    )


def run_together(work: Callable[[str], None], names: Sequence[str]) -> None:
    """Run ``work(name)`` in one thread per name, all starting at once, and fail with what
    any of them raised."""
    errors: list[BaseException] = []
    start = threading.Barrier(len(names))

    def run(name: str) -> None:
        try:
            start.wait()
            work(name)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
            start.abort()  # release the others if they still wait

    threads = [threading.Thread(target=run, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [e for e in errors if not isinstance(e, threading.BrokenBarrierError)] == []
    assert errors == []


def make_register() -> Register:
    """A register of one app with a hostile name and two recipients."""
    row = RegisterRow(
        app="survey\n=1+1",
        team="psych-lab",
        data_class="personal",
        purpose="Online survey",
        recipient="Salesforce, Inc. (Heroku)",
        role="processor",
        service="heroku",
        kind="platform",
        countries=("IE",),
        transfer_mechanism="scc",
        agreement_id="salesforce-dpa",
        agreement_document="https://example.edu/dpa.pdf",
        agreement_expires=date(2029, 2, 28),
        decision="allow",
        open_findings=(),
    )
    drain = row.model_copy(
        update={
            "recipient": "logs.example.net",
            "service": "logs.example.net",
            "kind": "log drain",
            "countries": (),
            "transfer_mechanism": "none",
            "agreement_id": "none",
            "agreement_document": "",
            "agreement_expires": None,
            "open_findings": ("log-drain-not-allowed",),
        }
    )
    return Register(generated_at=BASE_TIME, rows=(row, drain))


class StoreContract:
    """Backend-independent behaviour of ``AuditStore``."""

    @pytest.fixture
    def store(self, store_factory: StoreFactory) -> AuditStore:
        return store_factory()

    def test_an_empty_store_has_nothing(self, store: AuditStore) -> None:
        assert store.list() == []
        assert store.latest("all") is None
        assert store.get(1) is None

    def test_record_returns_what_was_stored(self, store: AuditStore) -> None:
        report = make_report(1)
        record = store.record(report, scope="team:psych-lab, team:econ-lab", source="api test")
        assert record.id >= 1
        assert record.scope == "team:econ-lab,team:psych-lab"  # normalized
        assert record.source == "api test"
        assert record.decision == "block"
        assert (record.allow, record.warn, record.block) == (1, 1, 1)
        assert record.findings == 5 and record.waived == 1
        assert record.generated_at == report.generated_at
        assert record.generated_at.tzinfo is not None and record.recorded_at.tzinfo is not None
        assert record.policy_sha256 == report.policy_sha256
        assert record.label == f"audit #{record.id} of 2026-11-26T02:00:00Z"
        assert store.list() == [record]

    def test_the_whole_report_round_trips(self, store: AuditStore) -> None:
        report = make_report(2, extra_apps=3)
        record = store.record(report, scope="all", source="snapshot estate.json")
        stored = store.get(record.id)
        assert stored is not None
        assert stored.record == record
        assert stored.report == report

    def test_the_register_round_trips(self, store: AuditStore) -> None:
        register = make_register()
        with_register = store.record(make_report(1), scope="all", source="s", register=register)
        without = store.record(make_report(2), scope="all", source="s")
        assert store.register(with_register.id) == register
        assert store.register(without.id) is None
        assert store.register(with_register.id + 1000) is None

    @pytest.mark.parametrize("stored", [b"not zlib", zlib.compress(b'{"rows": 1}')])
    def test_an_unreadable_register(self, store: AuditStore, damage: Damage, stored: bytes) -> None:
        record = store.record(make_report(1), scope="all", source="s", register=make_register())
        damage("UPDATE {s}audits SET register_zlib = ? WHERE id = ?", stored, record.id)
        with pytest.raises(StoreError) as info:
            store.register(record.id)
        assert info.value.exit_code == 3
        assert f"The register of audit #{record.id} in the history store" in str(info.value)

    def test_latest_is_per_scope(self, store: AuditStore) -> None:
        first = store.record(make_report(1), scope="team:psych-lab", source="s")
        everything = store.record(make_report(2), scope="all", source="s")
        second = store.record(make_report(3), scope="team:psych-lab", source="s")
        latest = store.latest("team:psych-lab")
        assert latest is not None and latest.record == second
        assert latest.report == make_report(3)
        all_latest = store.latest("all")
        assert all_latest is not None and all_latest.record == everything
        assert store.latest("team:bio-lab") is None
        assert first.id < everything.id < second.id

    def test_scopes_match_whatever_the_spelling(self, store: AuditStore) -> None:
        record = store.record(make_report(1), scope="team:b,team:a", source="s")
        found = store.latest(" team:a , team:b,team:a ")
        assert found is not None and found.record == record
        assert [r.id for r in store.list(scope="team:a,team:b")] == [record.id]

    def test_list_is_newest_first_limited_and_filtered(self, store: AuditStore) -> None:
        ids = [
            store.record(make_report(i), scope="team:a" if i % 2 else "all", source="s").id
            for i in range(5)
        ]
        assert [r.id for r in store.list()] == ids[::-1]
        assert [r.id for r in store.list(limit=2)] == ids[:-3:-1]
        assert [r.id for r in store.list(scope="team:a")] == [ids[3], ids[1]]
        assert [r.id for r in store.list(limit=1, scope="all")] == [ids[4]]

    def test_another_connection_sees_the_records(
        self, store: AuditStore, store_factory: StoreFactory
    ) -> None:
        record = store.record(make_report(1), scope="all", source="s")
        other = store_factory()  # opening again must not migrate or lose anything
        assert other.list() == [record]
        stored = other.get(record.id)
        assert stored is not None and stored.report == make_report(1)

    @pytest.mark.parametrize("interruption", [RuntimeError("disk on fire"), KeyboardInterrupt()])
    def test_an_interrupted_record_leaves_nothing_partial(
        self,
        store: AuditStore,
        store_factory: StoreFactory,
        monkeypatch: pytest.MonkeyPatch,
        interruption: BaseException,
    ) -> None:
        previous = store.record(make_report(1), scope="all", source="s")

        def fail_after_insert(row: tuple[object, ...]) -> object:
            raise interruption  # the row is inserted; the transaction is still open

        with monkeypatch.context() as patch:
            patch.setattr(rows_module, "record_from_row", fail_after_insert)
            with pytest.raises(type(interruption)):
                store.record(make_report(2), scope="all", source="s")

        for view in (store, store_factory()):
            assert view.list() == [previous]
            latest = view.latest("all")
            assert latest is not None and latest.record == previous
            assert latest.report == make_report(1)
        # The store is still usable afterwards.
        after = store.record(make_report(3), scope="all", source="s")
        assert [r.id for r in store.list()] == [after.id, previous.id]

    def test_concurrent_writers_do_not_corrupt(self, store_factory: StoreFactory) -> None:
        per_writer = 8
        recorded: list[int] = []
        lock = threading.Lock()

        def writer(name: str) -> None:
            own = store_factory()  # one store (its own connections) per thread
            for i in range(per_writer):
                record = own.record(make_report(i), scope=f"team:{name}", source=name)
                with lock:
                    recorded.append(record.id)
            own.close()

        run_together(writer, ["a", "b"])
        check = store_factory()
        listed = check.list(limit=100)
        assert sorted(r.id for r in listed) == sorted(recorded)
        assert len(set(recorded)) == 2 * per_writer
        for scope in ("team:a", "team:b"):
            assert len(check.list(limit=100, scope=scope)) == per_writer
            latest = check.latest(scope)
            assert latest is not None and latest.report == make_report(per_writer - 1)

    def test_open_findings_are_kept_in_rows(self, store: AuditStore) -> None:
        report = make_report(1)
        # A repeated fingerprint: the first finding is the one kept, as compare() keeps it.
        twice = make_finding(
            "heroku-connect", "warn", "otree-study", "id-otree-study", message="reworded"
        )
        apps = (*report.apps, make_app("otree-copy", "warn", twice))
        report = dataclasses.replace(report, apps=apps)
        record = store.record(report, scope="all", source="s")
        expected = open_findings(report.all_findings())
        assert len(expected) == 4  # 6 findings: 1 waived, 1 repeated
        assert store.open_fingerprints(record.id) == set(expected)
        assert sorted(
            store.open_findings(record.id, set(expected)), key=lambda f: f.fingerprint
        ) == sorted(expected.values(), key=lambda f: f.fingerprint)
        some = sorted(expected)[:2]
        assert {f.fingerprint for f in store.open_findings(record.id, [*some, "unknown"])} == set(
            some
        )
        assert store.open_findings(record.id, []) == []
        assert store.open_fingerprints(record.id + 1) is None

    def test_many_open_findings_are_fetched_in_chunks(self, store: AuditStore) -> None:
        findings = tuple(
            make_finding("addon-no-agreement", "block", "big", "id-big", f"s{i}")
            for i in range(1203)
        )
        report = dataclasses.replace(make_report(1), apps=(make_app("big", "block", *findings),))
        record = store.record(report, scope="all", source="s")
        wanted = {f.fingerprint for f in findings[1:]}
        assert {f.fingerprint for f in store.open_findings(record.id, wanted)} == wanted

    def test_latest_record_is_latest_without_the_report(self, store: AuditStore) -> None:
        assert store.latest_record("all") is None
        store.record(make_report(1), scope="all", source="s")
        store.record(make_report(2), scope="team:psych-lab", source="s")
        third = store.record(make_report(3), scope="all", source="s")
        assert store.latest_record("all") == third
        assert store.latest_record("team:econ-lab") is None

    def test_comparing_with_rows_equals_comparing_reports(self, store: AuditStore) -> None:
        previous, current = make_report(1), make_report(2)
        # One finding resolved, one new besides the renamed policy finding.
        current = dataclasses.replace(
            current,
            apps=(
                make_app("survey", "block", previous.apps[0].findings[0]),
                *current.apps[1:],
                make_app(
                    "new-app",
                    "warn",
                    make_finding("heroku-connect", "warn", "new-app", "id-new-app"),
                ),
            ),
        )
        record = store.record(previous, scope="all", source="s")
        before = store.open_fingerprints(record.id)
        assert before is not None
        from_rows = compare_open(
            before,
            current,
            baseline="b",
            since=record.generated_at,
            resolved=lambda gone: store.open_findings(record.id, gone),
        )
        expected = compare(previous, current, baseline="b")
        assert from_rows == expected
        assert len(expected.new) == 2 and len(expected.resolved) == 2

    def test_close_twice_is_harmless_and_use_after_close_fails(self, store: AuditStore) -> None:
        store.close()
        store.close()
        with pytest.raises(StoreError) as info:
            store.list()
        assert isinstance(info.value, CouldNotEvaluate) and info.value.exit_code == 3

    def test_one_store_is_safe_to_share_between_threads(self, store: AuditStore) -> None:
        """The web server's case: one open store, every request on its own thread."""
        threads_count, per_thread = 4, 6
        recorded: dict[str, list[int]] = {}

        def worker(name: str) -> None:
            for i in range(per_thread):
                record = store.record(make_report(i), scope=f"team:{name}", source=name)
                recorded.setdefault(name, []).append(record.id)
                # Reads between the writes of the other threads see whole audits only.
                latest = store.latest(f"team:{name}")
                assert latest is not None and latest.record == record
                assert latest.report == make_report(i)
                assert store.latest_record(f"team:{name}") == record
                fingerprints = store.open_fingerprints(record.id)
                assert fingerprints is not None and len(fingerprints) == 4
                assert len(store.open_findings(record.id, fingerprints)) == 4
                assert record in store.list(limit=100)

        names = [f"t{n}" for n in range(threads_count)]
        run_together(worker, names)
        listed = store.list(limit=100)
        assert sorted(r.id for r in listed) == sorted(i for ids in recorded.values() for i in ids)
        for name in names:
            assert [r.id for r in store.list(limit=100, scope=f"team:{name}")] == sorted(
                recorded[name], reverse=True
            )

    def test_a_closed_store_is_closed_for_every_thread(self, store: AuditStore) -> None:
        store.record(make_report(1), scope="all", source="s")
        store.close()
        failures: list[BaseException] = []

        def reader() -> None:
            try:
                store.list()
            except BaseException as exc:  # noqa: BLE001 - inspected by the main thread
                failures.append(exc)

        thread = threading.Thread(target=reader)
        thread.start()
        thread.join()
        assert len(failures) == 1 and isinstance(failures[0], StoreError)
        assert "is closed" in str(failures[0])

    # -- damaged stores: every read ends in a StoreError naming the store and the audit --

    @pytest.mark.parametrize("version", ["two", "", "2.0", "-1"])
    def test_a_schema_version_that_is_not_a_number(
        self, store: AuditStore, store_factory: StoreFactory, damage: Damage, version: str
    ) -> None:
        location = store.location
        store.close()
        damage("UPDATE {s}meta SET value = ? WHERE key = 'schema_version'", version)
        with pytest.raises(StoreError) as info:
            store_factory()
        message = str(info.value)
        assert info.value.exit_code == 3
        assert f"The schema version in the history store {location} could not be read" in message
        assert "not a whole number" in message

    @pytest.mark.parametrize(
        ("stored", "problem"),
        [
            (b"not zlib at all", "report_zlib is not zlib data"),
            (zlib.compress(b'{"apps": 1}'), "problem(s), first:"),
            (zlib.compress(b"[" * 100_000), "problem(s), first:"),  # nested past any limit
            (zlib.compress(b"\xff\xfe not UTF-8"), "problem(s), first:"),
        ],
        ids=["not-zlib", "not-a-report", "nested-too-deep", "not-utf-8"],
    )
    def test_an_unreadable_report(
        self, store: AuditStore, damage: Damage, stored: bytes, problem: str
    ) -> None:
        record = store.record(make_report(1), scope="all", source="s")
        damage("UPDATE {s}audits SET report_zlib = ? WHERE id = ?", stored, record.id)
        assert store.list() == [record]  # the listing does not need the report
        assert store.latest_record("all") == record
        for read in (lambda: store.get(record.id), lambda: store.latest("all")):
            with pytest.raises(StoreError) as info:
                read()
            message = str(info.value)
            assert info.value.exit_code == 3
            assert f"Audit #{record.id} in the history store {store.location}" in message
            assert problem in message

    def test_an_unreadable_version_1_report(self, store: AuditStore, damage: Damage) -> None:
        record = store.record(make_report(1), scope="all", source="s")
        damage(
            "UPDATE {s}audits SET report_zlib = NULL, report_json = ? WHERE id = ?",
            '{"generated_at": "2026',
            record.id,
        )
        with pytest.raises(StoreError) as info:
            store.get(record.id)
        assert f"Audit #{record.id} in the history store {store.location}" in str(info.value)

    @pytest.mark.parametrize("stored", ["{", "{}", "[]", '{"rule": 1}'])
    def test_an_unreadable_finding_row(
        self, store: AuditStore, damage: Damage, stored: str
    ) -> None:
        record = store.record(make_report(1), scope="all", source="s")
        damage(
            "UPDATE {s}audit_findings SET finding_json = ? WHERE audit_id = ?", stored, record.id
        )
        fingerprints = store.open_fingerprints(record.id)
        assert fingerprints
        with pytest.raises(StoreError) as info:
            store.open_findings(record.id, fingerprints)
        message = str(info.value)
        assert info.value.exit_code == 3
        assert f"A finding of audit #{record.id} in the history store {store.location}" in message
