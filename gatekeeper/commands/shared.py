"""What ``check``, ``audit``, ``snapshot`` and ``demo`` share: options, policy lookup, the
API client, and writing reports. Heavy modules are imported inside functions so that the
CLI starts fast."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from gatekeeper.errors import UsageError
from gatekeeper.report.registry import format_names

if TYPE_CHECKING:
    from gatekeeper.heroku.client import AsyncHerokuClient
    from gatekeeper.policy import Policy
    from gatekeeper.report.interface import RenderOptions
    from gatekeeper.report.model import Report

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

POLICY_ENV = "GATEKEEPER_POLICY"
DEFAULT_POLICY_FILE = "gatekeeper.toml"
API_ERROR_RULE = "api-error"


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


def report_options(func: F) -> F:
    """The options every report-producing verb shares (policy, API, formats, strictness)."""
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
        click.option(
            "--snapshot",
            "snapshot_path",
            metavar="FILE",
            help="Evaluate a saved snapshot (gatekeeper snapshot) instead of the API.",
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
            help="Also write the report in FMT to FILE (repeatable; FILE - is stdout).",
        ),
        click.option("--strict", is_flag=True, help="Warnings fail too (exit 1)."),
        click.option("-v", "--verbose", is_flag=True, help="Show the evidence chain."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def policy_path(flag: str | None) -> Path:
    """``--policy``, else ``$GATEKEEPER_POLICY``, else ``./gatekeeper.toml``."""
    chosen = flag or os.environ.get(POLICY_ENV) or DEFAULT_POLICY_FILE
    path = Path(chosen)
    if not path.is_file():
        origin = (
            "--policy"
            if flag
            else f"${POLICY_ENV}"
            if os.environ.get(POLICY_ENV)
            else "the default"
        )
        raise UsageError(
            f"The policy file {str(path)!r} ({origin}) does not exist.",
            hint=f"Give one with --policy FILE or {POLICY_ENV}, or put {DEFAULT_POLICY_FILE} "
            "in the current directory; examples are in the project's policies/ folder.",
        )
    return path


def load_policy(flag: str | None) -> Policy:
    from gatekeeper.policy import load_policy as load

    return load(policy_path(flag))


def run_async(factory: Callable[[], Coroutine[Any, Any, T]]) -> T:
    # The result travels in a box, not as the main task's result: Python 3.11's asyncio.run
    # formats repr(task) (result included) twice when it restores the SIGINT handler
    # (python/cpython#112559), which costs seconds and megabytes for a large estate.
    import asyncio  # here, not at the top: check runs without an event loop

    box: list[T] = []

    async def main() -> None:
        box.append(await factory())

    asyncio.run(main())
    return box[0]


def make_client(
    api_url: str | None, *, token: str | None = None, max_in_flight: int = 8
) -> AsyncHerokuClient:
    """A client for ``api_url`` (resolved as the Heroku CLI does) with the resolved token."""
    from gatekeeper.heroku import AsyncHerokuClient, resolve_api_url, resolve_token

    url = resolve_api_url(api_url)
    secret = token or resolve_token(url).token
    return AsyncHerokuClient(url, secret, max_in_flight=max_in_flight, **client_tuning())


TIMEOUT_ENV = "GATEKEEPER_TIMEOUT"
MAX_RETRIES_ENV = "GATEKEEPER_MAX_RETRIES"


def client_tuning() -> dict[str, Any]:
    """Client settings from the environment: ``GATEKEEPER_TIMEOUT`` (seconds to connect and
    to wait for each answer) and ``GATEKEEPER_MAX_RETRIES`` (retries of a failed request).
    A release phase or CI job can fail fast with them; the tests keep faults quick."""
    from gatekeeper.heroku.transport import Timeouts

    tuning: dict[str, Any] = {}
    timeout = _env_number(TIMEOUT_ENV, float, low=0.01)
    if timeout is not None:
        tuning["timeout"] = Timeouts(connect=timeout, read=timeout)
    retries = _env_number(MAX_RETRIES_ENV, int, low=0)
    if retries is not None:
        tuning["max_retries"] = retries
    return tuning


def _env_number(name: str, kind: Callable[[str], float], *, low: float) -> Any:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or not low <= value < float("inf"):
        raise UsageError(f"{name} must be a number of at least {low:g}, not {raw!r}.")
    return value


def render_options(
    policy: Policy, *, verbose: bool, strict: bool, color: bool, title: str | None = None
) -> RenderOptions:
    from gatekeeper.report.interface import RenderOptions

    institution = policy.institution
    heading = title or (f"{institution.name}: data protection check" if institution.name else None)
    return RenderOptions(
        verbose=verbose,
        color=color,
        strict=strict,
        title=heading,
        policy_contact=institution.contact or None,
    )


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


def exit_code(report: Report, *, strict: bool) -> int:
    """DESIGN section 6, and fail closed: a fact that could not be read makes it 3."""
    from gatekeeper.errors import EXIT_COULD_NOT_EVALUATE

    if any(f.rule == API_ERROR_RULE and not f.waived for f in report.all_findings()):
        return EXIT_COULD_NOT_EVALUATE
    return report.exit_code(strict=strict)


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty() and os.environ.get("NO_COLOR") is None


def report_clock(today: date | None) -> tuple[date, datetime | None]:
    """The day to judge agreements and waivers by, and the report's timestamp.

    The engine is pure and takes both from here. A fixed ``today`` (tests, reproducible runs)
    keeps the engine's deterministic timestamp (midnight UTC of that day); otherwise the
    report says when it was really made."""
    if today is not None:
        return today, None
    return date.today(), datetime.now(UTC)
