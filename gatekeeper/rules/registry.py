"""The rule modules, in the two orders that matter.

Each module follows ``gatekeeper.rules.metadata.RuleModule``: it declares its rules
(``RULES``), the fact kinds it reads (``NEEDS``) and its options table (``OPTIONS``), and its
docstring is the user documentation of its rules. A new rule module goes into ``APP_RULE_MODULES``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from gatekeeper.rules import (
    addons,
    api_errors,
    classification,
    coverage,
    heroku_data,
    log_drains,
    region,
    shield,
    telemetry_drains,
    waivers,
)
from gatekeeper.rules.context import AppContext, Candidate
from gatekeeper.rules.metadata import AppRuleModule, RuleModule

Evaluate = Callable[[AppContext], Iterator[Candidate]]

#: The order the engine runs them in for every app. Only ``agreement-expiring`` is raised by
#: two modules for one subject; the first wins, so ``coverage`` (a team's agreement) runs
#: before ``addons`` (an add-on's). The waiver rules are applied by the engine after all
#: others, to what they found.
APP_RULE_MODULES: tuple[AppRuleModule, ...] = (
    api_errors,
    region,
    coverage,
    shield,
    addons,
    heroku_data,
    log_drains,
    telemetry_drains,
    classification,
)

#: The order of the catalog: ``policy explain``, the SARIF rule list, the JUnit test cases.
#: The same, with the waiver rules and api-error (the rules about the run itself) last.
ALL_RULE_MODULES: tuple[RuleModule, ...] = (
    *(m for m in APP_RULE_MODULES if m is not api_errors),
    waivers,
    api_errors,
)


def module_for(rule_id: str) -> RuleModule:
    """The module that implements a rule id (its docstring documents the rule)."""
    for module in ALL_RULE_MODULES:
        if any(info.id == rule_id for info in module.RULES):
            return module
    raise KeyError(rule_id)


def evaluators() -> tuple[Evaluate, ...]:
    return tuple(module.evaluate for module in APP_RULE_MODULES)
