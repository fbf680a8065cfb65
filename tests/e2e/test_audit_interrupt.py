"""An audit that is interrupted or fails midway leaves the last good reports and history.

docs/history.md: "Every report file is written atomically: an interrupted or failed audit never
leaves a half-written report or replaces the last good one", and the history store records
an audit in one transaction. Each test first runs a good audit that writes every format
(``--output FMT=FILE``) and records itself in a SQLite store, then changes the estate (so a
new report would differ) and breaks a second audit:

- a ``gatekeeper audit`` subprocess, killed with SIGTERM, SIGKILL or SIGINT while it
  collects from a simulator with latency;
- in this process: a list request that keeps failing, a formatter that crashes while the
  reports are rendered, a disk that fills up while the third report file is written
  (``/dev/full``), and a history store that fails to record.

Afterwards every report file is byte for byte the old one (or, for files written before the
disk filled up, a complete new one), the store holds exactly the audits it held before, and
no temporary file is left behind.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

import gatekeeper.atomic as atomic
from gatekeeper.cli import run
from gatekeeper.report.html import HtmlFormatter
from gatekeeper.simulator import ALWAYS, DEMO_ADMIN_TOKEN, Faults, Simulator, generate_estate
from gatekeeper.store import open_store
from gatekeeper.store.sqlite import SQLiteDialect

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "gatekeeper" / "examples" / "university.toml"
FORMATS = ("text", "json", "sarif", "junit", "github", "markdown", "html", "csv")
APPS = 120


@pytest.fixture(scope="module")
def server() -> Iterator[Simulator]:
    with Simulator(generate_estate(apps=APPS, teams=3, seed=1)) as sim:
        yield sim


@pytest.fixture
def sim(server: Simulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    server.set_estate(generate_estate(apps=APPS, teams=3, seed=1))
    server.faults = Faults()
    server.latency = 0.0
    server.reset_stats()
    server.rate_limiter.reset()
    monkeypatch.setenv("HEROKU_API_KEY", DEMO_ADMIN_TOKEN)
    monkeypatch.setenv("HEROKU_HOST", server.url)
    monkeypatch.setenv("GATEKEEPER_POLICY", str(POLICY))
    yield server
    server.faults = Faults()
    server.latency = 0.0


class Workspace:
    """Where the audits write: the report files and the history store."""

    def __init__(self, root: Path) -> None:
        self.reports = root / "reports"
        self.reports.mkdir()
        self.store_path = root / "history.sqlite3"
        self.store = f"sqlite:///{self.store_path}"

    def argv(self) -> list[str]:
        outputs = [f"--output={fmt}={self.reports / ('audit.' + fmt)}" for fmt in FORMATS]
        return [
            "audit",
            "--all",
            "--since-last",
            "--store",
            self.store,
            "--format",
            "json",
            *outputs,
        ]

    def files(self) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(self.reports.iterdir())}

    def history(self) -> list[tuple[int, str, int]]:
        store = open_store(self.store)
        try:
            return [(r.id, r.scope, r.block) for r in store.list(limit=100)]
        finally:
            store.close()

    def assert_no_temporary_files(self) -> None:
        leftovers = [p.name for p in self.reports.parent.rglob("*") if p.name.endswith(".tmp")]
        assert leftovers == []

    def assert_store_intact(self) -> None:
        with sqlite3.connect(self.store_path) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@pytest.fixture
def workspace(tmp_path: Path, sim: Simulator, capsys: pytest.CaptureFixture[str]) -> Workspace:
    """A workspace holding the reports and the history of one good audit; the simulator
    then serves a different estate, so a new report would not be the same."""
    space = Workspace(tmp_path)
    assert run(space.argv()) == 1
    capsys.readouterr()
    assert sorted(space.files()) == sorted(f"audit.{fmt}" for fmt in FORMATS)
    assert len(space.history()) == 1
    sim.set_estate(generate_estate(apps=APPS, teams=3, seed=2))
    return space


def assert_untouched(
    space: Workspace, files: dict[str, bytes], history: list[tuple[int, str, int]]
) -> None:
    assert space.files() == files
    assert space.history() == history
    space.assert_store_intact()
    space.assert_no_temporary_files()


# -- a subprocess killed while it collects ---------------------------------------------------


def _child_env(sim: Simulator, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HEROKU", "GATEKEEPER"))}
    env.update(
        HEROKU_API_KEY=DEMO_ADMIN_TOKEN,
        HEROKU_HOST=sim.url,
        GATEKEEPER_POLICY=str(POLICY),
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
    )
    return env


def _wait_for_drain_requests(sim: Simulator, proc: subprocess.Popen[Any], count: int) -> None:
    deadline = time.monotonic() + 60
    while sum(r.path.endswith("/log-drains") for r in sim.requests) < count:
        assert proc.poll() is None, "the audit finished before it could be interrupted"
        assert time.monotonic() < deadline, "the audit never reached the log drains"
        time.sleep(0.02)


@pytest.mark.parametrize(
    ("signum", "expected_code"),
    [
        (signal.SIGTERM, -signal.SIGTERM),  # Heroku stopping a dyno
        (signal.SIGKILL, -signal.SIGKILL),  # ... and killing it 30 s later
        (signal.SIGINT, 130),  # Ctrl-C
    ],
    ids=["SIGTERM", "SIGKILL", "SIGINT"],
)
def test_a_killed_audit_leaves_reports_and_history_intact(
    signum: int, expected_code: int, sim: Simulator, workspace: Workspace, tmp_path: Path
) -> None:
    files, history = workspace.files(), workspace.history()
    sim.latency = 0.1  # 120 drains at 8 in flight: over a second of collecting to interrupt
    sim.reset_stats()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gatekeeper", *workspace.argv()],
        env=_child_env(sim, tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_drain_requests(sim, proc, 16)
        proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == expected_code
    drains_read = sum(r.path.endswith("/log-drains") for r in sim.requests)
    assert drains_read < APPS  # it really was stopped while collecting
    if signum == signal.SIGINT:
        assert b"Interrupted" in stderr and b"Traceback" not in stderr
    assert_untouched(workspace, files, history)


# -- failures injected in this process ---------------------------------------------------------


def test_a_list_that_cannot_be_read_changes_nothing(
    sim: Simulator,
    workspace: Workspace,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    files, history = workspace.files(), workspace.history()
    monkeypatch.setenv("GATEKEEPER_MAX_RETRIES", "0")
    sim.faults = Faults(server_errors=ALWAYS, path="/apps")
    assert run(workspace.argv()) == 3
    err = capsys.readouterr().err
    assert "path /apps," in err and "Traceback" not in err
    assert_untouched(workspace, files, history)


def test_a_formatter_crashing_mid_render_writes_no_file(
    sim: Simulator,
    workspace: Workspace,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    files, history = workspace.files(), workspace.history()

    def broken(self: HtmlFormatter, report: Any, options: Any, out: Any) -> None:
        raise RuntimeError("formatter bug")

    monkeypatch.setattr(HtmlFormatter, "write", broken)
    assert run(workspace.argv()) == 4
    assert "formatter bug" in capsys.readouterr().err
    assert_untouched(workspace, files, history)


def test_a_full_disk_while_writing_the_reports(
    sim: Simulator,
    workspace: Workspace,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The third report file's data goes to /dev/full: ENOSPC on flush, as on a full disk.
    The reports are replaced together or not at all, so every file is its old self (the two
    written before as well), and the audit is not recorded (recording comes after writing)."""
    files, history = workspace.files(), workspace.history()
    real_create_temp = atomic._create_temp
    calls: list[Path] = []

    def create_temp(directory: Path, name: str) -> tuple[Path, int]:
        temp, fd = real_create_temp(directory, name)
        calls.append(temp)
        if len(calls) == 3:
            os.close(fd)
            fd = os.open("/dev/full", os.O_WRONLY)
        return temp, fd

    monkeypatch.setattr(atomic, "_create_temp", create_temp)
    assert run(workspace.argv()) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Traceback" not in err
    written = [p.name.split(".", 2)[1] + "." + p.name.split(".", 2)[2].split(".")[0] for p in calls]
    now = workspace.files()
    assert sorted(now) == sorted(files)
    assert len(written) == 3
    for name in files:  # all or none: the one that hit the full disk, and those before it
        assert now[name] == files[name]
        assert now[name] == files[name]
    assert workspace.history() == history
    workspace.assert_store_intact()
    workspace.assert_no_temporary_files()


def test_a_store_that_fails_to_record_keeps_its_history(
    sim: Simulator,
    workspace: Workspace,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The database fails after the INSERT, inside the record's transaction: no partial row
    stays behind, and the audits recorded before are all there."""
    history = workspace.history()
    real_connect = SQLiteDialect.connect

    class FailingAfterInsert:
        def __init__(self, inner: sqlite3.Connection) -> None:
            self._inner = inner
            self._inserted = False

        def __getattr__(self, name: str) -> Any:
            return getattr(self._inner, name)

        def execute(self, sql: str, *args: Any) -> Any:
            statement = sql.lstrip().upper()
            if self._inserted and statement.startswith("SELECT"):
                raise sqlite3.OperationalError("disk I/O error")
            self._inserted = self._inserted or statement.startswith("INSERT")
            return self._inner.execute(sql, *args)

    def connect(self: SQLiteDialect) -> Any:
        return FailingAfterInsert(cast(sqlite3.Connection, real_connect(self)))

    monkeypatch.setattr(SQLiteDialect, "connect", connect)
    assert run(workspace.argv()) == 3
    err = capsys.readouterr().err
    assert "disk I/O error" in err and "Traceback" not in err
    monkeypatch.undo()
    assert workspace.history() == history
    workspace.assert_store_intact()
    workspace.assert_no_temporary_files()
