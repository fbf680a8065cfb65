"""Writing a report where the user asked for it: ``--format`` on stdout and every
``--output FMT=FILE``, files written atomically, plus the GitHub job summary.

The CLI calls :func:`emit`; a formatter itself never writes (``gatekeeper.report.interface``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from gatekeeper.errors import UsageError
from gatekeeper.report.registry import format_names

if TYPE_CHECKING:
    from gatekeeper.report.interface import RenderOptions
    from gatekeeper.results import Report


@dataclass(frozen=True)
class Output:
    """One rendering of the report: a format and where it goes (``None`` = stdout)."""

    fmt: str
    path: Path | None = None


def parse_output(value: str) -> Output:
    """``FMT=FILE`` (``FILE`` ``-`` means stdout)."""
    fmt, sep, dest = value.partition("=")
    if not sep or not fmt or not dest:
        raise UsageError(
            f"--output takes FMT=FILE, not {value!r}.",
            hint=f"Formats: {', '.join(format_names())}; FILE '-' is stdout.",
        )
    if fmt not in format_names():
        raise UsageError(
            f"Unknown report format {fmt!r} in --output {value!r}.",
            hint=f"Choose one of: {', '.join(format_names())}.",
        )
    return Output(fmt, None if dest == "-" else Path(dest))


def emit(report: Report, fmt: str, outputs: tuple[str, ...], options: RenderOptions) -> None:
    """Print ``fmt`` on stdout and write every ``--output``; files are written atomically."""
    from gatekeeper.atomic import write_atomic
    from gatekeeper.report.registry import render

    wanted = [Output(fmt)] + [parse_output(o) for o in outputs]
    # Render everything first: a formatter failing must not leave some files new, some old.
    rendered = [(out, render(report, out.fmt, options)) for out in wanted]
    stdout_done = False
    for out, text in rendered:
        if out.path is None:
            if out.fmt == fmt and stdout_done:
                continue
            click.echo(text, nl=False)
            stdout_done = True
        else:
            write_atomic(out.path, text)
    if any(out.fmt == "github" for out in wanted) and os.environ.get("GITHUB_STEP_SUMMARY"):
        from gatekeeper.errors import GatekeeperError
        from gatekeeper.report.github import write_step_summary

        try:
            write_step_summary(report, options)
        except GatekeeperError as exc:
            # The job summary is a courtesy: failing to append it must not turn a decision
            # (say a block, exit 1) into a usage error.
            click.echo(f"gatekeeper: warning: {exc.user_message()}", err=True)
