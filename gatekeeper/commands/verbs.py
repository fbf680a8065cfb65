"""The CLI's verbs: the module of each and its one-line help, written once.

``gatekeeper --help`` lists these lines without importing any verb's module (that keeps it
fast), and each verb's own ``--help`` starts with the same line (``help_text``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import click

C = TypeVar("C", bound=click.Command)


@dataclass(frozen=True)
class Verb:
    module: str
    summary: str  # the one-line help; short enough that click never wraps it


VERBS: dict[str, Verb] = {
    "check": Verb(
        "gatekeeper.commands.check", "Check one app against the policy before it is deployed."
    ),
    "plan": Verb(
        "gatekeeper.commands.plan", "Check an app from its app.json before it is created."
    ),
    "audit": Verb(
        "gatekeeper.commands.audit", "Audit every app of teams, enterprises, or all you can see."
    ),
    "snapshot": Verb("gatekeeper.commands.snapshot", "Save the facts of apps or teams as JSON."),
    "register": Verb(
        "gatekeeper.commands.register", "Write the DPO's register of recipients and transfers."
    ),
    "history": Verb("gatekeeper.commands.history", "List past audits from the history store."),
    "policy": Verb("gatekeeper.commands.policy", "Validate, explain and describe policy files."),
    "hook": Verb("gatekeeper.commands.hook", "Install or remove the git pre-push hook."),
    "login": Verb("gatekeeper.commands.login", "Store a Heroku API token in the OS keyring."),
    "logout": Verb("gatekeeper.commands.logout", "Remove the stored Heroku API token."),
    "doctor": Verb(
        "gatekeeper.commands.doctor", "Show where the token, API host and policy come from."
    ),
    "simulate": Verb(
        "gatekeeper.commands.simulate", "Run the local Heroku Platform API simulator."
    ),
    "serve": Verb(
        "gatekeeper.commands.serve", "Serve the dashboard and webhook receiver, or the worker."
    ),
    "webhooks": Verb(
        "gatekeeper.commands.webhooks", "Show which apps send their events to gatekeeper serve."
    ),
    "demo": Verb(
        "gatekeeper.commands.demo", "Audit the built-in demo estate (no account, no network)."
    ),
}


def help_text(verb: str, details: str = "") -> str:
    """The help of ``verb``: its one-line summary, then ``details`` (paragraphs)."""
    summary = VERBS[verb].summary
    body = inspect.cleandoc(details)
    return f"{summary}\n\n{body}" if body else summary


def summarized(verb: str) -> Callable[[C], C]:
    """Decorates a verb's click command: its help is the verb's summary, then what its
    docstring says (which leaves the summary out)."""

    def apply(command: C) -> C:
        command.help = help_text(verb, command.help or "")
        return command

    return apply
