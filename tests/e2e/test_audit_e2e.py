"""End to end: ``gatekeeper audit`` through the real CLI against the simulator over HTTP.

``gatekeeper.cli.run([...])`` runs in this process with the environment a user sets
(``HEROKU_API_KEY``, ``HEROKU_HOST`` = the simulator, ``GATEKEEPER_POLICY``). Covered:

- ``--all``, ``--team`` and ``--enterprise``, each writing every format with
  ``--output FMT=FILE``; every file parses and the decisions are the engine's on the
  simulator's ground truth (``SimEstate.to_facts``) for the apps in scope;
- history: ``--since-last`` (a second run has nothing new; after the estate changes, a new
  finding appears and a fixed one is resolved), ``--baseline FILE``, ``gatekeeper history``;
- ``--notify URL`` posting to a local ``http.server``, only when there is news; ``--notify`` twice
  (a Teams workflow and ``mailto:`` through a local SMTP server with STARTTLS), a bad target
  stopping the audit before it starts, a failed e-mail after the audit was recorded;
- the progress bar: drawn on a terminal (a real pty), silent otherwise;
- the Procfile's commands (docs/heroku-auditor.md), expanded by bash as
  Heroku does (the release phase run against the simulator; ``serve`` has its own tests),
  and ``audit --every``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import re
import select
import subprocess
import sys
import threading
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from smtp_receiver import SmtpReceiver

import gatekeeper.commands.audit as audit_command
from gatekeeper.cli import cli, run
from gatekeeper.engine import evaluate
from gatekeeper.policy import load_policy
from gatekeeper.results import Report
from gatekeeper.simulator import (
    DEMO_ADMIN_TOKEN,
    DEMO_JDOE_TOKEN,
    Faults,
    SimEstate,
    SimLogDrain,
    Simulator,
    demo_estate,
)

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "gatekeeper" / "examples" / "university.toml"
REPORT_SCHEMA = ROOT / "gatekeeper" / "report" / "report-schema-v1.json"
SMTP_PASSWORD = "smtp-e2e-5ecr3t-password"
FORMATS = ("text", "json", "sarif", "junit", "github", "markdown", "html", "csv")

PSYCH_LAB = {"survey", "otree-study", "experiment-us", "frankfurt-exp", "fir-survey"}
ENTERPRISE = PSYCH_LAB | {"clinical-trial", "bio-dashboard", "econ-game", "econ-archive"}
EVERYTHING = ENTERPRISE | {"student-game", "jdoe-thesis"}


@pytest.fixture(scope="module")
def module_sim() -> Iterator[Simulator]:
    with Simulator(demo_estate()) as server:
        yield server


@pytest.fixture
def sim(module_sim: Simulator) -> Iterator[Simulator]:
    """The demo simulator, serving the unchanged demo estate, with fresh request records."""
    module_sim.set_estate(demo_estate())
    module_sim.reset_stats()
    yield module_sim
    module_sim.set_estate(demo_estate())


@pytest.fixture
def user_env(monkeypatch: pytest.MonkeyPatch, sim: Simulator) -> Simulator:
    monkeypatch.setenv("HEROKU_API_KEY", DEMO_ADMIN_TOKEN)
    monkeypatch.setenv("HEROKU_HOST", sim.url)
    monkeypatch.setenv("GATEKEEPER_POLICY", str(POLICY))
    return sim


def truth_of(estate: SimEstate, token: str = DEMO_ADMIN_TOKEN) -> Report:
    return evaluate(estate.to_facts(token), load_policy(POLICY), date.today())


def decisions(doc: dict[str, Any]) -> dict[str, str]:
    return {a["name"]: a["decision"] for a in doc["apps"]}


def outputs(directory: Path) -> list[str]:
    return [f"--output={fmt}={directory / ('audit.' + fmt)}" for fmt in FORMATS]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags += 1


def assert_every_format_parses(directory: Path, apps: set[str]) -> dict[str, Any]:
    """Parse each written format; returns the JSON document."""
    doc: dict[str, Any] = json.loads((directory / "audit.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, json.loads(REPORT_SCHEMA.read_text(encoding="utf-8")))
    assert set(decisions(doc)) == apps

    sarif = json.loads((directory / "audit.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["tool"]["driver"]["rules"]
    junit = ET.fromstring((directory / "audit.junit").read_text(encoding="utf-8"))
    assert junit.tag in ("testsuites", "testsuite")
    rows = list(csv.DictReader(io.StringIO((directory / "audit.csv").read_text("utf-8"))))
    open_findings = [f for a in doc["apps"] for f in a["findings"]]
    assert len(rows) >= len(open_findings)  # one row per finding
    html = (directory / "audit.html").read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(html)
    parser.close()
    assert parser.tags > 20
    with_findings = {a["name"] for a in doc["apps"] if a["findings"]}
    not_allowed = {a["name"] for a in doc["apps"] if a["decision"] != "allow"}
    for fmt, expected in (
        ("html", apps),
        ("junit", apps),
        ("markdown", with_findings),
        ("csv", with_findings),
        ("text", not_allowed),
    ):
        text = (directory / f"audit.{fmt}").read_text(encoding="utf-8")
        missing = [a for a in expected if a not in text]
        assert not missing, (fmt, missing)
    github = (directory / "audit.github").read_text(encoding="utf-8")
    blocked = [n for n, d in decisions(doc).items() if d == "block"]
    assert ("::error" in github) == bool(blocked)
    assert not list(directory.glob(".*.tmp"))
    return doc


@pytest.mark.parametrize(
    ("scope", "apps", "code"),
    [
        (["--all"], EVERYTHING, 1),
        (["--enterprise", "uni-example"], ENTERPRISE, 1),
        (["--team", "psych-lab"], PSYCH_LAB, 1),
        (["--team", "econ-lab"], {"econ-game", "econ-archive"}, 0),
        (
            ["--team", "econ-lab", "--team", "bio-lab"],
            {"econ-game", "econ-archive", "clinical-trial", "bio-dashboard"},
            1,
        ),
    ],
    ids=["all", "enterprise", "team", "allowed-team", "two-teams"],
)
def test_audit_scopes_write_every_format(
    scope: list[str],
    apps: set[str],
    code: int,
    user_env: Simulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["audit", *scope, "--no-history", *outputs(tmp_path)]) == code
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    doc = assert_every_format_parses(tmp_path, apps)
    truth = truth_of(demo_estate())
    assert decisions(doc) == {a.name: a.decision for a in truth.apps if a.name in apps}
    for app in doc["apps"]:
        want = next(a for a in truth.apps if a.name == app["name"])
        assert {f["fingerprint"] for f in app["findings"]} == {f.fingerprint for f in want.findings}
    assert "s3cr3t-drain-token" not in json.dumps(doc)


def test_audit_all_sees_only_what_the_token_sees(
    user_env: Simulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HEROKU_API_KEY", DEMO_JDOE_TOKEN)
    # otree-study attaches bio-dashboard's sentry, and jdoe cannot read bio-dashboard: where
    # that add-on's data lives is unknown, so the audit cannot evaluate it (fail closed)
    assert run(["audit", "--all", "--no-history", "--format", "json"]) == 3
    doc = json.loads(capsys.readouterr().out)
    truth = truth_of(demo_estate(), DEMO_JDOE_TOKEN)
    assert decisions(doc) == {a.name: a.decision for a in truth.apps}
    (otree,) = (a for a in doc["apps"] if a["name"] == "otree-study")
    (error,) = (f for f in otree["findings"] if f["rule"] == "api-error")
    assert "bio-dashboard" in error["message"] and "HTTP 403" in error["message"]
    assert [
        a["name"] for a in doc["apps"] if any(f["rule"] == "api-error" for f in a["findings"])
    ] == ["otree-study"]
    assert set(decisions(doc)) == PSYCH_LAB | {"jdoe-thesis"}


def test_a_team_the_token_cannot_read_exits_3(
    user_env: Simulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HEROKU_API_KEY", DEMO_JDOE_TOKEN)
    assert run(["audit", "--team", "bio-lab", "--no-history"]) == 3
    err = capsys.readouterr().err
    assert "bio-lab" in err and "Traceback" not in err


def test_nothing_to_audit_is_a_usage_error(
    user_env: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["audit"]) == 2
    assert "--team" in capsys.readouterr().err


def test_the_audit_requests_only_lists_and_drains(
    user_env: Simulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["audit", "--all", "--no-history", "--format", "json"]) == 1
    capsys.readouterr()
    per_app = [r.path for r in user_env.requests if r.path.startswith("/apps/")]
    # beyond the log drains: the telemetry drains of the Fir app, and the add-ons of the app
    # that attaches another app's add-on (GET /addons files it under its owner only)
    assert sorted(per_app) == sorted(
        [f"/apps/{a}/log-drains" for a in EVERYTHING]
        + ["/apps/fir-survey/telemetry-drains", "/apps/otree-study/addons"]
    )
    assert all(r.status == 200 for r in user_env.requests)


# -- history: --since-last, --baseline, gatekeeper history --------------------------------


def changed_estate() -> SimEstate:
    """The demo estate a day later: experiment-us moved to eu (its block is fixed), and
    econ-game got a log drain to a host the policy does not allow (a new block)."""
    estate = demo_estate()
    moved = estate.app("experiment-us")
    assert moved is not None
    moved.region = "eu"
    game = estate.app("econ-game")
    assert game is not None
    game.log_drains.append(SimLogDrain(url="syslog+tls://logs.example-siem.com:6514"))
    game.fill_ids()
    return estate


def new_and_resolved(doc: dict[str, Any]) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    changes = doc["changes"]
    return (
        {(f["app"], f["rule"]) for f in changes["new"]},
        {(f["app"], f["rule"]) for f in changes["resolved"]},
    )


def test_since_last_reports_new_and_resolved_findings(
    user_env: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    audit = ["audit", "--all", "--since-last", "--store", store, "--format", "json"]

    assert run(audit) == 1
    first = json.loads(capsys.readouterr().out)
    assert first["changes"]["resolved"] == []
    assert len(first["changes"]["new"]) == sum(
        not f["waived"] for a in first["apps"] for f in a["findings"]
    )

    assert run(audit) == 1
    second = json.loads(capsys.readouterr().out)
    assert second["changes"]["new"] == [] and second["changes"]["resolved"] == []
    assert second["changes"]["baseline"].startswith("audit #1 ")

    user_env.set_estate(changed_estate())
    assert run(audit) == 1
    third = json.loads(capsys.readouterr().out)
    new, resolved = new_and_resolved(third)
    # in eu, experiment-us's database gets the postgres-backups note it had no reason for in us
    assert new == {("econ-game", "log-drain-not-allowed"), ("experiment-us", "postgres-backups")}
    assert resolved == {("experiment-us", "region-not-allowed")}
    assert decisions(third)["econ-game"] == "block"
    assert decisions(third)["experiment-us"] == "allow"

    assert run(["history", "--store", store, "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    records = listed["audits"] if isinstance(listed, dict) else listed
    assert len(records) == 3


def test_scopes_have_separate_histories(
    user_env: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    assert run(["audit", "--all", "--store", store, "--format", "json"]) == 1
    capsys.readouterr()
    # The first audit of another scope compares with nothing: every open finding is new.
    assert (
        run(["audit", "--team", "psych-lab", "--since-last", "--store", store, "--format", "json"])
        == 1
    )
    doc = json.loads(capsys.readouterr().out)
    # (app None: the policy-level waiver-unused, since clinical-trial is not in psych-lab)
    assert {f["app"] for f in doc["changes"]["new"]} - {None} == PSYCH_LAB
    assert doc["changes"]["new"]


def test_baseline_file_reports_changes(
    user_env: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "baseline.json"
    assert run(["audit", "--all", "--no-history", "--output", f"json={baseline}"]) == 1
    capsys.readouterr()
    user_env.set_estate(changed_estate())
    assert (
        run(
            [
                "audit",
                "--all",
                "--no-history",
                "--baseline",
                str(baseline),
                "--format",
                "json",
                "--output",
                f"html={tmp_path / 'r.html'}",
            ]
        )
        == 1
    )
    doc = json.loads(capsys.readouterr().out)
    assert doc["changes"]["baseline"] == "baseline.json"
    new, resolved = new_and_resolved(doc)
    assert new == {("econ-game", "log-drain-not-allowed"), ("experiment-us", "postgres-backups")}
    assert resolved == {("experiment-us", "region-not-allowed")}
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "log-drain-not-allowed" in html and "baseline.json" in html


def test_baseline_and_since_last_together_is_a_usage_error(
    user_env: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["audit", "--all", "--since-last", "--baseline", str(tmp_path / "x.json")]) == 2
    assert "--baseline" in capsys.readouterr().err


def test_a_missing_baseline_file_is_a_usage_error(
    user_env: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        run(["audit", "--all", "--no-history", "--baseline", str(tmp_path / "missing.json")]) == 2
    )
    assert "missing.json" in capsys.readouterr().err


# -- --notify -----------------------------------------------------------------------------


class _Webhook(BaseHTTPRequestHandler):
    received: list[dict[str, Any]]

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.received.append(
            {
                "path": self.path,
                "content_type": self.headers.get("Content-Type"),
                "body": json.loads(self.rfile.read(length)),
            }
        )
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []
    handler = type("Handler", (_Webhook,), {"received": received})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hooks/T000/B000/secret-path", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_notify_posts_when_new_blocking_findings_appear(
    user_env: Simulator,
    tmp_path: Path,
    webhook: tuple[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, received = webhook
    store = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    audit = ["audit", "--all", "--since-last", "--store", store, "--notify", url]

    assert run(audit) == 1
    assert len(received) == 1
    first = received[0]
    assert first["path"] == "/hooks/T000/B000/secret-path"
    assert first["content_type"].startswith("application/json")
    assert "experiment-us" in first["body"]["text"]
    assert first["body"]["new_blocking_count"] == sum(1 for f in first["body"]["new_blocking"]) > 0

    assert run(audit) == 1  # nothing new, nothing expiring: no post
    assert len(received) == 1

    user_env.set_estate(changed_estate())
    assert run(audit) == 1
    assert len(received) == 2
    body = received[1]["body"]
    assert body["new_blocking_count"] == 1
    assert body["new_blocking"][0]["app"] == "econ-game"
    assert "econ-game" in body["text"]
    err = capsys.readouterr().err
    assert "secret-path" not in err


def test_notify_url_from_the_environment(
    user_env: Simulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    webhook: tuple[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, received = webhook
    monkeypatch.setenv("GATEKEEPER_NOTIFY_URL", url)
    assert run(["audit", "--team", "psych-lab", "--no-history"]) == 1
    assert len(received) == 1 and "experiment-us" in received[0]["body"]["text"]


def test_notify_teams_and_email_at_once(
    user_env: Simulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    webhook: tuple[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``--notify`` twice: a Teams workflow (the explicit prefix) gets an Adaptive Card, a
    mailto: target an e-mail through a real SMTP server with STARTTLS on loopback."""
    url, received = webhook
    with SmtpReceiver(tmp_path, password=SMTP_PASSWORD) as smtp:
        for name, value in smtp.env().items():
            monkeypatch.setenv(name, value)
        code = run(
            [
                "audit",
                "--team",
                "psych-lab",
                "--no-history",
                "--notify",
                f"teams+{url}",
                "--notify",
                "mailto:dpo@uni-example.edu",
            ]
        )
    captured = capsys.readouterr()
    assert code == 1, captured.err
    (post,) = received
    card = post["body"]["attachments"][0]["content"]
    assert post["body"]["type"] == "message" and card["type"] == "AdaptiveCard"
    runs = [r["text"] for e in card["body"] if e["type"] == "RichTextBlock" for r in e["inlines"]]
    assert any(text.startswith("experiment-us: ") for text in runs)
    (mail,) = smtp.messages
    assert mail.tls and mail.rcpt_tos == ["dpo@uni-example.edu"]
    assert b"experiment-us: " in mail.content
    assert "notification sent." in captured.err
    assert "secret-path" not in captured.err and SMTP_PASSWORD not in captured.err


@pytest.mark.parametrize(
    ("argv", "env", "expected"),
    [
        (["--notify", "ftp://files.example/x"], {}, "--notify: The notification URL ftp://"),
        (
            ["--notify", "mailto:dpo@uni-example.edu"],
            {},
            "--notify sends e-mail, which needs an SMTP server: set GATEKEEPER_SMTP_HOST",
        ),
        (
            [],
            {"GATEKEEPER_NOTIFY_URL": "https://hooks.example/x mailto:not-an-address"},
            "GATEKEEPER_NOTIFY_URL: 'not-an-address' is not an e-mail address",
        ),
    ],
    ids=["scheme", "no-smtp-server", "env-address"],
)
def test_a_bad_notify_target_stops_the_audit_before_it_runs(
    user_env: Simulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    env: dict[str, str],
    expected: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    store = tmp_path / "history.sqlite3"
    code = run(["audit", "--all", "--store", f"sqlite:///{store}", *argv])
    err = capsys.readouterr().err
    assert code == 2
    assert expected in err and "Traceback" not in err
    assert user_env.request_count == 0  # not one request: the audit did not start
    assert not store.exists()


def test_a_failed_email_says_the_report_was_written_and_recorded(
    user_env: Simulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    store = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    wrong = "wrong-" + SMTP_PASSWORD
    with SmtpReceiver(tmp_path, password=SMTP_PASSWORD) as smtp:
        for name, value in smtp.env(GATEKEEPER_SMTP_PASSWORD=wrong).items():
            monkeypatch.setenv(name, value)
        code = run(["audit", "--all", "--store", store, "--notify", "mailto:dpo@uni-example.edu"])
    err = capsys.readouterr().err
    assert code == 3
    assert not smtp.messages
    assert "The report was written and recorded as audit #1 of " in err
    assert (
        "but the notification was not sent: The notification to mailto:dpo@uni-example.edu" in err
    )
    assert "refused the login" in err and wrong not in err and "Traceback" not in err
    assert run(["history", "--store", store, "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["audits"]) == 1


# -- progress -----------------------------------------------------------------------------


def _subprocess_env(sim: Simulator, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HEROKU", "GATEKEEPER"))}
    env.update(
        HEROKU_API_KEY=DEMO_ADMIN_TOKEN,
        HEROKU_HOST=sim.url,
        GATEKEEPER_POLICY=str(POLICY),
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
    )
    return env


def test_progress_bar_on_a_terminal(sim: Simulator, tmp_path: Path) -> None:
    """stderr is a real pty: the bar shows pages/apps, requests and the rate budget left."""
    sim.latency = 0.01  # long enough for the bar to be drawn more than once
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gatekeeper",
                "audit",
                "--all",
                "--no-history",
                "--format",
                "json",
            ],
            env=_subprocess_env(sim, tmp_path),
            stdout=subprocess.PIPE,
            stderr=slave,
        )
        os.close(slave)
        chunks: list[bytes] = []
        while True:
            ready, _, _ = select.select([master], [], [], 30)
            if not ready:
                break
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the child closed its side
                break
            if not chunk:
                break
            chunks.append(chunk)
        stdout, _ = proc.communicate(timeout=60)
    finally:
        sim.latency = 0.0
        os.close(master)
    assert proc.returncode == 1
    assert json.loads(stdout)["summary"]["block"] > 0  # the report itself is unaffected
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert "log drains" in shown
    assert "requests" in shown and "rate budget left" in shown
    assert "/11 apps" in shown  # apps done out of the 11 apps
    assert "pages " in shown
    assert "\r" in shown  # redrawn in place


def test_no_progress_when_stderr_is_not_a_terminal(sim: Simulator, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gatekeeper", "audit", "--all", "--no-history", "--format", "json"],
        env=_subprocess_env(sim, tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "rate budget" not in done.stderr and "\r" not in done.stderr
    assert "\x1b" not in done.stdout + done.stderr
    json.loads(done.stdout)


# -- the Procfile -------------------------------------------------------------------------


def procfile_commands() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text(encoding="utf-8").splitlines()
    entries = [line.split(":", 1) for line in lines if line.strip() and not line.startswith("#")]
    return {kind.strip(): command.strip() for kind, command in entries}


def bash_argv(command: str, env: dict[str, str]) -> list[str]:
    """The argv that bash (as Heroku runs a process type) makes of ``command``."""
    done = subprocess.run(
        ["bash", "-c", f"set -- {command}; printf '%s\\0' \"$@\""],
        env=env,
        capture_output=True,
        check=True,
        timeout=10,
    )
    return done.stdout.decode("utf-8").split("\0")[:-1]


def test_procfile_declares_the_release_phase_the_web_and_the_worker() -> None:
    commands = procfile_commands()
    assert set(commands) == {"release", "web", "worker"}
    assert commands["release"].startswith("gatekeeper check ")
    assert '"$HEROKU_APP_NAME"' in commands["release"]
    assert commands["web"] == "gatekeeper serve --host 0.0.0.0"
    assert commands["worker"] == "gatekeeper serve --worker"


@pytest.mark.parametrize("kind", ["release", "web", "worker"])
def test_procfile_commands_parse_as_gatekeeper_invocations(kind: str) -> None:
    env = {"PATH": os.environ["PATH"], "HEROKU_APP_NAME": "uni-gatekeeper"}
    argv = bash_argv(procfile_commands()[kind], env)
    assert argv[0] == "gatekeeper"
    verb = cli.get_command(cli.make_context("gatekeeper", argv[1:2]), argv[1])
    assert verb is not None
    ctx = verb.make_context(argv[1], argv[2:])  # click's parser: raises on a bad option
    if kind == "web":
        assert ctx.params["host"] == "0.0.0.0" and ctx.params["port"] is None  # $PORT
    elif kind == "worker":
        assert ctx.params["worker"] is True
    else:
        assert ctx.params["app"] == "uni-gatekeeper"


def test_procfile_release_phase_runs_against_the_api(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {"PATH": os.environ["PATH"], "HEROKU_APP_NAME": "econ-game"}
    argv = bash_argv(procfile_commands()["release"], env)
    monkeypatch.setenv("HEROKU_API_KEY", DEMO_ADMIN_TOKEN)
    monkeypatch.setenv("HEROKU_HOST", sim.url)
    monkeypatch.setenv("GATEKEEPER_POLICY", str(POLICY))
    monkeypatch.setenv("DYNO", "release.1")
    assert run(argv[1:]) == 0
    assert capsys.readouterr().out.startswith("ALLOW econ-game")


def test_audit_every_audits_records_notifies_and_sleeps(
    sim: Simulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    webhook: tuple[str, list[dict[str, Any]]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """One turn of ``audit --every`` (the nightly job before ``serve --worker``), with
    DATABASE_URL and GATEKEEPER_NOTIFY_URL as on Heroku (a SQLite URL standing in for Heroku
    Postgres); the sleep ends the test."""
    url, received = webhook
    argv = ["gatekeeper", "audit", "--enterprise", "uni-example", "--since-last", "--every", "24h"]
    for name, value in (
        ("HEROKU_API_KEY", DEMO_ADMIN_TOKEN),
        ("HEROKU_HOST", sim.url),
        ("GATEKEEPER_POLICY", str(POLICY)),
        ("GATEKEEPER_NOTIFY_URL", url),
        ("DATABASE_URL", f"sqlite:///{tmp_path / 'heroku-postgres.sqlite3'}"),
    ):
        monkeypatch.setenv(name, value)
    slept: list[float] = []

    class StopWorker(BaseException):
        """Ends the loop after its first turn (as the dyno's shutdown would)."""

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        raise StopWorker

    # time.sleep is the module-wide one: nothing else sleeps while this test runs the worker
    monkeypatch.setattr("gatekeeper.commands.audit.time.sleep", sleep)
    with pytest.raises(StopWorker):
        run(argv[1:])
    captured = capsys.readouterr()
    assert "audit finished with exit code 1" in captured.err
    assert "recorded as audit #1" in captured.err
    assert 86000 < slept[0] <= 86400 == audit_command.parse_duration("24h")
    assert len(received) == 1 and "experiment-us" in received[0]["body"]["text"]
    assert (tmp_path / "heroku-postgres.sqlite3").is_file()


def test_app_json_declares_what_the_procfile_needs() -> None:
    """app.json: the config vars the Procfile and the commands read, Heroku Postgres for the
    history and the queue (DATABASE_URL), the Python buildpack, one web and one worker dyno,
    and the secrets of gatekeeper serve generated (never written into the manifest)."""
    manifest = json.loads((ROOT / "app.json").read_text(encoding="utf-8"))
    env = manifest["env"]
    used = set()
    for command in procfile_commands().values():
        used |= set(re.findall(r"\$\{?([A-Z_]+)", command))
    # HEROKU_APP_NAME comes from dyno metadata (heroku labs:enable runtime-dyno-metadata)
    assert used - {"HEROKU_APP_NAME"} <= set(env)
    for name in ("HEROKU_API_KEY", "GATEKEEPER_POLICY", "GATEKEEPER_NOTIFY_URL"):
        assert name in env and env[name]["description"]
    assert env["HEROKU_API_KEY"]["required"] is True
    assert "--scope read" in env["HEROKU_API_KEY"]["description"]
    assert env["GATEKEEPER_NOTIFY_URL"]["required"] is False
    for name in ("HOST", "PORT", "USER", "PASSWORD", "FROM", "CA_FILE"):  # mailto: targets
        assert env[f"GATEKEEPER_SMTP_{name}"]["required"] is False, name
    assert (ROOT / env["GATEKEEPER_POLICY"]["value"]).is_file()  # the default policy ships
    plans = [a["plan"] if isinstance(a, dict) else a for a in manifest["addons"]]
    assert [p for p in plans if p.startswith("heroku-postgresql")]
    assert {"url": "heroku/python"} in manifest["buildpacks"]
    assert manifest["formation"]["worker"]["quantity"] == 1
    assert manifest["formation"]["web"]["quantity"] == 1
    assert set(manifest["formation"]) <= set(procfile_commands())
    for name in ("GATEKEEPER_SESSION_SECRET", "GATEKEEPER_WEBHOOK_SECRET"):
        assert env[name]["generator"] == "secret" and "value" not in env[name]
    assert env["GATEKEEPER_AUDIT_SCOPE"]["required"] is True
    assert {
        "GATEKEEPER_AUDIT_EVERY",
        "GATEKEEPER_DASHBOARD_TOKEN",
        "GATEKEEPER_OIDC_ISSUER",
    } <= set(env)
    from gatekeeper.usecases.watch import audit_scope

    audit_scope(env["GATEKEEPER_AUDIT_SCOPE"]["value"])  # a scope the worker accepts


def test_the_buildpack_installs_the_postgres_extra() -> None:
    """Heroku's Python buildpack needs requirements.txt (a pyproject.toml alone is not
    detected); it installs this repository with the PostgreSQL store's driver and the web
    server of gatekeeper serve."""
    lines = [
        line.strip()
        for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert lines == [".[postgres,serve]"]
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert any(
        dep.startswith("psycopg")
        for dep in pyproject["project"]["optional-dependencies"]["postgres"]
    )
    assert any(
        dep.startswith("uvicorn") for dep in pyproject["project"]["optional-dependencies"]["serve"]
    )
    assert pyproject["project"]["scripts"]["gatekeeper"] == "gatekeeper.cli:main"


# -- an app listed twice; a notification that fails (docs/fault-matrix.md) -----------------


@pytest.mark.parametrize("scope", [["--all"], ["--team", "psych-lab"]], ids=["all", "team"])
def test_an_app_listed_twice_with_conflicting_facts_appears_once_blocked(
    user_env: Simulator, scope: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """The listing carries survey's id twice: once as survey, once with frankfurt-exp's
    facts (another region). Neither copy is trusted: survey is blocked once, never allowed."""
    user_env.faults = Faults(impostor_apps={"frankfurt-exp": "survey"})
    try:
        code = run(["audit", *scope, "--no-history", "--format", "json"])
    finally:
        user_env.faults = Faults()
    captured = capsys.readouterr()
    assert code == 3 and "Traceback" not in captured.err
    doc = json.loads(captured.out)
    survey = next(a for a in demo_estate().apps if a.name == "survey")
    judged = [a for a in doc["apps"] if a["id"] == survey.id]
    assert len(judged) == 1 and judged[0]["decision"] == "block"
    errors = [f for f in judged[0]["findings"] if f["rule"] == "api-error"]
    assert errors and "conflicting facts" in errors[0]["message"]


class _RefusingWebhook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_a_failed_notification_says_the_report_was_written_and_recorded(
    user_env: Simulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = HTTPServer(("127.0.0.1", 0), _RefusingWebhook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    store = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    report = tmp_path / "report.json"
    try:
        code = run(
            [
                "audit",
                "--all",
                "--store",
                store,
                "--output",
                f"json={report}",
                "--notify",
                f"http://127.0.0.1:{server.server_port}/hooks/gone",
            ]
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    err = capsys.readouterr().err
    assert code == 3  # as before: the notification failed
    assert json.loads(report.read_text())["decision"] == "block"
    assert "recorded as audit #1" in err
    assert "The report was written and recorded as audit #1 of " in err
    assert "but the notification was not sent: The notification webhook" in err
    assert "HTTP 404" in err and "Traceback" not in err
    assert run(["history", "--store", store, "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["audits"]) == 1
