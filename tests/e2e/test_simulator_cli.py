"""``gatekeeper simulate`` as a user runs it: prints its URL and tokens, serves until Ctrl-C
(or SIGTERM) and exits 0; bad input exits 2 with a message naming the file and line."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from gatekeeper.cli import run
from gatekeeper.simulator import DEMO_ADMIN_TOKEN, DEMO_JDOE_TOKEN, demo_estate, estate_to_data

HEADERS = {
    "Accept": "application/vnd.heroku+json; version=3",
    "Authorization": f"Bearer {DEMO_ADMIN_TOKEN}",
}


@dataclass
class Running:
    url: str
    banner: str  # what it printed before serving
    process: subprocess.Popen[str]

    def stop(self, sig: int = signal.SIGINT) -> str:
        """Send ``sig``, wait, and return the rest of standard output."""
        self.process.send_signal(sig)
        assert self.process.stdout is not None
        rest = self.process.stdout.read()
        self.process.wait(timeout=15)
        return rest


@contextmanager
def simulate(*args: str) -> Iterator[Running]:
    with subprocess.Popen(
        [sys.executable, "-m", "gatekeeper", "simulate", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            first = process.stdout.readline()
            match = re.fullmatch(
                r"Heroku Platform API simulator listening on "
                r"(http://127\.0\.0\.1:\d+)\n",
                first,
            )
            assert match, first
            banner = first
            while not banner.endswith("Press Ctrl-C to stop.\n"):
                line = process.stdout.readline()
                assert line, banner
                banner += line
            yield Running(match.group(1), banner, process)
        finally:
            if process.poll() is None:
                process.kill()


def test_serves_the_demo_until_interrupted() -> None:
    with simulate() as sim:
        url = sim.url
        with httpx.Client(headers=HEADERS, timeout=10) as client:
            assert client.get(url + "/account").json()["email"] == "admin@uni-example.edu"
            assert len(client.get(url + "/apps").json()) == 11
        rest = sim.stop(signal.SIGINT)
    assert sim.process.returncode == 0
    assert DEMO_ADMIN_TOKEN in sim.banner and DEMO_JDOE_TOKEN in sim.banner
    assert "demo (University of Example): 11 apps, 4 teams, 3 spaces" in sim.banner
    assert f"export HEROKU_HOST={url} HEROKU_API_KEY={DEMO_ADMIN_TOKEN}" in sim.banner
    assert rest == "Stopped after 2 requests.\n"


def test_estate_file_generated_estate_and_fault_flags(tmp_path: Path) -> None:
    estate = estate_to_data(demo_estate())
    estate["apps"] = estate["apps"][:3]
    for app in estate["apps"]:  # otree-study attaches bio-dashboard's sentry, cut off here
        app.pop("attachments", None)
    path = tmp_path / "estate.json"
    path.write_text(json.dumps(estate), encoding="utf-8")
    with simulate(
        "--estate",
        str(path),
        "--forbidden-app",
        "surv*",
        "--fail-5xx",
        "always",
        "--fault-path",
        "/regions",
        "--latency",
        "1",
    ) as sim:
        with httpx.Client(headers=HEADERS, timeout=10) as client:
            assert len(client.get(sim.url + "/apps").json()) == 3
            assert client.get(sim.url + "/apps/survey").status_code == 403
            assert client.get(sim.url + "/regions").status_code == 503
            assert client.get(sim.url + "/regions").status_code == 503
        sim.stop(signal.SIGTERM)
    assert sim.process.returncode == 0
    assert "3 apps" in sim.banner

    with simulate("--generate", "25", "--teams", "2") as sim:
        with httpx.Client(headers=HEADERS, timeout=10) as client:
            assert len(client.get(sim.url + "/apps").json()) == 25
            assert len(client.get(sim.url + "/teams").json()) == 2
        sim.stop()
    assert sim.process.returncode == 0
    assert "generated (25 apps, 2 teams, seed 0)" in sim.banner


def test_an_invalid_estate_file_exits_2_with_file_line_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = estate_to_data(demo_estate())
    data["apps"][1]["team"] = "psyc-lab"
    path = tmp_path / "estate.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    assert run(["simulate", "--estate", str(path)]) == 2
    err = capsys.readouterr().err
    assert re.search(
        rf"{re.escape(str(path))}:\d+ \[apps\[1\]\.team\]: no team called "
        r"'psyc-lab'",
        err,
    ), err
    assert "Traceback" not in err


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["simulate", "--estate", str(tmp_path / "absent.toml")]) == 2
    assert "cannot be read" in capsys.readouterr().err
    assert run(["simulate", "--estate", "x.json", "--generate", "3"]) == 2
    assert run(["simulate", "--fail-429", "often"]) == 2
    assert "'often' is not a whole number or 'always'" in capsys.readouterr().err


def test_a_busy_port_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert run(["simulate", "--port", str(port)]) == 2
    assert f"Cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_help_lists_the_fault_switches() -> None:
    from gatekeeper.commands.simulate import command

    result = CliRunner().invoke(command, ["--help"])
    assert result.exit_code == 0
    for flag in (
        "--estate",
        "--port",
        "--latency",
        "--fail-429",
        "--retry-after",
        "--fail-5xx",
        "--drop",
        "--reset",
        "--slow",
        "--broken-json",
        "--looping-next-range",
        "--missing-next-range",
        "--null-region",
        "--unknown-region",
        "--unknown-plan",
        "--forbidden-app",
        "--expire-token-after",
        "--fault-path",
    ):
        assert flag in result.output
