"""Fix commands in findings are safe to paste into a shell, whatever the names are."""

from __future__ import annotations

import shlex
from datetime import date

from gatekeeper.engine import evaluate
from gatekeeper.facts import AddOn, App, Estate, LogDrain, Team
from gatekeeper.policy import loads_policy

HOSTILE = "x$(touch pwned);rm -rf ~ 'q' \"d\""

POLICY = """
version = 1
[classes.personal]
countries = ["EEA"]
requires_agreement = true
requires_shield = true
[addons]
deny = ["papertrail"]
"""


def test_every_backticked_command_quotes_hostile_names() -> None:
    app = App(
        id="a1",
        name=HOSTILE,
        owner="team",
        team=HOSTILE,
        region="us",
        addons=(
            AddOn(
                id="d1", name=HOSTILE, service="papertrail", plan="papertrail:choklad", app=HOSTILE
            ),
            AddOn(
                id="d2",
                name=HOSTILE + "db",
                service="heroku-postgresql",
                plan="heroku-postgresql:essential-0",
                app=HOSTILE,
            ),
        ),
        log_drains=(LogDrain(id="l1", host="evil.example", url="https://evil.example/$(id)"),),
    )
    estate = Estate(apps=(app,), teams=(Team(id="t1", name=HOSTILE),))
    report = evaluate(estate, loads_policy(POLICY), date(2026, 11, 26))
    commands = [
        part
        for f in report.all_findings()
        for part in f.remediation.split("`")[1::2]
        if part.startswith("heroku ")
    ]
    names = {HOSTILE, HOSTILE + "db", "https://evil.example/$(id)"}
    with_names = 0
    for command in commands:
        words = shlex.split(command)
        # Each hostile name stays one word: nothing in it is run by the shell.
        for word in words:
            if "pwned" in word or "$(id)" in word:
                assert word in names, command
        with_names += any(word in names for word in words)
    assert with_names >= 4
