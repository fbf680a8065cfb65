"""``gatekeeper hook``: install or remove the git pre-push hook, and the hook's own entry.

- ``gatekeeper hook install [--chain | --force] [--fail-open]``
- ``gatekeeper hook uninstall``
- ``gatekeeper hook run-pre-push [REMOTE URL]`` (hidden): what the installed hook and the
  pre-commit framework hook run; see ``gatekeeper.git.prepush``.

Kept light: no httpx or pydantic here, because the hook runs this on every Heroku push.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gatekeeper.commands.verbs import summarized


@summarized("hook")
@click.group(name="hook")
def command() -> None:
    """The hook checks every push to a Heroku remote with `gatekeeper check --app NAME`
    and refuses it when the app's setup is not covered by the policy. Pushes to other
    remotes pass untouched. Bypass once with `git push --no-verify`.
    """


@command.command("install")
@click.option(
    "--chain",
    is_flag=True,
    help="Keep an existing pre-push hook: move it to pre-push.local and run it first.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace an existing pre-push hook (a copy is kept as pre-push.backup).",
)
@click.option(
    "--fail-open",
    is_flag=True,
    help="Let pushes through when the check cannot run or cannot evaluate "
    "(sets git config gatekeeper.failOpen true). Default: refuse them.",
)
def install(chain: bool, force: bool, fail_open: bool) -> int:
    """Install the pre-push hook in this repository (respects core.hooksPath)."""
    from gatekeeper.git.hook import install_hook

    result = install_hook(Path.cwd(), force=force, chain=chain, fail_open=fail_open)
    hook = result.location.hook
    verb = "Updated" if result.updated else "Installed"
    click.echo(f"{verb} the gatekeeper pre-push hook: {hook}")
    if result.chained is not None:
        click.echo(f"The existing hook moved to {result.chained}; it runs first.")
    if result.backup is not None:
        click.echo(f"The existing hook was replaced; a copy is kept as {result.backup}.")
    if result.location.hooks_path_config:
        click.echo(
            f"core.hooksPath is {result.location.hooks_path_config!r}: every repository "
            "using that directory gets this hook."
        )
    click.echo(
        "Pushes to a Heroku remote are checked first (the app comes from the remote URL, "
        "or git config remote.<name>.gatekeeper-app / gatekeeper.app)."
    )
    if result.fail_open:
        click.echo(
            "Mode: fail open. When the check cannot run or evaluate, the push proceeds "
            "(git config gatekeeper.failOpen true)."
        )
    else:
        click.echo("Mode: fail closed. When the check cannot run or evaluate, the push is refused.")
    return 0


@command.command("uninstall")
def uninstall() -> int:
    """Remove the pre-push hook installed by gatekeeper (and restore a chained hook)."""
    from gatekeeper.git.hook import uninstall_hook

    result = uninstall_hook(Path.cwd())
    hook = result.location.hook
    if not result.removed:
        click.echo(f"No pre-push hook to remove at {hook}.")
        return 0
    click.echo(f"Removed the gatekeeper pre-push hook: {hook}")
    if result.restored is not None:
        click.echo(f"The hook it had chained is back in place: {result.restored}")
    return 0


@command.command("run-pre-push", hidden=True)
@click.argument("args", nargs=-1)
def run_pre_push(args: tuple[str, ...]) -> int:
    """Decide one push (run by the installed hook: REMOTE URL, ref lines on stdin)."""
    from gatekeeper.errors import UsageError
    from gatekeeper.git.prepush import run_from_cli

    if len(args) not in (0, 2):
        raise UsageError(
            "run-pre-push takes the remote name and URL that git passes a pre-push hook "
            "(or none, under pre-commit)."
        )
    stdin_text: str | None = None
    if len(args) == 2 and sys.stdin is not None and not sys.stdin.isatty():
        stdin_text = sys.stdin.read()
    return run_from_cli(args, stdin_text, repo_dir=Path.cwd())
