"""No secret leaves the process: every command and output format, run with a canary token.

A recognisable token (``HRKU-canary-5ecr3t-...``) is the only credential the simulator's
estate accepts for a dedicated account. Every command runs with it (from the environment, the
OS keyring and ``~/.netrc``), every report format is written, an audit is recorded in the
SQLite history store, snapshots are taken and replayed, a webhook receives a notification
(Slack-style and as a Teams card), an SMTP server with STARTTLS receives one by e-mail after a
login with a canary password (and refuses a wrong one),
errors are provoked (401, 5xx, credentials in the API URL), and all logging runs at DEBUG.
Then the canary appears nowhere: not on stdout or stderr, in no file written, in no log
record, in no webhook body or e-mail. Neither does the drain URL's secret (``s3cr3t-drain-token`` in
the demo estate's ``bio-dashboard`` drain), nor any other token of the account that
``GET /oauth/authorizations`` returns to ``doctor``. Nor do the telemetry exporters' headers
(ingest keys): a second canary is put into the headers of ``fir-survey``'s telemetry drain and
of its Fir space ``uni-fir``'s, which the simulator serves as Heroku does; every output, file,
snapshot, report and the history store are searched for it (and for the demo estate's own
header and Private Space Logging secrets, which ``demo`` serves).

TLS verification cannot be switched off: there is no option for it, environment variables
known to do so elsewhere do not, an https API with a self-signed certificate is refused, and
plain http is refused for any host that is not loopback.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import httpx
import keyring
import keyring.backend
import pytest
from smtp_receiver import SmtpReceiver

from gatekeeper.cli import run
from gatekeeper.heroku.credentials import KEYRING_SERVICE
from gatekeeper.redact import MASK
from gatekeeper.simulator import (
    ALL,
    DEMO_ADMIN_TOKEN,
    DEMO_JDOE_TOKEN,
    Faults,
    SimToken,
    Simulator,
    demo_estate,
)

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "gatekeeper" / "examples" / "university.toml"
CANARY = "HRKU-canary-5ecr3t-7f3a9c1e-2b4d-4e6f-8a0b-c1d2e3f4a5b6"
CANARY_ACCOUNT = "canary@uni-example.edu"
DRAIN_SECRET = "s3cr3t-drain-token"
# Secrets that must appear nowhere. The demo tokens are listed by `GET /oauth/authorizations`
# to the (global) canary token: doctor must not show them either.
# In the exporter headers of fir-survey's and uni-fir's telemetry drains (the ingest keys
# that the API shows and gatekeeper must never keep).
TELEMETRY_CANARY = "otel-canary-5ecr3t-9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"
FIR_APP, FIR_SPACE = "fir-survey", "uni-fir"
# The demo estate's own secrets (fir-survey's and uni-fir's headers, bio-shield's Private Space
# Logging drain URL): `demo` serves its own estate.
DEMO_SECRETS = ("s3cr3t-otel-ingest-key", "s3cr3t-space-ingest-key", "psl-s3cr3t")
# The SMTP password of the e-mail notifications, and a wrong one that the server refuses.
SMTP_CANARY = "smtp-canary-5ecr3t-3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7"
SMTP_WRONG = "smtp-wrong-5ecr3t-8f7e6d5c-4b3a-4291-8f7e-6d5c4b3a2918"
SECRETS = (
    CANARY,
    DRAIN_SECRET,
    TELEMETRY_CANARY,
    DEMO_ADMIN_TOKEN,
    DEMO_JDOE_TOKEN,
    *DEMO_SECRETS,
    SMTP_CANARY,
    SMTP_WRONG,
)
FORMATS = ("text", "json", "html", "markdown", "csv", "sarif", "junit", "github")
REGISTER_FORMATS = ("csv", "xlsx", "json", "html")


class MemoryKeyring(keyring.backend.KeyringBackend):
    # Below every real backend: keyring must never pick this class by itself (it discovers
    # subclasses), only when a test installs it with set_keyring.
    priority = -10  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


class Webhook:
    """A local webhook that keeps every body it is sent."""

    def __init__(self) -> None:
        bodies: list[bytes] = []
        self.bodies = bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                bodies.append(self.rfile.read(length))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/T000/B000/notify"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Webhook:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class Transcript:
    """Everything the commands printed and logged, and where they wrote files."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.chunks: list[tuple[str, str]] = []  # (what, text)
        self.codes: list[tuple[str, int]] = []
        self.webhook_path = ""  # a webhook URL is a secret too

    def add(self, what: str, text: str) -> None:
        self.chunks.append((what, text))

    def files(self) -> Iterator[tuple[Path, bytes]]:
        for path in sorted(self.work.rglob("*")):
            if path.is_file():
                yield path, path.read_bytes()


def isolate(mp: pytest.MonkeyPatch, home: Path) -> None:
    """What tests/conftest.py does for each test, for a module-scoped fixture (which runs
    before it): a fresh HOME, no token or setting from outside, the null keyring."""
    home.mkdir(parents=True, exist_ok=True)
    mp.setenv("HOME", str(home))
    mp.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    mp.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    for name in (
        "HEROKU_API_KEY",
        "HEROKU_HOST",
        "GATEKEEPER_POLICY",
        "DATABASE_URL",
        "GATEKEEPER_NOTIFY_URL",
        "GITHUB_STEP_SUMMARY",
        "HEROKU_APP_NAME",
    ):
        mp.delenv(name, raising=False)
    for name in ("HOST", "PORT", "USER", "PASSWORD", "FROM", "CA_FILE"):
        mp.delenv(f"GATEKEEPER_SMTP_{name}", raising=False)


@pytest.fixture(scope="module")
def simulator() -> Iterator[Simulator]:
    estate = demo_estate()
    estate.tokens.append(
        SimToken(
            CANARY,
            CANARY_ACCOUNT,
            "Canary Admin",
            teams=[ALL],
            enterprise_accounts=[ALL],
            apps=[ALL],
            role="admin",
            scope=["global"],
        )
    )
    # The account's other authorizations, which GET /oauth/authorizations lists with tokens.
    estate.tokens.append(
        SimToken(DEMO_ADMIN_TOKEN.replace("admin", "canry"), CANARY_ACCOUNT, teams=[ALL])
    )
    app, space = estate.app(FIR_APP), estate.space(FIR_SPACE)
    assert app is not None and space is not None and app.telemetry_drains and space.telemetry_drains
    for drain in (*app.telemetry_drains, *space.telemetry_drains):
        drain.headers = {
            "Authorization": f"Bearer {TELEMETRY_CANARY}",
            "x-api-key": TELEMETRY_CANARY,
        }
    with Simulator(estate) as sim:
        yield sim


@pytest.fixture(scope="module")
def debug_log() -> Iterator[io.StringIO]:
    """Every logger at DEBUG (httpx and httpcore included), captured in one buffer."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s %(args)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield buffer
    root.removeHandler(handler)
    root.setLevel(old_level)


@pytest.fixture(scope="module")
def transcript(
    simulator: Simulator, debug_log: io.StringIO, tmp_path_factory: pytest.TempPathFactory
) -> Transcript:
    """Runs every command once with the canary; the module's tests look at what came out."""
    work = tmp_path_factory.mktemp("secrets")
    record = Transcript(work)
    with (
        pytest.MonkeyPatch.context() as mp,
        Webhook() as webhook,
        SmtpReceiver(work, password=SMTP_CANARY) as smtp,
    ):
        record.webhook_path = webhook.url.split("/", 3)[3]
        isolate(mp, work / "home")
        for name, value in smtp.env().items():
            mp.setenv(name, value)
        mp.chdir(work)
        mp.setenv("HEROKU_API_KEY", CANARY)
        mp.setenv("GATEKEEPER_MAX_RETRIES", "1")
        store = f"sqlite:///{work / 'history.sqlite3'}"
        api = ["--api-url", simulator.url]
        policy = ["--policy", str(POLICY)]

        def cli(what: str, *args: str, stdin: str | None = None) -> int:
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                if stdin is not None:
                    mp.setattr("sys.stdin", io.StringIO(stdin))
                code = run(list(args))
            record.add(f"{what} stdout", out.getvalue())
            record.add(f"{what} stderr", err.getvalue())
            record.codes.append((what, code))
            return code

        outputs = [f"--output={fmt}={work / 'check' / ('report.' + fmt)}" for fmt in FORMATS]
        (work / "check").mkdir()
        (work / "audit").mkdir()
        for app in ("bio-dashboard", "econ-game", FIR_APP):
            for fmt in FORMATS:
                cli(
                    f"check {app} {fmt}",
                    "check",
                    "--app",
                    app,
                    *api,
                    *policy,
                    "--format",
                    fmt,
                    "-v",
                    *outputs,
                )
        audit_outputs = [f"--output={fmt}={work / 'audit' / ('report.' + fmt)}" for fmt in FORMATS]
        audit_outputs += [
            f"--output=register-{fmt}={work / 'audit' / ('register.' + fmt)}"
            for fmt in REGISTER_FORMATS
        ]
        cli(
            "audit",
            "audit",
            "--all",
            *api,
            *policy,
            "--store",
            store,
            "-v",
            "--notify",
            webhook.url,
            "--notify",
            f"teams+{webhook.url}",
            "--notify",
            "mailto:dpo@uni-example.edu",
            *audit_outputs,
        )
        cli(
            "audit since-last",
            "audit",
            "--team",
            "bio-lab",
            *api,
            *policy,
            "--store",
            store,
            "--since-last",
            "--format",
            "markdown",
            "--notify",
            webhook.url,
        )
        cli(
            "audit baseline",
            "audit",
            "--all",
            *api,
            *policy,
            "--no-history",
            "--baseline",
            str(work / "audit" / "report.json"),
            "--format",
            "json",
        )
        # plan reads the spaces whose drains hold secrets: bio-shield's Private Space Logging
        # URL and uni-fir's telemetry headers (with the canary put in).
        app_json = work / "app.json"
        app_json.write_text('{"addons": ["heroku-postgresql:essential-0", "papertrail:choklad"]}')
        (work / "plan").mkdir()
        for space in ("bio-shield", FIR_SPACE):
            plan_outputs = [
                f"--output={fmt}={work / 'plan' / (space + '.' + fmt)}" for fmt in FORMATS
            ]
            for fmt in FORMATS:
                cli(
                    f"plan {space} {fmt}",
                    "plan",
                    str(app_json),
                    "--space",
                    space,
                    *api,
                    *policy,
                    "--format",
                    fmt,
                    "-v",
                    *plan_outputs,
                )
        cli("register", "register", "--all", *api, *policy, "-o", str(work / "register.csv"))
        cli(
            "register history",
            "register",
            "--from-history",
            "--store",
            store,
            "--format",
            "json",
        )
        mp.setenv("GATEKEEPER_SMTP_PASSWORD", SMTP_WRONG)
        cli(
            "audit smtp wrong password",
            "audit",
            "--team",
            "bio-lab",
            *api,
            *policy,
            "--no-history",
            "--notify",
            "mailto:dpo@uni-example.edu",
        )
        mp.setenv("GATEKEEPER_SMTP_PASSWORD", SMTP_CANARY)
        cli("history", "history", "--store", store)
        cli("history json", "history", "--store", store, "--format", "json")
        cli("history show", "history", "--store", store, "--show", "1", "--format", "json")
        cli("snapshot", "snapshot", "--all", *api, "-o", str(work / "snapshot.json"))
        cli("snapshot app", "snapshot", "--app", "bio-dashboard", *api)
        cli("snapshot fir app", "snapshot", "--app", FIR_APP, *api)
        cli(
            "check snapshot",
            "check",
            "--app",
            "bio-dashboard",
            *policy,
            "--snapshot",
            str(work / "snapshot.json"),
            "--format",
            "json",
            "-v",
        )
        cli(
            "check fir snapshot",
            "check",
            "--app",
            FIR_APP,
            *policy,
            "--snapshot",
            str(work / "snapshot.json"),
            "--format",
            "markdown",
            "-v",
        )
        cli(
            "audit snapshot",
            "audit",
            *policy,
            "--snapshot",
            str(work / "snapshot.json"),
            "--no-history",
            "--format",
            "html",
            "--output",
            f"csv={work / 'snap.csv'}",
        )
        cli("doctor", "doctor", *api, *policy)
        cli("doctor json", "doctor", *api, *policy, "--format", "json")
        receiver = "https://gatekeeper.uni-example.edu/webhooks/heroku"
        cli("webhooks status", "webhooks", "status", *api, "--url", receiver)
        cli("policy validate", "policy", "validate", str(POLICY))
        cli("policy explain", "policy", "explain", "log-drain-not-allowed")
        cli("policy explain telemetry", "policy", "explain", "telemetry-drain-not-allowed")

        # The token from the keyring (stored by login, read back, removed by logout) ...
        backend = MemoryKeyring()
        previous = keyring.get_keyring()
        keyring.set_keyring(backend)
        try:
            mp.delenv("HEROKU_API_KEY")
            cli("login", "login", *api, stdin=CANARY + "\n")
            assert backend.entries == {(KEYRING_SERVICE, "127.0.0.1"): CANARY}
            cli("check keyring", "check", "--app", "survey", *api, *policy)
            cli("doctor keyring", "doctor", *api, *policy)
            cli("logout", "logout", *api)
        finally:
            keyring.set_keyring(previous)
        # ... and from ~/.netrc.
        netrc = Path.home() / ".netrc"
        netrc.write_text(f"machine 127.0.0.1\n  login {CANARY_ACCOUNT}\n  password {CANARY}\n")
        netrc.chmod(0o600)
        cli("check netrc", "check", "--app", "survey", *api, *policy, "--format", "sarif")
        cli("doctor netrc", "doctor", *api, *policy, "--format", "json")
        netrc.unlink()
        mp.setenv("HEROKU_API_KEY", CANARY)

        # Errors: a refused token, a failing API, the token put into the URL by mistake.
        simulator.faults = Faults(expire_token_after=0)
        cli("check 401", "check", "--app", "survey", *api, *policy)
        cli("audit 401", "audit", "--all", *api, *policy, "--no-history")
        cli("doctor 401", "doctor", *api, *policy)
        simulator.faults = Faults(server_errors=-1)
        cli("check 503", "check", "--app", "survey", *api, *policy)
        simulator.faults = Faults()
        userinfo_url = simulator.url.replace("http://", f"http://user:{CANARY}@")
        cli("check url with token", "check", "--app", "survey", "--api-url", userinfo_url, *policy)
        cli("demo", "demo", "--out-dir", str(work / "demo"))
        record.add("webhook", "\n".join(b.decode("utf-8", "replace") for b in webhook.bodies))
        record.add("webhook count", str(len(webhook.bodies)))
        record.add("mail", "\n".join(m.content.decode("utf-8", "replace") for m in smtp.messages))
        record.add("mail count", str(len(smtp.messages)))
    record.add("debug log", debug_log.getvalue())
    return record


def test_the_commands_ran_with_the_canary(transcript: Transcript, simulator: Simulator) -> None:
    """Not a vacuous pass: the canary account did make requests, the commands did work."""
    accounts = {r.account for r in simulator.requests}
    assert CANARY_ACCOUNT in accounts
    codes = dict(transcript.codes)
    assert codes["check bio-dashboard json"] == 1 and codes["check econ-game text"] == 0
    assert codes["audit"] == 1 and codes["snapshot"] == 0 and codes["history"] == 0
    assert codes["login"] == 0 and codes["check keyring"] == 0 and codes["logout"] == 0
    assert codes["check netrc"] == 0 and codes["doctor"] == 0 and codes["demo"] == 0
    assert codes["check 401"] == 3 and codes["check 503"] == 3 and codes["doctor 401"] == 3
    assert codes["check url with token"] == 2
    assert codes["plan bio-shield json"] == 1 and codes[f"plan {FIR_SPACE} text"] in (0, 1)
    assert codes["webhooks status"] == 0
    assert dict(transcript.chunks)["webhook count"] != "0"
    assert dict(transcript.chunks)["mail count"] != "0"  # e-mailed after a login
    assert codes["audit smtp wrong password"] == 3
    assert "refused the login" in dict(transcript.chunks)["audit smtp wrong password stderr"]
    log = dict(transcript.chunks)["debug log"]
    assert "gatekeeper.heroku" in log and "httpx" in log  # DEBUG logging was really on


def test_no_secret_in_any_output_or_log(transcript: Transcript) -> None:
    for what, text in transcript.chunks:
        for secret in SECRETS:
            assert secret not in text, f"{secret[:12]}... leaked in {what}"
        if what not in ("webhook", "mail"):
            assert transcript.webhook_path not in text, f"the webhook URL leaked in {what}"


def test_no_secret_in_any_file_written(transcript: Transcript) -> None:
    files = list(transcript.files())
    names = {path.name for path, _ in files}
    assert {f"report.{fmt}" for fmt in FORMATS} <= names
    assert {"history.sqlite3", "snapshot.json", "report.html", "snap.csv"} <= names
    for path, content in files:
        for secret in SECRETS:
            assert secret.encode() not in content, f"{secret[:12]}... leaked in {path}"
            # Also as UTF-16 or escaped forms some formats might use.
            assert secret.encode("utf-16-le") not in content, path


def test_no_secret_in_the_register_workbook(transcript: Transcript) -> None:
    """The workbook is a zip file: its sheets are read unpacked."""
    import zipfile

    codes = dict(transcript.codes)
    assert codes["register"] == 0 and codes["register history"] == 0
    with zipfile.ZipFile(transcript.work / "audit" / "register.xlsx") as book:
        parts = [book.read(name) for name in book.namelist()]
    assert any(b"bio-dashboard" in part for part in parts)
    for part in parts:
        for secret in SECRETS:
            assert secret.encode() not in part, f"{secret[:12]}... leaked in the workbook"


def test_the_drain_is_reported_without_its_secret(transcript: Transcript) -> None:
    data = json.loads((transcript.work / "audit" / "report.json").read_text())
    dashboard = next(a for a in data["apps"] if a["name"] == "bio-dashboard")
    drains = [f for f in dashboard["findings"] if f["rule"] == "log-drain-not-allowed"]
    assert drains and "logs.example-logging.io" in drains[0]["message"]
    snapshot = json.loads((transcript.work / "snapshot.json").read_text())
    app = next(a for a in snapshot["apps"] if a["name"] == "bio-dashboard")
    assert [d["url"] for d in app["log_drains"]] == ["https://logs.example-logging.io/ingest"]


def test_the_telemetry_headers_were_served_and_never_kept(
    transcript: Transcript, simulator: Simulator
) -> None:
    """Not a vacuous pass: the API answered with the header canary, the commands read those
    answers with the canary token, and what they kept of the drains is the endpoint alone."""
    served = {
        f"/apps/{FIR_APP}/telemetry-drains": FIR_APP,
        f"/spaces/{FIR_SPACE}/telemetry-drains": FIR_SPACE,
    }
    for path in served:
        answer = httpx.get(
            simulator.url + path,
            headers={
                "Authorization": f"Bearer {CANARY}",
                "Accept": "application/vnd.heroku+json; version=3",
            },
            timeout=10,
        )
        assert answer.status_code == 200 and TELEMETRY_CANARY in answer.text, path
    read = {r.path for r in simulator.requests if r.account == CANARY_ACCOUNT}
    assert f"/apps/{FIR_APP}/telemetry-drains" in read
    assert any(p.startswith("/spaces/") and p.endswith("/telemetry-drains") for p in read)
    codes = dict(transcript.codes)
    assert codes[f"check {FIR_APP} json"] == 1 and codes["check fir snapshot"] == 1
    for report in ("check", "audit"):
        data = json.loads((transcript.work / report / "report.json").read_text())
        (fir,) = (a for a in data["apps"] if a["name"] == FIR_APP)
        found = [f for f in fir["findings"] if f["rule"] == "telemetry-drain-not-allowed"]
        assert {f["subject"] for f in found} == {
            "https://otlp.us.example-observability.com:4318/v1/logs",
            "https://otlp.eu01.example-apm.com/v1",
        }, report
    snapshot = json.loads((transcript.work / "snapshot.json").read_text())
    (app,) = (a for a in snapshot["apps"] if a["name"] == FIR_APP)
    assert [d["url"] for d in app["telemetry_drains"]] == [
        "https://otlp.us.example-observability.com:4318/v1/logs"
    ]
    assert {k for d in app["telemetry_drains"] for k in d} == {"id", "host", "url", "signals"}
    # the audit of fir-survey was stored in the history (searched above as a file, too)
    stored = json.loads(dict(transcript.chunks)["history show stdout"])
    assert FIR_APP in json.dumps(stored)


def test_successful_runs_needed_no_redaction(transcript: Transcript) -> None:
    """Redaction is the last line of defence: a run that works never needs it."""
    for what, text in transcript.chunks:
        if any(word in what for word in ("401", "503", "url with token", "debug log")):
            continue
        assert MASK not in text, what


def test_errors_say_what_to_do_without_the_token(transcript: Transcript) -> None:
    chunks = dict(transcript.chunks)
    assert "expired or revoked" in chunks["check 401 stderr"]
    assert "contains credentials" in chunks["check url with token stderr"]


# -- TLS -----------------------------------------------------------------------------------------


def test_no_option_switches_tls_verification_off(capsys: pytest.CaptureFixture[str]) -> None:
    for verb in ("check", "audit", "snapshot", "doctor", "login"):
        assert run([verb, "--help"]) == 0
        text = capsys.readouterr().out.lower()
        for word in ("insecure", "no-verify", "verify", "skip-tls", "ssl"):
            assert f"--{word}" not in text, (verb, word)


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        # As tests/conftest.py's require_program: skip locally, fail in CI (.ci/run).
        if os.environ.get("GATEKEEPER_REQUIRE_EXTERNAL") == "1":
            pytest.fail("openssl is required in CI to make a self-signed certificate")
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=api.heroku.com",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[int, list[bytes]]]:
    """An https server on 127.0.0.1 with a self-signed certificate; records what it got."""
    cert, key = _self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    received: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                try:
                    with context.wrap_socket(conn, server_side=True) as tls:
                        received.append(tls.recv(65536))
                except (OSError, ssl.SSLError):
                    pass  # the client refused our certificate: what we want

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield int(listener.getsockname()[1]), received
    stop.set()
    thread.join(timeout=5)
    listener.close()


@pytest.mark.parametrize("host", ["127.0.0.1", "remote"])
def test_a_certificate_that_is_not_trusted_is_refused(
    host: str,
    tls_server: tuple[int, list[bytes]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """https with a self-signed certificate fails (exit 3), whatever the environment says.

    ``remote``: the host counts as not loopback (as ``api.heroku.com`` would), so the
    environment's proxy and TLS settings are honoured there: the ones that switch
    verification off in other tools must not do so here.
    """
    port, received = tls_server
    if host == "remote":
        import gatekeeper.heroku.config as config
        import gatekeeper.transport as transport

        monkeypatch.setattr(transport, "is_loopback", lambda name: False)
        monkeypatch.setattr(config, "is_loopback", lambda name: False)
    for name in (
        "HTTPS_PROXY",
        "HTTP_PROXY",
        "ALL_PROXY",
        "https_proxy",
        "http_proxy",
        "all_proxy",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in (
        ("PYTHONHTTPSVERIFY", "0"),
        ("CURL_CA_BUNDLE", ""),
        ("REQUESTS_CA_BUNDLE", ""),
        ("HTTPX_VERIFY", "0"),
        ("NODE_TLS_REJECT_UNAUTHORIZED", "0"),
        ("GIT_SSL_NO_VERIFY", "1"),
    ):
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HEROKU_API_KEY", CANARY)
    monkeypatch.setenv("GATEKEEPER_MAX_RETRIES", "0")
    code = run(
        [
            "check",
            "--app",
            "survey",
            "--api-url",
            f"https://127.0.0.1:{port}",
            "--policy",
            str(POLICY),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 3, err
    assert "CERTIFICATE_VERIFY_FAILED" in err or "certificate" in err.lower()
    assert "Traceback" not in out + err and CANARY not in out + err
    assert not any(CANARY.encode() in data for data in received)  # never sent in clear


@pytest.mark.parametrize(
    "url",
    [
        "http://api.heroku.com",
        "http://10.0.0.5:5000",
        "http://[::ffff:127.0.0.1]:5000",
        "http://127.0.0.1.nip.io",
        "http://localhost.evil.example",
    ],
)
def test_plain_http_is_refused_for_hosts_that_are_not_loopback(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HEROKU_API_KEY", CANARY)
    for verb in (["check", "--app", "survey"], ["doctor"], ["audit", "--all"]):
        code = run([*verb, "--api-url", url, "--policy", str(POLICY)])
        out, err = capsys.readouterr()
        assert code == 2, (verb, err)
        assert "plain http" in out + err
        assert CANARY not in out + err
    monkeypatch.setenv("HEROKU_HOST", url)
    assert run(["check", "--app", "survey", "--policy", str(POLICY)]) == 2
    capsys.readouterr()
