"""log-drain-not-allowed: a custom log drain sends logs to a host the policy does not allow.

Heroku's router logs hold the IP address of every visitor, so logs are personal data whatever
the app's class. A log drain ships them to the host its URL names. The rule fires (block) for
every drain that no add-on created and whose host matches none of
``[logs] allowed_drain_hosts`` (host names or globs: ``"*.example.edu"`` matches
``logs.example.edu`` but neither ``example.edu`` nor ``logs.example.edu.evil.com``; matching
ignores case). Drains created by an add-on (such as Papertrail's) are judged with that add-on
by the add-on rules.

A Shield space with Private Space Logging sends the logs of every app in it to one space
drain (``heroku spaces:drains:get --space SPACE``): it is judged the same way for each app in
the space. When the API does not show that drain (no drain named, 403, 404), the rule fires
too: an unknown answer never reads as "no drain" (docs/heroku-facts.md).

With ``[logs] check_drains = false`` the drains are neither collected nor checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from gatekeeper.codespan import code_span
from gatekeeper.facts import FactKind
from gatekeeper.knowledge import sources
from gatekeeper.policy_values import HostGlob, PolicyTable, glob_match
from gatekeeper.records import described
from gatekeeper.results import Evidence
from gatekeeper.rules import space_drain
from gatekeeper.rules.context import AppContext, Candidate, sh
from gatekeeper.rules.metadata import RuleInfo, WaiverExample


@dataclass(frozen=True, kw_only=True)
class LogsPolicy(PolicyTable):
    """``[logs]``: where custom log drains may send logs (logs hold IP addresses)."""

    allowed_drain_hosts: list[HostGlob] = described(
        default_factory=list,
        description='Hosts (or globs like "*.example.edu") custom drains may send to.',
    )
    check_drains: bool = described(
        True,
        description="Read and check every app's log drains (one request per app in an "
        "audit). false skips the drain check.",
    )


LOG_DRAIN_NOT_ALLOWED = RuleInfo(
    "log-drain-not-allowed",
    "block",
    "A log drain not created by an add-on points to a host that is not allowed.",
    why="Router logs hold every visitor's IP address (personal data). A custom drain "
    "ships them to the host in its URL, which must be allowed in [logs] "
    'allowed_drain_hosts (host globs such as "*.example.edu").',
    source="Heroku Dev Center 'Log Drains'; the app's log drains.",
    remedy="heroku drains:remove URL -a APP, or add the host to [logs] "
    "allowed_drain_hosts if it is the institution's own or under an agreement.",
    waiver=WaiverExample(
        "bio-dashboard",
        "logs.example-logging.io",
        "Provider under contract, DPA being added to the policy",
    ),
    sources=(sources.HEROKU_LOG_DRAINS,),
)

RULES: tuple[RuleInfo, ...] = (LOG_DRAIN_NOT_ALLOWED,)
NEEDS: frozenset[FactKind] = frozenset({"app", "log-drains"})
OPTIONS: type[PolicyTable] | None = LogsPolicy


def host_allowed(host: str, patterns: list[str]) -> bool:
    """Whether a drain host matches one of the allowed host globs (case-insensitive)."""
    host = host.lower().rstrip(".")
    return bool(host) and any(glob_match(host, p) for p in patterns)


def evaluate(ctx: AppContext) -> Iterator[Candidate]:
    """Check every custom drain's host, and the space's, against the allowed hosts."""
    if not ctx.needs.wants("log-drains") or ctx.unknown("log-drains"):
        return
    yield from space_drain.evaluate(ctx)
    if ctx.app.log_drains is not None:
        yield from _app_drains(ctx)


def _app_drains(ctx: AppContext) -> Iterator[Candidate]:
    logs = ctx.policy.logs
    app = ctx.app.name
    allowed = logs.allowed_drain_hosts
    for drain in ctx.drains():
        if drain.addon or host_allowed(drain.host, allowed):
            continue
        host = drain.host or "(no host)"
        listed = ", ".join(sorted(allowed)) if allowed else "none"
        yield ctx.candidate(
            LOG_DRAIN_NOT_ALLOWED,
            drain.url,
            f"App {app} sends its logs (which hold visitors' IP addresses) to {host} through "
            f"the log drain {drain.url}, and that host is not allowed "
            f"([logs] allowed_drain_hosts: {listed}).",
            f"Remove the drain: {code_span(f'heroku drains:remove {sh(drain.url)} -a {sh(app)}')} "
            f"({code_span(f'heroku drains -a {sh(app)}')} shows the exact URL or drain token). "
            "If the host is the institution's own "
            f"or covered by an agreement, add it to [logs] allowed_drain_hosts. " + ctx.ask(),
            (
                *ctx.owner_evidence(),
                Evidence(
                    kind="log-drain",
                    name=drain.url,
                    detail=f"custom drain (not created by an add-on); host {host}",
                ),
                Evidence(kind="policy", name="logs.allowed_drain_hosts", detail=listed),
                Evidence(
                    kind="knowledge",
                    name="log drains",
                    detail=f"source: {sources.HEROKU_LOG_DRAINS.url}",
                ),
            ),
            (drain.host,) if drain.host else (),
        )
