"""The ``audit`` use case: judge every app of a scope, compare, publish, record, notify.

The order is what makes "nothing is lost": collect and evaluate first; only a complete
report is published (all formats rendered before any file is replaced), then recorded in the
history store, then notified. A failed or interrupted audit leaves the last good report and
history as they were, and a notification that fails after the report was written and
recorded does not undo them: the outcome carries the error (``AuditOutcome.failure``), which
says what was already done; the CLI exits with its code.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from gatekeeper.errors import GatekeeperError, UsageError
from gatekeeper.usecases.common import Notice

if TYPE_CHECKING:
    from gatekeeper.collect.estate import AuditScope
    from gatekeeper.collect.progress import Progress
    from gatekeeper.policy import Policy
    from gatekeeper.report.interface import RenderOptions
    from gatekeeper.results import Changes, Report, Status
    from gatekeeper.sources.interface import FactSource
    from gatekeeper.store.interface import AuditRecord, AuditStore
    from gatekeeper.usecases.common import Publisher

#: Opens the history store when the audit needs it (after the facts are judged).
StoreOpener: TypeAlias = "Callable[[], AuditStore]"
#: Sends a notification payload (``gatekeeper.notify.build_notification``) to its targets.
Notifier: TypeAlias = "Callable[[dict[str, Any]], None]"


@dataclass(frozen=True)
class AuditOutcome:
    """What an audit found and did."""

    report: Report  # with ``changes`` when it was compared
    changes: Changes | None
    record: AuditRecord | None  # None when not recorded
    status: Status
    exit_code: int  # the report's (a failed comparison or notification does not change it)
    render_options: RenderOptions
    notices: tuple[Notice, ...] = ()
    notified: bool = False
    #: an error after the report was published and recorded (the notification failed); its
    #: message says what was done. The CLI prints the notices, then exits with its code.
    failure: GatekeeperError | None = None


def audit(
    scope: AuditScope | None,
    *,
    policy: Policy,
    source: FactSource,
    strict: bool = False,
    store: StoreOpener | None = None,
    record: bool = True,
    since_last: bool = False,
    baseline: str | Path | None = None,
    publish: Publisher | None = None,
    with_register: bool = False,
    notify: Notifier | None = None,
    progress: Progress | None = None,
    today: date | None = None,
    verbose: bool = False,
    color: bool = False,
) -> AuditOutcome:
    """Audit ``scope`` (``None``: all that ``source`` holds, for a snapshot).

    ``store`` is opened only when the audit is recorded (``record``) or compared with the
    last one (``since_last``); ``publish`` writes the report before it is recorded, and the
    register too with ``with_register`` (compared with the last audit's when the store is
    open); a recorded audit keeps its register; ``notify`` is called only when there is news
    (``gatekeeper.notify``)."""
    from gatekeeper.engine import evaluate
    from gatekeeper.needs import Needs
    from gatekeeper.sources.gather import gather
    from gatekeeper.usecases.common import render_options, report_clock
    from gatekeeper.usecases.register import make_register, since_last_audit

    if since_last and baseline:
        raise UsageError("Give --since-last or --baseline, not both.")
    scope_key = source.scope_key(scope)
    estate = gather(source, scope, Needs.from_policy(policy), progress=progress)
    day, generated_at = report_clock(today)
    report = evaluate(estate, policy, day, generated_at=generated_at)
    recording = store is not None and record
    # The register is built while the facts are at hand: to publish it, and to record it
    # with the audit (``register --from-history`` and the register's changes read it).
    register = make_register(policy, estate, report, day) if with_register or recording else None
    del estate  # the facts are in the report and register now; free them before rendering
    opened = store() if store is not None and (record or since_last) else None

    notices: list[Notice] = []
    options = render_options(
        policy,
        verbose=verbose,
        strict=strict,
        color=color,
        report=report,
        run_scope=f"audit/{scope_key}",
    )
    recorded: AuditRecord | None = None
    changes: Changes | None = None
    try:
        if register is not None and with_register and opened is not None:
            compared = since_last_audit(opened, scope_key, register)
            register = compared.register
            # Only a failed comparison is news here; "no earlier audit" the report says itself.
            notices += [n for n in compared.notices if n.level == "warning"]
        if baseline:
            from gatekeeper.usecases.changes import against_baseline

            changes = against_baseline(baseline, report)
        elif since_last and opened is not None:
            from gatekeeper.usecases.changes import since_last as compare_since_last

            changes, said = compare_since_last(opened, scope_key, report)
            notices += said
        if changes is not None:
            report = dataclasses.replace(report, changes=changes)
        if publish is not None:
            if with_register:
                publish(report, options, register)
            else:  # a publisher of two arguments (the Python API before registers) still works
                publish(report, options)
        if opened is not None and record:
            recorded = opened.record(
                report, scope=scope_key, source=source.origin, register=register
            )
            notices.append(Notice(f"recorded as {recorded.label} in {opened.location}"))
    finally:
        if opened is not None:
            opened.close()

    notified, failure = False, None
    if notify is not None:
        notified, failure = _notify(notify, report, changes, policy, recorded, opened)
        if notified:
            notices.append(Notice("notification sent."))
    return AuditOutcome(
        report=report,
        changes=changes,
        record=recorded,
        status=report.status(strict=strict),
        exit_code=report.exit_code(strict=strict),
        render_options=options,
        notices=tuple(notices),
        notified=notified,
        failure=failure,
    )


def _notify(
    notify: Notifier,
    report: Report,
    changes: Changes | None,
    policy: Policy,
    recorded: AuditRecord | None,
    store: AuditStore | None,
) -> tuple[bool, GatekeeperError | None]:
    """Whether a notification was sent, and the error if sending it failed."""
    from gatekeeper.notify import build_notification

    payload = build_notification(
        report, changes, expiring_within_days=policy.defaults.expiry_warning_days
    )
    if payload is None:
        return False, None
    try:
        notify(payload)
    except GatekeeperError as exc:
        # The error keeps its class (so its exit code and category, as before); its message
        # now says that the report is safe, so nobody runs the audit again to get it.
        done = (
            f"The report was written and recorded as {recorded.label} in {store.location}"
            if recorded is not None and store is not None
            else "The report was written (this audit was not recorded)"
        )
        exc.message = f"{done}, but the notification was not sent: {exc.message}"
        return False, exc
    return True, None
