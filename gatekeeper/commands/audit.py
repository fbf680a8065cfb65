"""``gatekeeper audit``: every app of teams, enterprise accounts or the whole token's reach.

Order matters for "nothing is lost": collect and evaluate first; only a complete report is
rendered (all formats in memory), then written atomically, then recorded in the history
store, then notified. A failed or interrupted audit leaves the last good report and history
as they were.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from gatekeeper import outputs
from gatekeeper.commands import shared
from gatekeeper.errors import GatekeeperError, UsageError

if TYPE_CHECKING:
    from gatekeeper.collect import AuditScope
    from gatekeeper.facts import Estate
    from gatekeeper.policy import Policy
    from gatekeeper.results import Changes, Report
    from gatekeeper.store.interface import AuditRecord, AuditStore

NOTIFY_ENV = "GATEKEEPER_NOTIFY_URL"
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class AuditOptions:
    teams: tuple[str, ...]
    enterprises: tuple[str, ...]
    everything: bool
    policy_path: str | None
    api_url: str | None
    snapshot_path: str | None
    fmt: str
    outputs: tuple[str, ...]
    strict: bool
    verbose: bool
    store_url: str | None = None
    no_history: bool = False
    since_last: bool = False
    baseline: str | None = None
    notify_url: str | None = None
    every: str | None = None
    concurrency: int = 8


@click.command("audit")
@click.option("--team", "teams", multiple=True, metavar="NAME", help="A team (repeatable).")
@click.option(
    "--enterprise",
    "enterprises",
    multiple=True,
    metavar="NAME",
    help="All teams of an enterprise account (repeatable).",
)
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Everything the token can see, personal apps included.",
)
@shared.report_options
@click.option(
    "--store",
    "store_url",
    metavar="URL",
    help="History store: a path, sqlite:///path or postgres://... (default: "
    "$DATABASE_URL, else a SQLite file in the user data directory).",
)
@click.option("--no-history", is_flag=True, help="Do not record this audit in the store.")
@click.option(
    "--since-last",
    is_flag=True,
    help="Report new and resolved findings since the last audit of the same scope.",
)
@click.option(
    "--baseline",
    metavar="FILE",
    help="Report new and resolved findings against a saved JSON report.",
)
@click.option(
    "--notify",
    "notify_url",
    metavar="URL",
    help=f"POST a JSON summary to this webhook when new blocking findings appear or "
    f"an agreement or waiver is about to expire (default: ${NOTIFY_ENV}).",
)
@click.option(
    "--every",
    metavar="DURATION",
    help="Run again and again, e.g. 24h, 30m (for a Heroku worker dyno).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Requests in flight at once.",
)
def command(**kwargs: object) -> int:
    """Audit every app of teams, enterprise accounts, or everything the token can see.

    Exit codes: 0 all allowed, 1 something blocked, 2 usage error or invalid policy,
    3 a fact could not be read (fail closed).
    """
    opts = AuditOptions(**kwargs)  # type: ignore[arg-type]
    if opts.every:
        return run_every(opts, parse_duration(opts.every))
    return run(opts)


def parse_duration(text: str) -> float:
    match = _DURATION.match(text)
    if not match or int(match.group(1)) == 0:
        raise UsageError(f"--every takes a duration like 24h, 30m, 1d or 90s, not {text!r}.")
    return int(match.group(1)) * _SECONDS[match.group(2)]


def run_every(opts: AuditOptions, seconds: float) -> int:
    """Audit, sleep, repeat. A failed run is reported and the next one still happens; only
    a usage error (bad flags or policy) stops the loop, since repeating cannot fix it."""
    while True:
        started = time.monotonic()
        try:
            code = run(opts)
            click.echo(f"gatekeeper: audit finished with exit code {code}", err=True)
        except UsageError:
            raise
        except GatekeeperError as exc:
            click.echo(
                f"gatekeeper: error: {exc.user_message()} Next attempt in {int(seconds)} s.",
                err=True,
            )
        time.sleep(max(0.0, seconds - (time.monotonic() - started)))


def scope_of(opts: AuditOptions) -> AuditScope:
    from gatekeeper.collect import AuditScope

    return AuditScope(teams=opts.teams, enterprises=opts.enterprises, everything=opts.everything)


def run(opts: AuditOptions, *, token: str | None = None, today: date | None = None) -> int:
    from gatekeeper.engine import evaluate

    if opts.since_last and opts.baseline:
        raise UsageError("Give --since-last or --baseline, not both.")
    policy = shared.load_policy(opts.policy_path)
    scope = None if opts.snapshot_path and not _has_scope(opts) else scope_of(opts)
    scope_key = scope.describe() if scope else f"snapshot:{Path(opts.snapshot_path or '').name}"
    estate, source = _estate(opts, scope, policy, token)
    day, generated_at = shared.report_clock(today)
    report = evaluate(estate, policy, day, generated_at=generated_at)
    del estate  # the facts are in the report now; free them before comparing and rendering

    store = None if (opts.no_history and not opts.since_last) else _open_store(opts.store_url)
    try:
        changes = _changes(opts, report, store, scope_key)
        if changes is not None:
            report = report.model_copy(update={"changes": changes})
        options = shared.render_options(
            policy,
            verbose=opts.verbose,
            strict=opts.strict,
            color=shared.stdout_is_terminal() and opts.fmt == "text",
            title=None,
        )
        outputs.emit(report, opts.fmt, opts.outputs, options)
        if store is not None and not opts.no_history:
            record = store.record(report, scope=scope_key, source=source)
            click.echo(f"gatekeeper: recorded as {record.label} in {store.location}", err=True)
    finally:
        if store is not None:
            store.close()
    _notify(opts, report, changes, policy)
    return shared.exit_code(report, strict=opts.strict)


def _has_scope(opts: AuditOptions) -> bool:
    return bool(opts.teams or opts.enterprises or opts.everything)


def _estate(
    opts: AuditOptions, scope: AuditScope | None, policy: Policy, token: str | None
) -> tuple[Estate, str]:
    if opts.snapshot_path:
        from gatekeeper.snapshot import load_snapshot

        estate = load_snapshot(opts.snapshot_path)
        if scope is not None and not scope.everything:
            estate = _restrict(estate, scope)
        return estate, f"snapshot {opts.snapshot_path}"
    assert scope is not None
    from gatekeeper.collect import collect_estate
    from gatekeeper.collect.progress import progress_for
    from gatekeeper.heroku import resolve_api_url
    from gatekeeper.needs import Needs

    url = resolve_api_url(opts.api_url)
    client = shared.make_client(url, token=token, max_in_flight=opts.concurrency)

    async def collect() -> Estate:
        async with client:
            return await collect_estate(
                client,
                scope,
                needs=Needs.from_policy(policy),
                progress=progress_for(),
                source=url,
            )

    return shared.run_async(collect), f"api {url}"


def _restrict(estate: Estate, scope: AuditScope) -> Estate:
    """The part of a snapshot that ``--team``/``--enterprise`` name."""
    teams = set(scope.teams) | {
        t.name for t in estate.teams if t.enterprise_account in set(scope.enterprises)
    }
    return estate.model_copy(update={"apps": tuple(a for a in estate.apps if a.team in teams)})


def _open_store(url: str | None) -> AuditStore:
    from gatekeeper.store import open_store

    return open_store(url)


def _changes(
    opts: AuditOptions, report: Report, store: AuditStore | None, scope_key: str
) -> Changes | None:
    from gatekeeper.compare import compare

    if opts.baseline:
        from gatekeeper.report.json_format import parse_json_report

        path = Path(opts.baseline)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(
                f"The baseline report {opts.baseline!r} cannot be read ({exc}).",
                hint="Save one with --output json=FILE.",
            ) from None
        previous = parse_json_report(text, source=opts.baseline)
        return compare(previous, report, baseline=path.name)
    if opts.since_last and store is not None:
        last = store.latest_record(scope_key)
        if last is None:
            click.echo(
                f"gatekeeper: no earlier audit of {scope_key} in {store.location}; "
                "every finding counts as new.",
                err=True,
            )
            from gatekeeper.results import Changes

            return Changes(
                baseline="no earlier audit",
                new=tuple(f for f in report.all_findings() if not f.waived),
            )
        return _since_last(store, last, report)
    return None


def _since_last(store: AuditStore, last: AuditRecord, report: Report) -> Changes:
    """Compare with the stored open findings of ``last``: fingerprints first, then only the
    resolved findings are loaded. Audits recorded before the store kept finding rows are
    compared with their whole report."""
    from gatekeeper.compare import compare, compare_open
    from gatekeeper.errors import StoreError

    before = store.open_fingerprints(last.id)
    if before is None:
        stored = store.get(last.id)
        if stored is None:
            raise StoreError(
                f"Audit #{last.id} disappeared from the history store "
                f"{store.location} while it was being read."
            )
        return compare(stored.report, report, baseline=last.label)
    return compare_open(
        before,
        report,
        baseline=last.label,
        since=last.generated_at,
        resolved=lambda gone: store.open_findings(last.id, gone),
    )


def _notify(opts: AuditOptions, report: Report, changes: Changes | None, policy: Policy) -> None:
    url = opts.notify_url or os.environ.get(NOTIFY_ENV)
    if not url:
        return
    from gatekeeper.notify import build_notification, send_notification

    payload = build_notification(
        report, changes, expiring_within_days=policy.defaults.expiry_warning_days
    )
    if payload is not None:
        send_notification(url, payload)
        click.echo("gatekeeper: notification sent.", err=True)
