"""The catalog: every rule id with its default severity and the text ``policy explain`` shows.

Built from the rule modules' own declarations (``RULES`` in each module of
``gatekeeper.rules``, see ``metadata.py``), in the order of ``registry.ALL_RULE_MODULES``.
Formatters (SARIF rule entries, JUnit, HTML) read it; the policy refuses any rule id that is not
here. docs/design.md#5-rules-stable-ids-default-severity is the source of the ids and
severities; docs/policy.md is the reference for the policy file.
"""

from __future__ import annotations

from gatekeeper.rules.metadata import RuleInfo
from gatekeeper.rules.registry import ALL_RULE_MODULES

RULES: dict[str, RuleInfo] = {info.id: info for m in ALL_RULE_MODULES for info in m.RULES}

__all__ = ["RULES", "RuleInfo"]
