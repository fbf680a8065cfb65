"""``gatekeeper doctor``: where the token, the API host and the policy come from, and whether
they work.

It reports, in this order: the API base URL (and which setting chose it), where the token
came from (``HEROKU_API_KEY``, the OS keyring or ``~/.netrc``; never the token itself), the
account the token belongs to (``GET /account``), the token's OAuth scope (a ``global`` token
where a ``read`` one would do is a warning), the rate limit left (``GET
/account/rate-limits``, free), the keyring backend, and the policy in force (path, valid or
not, sha256).

How the scope is found: Heroku has no "authorization of this token" endpoint (``GET
/oauth/authorizations/~`` is the account's default API key, not the calling token), so, as
the Heroku CLI does on logout, the account's authorizations are listed and the one whose
access token equals ours (compared in constant time) gives the scope. The list holds every
token of the account, so a token Heroku refuses it to (401/403) is not a ``global`` one, which
has full access to the account. The other tokens in the list are registered for redaction and
dropped; none is ever shown.

Exit codes: 0 all is well (warnings included), 3 the API cannot be reached or the token is
missing or refused, 2 the API URL or the policy is invalid or missing.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict

import click

from gatekeeper.commands.verbs import summarized
from gatekeeper.usecases.doctor import Diagnosis, diagnose

SCHEMA = "gatekeeper.doctor/v1"


@summarized("doctor")
@click.command("doctor")
@click.option(
    "--api-url",
    metavar="URL",
    help="Heroku API base URL (default: $HEROKU_HOST, else https://api.heroku.com).",
)
@click.option(
    "--policy",
    "policy_path",
    metavar="FILE",
    help="Policy file (default: $GATEKEEPER_POLICY, else ./gatekeeper.toml).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
def command(api_url: str | None, policy_path: str | None, fmt: str) -> int:
    """Says whether each of them works, and never prints the token. Exit codes: 0 all is
    well (warnings included), 2 the API URL or the policy is invalid or missing, 3 the API
    cannot be reached or the token is refused.
    """
    diagnosis = diagnose(api_url, policy_path)
    if fmt == "json":
        click.echo(render_json(diagnosis))
    else:
        click.echo(
            render_text(diagnosis, color=sys.stdout.isatty() and os.environ.get("NO_COLOR") is None)
        )
    return diagnosis.exit_code


# -- output -------------------------------------------------------------------------------------

_LABELS = {"ok": "ok", "warn": "WARN", "fail": "FAIL", "info": "info"}
_COLORS = {"ok": "green", "warn": "yellow", "fail": "red", "info": "cyan"}


def render_text(diagnosis: Diagnosis, *, color: bool = False) -> str:
    """One line per check (status, name, message), with what to do under it."""
    from gatekeeper.redact import redact

    lines = []
    for check in diagnosis.checks:
        label = f"{_LABELS[check.status]:<4}"
        if color:
            label = click.style(label, fg=_COLORS[check.status], bold=check.status != "ok")
        lines.append(f"{label}  {check.name:<10} {check.message}")
        if check.hint:
            lines.append(f"      {'':<10} {check.hint}")
        lines.extend(f"      {'':<10} {p}" for p in check.details.get("problems", []))
    code = diagnosis.exit_code
    failed = sum(c.status == "fail" for c in diagnosis.checks)
    warned = sum(c.status == "warn" for c in diagnosis.checks)
    if code == 0:
        lines.append(
            "All is well."
            if not warned
            else f"Usable, with {warned} warning{'s' if warned != 1 else ''}."
        )
    else:
        lines.append(f"{failed} problem{'s' if failed != 1 else ''} (exit code {code}).")
    return redact("\n".join(lines))


def render_json(diagnosis: Diagnosis) -> str:
    """The diagnosis as JSON: ``{"schema", "ok", "exit_code", "checks": [...]}``."""
    from gatekeeper.redact import redact

    data = {
        "schema": SCHEMA,
        "ok": diagnosis.exit_code == 0,
        "exit_code": diagnosis.exit_code,
        "checks": [asdict(c) for c in diagnosis.checks],
    }
    return redact(json.dumps(data, indent=2, ensure_ascii=False))
