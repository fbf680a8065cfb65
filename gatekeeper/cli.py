"""The ``gatekeeper`` command line: a thin, lazily loaded click group.

Each verb lives in ``gatekeeper/commands/<name>.py`` and exposes a click command (or group)
named ``command``; ``gatekeeper.commands.verbs`` names them with their one-line help. Verbs
are imported only when run, so ``gatekeeper --help`` and the git hook stay fast (httpx and
pydantic are not imported for them).

Exit codes (docs/design.md#6-interfaces) are mapped in one place, ``main()``:
0 allowed, 1 blocked, 2 usage error or invalid policy, 3 could not evaluate, 4 bug.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from gatekeeper import __version__
from gatekeeper.commands.verbs import VERBS


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(VERBS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        verb = VERBS.get(cmd_name)
        if verb is None:
            return None
        module = importlib.import_module(verb.module)
        cmd: click.Command = module.command
        return cmd

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, VERBS[name].summary) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gatekeeper")
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Print only errors (the exit code says the rest; --output files are still written).",
)
@click.pass_context
def cli(ctx: click.Context, quiet: bool) -> None:
    """Check Heroku apps against your institution's data protection policy.

    Exit codes: 0 allowed, 1 blocked, 2 usage error or invalid policy,
    3 could not evaluate (API, network, credentials), 4 bug.

    Colour: NO_COLOR (not empty) turns it off, FORCE_COLOR (not empty) on, also
    without a terminal; TERM=dumb turns it off. Shell completion: docs/install.md.
    """
    from gatekeeper.commands import terminal

    terminal.apply_to_click(ctx, quiet=quiet)


def main(argv: list[str] | None = None) -> None:
    # httpcore imports trio whenever it is installed (encode/httpcore#946), about 0.1 s of
    # every `gatekeeper check`; this process only ever runs asyncio, so trio counts as absent.
    # Only the console entry point does this: a program importing gatekeeper keeps its trio.
    sys.modules.setdefault("trio", None)  # type: ignore[arg-type]
    # httpx imports its own command line (httpx._main) whenever rich, pygments and click are
    # installed, about 40 ms of every check; gatekeeper never runs httpx's CLI, and httpx
    # falls back to a stub when that import fails.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    # pydantic's plugin discovery imports importlib.metadata and reads every distribution's
    # metadata, about 15 ms of every verb that uses pydantic (audit, snapshot, serve, check
    # --format json; a plain check does not); the stand-in reads entry_points.txt files and
    # hands over to pydantic whenever a plugin may be installed.
    from gatekeeper import pydantic_plugins

    pydantic_plugins.install()
    sys.exit(run(argv))


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code; the one place exceptions become exit codes."""
    from gatekeeper.errors import EXIT_BUG, EXIT_USAGE, GatekeeperError

    try:
        result: Any = cli.main(args=argv, prog_name="gatekeeper", standalone_mode=False)
    except GatekeeperError as exc:
        _error(exc.user_message())
        return exc.exit_code
    except click.exceptions.Abort as exc:
        # click turns Ctrl-C into Abort; an interrupt is 130 (128 + SIGINT), not a usage error
        if isinstance(exc.__cause__, KeyboardInterrupt):
            _error("Interrupted.")
            return 130
        _error("Aborted.")
        return EXIT_USAGE
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except KeyboardInterrupt:
        _error("Interrupted.")
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place a bug becomes exit code 4
        from gatekeeper.redact import redact

        advice = "Run again with GATEKEEPER_DEBUG=1 for the traceback and report it with that"
        if os.environ.get("GATEKEEPER_DEBUG"):
            # The traceback for the bug report, and still exit 4: hooks and CI read 1 (what
            # an uncaught exception exits with) as "blocked".
            import traceback

            click.echo(redact(traceback.format_exc()).rstrip(), err=True)
            advice = "Report it with the traceback above and this"
        _error(
            f"gatekeeper {__version__} hit a bug ({type(exc).__name__}: {redact(str(exc))}). "
            f"Nothing was decided. {advice} output."
        )
        return EXIT_BUG
    return int(result or 0)


def _error(message: str) -> None:
    click.echo(f"gatekeeper: error: {message}", err=True)
