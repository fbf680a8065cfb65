"""The ``gatekeeper`` command line: a thin, lazily loaded click group.

Each verb lives in ``gatekeeper/commands/<name>.py`` and exposes a click command (or group)
named ``command``. Verbs are imported only when run, so ``gatekeeper --help`` and the git
hook stay fast (httpx and pydantic are not imported for them).

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

# verb -> (module, one-line help). The help is here so that listing verbs imports nothing.
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("gatekeeper.commands.check", "Check one app against the policy before deploy."),
    "audit": ("gatekeeper.commands.audit", "Audit every app of teams or an enterprise account."),
    "snapshot": ("gatekeeper.commands.snapshot", "Save the collected facts as JSON."),
    "history": ("gatekeeper.commands.history", "List past audits from the history store."),
    "policy": ("gatekeeper.commands.policy", "Validate, explain and describe policy files."),
    "hook": ("gatekeeper.commands.hook", "Install or remove the git pre-push hook."),
    "login": ("gatekeeper.commands.login", "Store a Heroku API token in the OS keyring."),
    "logout": ("gatekeeper.commands.logout", "Remove the stored Heroku API token."),
    "doctor": (
        "gatekeeper.commands.doctor",
        "Show where the token, API host and policy come from.",
    ),
    "simulate": ("gatekeeper.commands.simulate", "Run the local Heroku Platform API simulator."),
    "demo": (
        "gatekeeper.commands.demo",
        "Audit the built-in demo estate (no account, no network).",
    ),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module = importlib.import_module(entry[0])
        cmd: click.Command = module.command
        return cmd

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gatekeeper")
def cli() -> None:
    """Check Heroku apps against your institution's data protection policy.

    Exit codes: 0 allowed, 1 blocked, 2 usage error or invalid policy,
    3 could not evaluate (API, network, credentials), 4 bug.
    """


def main(argv: list[str] | None = None) -> None:
    # httpcore imports trio whenever it is installed (encode/httpcore#946), about 0.1 s of
    # every `gatekeeper check`; this process only ever runs asyncio, so trio counts as absent.
    # Only the console entry point does this: a program importing gatekeeper keeps its trio.
    sys.modules.setdefault("trio", None)  # type: ignore[arg-type]
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
    except Exception as exc:  # the one place a bug becomes exit code 4
        if os.environ.get("GATEKEEPER_DEBUG"):
            raise
        from gatekeeper.redact import redact

        _error(
            f"gatekeeper {__version__} hit a bug ({type(exc).__name__}: {redact(str(exc))}). "
            "Nothing was decided. Run again with GATEKEEPER_DEBUG=1 for the traceback and "
            "report it with that output."
        )
        return EXIT_BUG
    return int(result or 0)


def _error(message: str) -> None:
    click.echo(f"gatekeeper: error: {message}", err=True)
