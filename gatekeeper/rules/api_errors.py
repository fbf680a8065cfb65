"""api-error: a fact needed for the decision could not be read. Always block (fail closed).

When gatekeeper cannot read something about an app (the app itself, its team, its add-ons,
its log drains, ...), it does not guess: the app is blocked with one ``api-error`` finding per
fact that failed, naming the HTTP status and what to do. The same happens when the policy asks
for the log-drain check (``[logs] check_drains``, on by default) and the drains were not
collected. Nothing turns a failed read into "allow": this rule cannot be switched off, lowered
or waived, and other rules that need the missing fact stay quiet rather than guess.
"""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper.codespan import code_span
from gatekeeper.facts import FactError, FactKind
from gatekeeper.policy_values import PolicyTable
from gatekeeper.results import API_ERROR_RULE
from gatekeeper.rules.context import AppContext, Candidate, sh
from gatekeeper.rules.metadata import NotWaivable, RuleInfo

_FAIL_CLOSED = "a fact that could not be read must never turn into allow (fail closed)"

API_ERROR = RuleInfo(
    API_ERROR_RULE,
    "block",
    "A fact needed for the decision could not be read (fail closed).",
    why="Without the fact the app cannot be judged; no failed read ever turns into allow.",
    source="The Heroku Platform API response (HTTP status, error id, Request-Id).",
    remedy="401: log in again with a read-scope token. 403: use a token of a member of "
    "the app's team. 429/5xx/timeouts: run again later.",
    waiver=NotWaivable(
        advice="Cannot be waived, lowered or switched off (fail closed).",
        refusal=f"{API_ERROR_RULE} cannot be waived: {_FAIL_CLOSED}. Fix the token's access or "
        "the API problem instead",
        fixed_severity=_FAIL_CLOSED,
    ),
)

RULES: tuple[RuleInfo, ...] = (API_ERROR,)
# Every fact an app has: an api-error names the one that could not be read.
NEEDS: frozenset[FactKind] = frozenset({"app"})
OPTIONS: type[PolicyTable] | None = None


def _remedy(ctx: AppContext, error: FactError) -> str:
    app = ctx.app.name
    status = error.status
    if status == 401:
        return (
            "The Heroku token is missing, expired or revoked: run `gatekeeper login` with a "
            "read-scope token (`heroku authorizations:create --scope read`), or set "
            "HEROKU_API_KEY, then run again."
        )
    if status == 403:
        team = f" of team {ctx.app.team}" if ctx.app.team else ""
        return (
            f"The token cannot see this: use a token of a member{team} (`heroku "
            "authorizations:create --scope read`), check with "
            f"{code_span(f'heroku apps:info -a {sh(app)}')}, "
            "then run again."
        )
    if status == 404:
        return (
            f"Heroku says it does not exist (any more): check "
            f"{code_span(f'heroku apps:info -a {sh(app)}')} "
            "and run again."
        )
    return (
        "A temporary problem between gatekeeper and the Heroku API: run again; if it "
        "persists, check https://status.heroku.com."
    )


def evaluate(ctx: AppContext) -> Iterator[Candidate]:
    """One block per fact that could not be read; drains not collected count too."""
    by_fact: dict[FactKind, list[FactError]] = {}
    for error in ctx.app.errors:
        by_fact.setdefault(error.fact, []).append(error)
    for fact in sorted(by_fact):
        errors = sorted(by_fact[fact], key=lambda e: (e.status or 0, e.message))
        details = "; ".join(
            e.message.rstrip(". ") + (f" (HTTP {e.status})" if e.status else "") for e in errors
        )
        yield ctx.candidate(
            API_ERROR,
            fact,
            f"gatekeeper could not read the {fact} of app {ctx.app.name}: {details}. Without it "
            "the app cannot be judged, so it is blocked (fail closed).",
            _remedy(ctx, errors[0]),
            (*ctx.owner_evidence(),),
        )
    if (
        ctx.needs.wants("log-drains")
        and ctx.app.log_drains is None
        and "log-drains" not in by_fact
        and "app" not in by_fact
    ):
        yield ctx.candidate(
            API_ERROR,
            "log-drains",
            f"The log drains of app {ctx.app.name} were not collected, but the policy checks "
            "drains ([logs] check_drains = true), so the app cannot be judged (fail closed).",
            "Collect the drains (run the check or audit without skipping drains), or switch the "
            "drain check off for everybody with [logs] check_drains = false in the policy. "
            + ctx.ask(),
            (*ctx.owner_evidence(),),
        )
