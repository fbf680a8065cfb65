"""telemetry-drain-not-allowed: a telemetry drain exports to a host the policy does not allow.

Fir apps export their logs, traces and metrics through OpenTelemetry telemetry drains, not log
drains: one per app (``heroku telemetry -a APP``) or one per Fir space, which applies to every
app in the space (``heroku telemetry -s SPACE``). Logs and traces hold visitors' IP addresses
and request paths, so the drain's exporter endpoint must be allowed like a log drain's host:
the rule fires (block) for every telemetry drain of the app or of its space whose endpoint
host matches none of ``[logs] allowed_drain_hosts``, the one allow list for everything that
ships logs (host names or globs, matched as for log drains). The message names the signals,
whether the drain is the app's or the space's, and the command that removes it.

The exporter's headers (ingest keys) are never read. An app whose telemetry drains could not
be read is blocked by ``api-error``.
"""

from __future__ import annotations

from collections.abc import Iterator

from gatekeeper.facts import FactKind, TelemetryDrain
from gatekeeper.knowledge import sources
from gatekeeper.policy_values import PolicyTable
from gatekeeper.results import Evidence
from gatekeeper.rules.context import AppContext, Candidate, sh
from gatekeeper.rules.log_drains import host_allowed
from gatekeeper.rules.metadata import RuleInfo, WaiverExample

TELEMETRY_DRAIN_NOT_ALLOWED = RuleInfo(
    "telemetry-drain-not-allowed",
    "block",
    "A telemetry drain of the app or of its space exports to a host that is not allowed.",
    why="Fir apps ship logs, traces and metrics through OpenTelemetry telemetry drains; "
    "logs and traces hold every visitor's IP address (personal data). A drain of the "
    "app, or of its Fir space (which applies to every app in it), must export to a host "
    'allowed in [logs] allowed_drain_hosts (host globs such as "*.example.edu").',
    source="Heroku Dev Center 'Heroku Telemetry'; GET /apps/{app}/telemetry-drains and "
    "GET /spaces/{space}/telemetry-drains.",
    remedy="heroku telemetry:remove DRAIN_ID (heroku telemetry -a APP or -s SPACE lists the "
    "ids), or add the host to [logs] allowed_drain_hosts if it is the institution's own "
    "or under an agreement.",
    waiver=WaiverExample(
        "fir-survey",
        "otlp.example-observability.com",
        "Provider under contract, DPA being added to the policy",
    ),
    sources=(sources.HEROKU_TELEMETRY,),
)

RULES: tuple[RuleInfo, ...] = (TELEMETRY_DRAIN_NOT_ALLOWED,)
NEEDS: frozenset[FactKind] = frozenset({"app", "space", "telemetry-drains"})
OPTIONS: type[PolicyTable] | None = None


def _drains(ctx: AppContext) -> list[tuple[str, TelemetryDrain]]:
    """The app's drains and its space's, each with whose it is ("app" or "space")."""
    out = [("app", d) for d in ctx.app.telemetry_drains or ()]
    if ctx.space is not None:
        out += [("space", d) for d in ctx.space.telemetry_drains or ()]
    return sorted(out, key=lambda item: (item[0], item[1].url, item[1].id))


def evaluate(ctx: AppContext) -> Iterator[Candidate]:
    """Check the endpoint host of every telemetry drain of the app and of its space."""
    if ctx.unknown("telemetry-drains"):
        return
    app = ctx.app.name
    allowed = ctx.policy.logs.allowed_drain_hosts
    listed = ", ".join(sorted(allowed)) if allowed else "none"
    for owner, drain in _drains(ctx):
        if host_allowed(drain.host, allowed):
            continue
        host = drain.host or "(no host)"
        signals = ", ".join(drain.signals) or "no signals named"
        if owner == "space" and ctx.space is not None:
            whose = (
                f"the telemetry drain of its Fir space {ctx.space.name} (it applies to every "
                "app in the space)"
            )
            remove = (
                f"`heroku telemetry:remove {sh(drain.id)}` "
                f"(`heroku telemetry -s {sh(ctx.space.name)}` lists the space's drains)"
            )
        else:
            whose = "its own telemetry drain"
            remove = (
                f"`heroku telemetry:remove {sh(drain.id)}` "
                f"(`heroku telemetry -a {sh(app)}` lists the app's drains)"
            )
        yield ctx.candidate(
            TELEMETRY_DRAIN_NOT_ALLOWED,
            drain.url,
            f"App {app} exports {signals} (logs and traces hold visitors' IP addresses) to "
            f"{host} through {whose}, endpoint {drain.url}, and that host is not allowed "
            f"([logs] allowed_drain_hosts: {listed}).",
            f"Remove the drain: {remove}. If the host is the institution's own or covered by an "
            "agreement, add it to [logs] allowed_drain_hosts. " + ctx.ask(),
            (
                *ctx.owner_evidence(),
                Evidence(
                    kind="telemetry-drain",
                    name=drain.url,
                    detail=f"drain {drain.id} of the {owner}"
                    + (f" {ctx.space.name}" if owner == "space" and ctx.space else "")
                    + f"; signals {signals}; host {host}",
                ),
                Evidence(kind="policy", name="logs.allowed_drain_hosts", detail=listed),
                Evidence(
                    kind="knowledge",
                    name="telemetry drains",
                    detail=f"source: {sources.HEROKU_TELEMETRY.url}",
                ),
            ),
            (drain.host,) if drain.host else (),
        )
