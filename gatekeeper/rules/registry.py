"""The rule modules the engine runs for every app, in a fixed order.

Each module has ``RULE_IDS`` (the catalog ids it raises) and ``evaluate(ctx)`` yielding
candidate findings; its docstring is the user documentation of its rules. The waiver rules
(``gatekeeper.rules.waivers``) are applied by the engine after all others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import ModuleType

from gatekeeper.rules import (
    addons,
    api_errors,
    classification,
    coverage,
    heroku_data,
    log_drains,
    region,
    shield,
    waivers,
)
from gatekeeper.rules.context import AppContext, Candidate

Evaluate = Callable[[AppContext], Iterator[Candidate]]

APP_RULE_MODULES: tuple[ModuleType, ...] = (
    api_errors,
    region,
    coverage,
    shield,
    addons,
    heroku_data,
    log_drains,
    classification,
)

ALL_RULE_MODULES: tuple[ModuleType, ...] = (*APP_RULE_MODULES, waivers)


def module_for(rule_id: str) -> ModuleType:
    """The module that implements a rule id (its docstring documents the rule)."""
    for module in ALL_RULE_MODULES:
        if rule_id in module.RULE_IDS:
            return module
    raise KeyError(rule_id)


def evaluators() -> tuple[Evaluate, ...]:
    return tuple(module.evaluate for module in APP_RULE_MODULES)
