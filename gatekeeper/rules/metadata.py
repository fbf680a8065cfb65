"""What a rule module declares about itself, and the ``RuleModule`` protocol it follows.

Each module of ``gatekeeper.rules`` carries its rules, as yamllint's and pylint's do: the
module's docstring is their user documentation, and the module declares

- ``RULES``: one ``RuleInfo`` per rule id it raises (the id, default severity, title, why,
  source, fix, waiver advice, and the ``gatekeeper.knowledge.sources`` it relies on);
- ``NEEDS``: the fact kinds (``gatekeeper.facts.FactKind``) its ``evaluate`` reads;
- ``OPTIONS``: the model of its own policy table (``[logs]``), or None.

Everything else is built from these declarations: the catalog (``catalog.py``), ``gatekeeper
policy explain``, the policy's rule ids and option tables, the loader's refusal of waivers
for rules that cannot be waived. A rule id is written once, in its ``RuleInfo``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from gatekeeper.facts import FactKind
from gatekeeper.knowledge.sources import Source
from gatekeeper.policy_values import PolicyTable
from gatekeeper.results import Severity

if TYPE_CHECKING:
    from gatekeeper.rules.context import AppContext, Candidate


@dataclass(frozen=True)
class WaiverExample:
    """The ``[[waivers]]`` entry that ``policy explain`` shows for a rule that can be waived."""

    app: str
    subject: str | None
    reason: str

    def toml(self, rule: str) -> str:
        subject_line = f'subject = "{self.subject}"\n' if self.subject else ""
        return (
            f'[[waivers]]\nrule = "{rule}"\napp = "{self.app}"\n{subject_line}'
            f'reason = "{self.reason}"\napproved_by = "DPO, ticket 1234"\nexpires = 2027-06-30'
        )


@dataclass(frozen=True)
class NotWaivable:
    """A rule that no waiver may hide.

    ``advice`` is what ``policy explain`` says instead of an example, ``refusal`` what the
    loader says about a ``[[waivers]]`` entry for the rule. With ``fixed_severity`` (why),
    ``[rules]`` may not change the rule's severity either (fail closed).
    """

    advice: str
    refusal: str
    fixed_severity: str = ""


@dataclass(frozen=True)
class RuleInfo:
    """One rule: its stable id, its default severity and the text that explains it."""

    id: str
    default_severity: Severity
    title: str  # one line: what it fires on
    why: str  # why it matters
    source: str  # where the fact behind it comes from, in a line (``policy explain``)
    remedy: str  # how to fix a finding
    waiver: WaiverExample | NotWaivable  # how to waive it, or why it cannot be waived
    sources: tuple[Source, ...] = ()  # what a maintainer re-reads when Heroku or the law change
    fix_by_severity: bool = False  # the fix may be to change the rule's severity for everybody

    @property
    def waive(self) -> str:
        """How to waive a finding (a ``[[waivers]]`` example), or why it cannot be waived."""
        if isinstance(self.waiver, WaiverExample):
            return self.waiver.toml(self.id)
        if self.waiver.fixed_severity:
            return self.waiver.advice
        return f"{self.waiver.advice} {self.severity_note()}"

    @property
    def fix(self) -> str:
        """How to fix a finding."""
        return f"{self.remedy} {self.severity_note()}" if self.fix_by_severity else self.remedy

    def severity_note(self) -> str:
        return f'Change its severity for everybody in [rules], e.g. {self.id} = "warn" (or "off").'

    def sections(self) -> tuple[tuple[str, str], ...]:
        """The headed parts of the explanation after the title, each (head, text)."""
        return (
            ("Why", self.why),
            ("Source", self.source),
            ("Fix", self.fix),
            ("Waive", self.waive),
        )

    def help_text(self) -> str:
        """The whole explanation, as ``gatekeeper policy explain RULE`` prints it."""
        parts = [f"{self.id} (default: {self.default_severity})", "", self.title]
        for head, body in self.sections():
            if body:
                parts += ["", f"{head}:", body]
        return "\n".join(parts)


class RuleModule(Protocol):
    """A module of ``gatekeeper.rules``: its declarations (see the module docstring)."""

    __name__: str
    __doc__: str | None

    @property
    def RULES(self) -> tuple[RuleInfo, ...]: ...

    @property
    def NEEDS(self) -> frozenset[FactKind]: ...

    @property
    def OPTIONS(self) -> type[PolicyTable] | None: ...


class AppRuleModule(RuleModule, Protocol):
    """A rule module the engine runs for every app."""

    def evaluate(self, ctx: AppContext) -> Iterator[Candidate]: ...
