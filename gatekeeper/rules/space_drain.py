"""The Private Space Logging drain of a Shield space, judged by ``log-drain-not-allowed``.

Part of ``gatekeeper.rules.log_drains`` (which declares the rule and documents it): all logs
of all apps in a Shield space with Private Space Logging go to one space-level drain, so each
app in the space is judged by it. What the API answers is read by
``gatekeeper.collect.convert.space_log_drain``: "set" with the host, or "unknown" (never
"none": docs/heroku-facts.md says why).
"""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper.knowledge import sources
from gatekeeper.results import Evidence
from gatekeeper.rules.context import AppContext, Candidate, sh


def evaluate(ctx: AppContext) -> Iterator[Candidate]:
    """A finding when the app's Shield space drains to a host not allowed, or when the API
    did not show whether it drains at all."""
    from gatekeeper.rules.log_drains import LOG_DRAIN_NOT_ALLOWED, host_allowed

    space = ctx.space
    if space is None or space.log_drain is None:
        return
    drain = space.log_drain
    allowed = ctx.policy.logs.allowed_drain_hosts
    if drain.state == "set" and host_allowed(drain.host, allowed):
        return
    app = ctx.app.name
    listed = ", ".join(sorted(allowed)) if allowed else "none"
    show = f"`heroku spaces:drains:get --space {sh(space.name)}`"
    source = Evidence(
        kind="knowledge",
        name="Private Space Logging",
        detail=f"source: {sources.HEROKU_PRIVATE_SPACE_LOGGING.url}",
    )
    policy = Evidence(kind="policy", name="logs.allowed_drain_hosts", detail=listed)
    if drain.state == "unknown":
        yield ctx.candidate(
            LOG_DRAIN_NOT_ALLOWED,
            f"space {space.name} log drain",
            f"App {app} is in the Shield space {space.name}, whose Private Space Logging drain "
            "(where the logs of every app in the space go, with visitors' IP addresses) "
            f"gatekeeper could not read ({drain.reason}). An unknown drain is not "
            '"no drain" (fail closed).',
            f"Ask a space admin to run {show}. If the space has no drain or it sends to an "
            "allowed host, add that host to [logs] allowed_drain_hosts or waive this finding "
            f'(rule = "{LOG_DRAIN_NOT_ALLOWED.id}", subject = "space {space.name} log drain"). '
            + ctx.ask(),
            (
                *ctx.owner_evidence(),
                Evidence(
                    kind="space",
                    name=space.name,
                    detail=f"Shield; log drain unknown: {drain.reason}",
                ),
                policy,
                source,
            ),
        )
        return
    host = drain.host or "(no host)"
    yield ctx.candidate(
        LOG_DRAIN_NOT_ALLOWED,
        drain.url,
        f"App {app} is in the Shield space {space.name}, whose Private Space Logging sends the "
        f"logs of every app in the space (with visitors' IP addresses) to {host} through the "
        f"space's drain {drain.url}, and that host is not allowed "
        f"([logs] allowed_drain_hosts: {listed}).",
        f"Point the space's drain to an allowed host: `heroku spaces:drains:set URL --space "
        f"{sh(space.name)}` (a space admin; {show} shows the current one). If the host is "
        "the institution's own or covered by an agreement, add it to [logs] "
        "allowed_drain_hosts. " + ctx.ask(),
        (
            *ctx.owner_evidence(),
            Evidence(
                kind="log-drain",
                name=drain.url,
                detail=f"Private Space Logging drain of Shield space {space.name}; host {host}",
            ),
            policy,
            source,
        ),
        (drain.host,) if drain.host else (),
    )
