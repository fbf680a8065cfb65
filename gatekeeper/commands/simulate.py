"""``gatekeeper simulate``: run the local Heroku Platform API simulator until Ctrl-C.

It prints its URL and the tokens of the estate, then serves. Faults can be switched on from
the command line; docs/simulator.md describes each one and the estate file format.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import click

from gatekeeper.commands.verbs import summarized

_F = TypeVar("_F", bound=Callable[..., Any])


def _count(ctx: click.Context, param: click.Parameter, value: str) -> int:
    """A number of times, or ``always`` (-1, the simulator's ``ALWAYS``)."""
    text = value.strip().lower()
    if text == "always":
        return -1
    if text.isdigit():
        return int(text)
    raise click.BadParameter(f"{value!r} is not a whole number or 'always'")


def _count_option(*names: str, help: str) -> Callable[[_F], _F]:
    return click.option(*names, default="0", metavar="N|always", callback=_count, help=help)


@summarized("simulate")
@click.command(name="simulate")
@click.option(
    "--estate",
    "estate_file",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Estate file (.json or .toml, see docs/simulator.md) or a gatekeeper "
    "snapshot. Default: the built-in demo estate.",
)
@click.option(
    "--generate",
    "generate_apps",
    type=click.IntRange(min=0),
    metavar="APPS",
    help="Serve a generated estate of APPS apps instead (see --teams, --seed).",
)
@click.option(
    "--teams",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Teams of a generated estate.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of a generated estate.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port on 127.0.0.1 (0: any free port).",
)
@click.option(
    "--latency",
    type=click.FloatRange(min=0),
    default=0.0,
    metavar="MS",
    help="Delay every response by MS milliseconds.",
)
@click.option(
    "--rate-limit",
    type=click.IntRange(min=1),
    default=4500,
    show_default=True,
    help="Rate-limit tokens per account.",
)
@click.option(
    "--rate-refill",
    type=click.FloatRange(min=0),
    default=75.0,
    show_default=True,
    help="Rate-limit tokens refilled per minute.",
)
@click.option(
    "--fault-path",
    default="*",
    show_default=True,
    metavar="GLOB",
    help="Request paths the counted faults apply to, e.g. '/apps/survey*'.",
)
@_count_option("--fail-429", help="Answer 429 rate_limit N times.")
@click.option(
    "--retry-after",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="Send Retry-After with those 429s.",
)
@_count_option("--fail-5xx", help="Answer a server error N times.")
@click.option(
    "--5xx-status",
    "server_error_status",
    type=click.Choice(["500", "502", "503", "504"]),
    default="503",
    show_default=True,
    help="Status of those errors.",
)
@_count_option("--drop", help="Close the connection without an answer N times.")
@_count_option("--reset", help="Reset the connection N times.")
@_count_option("--slow", help="Answer N requests slowly.")
@click.option(
    "--slow-seconds",
    type=click.FloatRange(min=0),
    default=5.0,
    show_default=True,
    help="How slowly.",
)
@_count_option("--broken-json", help="Truncate N JSON bodies.")
@click.option(
    "--looping-next-range",
    is_flag=True,
    help="Lists answer 206 with a Next-Range that points back to the first page.",
)
@click.option("--missing-next-range", is_flag=True, help="Lists answer 206 without a Next-Range.")
@click.option(
    "--null-region",
    multiple=True,
    metavar="APP",
    help="Serve APP (a glob) with region null. Repeatable.",
)
@click.option(
    "--unknown-region",
    multiple=True,
    metavar="APP",
    help="Serve APP with a region Heroku does not have. Repeatable.",
)
@click.option(
    "--unknown-plan",
    multiple=True,
    metavar="APP",
    help="Serve APP's add-ons with an unknown plan. Repeatable.",
)
@click.option(
    "--forbidden-app", multiple=True, metavar="APP", help="Answer 403 for APP. Repeatable."
)
@click.option(
    "--expire-token-after",
    type=click.IntRange(min=0),
    metavar="N",
    help="Tokens answer 401 after N more requests.",
)
def command(
    estate_file: str | None,
    generate_apps: int | None,
    teams: int,
    seed: int,
    port: int,
    latency: float,
    rate_limit: int,
    rate_refill: float,
    fault_path: str,
    fail_429: int,
    retry_after: float | None,
    fail_5xx: int,
    server_error_status: str,
    drop: int,
    reset: int,
    slow: int,
    slow_seconds: float,
    broken_json: int,
    looping_next_range: bool,
    missing_next_range: bool,
    null_region: tuple[str, ...],
    unknown_region: tuple[str, ...],
    unknown_plan: tuple[str, ...],
    forbidden_app: tuple[str, ...],
    expire_token_after: int | None,
) -> int:
    """On 127.0.0.1, until Ctrl-C. It serves the demo estate (a university with teams,
    spaces and apps), an estate file, a gatekeeper snapshot or a generated estate, with
    Heroku's paths, Range pagination, ETags, rate limiting and errors. Point the gatekeeper
    or the Heroku CLI at it with HEROKU_HOST=<the URL it prints> and HEROKU_API_KEY=<one of
    its tokens>.
    """
    from gatekeeper.errors import UsageError
    from gatekeeper.simulator import Faults, Simulator, demo_estate, generate_estate, load_estate

    if estate_file and generate_apps is not None:
        raise UsageError("Give either --estate or --generate, not both.")
    if estate_file:
        estate = load_estate(estate_file)
        source = estate_file
    elif generate_apps is not None:
        estate = generate_estate(apps=generate_apps, teams=teams, seed=seed)
        source = f"generated ({generate_apps} apps, {teams} teams, seed {seed})"
    else:
        estate = demo_estate()
        source = "demo (University of Example)"
    faults = Faults(
        latency=latency / 1000.0,
        path=fault_path,
        too_many_requests=fail_429,
        retry_after=retry_after,
        server_errors=fail_5xx,
        server_error_status=int(server_error_status),
        drop_connections=drop,
        reset_connections=reset,
        slow_responses=slow,
        slow_seconds=slow_seconds,
        broken_json=broken_json,
        looping_next_range=looping_next_range,
        missing_next_range=missing_next_range,
        null_region_apps=set(null_region),
        unknown_region_apps=set(unknown_region),
        unknown_plan_apps=set(unknown_plan),
        forbidden_apps=set(forbidden_app),
        expire_token_after=expire_token_after,
    )
    simulator = Simulator(
        estate, port=port, faults=faults, rate_limit=rate_limit, rate_refill=rate_refill
    )
    try:
        simulator.start()
    except OSError as exc:
        raise UsageError(
            f"Cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}.",
            hint="Choose another --port, or 0 for any free port.",
        ) from None
    try:
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how it is meant to end
            _announce(simulator, source)
            _serve_until_stopped()
    finally:
        with _second_ctrl_c_ignored():  # an impatient second Ctrl-C must not spoil the exit
            simulator.stop()
    click.echo(f"Stopped after {simulator.request_count} requests.")
    return 0


@contextlib.contextmanager
def _second_ctrl_c_ignored() -> Iterator[None]:
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _announce(simulator: Any, source: str) -> None:
    from gatekeeper.simulator.server import describe_token

    estate = simulator.estate
    url = simulator.url
    # The first line is the URL alone, for scripts that start the simulator and read it.
    click.echo(f"Heroku Platform API simulator listening on {url}")
    click.echo(
        f"Estate: {source}: {len(estate.apps)} apps, {len(estate.teams)} teams, "
        f"{len(estate.spaces)} spaces."
    )
    click.echo("Tokens (HEROKU_API_KEY):")
    for token in estate.tokens:
        click.echo(f"  {token.token}  {describe_token(token)}")
    if estate.tokens:
        click.echo("Try:")
        click.echo(f"  export HEROKU_HOST={url} HEROKU_API_KEY={estate.tokens[0].token}")
        click.echo("  gatekeeper audit --all")
    click.echo("Press Ctrl-C to stop.")
    sys.stdout.flush()


def _serve_until_stopped() -> None:
    """Wait for Ctrl-C (SIGINT) or SIGTERM; both end the command normally."""
    import signal
    import threading

    stop = threading.Event()
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: stop.set()) if in_main else None
    try:
        while not stop.wait(0.5):
            continue
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)
