"""The real Heroku CLI (npm package ``heroku``, major version 11) pointed at the simulator.

``scripts/ci/setup-heroku-cli.sh`` installs it into ``.ci/node`` and prints
``GATEKEEPER_HEROKU_CLI`` (``.ci/run`` evals it); without it these tests skip locally and
fail in CI.

The CLI talks to more than the API host (Particleboard for ``/account`` and ``/teams``,
telemetry, update checks), so every byte is kept on loopback: ``HEROKU_HOST`` and
``HEROKU_PARTICLEBOARD_URL`` name the simulator, telemetry and update checks are off, ``HOME``
is a temporary directory (the CLI writes a git credential helper there). Where ``unshare -n``
works, the simulator (``gatekeeper simulate``) runs in a fresh network namespace that has
only loopback, and each CLI call joins it with ``nsenter``: nothing can leave the machine.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from external_programs import require_program

from gatekeeper.simulator import DEMO_ADMIN_TOKEN, DEMO_JDOE_TOKEN, demo_estate

pytestmark = pytest.mark.interop

CLI_TIMEOUT = 120  # seconds for one CLI call (node starts slowly on a busy machine)
DEMO = demo_estate()
ALL_APPS = sorted(a.name for a in DEMO.apps)


def _network_namespace_works() -> bool:
    """Whether ``unshare -n`` can make a namespace with loopback up (root or user namespaces)."""
    if not all(shutil.which(tool) for tool in ("unshare", "nsenter", "ip")):
        return False
    try:
        done = subprocess.run(
            ["unshare", "-n", "sh", "-c", "ip link set lo up"],
            capture_output=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


@dataclass
class Target:
    """The running simulator and how to run a command where it can be reached."""

    url: str
    prefix: list[str]  # nsenter into its network namespace, or nothing
    home: Path
    isolated: bool


@pytest.fixture(scope="module")
def heroku_cli() -> str:
    return require_program(os.environ.get("GATEKEEPER_HEROKU_CLI"), "Heroku CLI")


@pytest.fixture(scope="module")
def target(heroku_cli: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    simulate = [sys.executable, "-m", "gatekeeper", "simulate", "--port", "0"]
    isolated = _network_namespace_works()
    if isolated:
        # exec keeps one process: its pid is the namespace nsenter joins, and SIGINT stops it.
        command = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *simulate]
    else:
        command = simulate
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEROKU_")}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:\d+", first)
        if not match:
            process.kill()
            _, err = process.communicate(timeout=10)
            pytest.fail(f"gatekeeper simulate did not start: {first!r} {err!r}")
        prefix = ["nsenter", "-t", str(process.pid), "-n", "--"] if isolated else []
        yield Target(match.group(0), prefix, tmp_path_factory.mktemp("heroku-home"), isolated)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
    assert process.returncode == 0, process.stderr


def run_cli(
    cli: str, target: Target, *args: str, token: str = DEMO_ADMIN_TOKEN, home: Path | None = None
) -> subprocess.CompletedProcess[str]:
    home = home or target.home
    home.mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "HEROKU_HOST": target.url,
        "HEROKU_PARTICLEBOARD_URL": target.url,
        "HEROKU_API_KEY": token,
        "HEROKU_DISABLE_AUTOUPDATE": "1",
        "HEROKU_SKIP_NEW_VERSION_CHECK": "1",
        "HEROKU_UPDATE_INSTRUCTIONS": "disabled in tests",
        "DISABLE_TELEMETRY": "true",
        "NO_COLOR": "1",
        "FORCE_COLOR": "0",
    }
    return subprocess.run(
        [*target.prefix, cli, *args],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
        check=False,
    )


# Every CLI call the tests make: started together (node starts slowly; three at a time keep
# two cores busy), each with its own HOME so that their caches do not race.
CALLS: dict[str, tuple[tuple[str, ...], str]] = {
    "apps --all": (("apps", "--all", "--json"), DEMO_ADMIN_TOKEN),
    "apps --team": (("apps", "--team", "psych-lab", "--json"), DEMO_ADMIN_TOKEN),
    "apps:info": (("apps:info", "-a", "survey", "--json"), DEMO_ADMIN_TOKEN),
    "addons -a": (("addons", "-a", "frankfurt-exp", "--json"), DEMO_ADMIN_TOKEN),
    "addons --all": (("addons", "--all", "--json"), DEMO_ADMIN_TOKEN),
    "regions": (("regions", "--json"), DEMO_ADMIN_TOKEN),
    "spaces": (("spaces", "--json"), DEMO_ADMIN_TOKEN),
    "telemetry -a": (("telemetry", "-a", "fir-survey"), DEMO_ADMIN_TOKEN),
    "telemetry -s": (("telemetry", "-s", "uni-fir"), DEMO_ADMIN_TOKEN),
    "jdoe apps --all": (("apps", "--all", "--json"), DEMO_JDOE_TOKEN),
    "jdoe apps:info denied": (("apps:info", "-a", "clinical-trial", "--json"), DEMO_JDOE_TOKEN),
}


@pytest.fixture(scope="module")
def results(heroku_cli: str, target: Target) -> dict[str, subprocess.CompletedProcess[str]]:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {
            name: pool.submit(
                run_cli,
                heroku_cli,
                target,
                *args,
                token=token,
                home=target.home / re.sub(r"\W+", "-", name),
            )
            for name, (args, token) in CALLS.items()
        }
        return {name: future.result() for name, future in futures.items()}


def cli_json(results: dict[str, subprocess.CompletedProcess[str]], name: str) -> Any:
    done = results[name]
    command = " ".join(CALLS[name][0])
    assert done.returncode == 0, f"heroku {command} failed: {done.stderr}"
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"heroku {command} printed no JSON: {done.stdout!r} {done.stderr!r}")


Results = dict[str, subprocess.CompletedProcess[str]]


def test_runs_inside_an_isolated_network_where_possible(target: Target) -> None:
    """In CI (root) the namespace must work: a silent fallback would hide traffic leaving."""
    if os.environ.get("GATEKEEPER_REQUIRE_EXTERNAL") == "1" and os.geteuid() == 0:
        assert target.isolated, "unshare -n is expected to work for root in CI"
    assert target.url.startswith("http://127.0.0.1:")


def test_apps_all_lists_the_whole_estate(results: Results) -> None:
    apps = cli_json(results, "apps --all")
    assert sorted(a["name"] for a in apps) == ALL_APPS
    by_name = {a["name"]: a for a in apps}
    assert by_name["survey"]["region"]["name"] == "eu"
    assert by_name["experiment-us"]["region"]["name"] == "us"
    assert by_name["frankfurt-exp"]["region"]["name"] == "frankfurt"
    assert by_name["frankfurt-exp"]["space"]["name"] == "uni-frankfurt"
    shield = DEMO.space("bio-shield")
    assert shield is not None
    assert by_name["clinical-trial"]["space"] == {
        "id": shield.id,
        "name": "bio-shield",
        "shield": True,
    }
    assert by_name["student-game"]["team"]["name"] == "student-projects"
    assert by_name["jdoe-thesis"]["team"] is None
    assert by_name["jdoe-thesis"]["owner"]["email"] == "jane.doe@uni-example.edu"


def test_apps_of_a_team(results: Results) -> None:
    apps = cli_json(results, "apps --team")
    assert sorted(a["name"] for a in apps) == [
        "experiment-us",
        "fir-survey",
        "frankfurt-exp",
        "otree-study",
        "survey",
    ]
    assert {a["team"]["name"] for a in apps} == {"psych-lab"}


def test_apps_info(results: Results) -> None:
    info = cli_json(results, "apps:info")
    app = info["app"]
    assert app["name"] == "survey"
    assert app["region"]["name"] == "eu"
    assert app["team"]["name"] == "psych-lab"
    assert app["stack"]["name"] == app["build_stack"]["name"] == "heroku-24"
    assert isinstance(app["repo_size"], int) and isinstance(app["slug_size"], int)
    assert sorted(o["plan"]["name"] for o in info["addons"]) == [
        "heroku-postgresql:essential-0",
        "papertrail:choklad",
        "sendgrid:starter",
    ]
    assert [d["type"] for d in info["dynos"]] == ["web"]
    assert "admin@uni-example.edu" in {c["user"]["email"] for c in info["collaborators"]}
    assert info["pipeline_coupling"] is None  # not in a pipeline: the API answers 404


def test_addons_of_an_app_are_expanded_with_attachments(results: Results) -> None:
    addons = cli_json(results, "addons -a")
    assert sorted(o["plan"]["name"] for o in addons) == [
        "heroku-applink:base",
        "heroku-postgresql:essential-0",
        "heroku-postgresql:private-0",
    ]
    for addon in addons:
        assert addon["app"]["name"] == "frankfurt-exp"
        assert [a["app"]["name"] for a in addon["attachments"]] == ["frankfurt-exp"]
    postgres = [o for o in addons if o["addon_service"]["name"] == "heroku-postgresql"]
    assert [o["addon_service"]["human_name"] for o in postgres] == ["Heroku Postgres"] * 2
    assert sorted(a["attachments"][0]["name"] for a in postgres) == [
        "DATABASE",
        "HEROKU_POSTGRESQL_AMBER",
    ]


def test_addons_all(results: Results) -> None:
    addons = cli_json(results, "addons --all")
    expected = sorted((a.name, o.plan) for a in DEMO.apps for o in a.addons)
    assert sorted((o["app"]["name"], o["plan"]["name"]) for o in addons) == expected
    services = {o["addon_service"]["name"] for o in addons}
    assert {"herokuconnect", "papertrail", "sendgrid", "sentry", "heroku-redis"} <= services


def test_regions(results: Results) -> None:
    regions = cli_json(results, "regions")
    by_name = {r["name"]: r for r in regions}
    assert set(by_name) == {
        "us",
        "eu",
        "dublin",
        "frankfurt",
        "london",
        "montreal",
        "mumbai",
        "oregon",
        "singapore",
        "sydney",
        "tokyo",
        "virginia",
    }
    assert by_name["frankfurt"]["country"] == "Germany"
    assert by_name["frankfurt"]["provider"]["region"] == "eu-central-1"
    assert by_name["eu"]["private_capable"] is False


def test_spaces(results: Results) -> None:
    spaces = cli_json(results, "spaces")
    assert {(s["name"], s["region"]["name"], s["shield"], s["team"]["name"]) for s in spaces} == {
        ("uni-frankfurt", "frankfurt", False, "psych-lab"),
        ("bio-shield", "dublin", True, "bio-lab"),
        ("uni-fir", "frankfurt", False, "psych-lab"),
    }


@pytest.mark.parametrize(
    ("call", "owner", "endpoint", "signals"),
    [
        (
            "telemetry -a",
            "fir-survey",
            "https://otlp.us.example-observability.com:4318/v1/logs",
            "logs,traces",
        ),
        (
            "telemetry -s",
            "uni-fir",
            "https://otlp.eu01.example-apm.com/v1?tenant=uni",
            "traces,metrics",
        ),
    ],
)
def test_telemetry_drains_of_a_fir_app_and_space(
    results: Results, call: str, owner: str, endpoint: str, signals: str
) -> None:
    """`heroku telemetry -a APP` / `-s SPACE` (variant 3.sdk) list the drains the simulator
    serves; the CLI shows the endpoint, never the exporter's headers."""
    done = results[call]
    assert done.returncode == 0, done.stderr
    assert f"{owner} Telemetry Drains" in done.stdout
    assert endpoint in done.stdout
    assert signals in done.stdout.replace(" ", "")
    assert "s3cr3t" not in done.stdout


def test_a_researchers_token_sees_only_their_apps(results: Results) -> None:
    apps = cli_json(results, "jdoe apps --all")
    assert sorted(a["name"] for a in apps) == [
        "experiment-us",
        "fir-survey",
        "frankfurt-exp",
        "jdoe-thesis",
        "otree-study",
        "survey",
    ]
    denied = results["jdoe apps:info denied"]
    assert denied.returncode != 0
    assert "You do not have access to the app clinical-trial" in denied.stderr
