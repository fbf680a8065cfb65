"""unclassified-app: no ``[[apps]]`` entry matches the app, so the default class applies.

Institutions do not take a researcher's own "no personal data here" on trust: an app nobody
classified is assumed to hold data of ``[defaults] data_class`` (``personal`` unless the policy
says otherwise) and every rule of that class applies. The finding (warn) asks for an
``[[apps]]`` entry, which records the class and the reason for the DPO. Entries match app
names with globs (``"econ-*"``); the first matching entry wins.
"""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper.facts import FactKind
from gatekeeper.knowledge import DATA_CLASSES_SOURCE
from gatekeeper.policy_values import PolicyTable
from gatekeeper.rules.context import AppContext, Candidate
from gatekeeper.rules.metadata import RuleInfo, WaiverExample

UNCLASSIFIED_APP = RuleInfo(
    "unclassified-app",
    "warn",
    "No [[apps]] entry matches; the default class was assumed.",
    why="An unclassified app is assumed to hold data of [defaults] data_class "
    "(personal unless the policy says otherwise): institutions do not take a "
    "researcher's own 'no personal data here' on trust.",
    source="The policy's [[apps]] entries (first match wins).",
    remedy='Add [[apps]] name = "APP", data_class = "...", reason = "..." to the '
    "policy, exact names before globs.",
    waiver=WaiverExample("tmp-*", None, "Short-lived review apps"),
    sources=(DATA_CLASSES_SOURCE,),
)

RULES: tuple[RuleInfo, ...] = (UNCLASSIFIED_APP,)
NEEDS: frozenset[FactKind] = frozenset({"app"})
OPTIONS: type[PolicyTable] | None = None


def evaluate(ctx: AppContext) -> Iterator[Candidate]:
    """Warn when the app's class is the default one because no entry matched."""
    if ctx.class_entry is not None:
        return
    app = ctx.app.name
    yield ctx.candidate(
        UNCLASSIFIED_APP,
        None,
        f"No [[apps]] entry in the policy matches app {app}, so it is treated as holding data "
        f"of class {ctx.data_class} (the default) and every rule of that class applies.",
        f'Classify the app: add [[apps]] name = "{app}", data_class = "...", reason = '
        '"..." to the policy (exact names before globs). ' + ctx.ask(),
        (*ctx.owner_evidence(), ctx.class_evidence()),
    )
