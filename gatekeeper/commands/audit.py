"""``gatekeeper audit``: every app of teams, enterprise accounts or the whole token's reach.

The audit itself (collect, evaluate, compare, publish, record, notify, in that order) is
``gatekeeper.usecases.audit``; this module parses the options, builds the collaborators (fact
source, history store, report writer, notify targets), shows the outcome, and runs ``--every``.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import click

from gatekeeper.commands import shared, terminal
from gatekeeper.commands.verbs import summarized
from gatekeeper.errors import GatekeeperError, UsageError

if TYPE_CHECKING:
    from gatekeeper.sources.interface import FactSource
    from gatekeeper.usecases import AuditScope
    from gatekeeper.usecases.audit import AuditOutcome, Notifier, StoreOpener

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
    notify_targets: tuple[str, ...] = ()
    every: str | None = None
    concurrency: int = 8


@summarized("audit")
@click.command("audit")
@shared.team_options
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
    "notify_targets",
    multiple=True,
    metavar="TARGET",
    help="Send a summary when new blocking findings appear or an agreement or waiver is "
    "about to expire, to a webhook URL (Slack-style), teams+https://... (a Teams workflow) "
    f"or mailto:ADDRESS[,ADDRESS] (repeatable; default: ${NOTIFY_ENV}).",
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
    """Exit codes: 0 all allowed, 1 something blocked, 2 usage error or invalid policy,
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
            terminal.info(f"gatekeeper: audit finished with exit code {code}")
        except UsageError:
            raise
        except GatekeeperError as exc:
            click.echo(
                f"gatekeeper: error: {exc.user_message()} Next attempt in {int(seconds)} s.",
                err=True,
            )
        time.sleep(max(0.0, seconds - (time.monotonic() - started)))


def scope_of(opts: AuditOptions) -> AuditScope | None:
    """The audit's scope; ``None`` for all that a snapshot holds (``--snapshot`` alone)."""
    from gatekeeper.usecases import AuditScope

    if opts.snapshot_path and not (opts.teams or opts.enterprises or opts.everything):
        return None
    return AuditScope(teams=opts.teams, enterprises=opts.enterprises, everything=opts.everything)


def run(opts: AuditOptions, *, token: str | None = None, today: date | None = None) -> int:
    outcome = execute(opts, build_source(opts, token=token), today=today)
    shared.show_notices(outcome.notices)
    if outcome.failure is not None:
        raise outcome.failure
    return outcome.exit_code


def execute(opts: AuditOptions, source: FactSource, *, today: date | None = None) -> AuditOutcome:
    from gatekeeper.outputs import wants_register
    from gatekeeper.usecases.audit import audit
    from gatekeeper.usecases.policy_file import open_policy

    if opts.since_last and opts.baseline:
        raise UsageError("Give --since-last or --baseline, not both.")
    policy = open_policy(opts.policy_path)
    return audit(
        scope_of(opts),
        policy=policy,
        source=source,
        strict=opts.strict,
        store=build_store(opts),
        record=not opts.no_history,
        since_last=opts.since_last,
        baseline=opts.baseline,
        publish=shared.publisher(opts.fmt, opts.outputs),
        with_register=wants_register(opts.outputs),
        notify=build_notifier(opts),
        progress=terminal.progress(),
        today=today,
        verbose=opts.verbose,
        color=shared.color_for(opts.fmt),
    )


def build_source(opts: AuditOptions, *, token: str | None = None) -> FactSource:
    from gatekeeper.sources import open_source

    return open_source(
        snapshot=opts.snapshot_path,
        api_url=opts.api_url,
        token=token,
        max_in_flight=opts.concurrency,
    )


def build_store(opts: AuditOptions) -> StoreOpener | None:
    from gatekeeper.usecases.history import store_at

    return None if (opts.no_history and not opts.since_last) else store_at(opts.store_url)


def build_notifier(opts: AuditOptions) -> Notifier | None:
    """Delivers to every ``--notify`` target (else those of ``$GATEKEEPER_NOTIFY_URL``),
    parsed now: a bad target is a usage error before the audit runs."""
    texts, source = opts.notify_targets, "--notify"
    if not texts:
        texts, source = (os.environ.get(NOTIFY_ENV, ""),), NOTIFY_ENV
    if not "".join(texts).strip():
        return None
    from gatekeeper.notify import deliver, parse_targets

    targets = parse_targets(texts, source=source)

    def send(payload: dict[str, object]) -> None:
        deliver(targets, payload)

    return send
