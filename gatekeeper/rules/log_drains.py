"""log-drain-not-allowed: a custom log drain sends logs to a host the policy does not allow.

Heroku's router logs hold the IP address of every visitor, so logs are personal data whatever
the app's class. A log drain ships them to the host its URL names. The rule fires (block) for
every drain that no add-on created and whose host matches none of
``[logs] allowed_drain_hosts`` (host names or globs: ``"*.example.edu"`` matches
``logs.example.edu`` but neither ``example.edu`` nor ``logs.example.edu.evil.com``; matching
ignores case). Drains created by an add-on (such as Papertrail's) are judged with that add-on
by the add-on rules.

With ``[logs] check_drains = false`` the drains are neither collected nor checked.
"""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper.codespan import code_span
from gatekeeper.knowledge.sources import HEROKU_LOG_DRAINS
from gatekeeper.policy.model import glob_match
from gatekeeper.results import Evidence
from gatekeeper.rules.context import AppContext, Candidate, sh

RULE_IDS = ("log-drain-not-allowed",)


def host_allowed(host: str, patterns: list[str]) -> bool:
    """Whether a drain host matches one of the allowed host globs (case-insensitive)."""
    host = host.lower().rstrip(".")
    return bool(host) and any(glob_match(host, p) for p in patterns)


def evaluate(ctx: AppContext) -> Iterator[Candidate]:
    """Check every custom drain's host against the allowed hosts."""
    logs = ctx.policy.logs
    if not logs.check_drains or ctx.app.log_drains is None or ctx.unknown("log-drains"):
        return
    app = ctx.app.name
    allowed = logs.allowed_drain_hosts
    for drain in ctx.drains():
        if drain.addon or host_allowed(drain.host, allowed):
            continue
        host = drain.host or "(no host)"
        listed = ", ".join(allowed) if allowed else "none"
        yield ctx.candidate(
            "log-drain-not-allowed",
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
                    kind="knowledge", name="log drains", detail=f"source: {HEROKU_LOG_DRAINS.url}"
                ),
            ),
            (drain.host,) if drain.host else (),
        )
