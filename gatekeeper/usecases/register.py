"""The ``register`` use cases: the DPO's register of an estate (issue 13), and its changes.

:func:`current_register` collects the facts of a scope (the API, or a snapshot), judges them
against the policy and builds the register, optionally compared with the register of the
last audit of the same scope in the history store. :func:`register_from_history` reads the
register the latest audit recorded (of a scope, or of any), compared with the audit before
it. Both return a :class:`RegisterOutcome` and never print; a web server calls them as the
CLI does and renders with ``gatekeeper.register.formats``.

A history that cannot be read for the comparison costs the register only its changes (a
warning notice), as it does for ``audit --since-last``; a register asked for from a history
that has none is a usage error that says how to get one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from gatekeeper.errors import StoreError, UsageError
from gatekeeper.usecases.common import Notice

if TYPE_CHECKING:
    from gatekeeper.collect.estate import AuditScope
    from gatekeeper.collect.progress import Progress
    from gatekeeper.facts import Estate
    from gatekeeper.policy import Policy
    from gatekeeper.register.model import Register
    from gatekeeper.results import Report
    from gatekeeper.sources.interface import FactSource
    from gatekeeper.store.interface import AuditRecord, AuditStore
    from gatekeeper.usecases.audit import StoreOpener


@dataclass(frozen=True)
class RegisterOutcome:
    """A register and what the run has to say beside it."""

    register: Register
    notices: tuple[Notice, ...] = ()

    @property
    def exit_code(self) -> int:
        """0, or 3 when the register is not complete (``Register.complete``: fail closed)."""
        return 0 if self.register.complete else 3


def make_register(policy: Policy, estate: Estate, report: Report, today: date) -> Register:
    """The register of ``estate`` as ``report`` judged it (the audit builds it this way)."""
    from gatekeeper.register.build import build_register

    return build_register(policy, estate, report, today)


def current_register(
    scope: AuditScope | None,
    *,
    policy: Policy,
    source: FactSource,
    store: StoreOpener | None = None,
    progress: Progress | None = None,
    today: date | None = None,
) -> RegisterOutcome:
    """The register of ``scope`` now; with ``store``, with the changes since the register
    of the last audit of that scope."""
    from gatekeeper.engine import evaluate
    from gatekeeper.needs import Needs
    from gatekeeper.sources.gather import gather
    from gatekeeper.usecases.common import report_clock

    scope_key = source.scope_key(scope)
    estate = gather(source, scope, Needs.from_policy(policy), progress=progress)
    day, generated_at = report_clock(today)
    report = evaluate(estate, policy, day, generated_at=generated_at)
    register = make_register(policy, estate, report, day)
    if store is None:
        return RegisterOutcome(register)
    opened = store()
    try:
        return since_last_audit(opened, scope_key, register)
    finally:
        opened.close()


def since_last_audit(store: AuditStore, scope_key: str, register: Register) -> RegisterOutcome:
    """``register`` with its changes since the last audit of ``scope_key`` recorded in
    ``store``; without them, and a warning, when the history cannot be read."""
    try:
        last = store.latest_record(scope_key)
        return RegisterOutcome(*_compared(store, last, register, scope_key))
    except StoreError as exc:
        warning = Notice(
            "the register could not be compared with the last audit of "
            f"{scope_key}, so it has no changes: {exc.user_message()}",
            level="warning",
        )
        return RegisterOutcome(register, (warning,))


def register_from_history(store: StoreOpener, scope: AuditScope | None) -> RegisterOutcome:
    """The register recorded by the latest audit of ``scope`` (``None``: of any scope), with
    its changes since the audit of the same scope before it."""
    opened = store()
    try:
        return latest_register(opened, scope)
    finally:
        opened.close()


def latest_register(opened: AuditStore, scope: AuditScope | None) -> RegisterOutcome:
    """``register_from_history`` over a store the caller keeps open (``gatekeeper serve``'s
    one store, shared by its requests)."""
    scope_key = scope.describe() if scope is not None else None
    found = opened.list(limit=1, scope=scope_key)
    if not found:
        of = f" of {scope_key}" if scope_key else ""
        raise UsageError(
            f"There is no audit{of} in the history store {opened.location}.",
            hint="Record one with gatekeeper audit (without --no-history).",
        )
    latest = found[0]
    register = opened.register(latest.id)
    if register is None:
        raise UsageError(
            f"{latest.label} in the history store {opened.location} has no register: it "
            "was recorded by a gatekeeper that did not keep registers yet.",
            hint="Run gatekeeper audit once more; every audit now records its register.",
        )
    try:
        earlier = opened.list(limit=2, scope=latest.scope)[1:]
        register, said = _compared(opened, earlier[0] if earlier else None, register, None)
    except StoreError as exc:
        return RegisterOutcome(
            register,
            (
                Notice(
                    f"the register of {latest.label} could not be compared with the audit "
                    f"before it: {exc.user_message()}",
                    level="warning",
                ),
            ),
        )
    return RegisterOutcome(register, (Notice(f"the register of {latest.label}"), *said))


def _compared(
    store: AuditStore, last: AuditRecord | None, register: Register, scope_key: str | None
) -> tuple[Register, tuple[Notice, ...]]:
    """``register`` with ``changes`` against the register ``last`` recorded (every app new
    when there is no earlier audit, or it kept no register)."""
    from gatekeeper.register.changes import compare_registers

    before = store.register(last.id) if last is not None else None
    notices: tuple[Notice, ...] = ()
    if last is None:
        baseline = "no earlier audit"
        if scope_key is not None:
            notices = (Notice(f"no earlier audit of {scope_key} in {store.location}."),)
    elif before is None:
        baseline = f"{last.label}, which kept no register"
    else:
        baseline = last.label
    changes = compare_registers(
        before, register, baseline=baseline, since=last.generated_at if last else None
    )
    return register.model_copy(update={"changes": changes}), notices
