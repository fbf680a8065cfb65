"""``gatekeeper register``: the DPO's register of processing activities (GDPR Art. 30).

The register itself is ``gatekeeper.usecases.register`` (and ``gatekeeper.register``); this
module parses the options, builds the fact source or the history store, and writes the
rendering, atomically, to ``--output`` or stdout.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import click

from gatekeeper.commands import shared
from gatekeeper.commands.verbs import summarized
from gatekeeper.errors import UsageError
from gatekeeper.register.formats import register_format_names
from gatekeeper.usecases.policy_file import DEFAULT_POLICY_FILE, POLICY_ENV

if TYPE_CHECKING:
    from gatekeeper.usecases import AuditScope
    from gatekeeper.usecases.register import RegisterOutcome


@dataclass(frozen=True)
class RegisterOptions:
    teams: tuple[str, ...]
    enterprises: tuple[str, ...]
    everything: bool
    policy_path: str | None
    api_url: str | None
    snapshot_path: str | None
    from_history: bool
    store_url: str | None
    since_last: bool
    fmt: str
    output: str


@summarized("register")
@click.command("register")
@shared.team_options
@click.option("--all", "everything", is_flag=True, help="Everything the token can see.")
@click.option(
    "--policy",
    "policy_path",
    metavar="FILE",
    help=f"Policy file (default: ${POLICY_ENV}, else ./{DEFAULT_POLICY_FILE}).",
)
@click.option("--api-url", metavar="URL", help="Heroku API base URL.")
@click.option(
    "--snapshot",
    "snapshot_path",
    metavar="FILE",
    help="The register of a saved snapshot (gatekeeper snapshot) instead of the API.",
)
@click.option(
    "--from-history",
    is_flag=True,
    help="The register the latest audit recorded in the history store (of the scope given, "
    "else of any), with what changed since the audit before it.",
)
@click.option(
    "--store",
    "store_url",
    metavar="URL",
    help="History store: a path, sqlite:///path or postgres://... (default: $DATABASE_URL, "
    "else a SQLite file in the user data directory).",
)
@click.option(
    "--since-last",
    is_flag=True,
    help="Add what changed since the register of the last audit of the same scope.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(register_format_names()),
    default="csv",
    show_default=True,
    help="csv, xlsx (needs the xlsx extra), json (gatekeeper.register/v1) or html.",
)
@click.option(
    "--output",
    "-o",
    "output",
    metavar="FILE",
    default="-",
    show_default=True,
    help="Where to write the register (- is stdout); written atomically.",
)
def command(**kwargs: object) -> int:
    """One row per app and recipient: who processes the data, in which role, where, under
    which agreement and transfer mechanism (docs/report-formats.md). Exit codes: 0 written,
    2 usage error or invalid policy, 3 a fact could not be read (fail closed).
    """
    opts = RegisterOptions(**kwargs)  # type: ignore[arg-type]
    return run(opts)


def scope_of(opts: RegisterOptions) -> AuditScope | None:
    """The scope asked for; ``None`` for all that a snapshot (or the history) holds."""
    from gatekeeper.usecases import AuditScope

    if not (opts.teams or opts.enterprises or opts.everything):
        if opts.snapshot_path or opts.from_history:
            return None
        raise UsageError(
            "Say whose register to write: --team NAME, --enterprise NAME or --all "
            "(or --snapshot FILE, or --from-history).",
        )
    return AuditScope(teams=opts.teams, enterprises=opts.enterprises, everything=opts.everything)


def run(opts: RegisterOptions, *, token: str | None = None, today: date | None = None) -> int:
    outcome = execute(opts, token=token, today=today)
    write(outcome, opts)
    shared.show_notices(outcome.notices)
    if outcome.exit_code:
        click.echo(
            "gatekeeper: the register is incomplete: "
            + (
                "a fact could not be read (see the api-error in open_findings)."
                if outcome.register.activities
                else "it lists no app."
            ),
            err=True,
        )
    return outcome.exit_code


def execute(
    opts: RegisterOptions, *, token: str | None = None, today: date | None = None
) -> RegisterOutcome:
    from gatekeeper.usecases import progress_for
    from gatekeeper.usecases.history import store_at
    from gatekeeper.usecases.policy_file import open_policy
    from gatekeeper.usecases.register import current_register, register_from_history

    if opts.from_history and (opts.snapshot_path or opts.api_url or opts.since_last):
        raise UsageError(
            "--from-history reads the register from the history store: give it without "
            "--snapshot, --api-url and --since-last."
        )
    scope = scope_of(opts)
    if opts.from_history:
        return register_from_history(store_at(opts.store_url), scope)
    from gatekeeper.sources import open_source

    return current_register(
        scope,
        policy=open_policy(opts.policy_path),
        source=open_source(snapshot=opts.snapshot_path, api_url=opts.api_url, token=token),
        store=store_at(opts.store_url) if opts.since_last else None,
        progress=progress_for(),
        today=today,
    )


def write(outcome: RegisterOutcome, opts: RegisterOptions) -> None:
    """The rendering to ``--output`` (atomically) or stdout (never a workbook on a terminal)."""
    from gatekeeper.atomic import ReplacedTogether
    from gatekeeper.register.formats import get_register_formatter

    formatter = get_register_formatter(opts.fmt)
    if opts.output != "-":
        with ReplacedTogether() as files:
            formatter.write(outcome.register, files.open_binary(opts.output))
        click.echo(f"gatekeeper: wrote the register to {opts.output}", err=True)
        return
    if opts.fmt == "xlsx" and sys.stdout.isatty():
        raise UsageError(
            "An XLSX workbook is not for a terminal.", hint="Give a file: -o register.xlsx."
        )
    from gatekeeper.register.formats.interface import render_bytes

    data = render_bytes(formatter, outcome.register)
    # the text stream's own bytes (newer Click deprecates click.get_binary_stream)
    stdout = getattr(sys.stdout, "buffer", None)
    if stdout is None:  # a text-only stdout (an embedding program): the text formats only
        if opts.fmt == "xlsx":
            raise UsageError(
                "This stdout takes no bytes.", hint="Give a file: -o register.xlsx."
            ) from None
        click.echo(data.decode("utf-8", "surrogatepass"), nl=False)
        return
    stdout.write(data)
    stdout.flush()
