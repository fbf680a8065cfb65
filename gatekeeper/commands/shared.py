"""What ``check``, ``audit``, ``snapshot`` and ``demo`` share: their options, and showing an
outcome (the report on stdout and ``--output`` files, notices on stderr). Heavy modules are
imported inside functions so that the CLI starts fast."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from gatekeeper.commands import terminal
from gatekeeper.errors import UsageError
from gatekeeper.report.registry import format_names
from gatekeeper.usecases.policy_file import DEFAULT_POLICY_FILE, POLICY_ENV

if TYPE_CHECKING:
    from gatekeeper.register.model import Register
    from gatekeeper.report.interface import RenderOptions
    from gatekeeper.results import Report
    from gatekeeper.usecases.common import Notice, Publisher

F = TypeVar("F", bound=Callable[..., Any])


def team_options(function: F) -> F:
    """``--team/-t`` and ``--enterprise``, the scope options of audit, snapshot and register,
    spelled once (``-t`` as the Heroku CLI spells it)."""
    function = click.option(
        "--enterprise",
        "enterprises",
        multiple=True,
        metavar="NAME",
        help="All teams of an enterprise account (repeatable).",
    )(function)
    return click.option(
        "--team", "-t", "teams", multiple=True, metavar="NAME", help="A team (repeatable)."
    )(function)


def report_options(func: F) -> F:
    """The options every report-producing verb shares (policy, API, formats, strictness)."""
    return report_options_for(snapshot=True)(func)


def report_options_for(*, snapshot: bool) -> Callable[[F], F]:
    """``report_options``; ``snapshot=False`` leaves out ``--snapshot`` (``plan`` reads
    what exists from the API only)."""
    options = [
        click.option(
            "--policy",
            "policy_path",
            metavar="FILE",
            help=f"Policy file (default: ${POLICY_ENV}, else ./{DEFAULT_POLICY_FILE}).",
        ),
        click.option(
            "--api-url",
            metavar="URL",
            help="Heroku API base URL (default: $HEROKU_HOST, else https://api.heroku.com).",
        ),
        *(
            [
                click.option(
                    "--snapshot",
                    "snapshot_path",
                    metavar="FILE",
                    help="Evaluate a saved snapshot (gatekeeper snapshot) instead of the API.",
                )
            ]
            if snapshot
            else []
        ),
        click.option(
            "--format",
            "fmt",
            type=click.Choice(format_names()),
            default="text",
            show_default=True,
            help="Report format on stdout.",
        ),
        click.option(
            "--output",
            "outputs",
            metavar="FMT=FILE",
            multiple=True,
            help="Also write the report in FMT to FILE (repeatable; FILE - is stdout). audit "
            "also writes the register: register-csv, register-xlsx, register-json, "
            "register-html.",
        ),
        click.option("--strict", is_flag=True, help="Warnings fail too (exit 1)."),
        click.option("-v", "--verbose", is_flag=True, help="Show the evidence chain."),
    ]

    def apply(func: F) -> F:
        for option in reversed(options):
            func = option(func)
        return func

    return apply


def not_an_app_name(name: str) -> UsageError:
    return UsageError(
        f"{name!r} is not a Heroku app name.",
        hint="App names are 3 to 30 lowercase letters, digits and dashes, starting with a letter.",
    )


def color_for(fmt: str) -> bool:
    """ANSI colour: only the text format, where ``terminal.color_wanted`` says so."""
    return fmt == "text" and terminal.color_wanted(sys.stdout)


def publisher(fmt: str, outputs: tuple[str, ...]) -> Publisher:
    """Writes a report as ``--format`` on stdout and to every ``--output FMT=FILE``."""
    from gatekeeper import outputs as emitting

    def publish(report: Report, options: RenderOptions, register: Register | None = None) -> None:
        emitting.emit(report, fmt, outputs, options, register=register)

    return publish


def show_notices(notices: Iterable[Notice]) -> None:
    for notice in notices:
        prefix = "warning: " if notice.level == "warning" else ""
        terminal.info(f"gatekeeper: {prefix}{notice.text}")
