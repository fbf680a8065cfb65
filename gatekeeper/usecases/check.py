"""The ``check`` use case: judge one app before it is deployed.

The app asked for must be the app judged: by name, or by id (a UUID, compared
case-insensitively). Facts about any other app (an API or a proxy answering ``GET
/apps/NAME`` with another app) are not judged, and a check that judged no app is never
allowed: it ends as "could not evaluate" (exit 3), saying why (docs/fault-matrix.md).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from gatekeeper.errors import CouldNotEvaluate
from gatekeeper.sources.interface import AppScope

if TYPE_CHECKING:
    from gatekeeper.facts import Estate
    from gatekeeper.policy import Policy
    from gatekeeper.report.interface import RenderOptions
    from gatekeeper.results import Report, Status
    from gatekeeper.sources.interface import FactSource
    from gatekeeper.usecases.common import Notice


@dataclass(frozen=True)
class CheckOutcome:
    """What a check found: the report on the one app, its status and exit code, and how to
    render it."""

    report: Report
    status: Status
    exit_code: int
    render_options: RenderOptions
    notices: tuple[Notice, ...] = ()


def check_app(
    app: str,
    *,
    policy: Policy,
    source: FactSource,
    strict: bool = False,
    today: date | None = None,
    verbose: bool = False,
    color: bool = False,
) -> CheckOutcome:
    """Collect the facts of ``app`` (a name or an id) from ``source`` and judge them.

    Raises ``GatekeeperError``: ``CouldNotEvaluate`` (exit 3) when the app cannot be read or
    the facts are about another app, ``UsageError`` (exit 2) when a snapshot lacks it."""
    from gatekeeper.needs import Needs
    from gatekeeper.sources.gather import gather
    from gatekeeper.usecases.common import report_clock

    scope = AppScope(app)
    estate = gather(source, scope, Needs.from_policy(policy))
    day, generated_at = report_clock(today)
    report = evaluate_app(estate, policy, scope, today=day, generated_at=generated_at)
    return check_outcome(report, policy, app=app, strict=strict, verbose=verbose, color=color)


def check_outcome(
    report: Report,
    policy: Policy,
    *,
    app: str,
    verb: str = "check",
    strict: bool,
    verbose: bool,
    color: bool,
    notices: tuple[Notice, ...] = (),
) -> CheckOutcome:
    """The outcome of judging one app (``check``, ``plan``): ``report`` with its status,
    exit code and render options."""
    from gatekeeper.usecases.common import render_options

    return CheckOutcome(
        report=report,
        status=report.status(strict=strict),
        exit_code=report.exit_code(strict=strict),
        render_options=render_options(
            policy,
            verbose=verbose,
            strict=strict,
            color=color,
            report=report,
            # the judged app's name, also when it was asked for by id: one scope per app
            run_scope=f"{verb}/{report.apps[0].name if report.apps else app}",
        ),
        notices=notices,
    )


def evaluate_app(
    estate: Estate,
    policy: Policy,
    scope: AppScope,
    *,
    today: date,
    generated_at: datetime | None = None,
) -> Report:
    """The engine's report on the app of ``scope``: only that app, and only the waivers whose
    app glob matches it (another app's unused waiver is no news to this app's deploy). A
    waiver for a glob of apps (``app = "*"``) that this app does not use is not reported as
    unused either: the other apps it names may use it, which only an audit can tell.

    Raises ``CouldNotEvaluate`` when ``estate`` holds no app of that name or id."""
    from gatekeeper.engine import evaluate
    from gatekeeper.policy.model import glob_match, is_glob
    from gatekeeper.rules.waivers import WAIVER_UNUSED

    estate = only_app(estate, scope)
    name = estate.apps[0].name
    waivers = [w for w in policy.waivers if glob_match(name, w.app)]
    report = evaluate(
        estate,
        dataclasses.replace(policy, waivers=waivers),
        today,
        generated_at=generated_at,
    )
    if not report.apps:  # the engine judged nothing: never an allow
        raise CouldNotEvaluate(_not_judged(scope, estate), hint=_NOT_JUDGED_HINT)
    shared = {w.label() for w in waivers if is_glob(w.app)}
    kept = tuple(
        f
        for f in report.policy_findings
        if not (f.rule == WAIVER_UNUSED.id and f.subject in shared)
    )
    return dataclasses.replace(report, policy_findings=kept)


def only_app(estate: Estate, scope: AppScope) -> Estate:
    """``estate`` with only the app of ``scope``; ``CouldNotEvaluate`` when it has none (the
    facts are about another app)."""
    apps = tuple(a for a in estate.apps if scope.matches(a))
    if not apps:
        raise CouldNotEvaluate(_not_judged(scope, estate), hint=_NOT_JUDGED_HINT)
    return dataclasses.replace(estate, apps=apps)


_NOT_JUDGED_HINT = (
    "Nothing was judged, so nothing is allowed (fail closed). Run again; if it persists, check "
    "that --api-url or HEROKU_HOST points at the Heroku API itself and not at a proxy."
)


def _not_judged(scope: AppScope, estate: Estate) -> str:
    others = ", ".join(f"{a.name!r} (id {a.id})" for a in estate.apps[:3])
    if others:
        return f"The facts collected for app {scope.app!r} are about another app: {others}."
    return f"No facts were collected for app {scope.app!r}."
