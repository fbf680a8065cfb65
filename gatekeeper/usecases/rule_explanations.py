"""``policy explain``: what each rule checks, why, its source, how to fix and waive it."""

from __future__ import annotations

import inspect
from dataclasses import dataclass

from gatekeeper.errors import UsageError


@dataclass(frozen=True)
class RuleExplanation:
    """One rule as ``policy explain`` shows it."""

    id: str
    default_severity: str
    title: str
    why: str
    source: str
    fix: str
    waive: str
    waivable: bool
    sources: tuple[tuple[str, str, str], ...]  # (title, url, date) to re-read
    module: str  # the rule module's path, whose docstring is the rule's documentation
    details: str  # that docstring
    text: str  # the explanation as text (``RuleInfo.help_text``)


def explain_rules(rule: str | None = None) -> tuple[RuleExplanation, ...]:
    """Every rule in catalog order, or only ``rule``; ``UsageError`` for an unknown id."""
    from gatekeeper.rules.catalog import RULES
    from gatekeeper.rules.metadata import WaiverExample
    from gatekeeper.rules.registry import module_for

    if rule is not None and rule not in RULES:
        import difflib

        close = difflib.get_close_matches(rule, list(RULES), n=1)
        guess = f" Did you mean {close[0]}?" if close else ""
        raise UsageError(
            f"Unknown rule {rule!r}.{guess}", hint="Known rules: " + ", ".join(RULES) + "."
        )
    out = []
    for info in RULES.values() if rule is None else (RULES[rule],):
        module = module_for(info.id)
        out.append(
            RuleExplanation(
                id=info.id,
                default_severity=info.default_severity,
                title=info.title,
                why=info.why,
                source=info.source,
                fix=info.fix,
                waive=info.waive,
                waivable=isinstance(info.waiver, WaiverExample),
                sources=tuple((s.title, s.url, s.date) for s in info.sources),
                module=module.__name__.replace(".", "/") + ".py",
                details=inspect.getdoc(module) or "",
                text=info.help_text(),
            )
        )
    return tuple(out)
