"""What ``check``, ``audit``, ``snapshot`` and ``demo`` share: options, policy lookup, the
API client, and writing reports. Heavy modules are imported inside functions so that the
CLI starts fast."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Coroutine
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
    from gatekeeper.results import Report

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])

POLICY_ENV = "GATEKEEPER_POLICY"
DEFAULT_POLICY_FILE = "gatekeeper.toml"


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
    from gatekeeper.heroku.config import client_tuning

    url = resolve_api_url(api_url)
    secret = token or resolve_token(url).token
    return AsyncHerokuClient(url, secret, max_in_flight=max_in_flight, **client_tuning())


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


def exit_code(report: Report, *, strict: bool) -> int:
    """The exit code of the report's status (``Report.status``: fail closed, a fact that
    could not be read makes it 3)."""
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
