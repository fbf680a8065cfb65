"""What the use cases share: the report's clock, its render options, and notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from gatekeeper.policy import Policy
    from gatekeeper.register.model import Register
    from gatekeeper.report.interface import RenderOptions
    from gatekeeper.report.policy_lines import PolicySource
    from gatekeeper.results import Report


class Publisher(Protocol):
    """Writes a finished report (and the audit's register, when there is one) where the user
    wants it (the CLI: ``gatekeeper.outputs.emit``)."""

    def __call__(
        self, report: Report, options: RenderOptions, register: Register | None = None
    ) -> None: ...


@dataclass(frozen=True)
class Notice:
    """Something a run has to say beside its report (the CLI prints it on stderr)."""

    text: str
    level: Literal["info", "warning"] = "info"


def report_clock(today: date | None) -> tuple[date, datetime | None]:
    """The day to judge agreements and waivers by, and the report's timestamp.

    The engine is pure and takes both from here. A fixed ``today`` (tests, reproducible runs)
    keeps the engine's deterministic timestamp (midnight UTC of that day); otherwise the
    report says when it was really made."""
    if today is not None:
        return today, None
    return date.today(), datetime.now(UTC)


def render_options(
    policy: Policy,
    *,
    verbose: bool,
    strict: bool,
    color: bool,
    title: str | None = None,
    report: Report | None = None,
    run_scope: str | None = None,
) -> RenderOptions:
    """The formatters' options: the caller's flags, the policy's ``[institution]``, and for
    ``report`` where its policy is in the repository (``policy_file.policy_source``) and what
    the run covered (``check/APP``, ``audit/SCOPE``)."""
    from functools import cache

    from gatekeeper.report.interface import RenderOptions

    institution = policy.institution
    heading = title or (f"{institution.name}: data protection check" if institution.name else None)
    return RenderOptions(
        verbose=verbose,
        color=color,
        strict=strict,
        title=heading,
        policy_contact=institution.contact or None,
        # found only if a formatter asks (SARIF): reading the policy file again and placing
        # every finding in it is work that the other formats never need
        locate_policy=cache(lambda: _policy_source(policy, report)) if report is not None else None,
        run_scope=run_scope,
    )


def _policy_source(policy: Policy, report: Report) -> PolicySource | None:
    from gatekeeper.usecases.policy_file import policy_source

    return policy_source(policy, report)
