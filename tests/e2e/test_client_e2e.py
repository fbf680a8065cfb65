"""End to end: the Heroku client against the local simulator over real HTTP on 127.0.0.1.

Covers what docs/client.md promises: a list of 2,345 apps fetched whole in exactly 3
requests with max=1000; a 429 with Retry-After waited out; a 503 retried; a looping
Next-Range ending with a clear error; 401 ending with a message telling how to authenticate;
the token absent from every output and exception text. Waits are recorded by an injected
sleep (the simulator's faults are counted, not timed), so nothing here really sleeps.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import keyring.errors
import pytest
from click.testing import CliRunner

from gatekeeper.cli import run
from gatekeeper.errors import (
    AuthenticationError,
    ForbiddenError,
    GatekeeperError,
    NotFoundError,
    ProtocolError,
    RateLimitError,
    ServerError,
    TransportError,
)
from gatekeeper.heroku import AsyncHerokuClient, HerokuClient, Timeouts, quote_segment
from gatekeeper.heroku.credentials import KEYRING_SERVICE, resolve_token
from gatekeeper.heroku.models import AddOn, App, LogDrain, Region, Space, Team, TeamApp
from gatekeeper.simulator import ALWAYS, Faults, Simulator, demo_estate, generate_estate

pytestmark = pytest.mark.e2e

ADMIN_TOKEN = "HRKU-demo-admin-0000000000000000"
JDOE_TOKEN = "HRKU-demo-jdoe-0000000000000000"
ADMIN = "admin@uni-example.edu"


class Sleeps:
    """An injected sleep that records instead of waiting, and the clock that goes with it:
    virtual time that moves only by what was "slept", so pacing is deterministic."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def clock(self) -> float:
        return sum(self.calls)

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)

    async def async_sleep(self, seconds: float) -> None:
        self.calls.append(seconds)


def paced_client(sim: Simulator, sleeps: Sleeps, **options: Any) -> HerokuClient:
    """A client for ``sim`` whose waits are recorded by ``sleeps`` instead of taken."""
    return HerokuClient(sim.url, ADMIN_TOKEN, sleep=sleeps, clock=sleeps.clock, **options)


@pytest.fixture(scope="module")
def demo_sim() -> Iterator[Simulator]:
    with Simulator(demo_estate(), latency=0.0) as sim:
        yield sim


@pytest.fixture
def sim(demo_sim: Simulator) -> Iterator[Simulator]:
    """The demo simulator with no faults and fresh request records."""
    demo_sim.faults = Faults()
    demo_sim.reset_stats()
    demo_sim.rate_limiter.set_remaining(ADMIN, 4500)
    yield demo_sim
    demo_sim.faults = Faults()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def client(sim: Simulator, sleeps: Sleeps) -> Iterator[HerokuClient]:
    with paced_client(sim, sleeps) as api:
        yield api


@pytest.fixture(scope="module")
def big_sim_module() -> Iterator[Simulator]:
    with Simulator(generate_estate(apps=2345, seed=3)) as big:
        yield big


@pytest.fixture
def big_sim(big_sim_module: Simulator) -> Iterator[Simulator]:
    """A simulator serving 2,345 apps, with no faults and fresh request records."""
    big_sim_module.faults = Faults()
    big_sim_module.reset_stats()
    yield big_sim_module
    big_sim_module.faults = Faults()


def test_2345_apps_in_exactly_3_requests(big_sim: Simulator) -> None:
    with HerokuClient(big_sim.url, ADMIN_TOKEN) as api:
        apps = api.list_models("/apps", App)
    assert len(apps) == 2345
    assert len({a.id for a in apps}) == 2345
    assert big_sim.request_count == 3
    ranges = [r.headers.get("range", "") for r in big_sim.requests]
    assert all("max=1000" in r for r in ranges)
    assert [r.status for r in big_sim.requests] == [206, 206, 200]
    assert api.stats.requests_sent == 3 and api.stats.pages == 3


def test_2345_apps_with_the_async_client_too(big_sim: Simulator) -> None:
    async def fetch(url: str) -> list[App]:
        async with AsyncHerokuClient(url, ADMIN_TOKEN) as api:
            return await api.list_models("/apps", App)

    apps = asyncio.run(fetch(big_sim.url))
    assert len(apps) == 2345
    assert big_sim.request_count == 3


def test_the_demo_estate_reads_into_the_models(client: HerokuClient) -> None:
    apps = {a.name: a for a in client.list_models("/apps", App)}
    assert len(apps) == 11
    assert apps["jdoe-thesis"].team is None
    assert apps["frankfurt-exp"].space is not None
    assert apps["frankfurt-exp"].region.name == "frankfurt"
    teams = {t.name: t for t in client.list_models("/teams", Team)}
    assert teams["student-projects"].enterprise_account is None
    assert teams["psych-lab"].enterprise_account is not None
    spaces = {s.name: s for s in client.list_models("/spaces", Space)}
    assert spaces["bio-shield"].shield is True
    regions = {r.name: r for r in client.list_models("/regions", Region)}
    assert regions["frankfurt"].provider.region == "eu-central-1"
    team_apps = client.list_models("/teams/psych-lab/apps", TeamApp)
    assert {a.name for a in team_apps} >= {"survey", "otree-study"}
    addons = client.list_models(f"/apps/{quote_segment('survey')}/addons", AddOn)
    assert {a.plan.name for a in addons} == {
        "heroku-postgresql:essential-0",
        "papertrail:choklad",
        "sendgrid:starter",
    }
    drains = client.list_models("/apps/bio-dashboard/log-drains", LogDrain)
    assert [d.addon for d in drains] == [None]
    assert client.rate_limit_remaining is not None


def test_429_with_retry_after_is_waited_out(
    sim: Simulator, client: HerokuClient, sleeps: Sleeps
) -> None:
    sim.faults = Faults(too_many_requests=1, retry_after=3)
    apps = client.list("/apps")
    assert len(apps) == 11
    assert sleeps.calls == [3.0]
    assert [r.status for r in sim.requests] == [429, 200]
    assert client.stats.retries == 1


def test_429_that_does_not_stop_ends_as_rate_limit_error(sim: Simulator, sleeps: Sleeps) -> None:
    sim.faults = Faults(too_many_requests=ALWAYS, retry_after=2)
    with paced_client(sim, sleeps, max_retries=3) as api, pytest.raises(RateLimitError) as caught:
        api.get("/account")
    assert sleeps.calls == [2.0, 2.0, 2.0]
    assert caught.value.error_id == "rate_limit"
    assert caught.value.request_id == sim.requests[-1].response_headers["request-id"]


def test_503_is_retried(sim: Simulator, client: HerokuClient, sleeps: Sleeps) -> None:
    sim.faults = Faults(server_errors=2, server_error_status=503)
    assert client.get("/account")["email"] == ADMIN
    assert [r.status for r in sim.requests] == [503, 503, 200]
    assert len(sleeps.calls) == 2


def test_persistent_5xx_ends_as_server_error(sim: Simulator, sleeps: Sleeps) -> None:
    sim.faults = Faults(server_errors=ALWAYS, server_error_status=500)
    with (
        paced_client(sim, sleeps, max_retries=2) as api,
        pytest.raises(ServerError, match="gave up after 3 attempts"),
    ):
        api.get("/apps/survey")
    assert sim.request_count == 3


@pytest.mark.parametrize("fault", ["drop_connections", "reset_connections"])
def test_dropped_connections_are_retried(sim: Simulator, client: HerokuClient, fault: str) -> None:
    faults = Faults()
    setattr(faults, fault, 2)
    sim.faults = faults
    assert client.get("/apps/survey")["name"] == "survey"
    assert [r.status for r in sim.requests] == [0, 0, 200]


def test_connections_that_keep_dropping_end_as_transport_error(
    sim: Simulator, sleeps: Sleeps
) -> None:
    sim.faults = Faults(drop_connections=ALWAYS)
    with (
        paced_client(sim, sleeps, max_retries=1) as api,
        pytest.raises(TransportError, match="gave up after 2 attempts"),
    ):
        api.get("/account")


def test_a_slow_answer_hits_the_read_timeout(sim: Simulator, sleeps: Sleeps) -> None:
    sim.faults = Faults(slow_responses=ALWAYS, slow_seconds=5.0)
    with (
        paced_client(sim, sleeps, max_retries=1, timeout=Timeouts(connect=2.0, read=0.2)) as api,
        pytest.raises(TransportError, match="Timed out waiting"),
    ):
        api.get("/account")


def test_looping_next_range_ends_with_a_clear_error(sim: Simulator, client: HerokuClient) -> None:
    sim.faults = Faults(looping_next_range=True)
    with pytest.raises(ProtocolError) as caught:
        client.list("/apps")
    message = str(caught.value)
    assert "Next-Range" in message and "repeats" in message and "looping forever" in message
    assert sim.request_count <= 2


def test_looping_next_range_on_a_later_page_is_caught_too(big_sim: Simulator) -> None:
    big_sim.faults = Faults(looping_next_range=True)
    with (
        HerokuClient(big_sim.url, ADMIN_TOKEN) as api,
        pytest.raises(ProtocolError, match="repeats"),
    ):
        api.list("/apps")
    assert big_sim.request_count <= 3


def test_206_without_next_range_ends_with_a_clear_error(
    sim: Simulator, client: HerokuClient
) -> None:
    sim.faults = Faults(missing_next_range=True)
    with pytest.raises(ProtocolError, match="no Next-Range"):
        client.list("/apps")


def test_broken_json_is_a_protocol_error(sim: Simulator, client: HerokuClient) -> None:
    sim.faults = Faults(broken_json=1)
    with pytest.raises(ProtocolError, match="not valid JSON"):
        client.get("/apps/survey")


def test_401_says_how_to_authenticate(sim: Simulator) -> None:
    bad = "HRKU-not-a-known-token-123456789"
    with HerokuClient(sim.url, bad) as api, pytest.raises(AuthenticationError) as caught:
        api.get("/apps")
    message = str(caught.value)
    assert "heroku authorizations:create --scope read" in message
    assert "HEROKU_API_KEY" in message and "gatekeeper login" in message
    assert caught.value.error_id == "unauthorized"
    assert bad not in message + repr(caught.value)


def test_403_and_404_are_typed(sim: Simulator) -> None:
    with HerokuClient(sim.url, JDOE_TOKEN) as api:
        with pytest.raises(ForbiddenError) as forbidden:
            api.get("/apps/clinical-trial")
        assert forbidden.value.error_id == "forbidden"
        with pytest.raises(NotFoundError) as missing:
            api.get(f"/apps/{quote_segment('../account')}")
        assert missing.value.error_id == "not_found"
        assert missing.value.request_id


def test_etag_304_is_served_from_the_cache(sim: Simulator, client: HerokuClient) -> None:
    with HerokuClient(sim.url, ADMIN_TOKEN, etag_cache=True) as api:
        first = api.list("/apps")
        second = api.list("/apps")
        assert first == second
        assert api.stats.not_modified == 1
    assert [r.status for r in sim.requests] == [200, 304]


def test_sdk_variant_is_accepted(sim: Simulator, client: HerokuClient) -> None:
    addons = client.list("/apps/survey/addons", variant="3.sdk")
    assert len(addons) == 3
    assert sim.requests[-1].headers["accept"].endswith("version=3.sdk")


def test_slows_down_before_the_rate_limit_runs_out(sim: Simulator, sleeps: Sleeps) -> None:
    sim.rate_limiter.set_remaining(ADMIN, 60)
    with paced_client(sim, sleeps) as api:
        for _ in range(20):
            api.get("/apps/survey")
    assert api.stats.paced_waits == 19  # every request after the first one
    assert all(wait > 0 for wait in sleeps.calls)
    assert sleeps.calls[-1] > sleeps.calls[0]  # the fewer tokens left, the longer the wait
    assert all(r.status == 200 for r in sim.requests)
    assert api.rate_limit_remaining is not None and api.rate_limit_remaining < 60


def test_async_client_fetches_many_lists_at_once(sim: Simulator) -> None:
    async def fetch_all(url: str) -> dict[str, list[AddOn]]:
        async with AsyncHerokuClient(url, ADMIN_TOKEN, max_in_flight=4) as api:
            apps = await api.list_models("/apps", App)
            lists = await asyncio.gather(
                *(api.list_models(f"/apps/{quote_segment(a.name)}/addons", AddOn) for a in apps)
            )
            return {a.name: addons for a, addons in zip(apps, lists, strict=True)}

    addons = asyncio.run(fetch_all(sim.url))
    assert len(addons) == 11
    assert [a.plan.name for a in addons["student-game"]] == ["heroku-redis:mini"]
    assert addons["econ-game"] == []
    assert sim.request_count == 12


# -- the token never shows --------------------------------------------------------------------

FAULTS: dict[str, Callable[[], Faults]] = {
    "none": Faults,
    "429": lambda: Faults(too_many_requests=ALWAYS, retry_after=1),
    "503": lambda: Faults(server_errors=ALWAYS),
    "dropped": lambda: Faults(drop_connections=ALWAYS),
    "broken json": lambda: Faults(broken_json=ALWAYS),
    "looping": lambda: Faults(looping_next_range=True),
    "expired token": lambda: Faults(expire_token_after=0),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_the_token_is_absent_from_every_output(
    sim: Simulator, sleeps: Sleeps, fault: str, caplog: pytest.LogCaptureFixture
) -> None:
    sim.faults = FAULTS[fault]()
    error: GatekeeperError | None = None
    with caplog.at_level(logging.DEBUG), paced_client(sim, sleeps, max_retries=2) as api:
        try:
            api.list("/apps")
        except GatekeeperError as exc:
            error = exc
        texts = [repr(api), str(api.stats), caplog.text]
    if error is not None:
        texts += [
            str(error),
            repr(error),
            error.user_message(),
            "".join(traceback.format_exception(error)),
        ]
    assert (error is None) == (fault == "none")
    for text in texts:
        assert ADMIN_TOKEN not in text


class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def cli(args: list[str], input: str | None = None) -> tuple[int, str]:
    with CliRunner().isolation(input=input) as (_, _, output):
        code = run(args)
    return code, output.getvalue().decode()


def test_login_and_logout_against_the_simulator(
    sim: Simulator,
    memory_keyring: MemoryKeyring,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with caplog.at_level(logging.DEBUG):
        code, output = cli(["login", "--api-url", sim.url], input=ADMIN_TOKEN + "\n")
    assert code == 0, output
    assert ADMIN in output
    assert memory_keyring.entries == {(KEYRING_SERVICE, "127.0.0.1"): ADMIN_TOKEN}
    assert [r.path for r in sim.requests] == ["/account"]

    monkeypatch.setenv("HEROKU_HOST", sim.url)
    credential = resolve_token()
    assert credential.source == "keyring"
    with HerokuClient(sim.url, credential.token) as api:
        assert len(api.list("/apps")) == 11

    code, output2 = cli(["logout", "--api-url", sim.url])
    assert code == 0
    assert memory_keyring.entries == {}
    for text in (output, output2, caplog.text):
        assert ADMIN_TOKEN not in text


def test_login_with_a_wrong_token_stores_nothing(
    sim: Simulator, memory_keyring: MemoryKeyring
) -> None:
    wrong = "HRKU-wrong-token-aaaaaaaaaaaaaaaa"
    code, output = cli(["login", "--api-url", sim.url], input=wrong + "\n")
    assert code == 3
    assert "did not accept the token" in output
    assert wrong not in output
    assert memory_keyring.entries == {}


# -- tokens and ~/.netrc (docs/fault-matrix.md, "Faults outside the API") -------------------

POLICY = str(Path(__file__).resolve().parents[2] / "gatekeeper" / "examples" / "university.toml")
BAD_TOKEN = "HRKU-caf\u00e9-demo-admin-00000000"  # an accented letter, as pasted from a document


def _write_netrc(token: str, mode: int) -> Path:
    path = Path.home() / ".netrc"
    path.write_text(f"machine 127.0.0.1\n  login admin@uni-example.edu\n  password {token}\n")
    path.chmod(mode)
    return path


@pytest.mark.parametrize("source", ["env", "keyring", "netrc", "login"])
def test_a_non_ascii_token_is_a_credentials_error_that_does_not_show_it(
    source: str,
    sim: Simulator,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if source == "env":
        monkeypatch.setenv("HEROKU_API_KEY", BAD_TOKEN)
    elif source == "keyring":
        memory_keyring.set_password(KEYRING_SERVICE, "127.0.0.1", BAD_TOKEN)
    elif source == "netrc":
        _write_netrc(BAD_TOKEN, 0o600)
    if source == "login":
        monkeypatch.setattr("sys.stdin", io.StringIO(BAD_TOKEN + "\n"))
        code = run(["login", "--api-url", sim.url])
    else:
        code = run(["check", "--app", "econ-game", "--api-url", sim.url, "--policy", POLICY])
    out, err = capsys.readouterr()
    assert memory_keyring.entries == (
        {(KEYRING_SERVICE, "127.0.0.1"): BAD_TOKEN} if source == "keyring" else {}
    )
    assert code == 3, out + err
    assert "Traceback" not in out + err
    assert "that an HTTP header cannot carry" in err and "the token is not shown" in err
    assert BAD_TOKEN not in out + err and "caf\u00e9" not in out + err
    assert sim.request_count == 0


def test_a_netrc_others_may_read_warns_on_stderr(sim: Simulator, tmp_path: Path) -> None:
    """A real process with a real ~/.netrc of mode 0644: the check runs, with curl's advice."""
    home = tmp_path / "home"
    home.mkdir()
    netrc = home / ".netrc"
    netrc.write_text(f"machine 127.0.0.1\n  password {ADMIN_TOKEN}\n")
    netrc.chmod(0o644)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GATEKEEPER_", "HEROKU_"))}
    env["HOME"] = str(home)
    argv = ["check", "--app", "econ-game", "--api-url", sim.url, "--policy", POLICY]

    def check() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "gatekeeper", *argv],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=60,
            check=False,
        )

    result = check()
    assert result.returncode == 0, result.stderr
    assert "ALLOW econ-game" in result.stdout
    assert f"{netrc} holds the Heroku API token but other users may read it" in result.stderr
    assert f"chmod 600 {netrc}" in result.stderr
    assert ADMIN_TOKEN not in result.stdout + result.stderr
    netrc.chmod(0o600)
    quiet = check()
    assert quiet.returncode == 0 and "other users may read" not in quiet.stderr
