"""End to end: ``gatekeeper doctor`` against the simulator over real HTTP.

Where the token came from (env, keyring, netrc: never the token), whether it is a global token
where a read one would do (found by matching the token against ``GET /oauth/authorizations``,
which only a global token may list), the API host, the account, the rate limit left, the
keyring backend and the policy in force; exit 0 / 2 / 3 as documented.
"""

from __future__ import annotations

import hashlib
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import pytest

from gatekeeper.cli import run
from gatekeeper.heroku.credentials import KEYRING_SERVICE
from gatekeeper.simulator import DEMO_ADMIN_TOKEN, SimToken, Simulator, demo_estate

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "gatekeeper" / "examples" / "university.toml"
ADMIN = "admin@uni-example.edu"
GLOBAL_TOKEN = "HRKU-doctor-global-5ecr3t-000000000000"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that keeps passwords in a dict (a usable backend for ``login``/``doctor``)."""

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


@pytest.fixture(scope="module")
def simulator() -> Iterator[Simulator]:
    estate = demo_estate()
    # The account's global API key, beside the read token of the demo estate.
    estate.tokens.append(
        SimToken(
            GLOBAL_TOKEN,
            ADMIN,
            "Uni Admin",
            teams=["*"],
            enterprise_accounts=["*"],
            apps=["*"],
            role="admin",
            scope=["global"],
        )
    )
    with Simulator(estate) as sim:
        yield sim


@pytest.fixture
def sim(simulator: Simulator) -> Simulator:
    simulator.rate_limiter.set_remaining(ADMIN, 4500)
    return simulator


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    """Run ``doctor --format json``; the exit code, the checks by name, and all output."""
    code = run(["doctor", "--format", "json", *args])
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["schema"] == "gatekeeper.doctor/v1"
    assert data["exit_code"] == code and data["ok"] == (code == 0)
    return code, {c["name"]: c for c in data["checks"]}, out + err


def test_read_token_from_the_environment(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HEROKU_API_KEY", DEMO_ADMIN_TOKEN)
    code, checks, output = doctor(capsys, "--api-url", sim.url, "--policy", str(POLICY))
    assert code == 0
    assert checks["api"]["details"] == {"url": sim.url, "host": "127.0.0.1", "origin": "--api-url"}
    assert checks["token"]["status"] == "ok"
    assert checks["token"]["details"]["source"] == "env"
    assert checks["account"]["details"]["email"] == ADMIN
    # A read token may not list the authorizations, so it is not global.
    assert checks["scope"]["status"] == "ok"
    assert checks["scope"]["details"]["global"] is False
    assert checks["rate-limit"]["status"] == "ok"
    assert 4400 < checks["rate-limit"]["details"]["remaining"] <= 4500
    policy = checks["policy"]["details"]
    assert policy["valid"] is True and policy["origin"] == "--policy"
    assert policy["sha256"] == hashlib.sha256(POLICY.read_bytes()).hexdigest()
    assert DEMO_ADMIN_TOKEN not in output and GLOBAL_TOKEN not in output


def test_text_output_names_each_check(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HEROKU_API_KEY", DEMO_ADMIN_TOKEN)
    assert run(["doctor", "--api-url", sim.url, "--policy", str(POLICY)]) == 0
    out, err = capsys.readouterr()
    for name in ("api", "token", "account", "scope", "rate-limit", "keyring", "policy"):
        assert f" {name} " in out
    assert "from HEROKU_API_KEY" in out and ADMIN in out and "All is well." in out
    assert DEMO_ADMIN_TOKEN not in out + err and "Traceback" not in out + err


def test_global_token_is_a_warning_not_a_failure(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HEROKU_API_KEY", GLOBAL_TOKEN)
    code, checks, output = doctor(capsys, "--api-url", sim.url, "--policy", str(POLICY))
    assert code == 0
    scope = checks["scope"]
    assert scope["status"] == "warn"
    assert scope["details"] == {"scope": ["global"], "global": True}
    assert "--scope read" in scope["hint"]
    # The list of authorizations holds the account's other tokens too: none is shown.
    assert GLOBAL_TOKEN not in output and DEMO_ADMIN_TOKEN not in output
    assert run(["doctor", "--api-url", sim.url, "--policy", str(POLICY)]) == 0
    text = capsys.readouterr().out
    assert "WARN" in text and "global" in text and "Usable, with 1 warning." in text


def test_token_from_the_keyring(
    sim: Simulator, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    memory_keyring.set_password(KEYRING_SERVICE, "127.0.0.1", DEMO_ADMIN_TOKEN)
    code, checks, output = doctor(capsys, "--api-url", sim.url, "--policy", str(POLICY))
    assert code == 0
    assert checks["token"]["details"]["source"] == "keyring"
    assert checks["keyring"]["status"] == "ok"
    assert checks["keyring"]["details"]["usable"] is True
    assert "MemoryKeyring" in checks["keyring"]["details"]["backend"]
    assert DEMO_ADMIN_TOKEN not in output


def test_token_from_netrc_and_env_wins(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    netrc = Path.home() / ".netrc"
    netrc.write_text(f"machine 127.0.0.1\n  login {ADMIN}\n  password {DEMO_ADMIN_TOKEN}\n")
    netrc.chmod(0o600)
    code, checks, output = doctor(capsys, "--api-url", sim.url, "--policy", str(POLICY))
    assert code == 0
    assert checks["token"]["details"]["source"] == "netrc"
    assert checks["keyring"]["details"]["usable"] is False  # the tests' null keyring
    assert DEMO_ADMIN_TOKEN not in output

    monkeypatch.setenv("HEROKU_API_KEY", GLOBAL_TOKEN)
    code, checks, output = doctor(capsys, "--api-url", sim.url, "--policy", str(POLICY))
    assert checks["token"]["details"]["source"] == "env"
    assert checks["token"]["details"]["present"] == {"env": True, "keyring": False, "netrc": True}
    assert "not used" in checks["token"]["message"]
    assert GLOBAL_TOKEN not in output and DEMO_ADMIN_TOKEN not in output


def test_no_token_exits_3(sim: Simulator, capsys: pytest.CaptureFixture[str]) -> None:
    code, checks, _ = doctor(capsys, "--api-url", sim.url, "--policy", str(POLICY))
    assert code == 3
    assert checks["token"]["status"] == "fail"
    assert "--scope read" in checks["token"]["hint"]
    assert "account" not in checks
    assert checks["policy"]["status"] == "ok"  # still reported


def test_refused_token_exits_3(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "HRKU-revoked-5ecr3t-0000000000000000"
    monkeypatch.setenv("HEROKU_API_KEY", secret)
    code, checks, output = doctor(capsys, "--api-url", sim.url, "--policy", str(POLICY))
    assert code == 3
    account = checks["account"]
    assert account["status"] == "fail" and account["details"]["status"] == 401
    assert "refused the token" in account["message"]
    assert "heroku authorizations:create --scope read" in account["hint"]
    assert secret not in output


def test_unreachable_api_exits_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("HEROKU_API_KEY", DEMO_ADMIN_TOKEN)
    monkeypatch.setenv("GATEKEEPER_MAX_RETRIES", "0")
    code, checks, _ = doctor(
        capsys, "--api-url", f"http://127.0.0.1:{port}", "--policy", str(POLICY)
    )
    assert code == 3
    assert checks["account"]["status"] == "fail"
    assert "Could not connect" in checks["account"]["message"]
    assert "Check the network" in checks["account"]["hint"]


def test_low_rate_limit_is_a_warning(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HEROKU_API_KEY", DEMO_ADMIN_TOKEN)
    sim.rate_limiter.set_remaining(ADMIN, 95)
    code, checks, _ = doctor(capsys, "--api-url", sim.url, "--policy", str(POLICY))
    assert code == 0
    assert checks["rate-limit"]["status"] == "warn"
    assert checks["rate-limit"]["details"]["remaining"] < 100


def test_invalid_policy_exits_2_with_its_problems(
    sim: Simulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = tmp_path / "gatekeeper.toml"
    bad.write_text('version = 1\n[defaults]\ndata_clas = "personal"\n')
    monkeypatch.setenv("HEROKU_API_KEY", DEMO_ADMIN_TOKEN)
    monkeypatch.chdir(tmp_path)
    code, checks, _ = doctor(capsys, "--api-url", sim.url)
    assert code == 2
    policy = checks["policy"]
    assert policy["status"] == "fail" and policy["details"]["origin"] == "the default"
    assert policy["details"]["valid"] is False and policy["details"]["sha256"] is None
    assert any("data_clas" in p and ":3" in p for p in policy["details"]["problems"])


def test_policy_from_the_environment_and_missing_policy(
    sim: Simulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("HEROKU_API_KEY", DEMO_ADMIN_TOKEN)
    monkeypatch.setenv("GATEKEEPER_POLICY", str(POLICY))
    code, checks, _ = doctor(capsys, "--api-url", sim.url)
    assert code == 0 and checks["policy"]["details"]["origin"] == "GATEKEEPER_POLICY"
    monkeypatch.setenv("GATEKEEPER_POLICY", str(tmp_path / "nowhere.toml"))
    code, checks, _ = doctor(capsys, "--api-url", sim.url)
    assert code == 2
    assert "does not exist" in checks["policy"]["message"]


def test_api_url_from_heroku_host_and_a_refused_url(
    sim: Simulator, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HEROKU_API_KEY", DEMO_ADMIN_TOKEN)
    monkeypatch.setenv("HEROKU_HOST", sim.url)
    code, checks, _ = doctor(capsys, "--policy", str(POLICY))
    assert code == 0 and checks["api"]["details"]["origin"] == "HEROKU_HOST"
    code, checks, _ = doctor(capsys, "--policy", str(POLICY), "--api-url", "http://api.example.com")
    assert code == 2
    assert checks["api"]["status"] == "fail" and "plain http" in checks["api"]["message"]
    assert "token" not in checks  # no token is looked up for a URL it must not go to
