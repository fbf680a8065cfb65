"""Writing a report where the user asked for it: ``--format`` on stdout and every
``--output FMT=FILE`` (the audit's register too, as ``register-csv``, ``register-xlsx``,
``register-json`` or ``register-html``), plus the GitHub job summary, all or nothing.

The CLI calls :func:`emit`; a formatter itself never chooses a destination
(``gatekeeper.report.interface``). Every rendering is written as a stream to a temporary
place first (the files beside their targets, stdout to a spool), and only when all of them
succeeded are the files replaced together, stdout printed and the job summary appended. A
run that fails, a formatter that raises, a directory that is not writable, an interrupt:
every earlier report and summary stays as it was (docs/report-formats.md).
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, cast

import click

from gatekeeper.errors import UsageError
from gatekeeper.register.formats import OUTPUT_PREFIX, register_format_names
from gatekeeper.report.registry import format_names

if TYPE_CHECKING:
    from gatekeeper.register.model import Register
    from gatekeeper.report.github import StepSummary
    from gatekeeper.report.interface import RenderOptions
    from gatekeeper.results import Report

# stdout is rendered into memory up to this size, into an anonymous temporary file beyond.
_SPOOL_IN_MEMORY = 4 * 1024 * 1024
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Output:
    """One rendering of the report: a format and where it goes (``None`` = stdout)."""

    fmt: str
    path: Path | None = None

    @property
    def register_format(self) -> str | None:
        """The register's format (``csv`` of ``register-csv``), or None for a report format."""
        return self.fmt.removeprefix(OUTPUT_PREFIX) if self.fmt.startswith(OUTPUT_PREFIX) else None


def output_names() -> tuple[str, ...]:
    """The FMT of ``--output FMT=FILE``: the report's formats, then the register's."""
    return format_names() + tuple(OUTPUT_PREFIX + n for n in register_format_names())


def parse_output(value: str) -> Output:
    """``FMT=FILE`` (``FILE`` ``-`` means stdout; the register's formats need a file)."""
    fmt, sep, dest = value.partition("=")
    if not sep or not fmt or not dest:
        raise UsageError(
            f"--output takes FMT=FILE, not {value!r}.",
            hint=f"Formats: {', '.join(output_names())}; FILE '-' is stdout.",
        )
    if fmt not in output_names():
        raise UsageError(
            f"Unknown report format {fmt!r} in --output {value!r}.",
            hint=f"Choose one of: {', '.join(output_names())}.",
        )
    output = Output(fmt, None if dest == "-" else Path(dest))
    if output.register_format is not None and output.path is None:
        raise UsageError(
            f"--output {value!r}: the register is written to a file, not to stdout.",
            hint=f"Give a file name, e.g. --output {fmt}=register{_extension(fmt)}.",
        )
    return output


def wants_register(outputs: tuple[str, ...]) -> bool:
    """Whether any ``--output FMT=FILE`` is one of the register's formats."""
    return any(o.partition("=")[0].startswith(OUTPUT_PREFIX) for o in outputs)


def _extension(fmt: str) -> str:
    return "." + fmt.removeprefix(OUTPUT_PREFIX)


def emit(
    report: Report,
    fmt: str,
    outputs: tuple[str, ...],
    options: RenderOptions,
    *,
    register: Register | None = None,
    env: Mapping[str, str] = os.environ,
) -> None:
    """Print ``fmt`` on stdout, write every ``--output`` (the report's formats, and the
    ``register``'s as ``register-FMT``) and append the job summary (with ``github`` among the
    formats and ``$GITHUB_STEP_SUMMARY`` set): all of them, or, when one cannot be written,
    none. Raises :class:`~gatekeeper.errors.UsageError` naming the file."""
    from gatekeeper.atomic import ReplacedTogether
    from gatekeeper.register.formats import get_register_formatter
    from gatekeeper.report.registry import write

    wanted = [Output(fmt)] + [parse_output(o) for o in outputs]
    if register is None and any(out.register_format for out in wanted):
        raise UsageError(
            "The register (--output register-FMT=FILE) is written by gatekeeper audit only.",
            hint="Use gatekeeper audit or gatekeeper register.",
        )
    summary = _step_summary(report, wanted, options, env)
    with tempfile.SpooledTemporaryFile(
        max_size=_SPOOL_IN_MEMORY,
        mode="w+",
        encoding="utf-8",
        errors="surrogatepass",  # stdout's own encoder decides, as it did before
        newline="",
    ) as spool:
        with ReplacedTogether() as files:
            stdout_done = False
            # Colour is for the terminal stdout may be: a file never gets escape codes.
            plain = dataclasses.replace(options, color=False)
            for out in wanted:
                if out.register_format is not None and out.path is not None:
                    assert register is not None  # checked above
                    formatter = get_register_formatter(out.register_format)
                    formatter.write(register, files.open_binary(out.path))
                elif out.path is not None:
                    write(report, out.fmt, plain, files.open_text(out.path))
                elif not (out.fmt == fmt and stdout_done):
                    write(report, out.fmt, options, cast(TextIO, spool))
                    stdout_done = True
            # Leaving this block replaces the files, all of them, or raises having replaced
            # none; stdout and the summary follow only then.
        _print_spool(spool)
    if summary is not None:
        from gatekeeper.errors import GatekeeperError

        try:
            summary.append()
        except GatekeeperError as exc:
            # The job summary is a courtesy: failing to append it must not turn a decision
            # (say a block, exit 1) into a usage error.
            click.echo(f"gatekeeper: warning: {exc.user_message()}", err=True)


def _step_summary(
    report: Report, wanted: list[Output], options: RenderOptions, env: Mapping[str, str]
) -> StepSummary | None:
    """The job summary to append once the outputs are written (rendered first: a formatter
    that fails must fail before anything is replaced)."""
    if not any(out.fmt == "github" for out in wanted) or not env.get("GITHUB_STEP_SUMMARY"):
        return None
    from gatekeeper.report.github import step_summary

    return step_summary(report, options, env)


def _print_spool(spool: tempfile.SpooledTemporaryFile[str]) -> None:
    """Copy the rendered stdout to the real one through click (which tests capture)."""
    spool.seek(0)
    while chunk := spool.read(_CHUNK):
        click.echo(chunk, nl=False)
