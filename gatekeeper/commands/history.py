"""``gatekeeper history``: the audits recorded in the history store, newest first.

``--show ID`` prints one audit: its summary and its blocked and warned apps. The store is
the one ``audit`` records into (``--store``, else ``$DATABASE_URL``, else the SQLite file in
the user data directory); see docs/history.md.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from gatekeeper.commands.verbs import summarized

if TYPE_CHECKING:
    from gatekeeper.results import Report
    from gatekeeper.usecases import AuditRecord
    from gatekeeper.usecases.history import AuditShown

HISTORY_SCHEMA = "gatekeeper.history/v1"
_MAX_FINDINGS_SHOWN = 20  # per app in --show text; the rest is counted


@summarized("history")
@click.command("history")
@click.option(
    "--store",
    "store_url",
    metavar="URL",
    help="History store: a path, sqlite:///path or postgres://... (default: "
    "$DATABASE_URL, else a SQLite file in the user data directory).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="Show at most this many audits.",
)
@click.option(
    "--scope", metavar="SCOPE", help='Only audits of this scope, e.g. "team:psych-lab" or "all".'
)
@click.option(
    "--show",
    "show_id",
    type=click.IntRange(min=1),
    metavar="ID",
    help="Show one audit: its summary and the apps it blocked or warned about.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
def command(
    store_url: str | None, limit: int, scope: str | None, show_id: int | None, fmt: str
) -> int:
    """Exit codes: 0 listed (an empty store too), 2 bad option or store URL,
    3 the store could not be reached or read.
    """
    from gatekeeper.usecases.history import list_audits, show_audit, store_at

    store = store_at(store_url)
    if show_id is not None:
        return _show(show_audit(store, show_id), fmt)
    listed = list_audits(store, limit=limit, scope=scope)
    if fmt == "json":
        document = {
            "schema": HISTORY_SCHEMA,
            "store": listed.location,
            "audits": [record_fields(r) for r in listed.records],
        }
        click.echo(json.dumps(document, indent=2))
    else:
        click.echo(render_list(listed.records, listed.location, scope=scope, limit=limit))
    return 0


def record_fields(record: AuditRecord) -> dict[str, Any]:
    """One audit as the JSON output shows it."""
    from gatekeeper.usecases.history import format_utc

    return {
        "id": record.id,
        "generated_at": format_utc(record.generated_at),
        "recorded_at": format_utc(record.recorded_at),
        "scope": record.scope,
        "source": record.source,
        "decision": record.decision,
        "summary": {"allow": record.allow, "warn": record.warn, "block": record.block},
        "findings": record.findings,
        "waived": record.waived,
        "policy_sha256": record.policy_sha256,
    }


def render_list(records: list[AuditRecord], location: str, *, scope: str | None, limit: int) -> str:
    """The text table; a friendly line for an empty store."""
    from gatekeeper.report.escape import visible

    where = visible(location)
    if not records:
        what = f"of scope {visible(scope)} " if scope else ""
        return (
            f"No audits {what}recorded yet in {where}.\n"
            "Run `gatekeeper audit --team NAME` (or --all) to record one."
        )
    header = (
        "ID",
        "GENERATED (UTC)",
        "DECISION",
        "ALLOW",
        "WARN",
        "BLOCK",
        "FINDINGS",
        "WAIVED",
        "SCOPE",
    )
    rows = [header] + [
        (
            str(r.id),
            r.generated_at.strftime("%Y-%m-%d %H:%M:%S"),
            r.decision,
            str(r.allow),
            str(r.warn),
            str(r.block),
            str(r.findings),
            str(r.waived),
            visible(r.scope),
        )
        for r in records
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    numeric = {0, 3, 4, 5, 6, 7}
    lines = []
    for row in rows:
        cells = [row[i].rjust(w) if i in numeric else row[i].ljust(w) for i, w in enumerate(widths)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    more = " (use --limit for more)" if len(records) == limit else ""
    lines.append("")
    lines.append(
        f"{len(records)} audit{'s' if len(records) != 1 else ''} from {where}, "
        f"newest first{more}. Details: gatekeeper history --show ID"
    )
    return "\n".join(lines)


def _show(shown: AuditShown, fmt: str) -> int:
    stored = shown.audit
    if fmt == "json":
        from gatekeeper import serial

        document = {
            "schema": HISTORY_SCHEMA,
            "store": shown.location,
            "audit": record_fields(stored.record),
            # The store's own serialization of the report (pydantic), not the v1 contract.
            "report": serial.to_data(stored.report),
        }
        click.echo(json.dumps(document, indent=2))
    else:
        click.echo(render_audit(stored.record, stored.report))
    return 0


def render_audit(record: AuditRecord, report: Report) -> str:
    """One audit in text: the record, then every blocked and warned app with its findings."""
    from gatekeeper.report.escape import visible
    from gatekeeper.usecases.history import format_utc

    fields = record_fields(record)
    lines = [
        f"Audit #{record.id} of {format_utc(record.generated_at)}",
        f"  scope:     {visible(record.scope)}",
        f"  source:    {visible(record.source)}",
        f"  recorded:  {fields['recorded_at']}",
        f"  policy:    {visible(report.policy_path or '-')}"
        + (f" (sha256 {record.policy_sha256[:12]})" if record.policy_sha256 else ""),
        f"  decision:  {record.decision} ({record.block} blocked, {record.warn} with "
        f"warnings, {record.allow} allowed)",
        f"  findings:  {record.findings} ({record.waived} waived)",
    ]
    if report.changes is not None:
        changes = report.changes
        lines.append(
            f"  changes:   {len(changes.new)} new, {len(changes.resolved)} resolved "
            f"since {visible(changes.baseline)}"
        )
    for decision, title in (("block", "Blocked apps"), ("warn", "Apps with warnings")):
        apps = sorted((a for a in report.apps if a.decision == decision), key=lambda a: a.name)
        if not apps:
            continue
        lines += ["", f"{title} ({len(apps)}):"]
        for app in apps:
            where = ", ".join(x for x in (app.team or "personal", app.region, app.space) if x)
            lines.append(f"  {visible(app.name)} ({visible(where)})")
            open_findings = [f for f in app.findings if not f.waived and f.severity != "info"]
            for finding in open_findings[:_MAX_FINDINGS_SHOWN]:
                subject = f" [{visible(finding.subject)}]" if finding.subject else ""
                lines.append(
                    f"    {finding.severity:<5} {finding.rule}{subject}: {visible(finding.message)}"
                )
            if len(open_findings) > _MAX_FINDINGS_SHOWN:
                lines.append(f"    ... and {len(open_findings) - _MAX_FINDINGS_SHOWN} more")
    policy_open = [f for f in report.policy_findings if not f.waived and f.severity != "info"]
    if policy_open:
        lines += ["", f"Policy findings ({len(policy_open)}):"]
        for finding in policy_open:
            subject = f" [{visible(finding.subject)}]" if finding.subject else ""
            lines.append(
                f"  {finding.severity:<5} {finding.rule}{subject}: {visible(finding.message)}"
            )
    lines += ["", f"Generated {format_utc(report.generated_at)}."]
    return "\n".join(lines)
