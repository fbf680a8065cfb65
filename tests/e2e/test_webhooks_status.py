"""``gatekeeper webhooks status`` against the simulator: which demo apps are subscribed to the
receiver, the exact ``heroku webhooks:add`` commands for the others (the secret only as a
placeholder), only GET requests, and an app whose subscriptions cannot be read is never
counted as subscribed (exit 3)."""

from __future__ import annotations

import pytest

from gatekeeper.cli import run
from gatekeeper.simulator import Simulator
from gatekeeper.simulator.demo import DEMO_RECEIVER

ADD = "heroku webhooks:add -i api:addon-attachment,api:addon,api:app,api:release -l notify"


def test_status_lists_the_subscribed_and_prints_the_commands(
    simulator: Simulator, heroku_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["webhooks", "status", "--team", "psych-lab", "--url", DEMO_RECEIVER]) == 0
    out = capsys.readouterr().out
    assert "Subscribed (1): survey" in out
    assert "Not subscribed (4): experiment-us, fir-survey, frankfurt-exp, otree-study" in out
    assert f"{ADD} -u {DEMO_RECEIVER} -s SECRET -a otree-study" in out.splitlines()
    assert "-a survey" not in out
    assert {r.method for r in simulator.requests} == {"GET"}


def test_another_receiver_counts_as_not_subscribed(
    simulator: Simulator, heroku_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["webhooks", "status", "--url", "https://other.example.edu/webhooks/heroku"]) == 0
    out = capsys.readouterr().out
    assert "Subscribed (0): -" in out and "-a survey" in out


def test_an_unreadable_app_is_not_subscribed_and_exits_3(
    simulator: Simulator,
    heroku_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    simulator.faults.forbidden_apps = {"survey"}
    monkeypatch.setenv("GATEKEEPER_RECEIVER_URL", DEMO_RECEIVER)
    assert run(["webhooks", "status", "--team", "psych-lab"]) == 3
    captured = capsys.readouterr()
    assert "Subscribed (0): -" in captured.out
    assert "the webhooks of survey could not be read" in captured.err


def test_status_needs_the_receiver_url(heroku_env: dict[str, str]) -> None:
    assert run(["webhooks", "status"]) == 2
