"""The CLI as a whole: every verb has help, exit codes are mapped in one place, the README's
commands are the ones CI runs, and starting the CLI stays light."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from gatekeeper import cli
from gatekeeper.commands.verbs import VERBS
from gatekeeper.errors import EXIT_BUG, EXIT_USAGE, CouldNotEvaluate, UsageError

ROOT = Path(__file__).resolve().parents[3]


def _all_commands() -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    ctx = click.Context(cli.cli)
    for name in cli.cli.list_commands(ctx):
        cmd = cli.cli.get_command(ctx, name)
        assert cmd is not None, name
        out.append((name,))
        if isinstance(cmd, click.Group):
            out.extend((name, sub) for sub in cmd.list_commands(ctx))
    return out


@pytest.mark.parametrize("words", _all_commands(), ids=" ".join)
def test_every_command_has_help(words: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.run([*words, "--help"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Usage: gatekeeper " + " ".join(words) in out
    # The one-line help is there and says something.
    help_line = next(line for line in out.splitlines()[1:] if line.strip())
    assert len(help_line.split()) >= 3


def test_listed_help_matches_each_command() -> None:
    """The verb list in VERBS (shown without importing verbs) names real modules."""
    ctx = click.Context(cli.cli)
    for name in cli.VERBS:
        assert cli.cli.get_command(ctx, name) is not None


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["no-such-verb"]) == EXIT_USAGE
    assert "No such command" in capsys.readouterr().err


def test_expected_errors_map_to_their_codes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def boom(exc: Exception) -> None:
        def main(*args: object, **kwargs: object) -> None:
            raise exc

        monkeypatch.setattr(cli.cli, "main", main)

    boom(UsageError("bad flag", hint="Use --good."))
    assert cli.run([]) == 2
    boom(CouldNotEvaluate("API down"))
    assert cli.run([]) == 3
    boom(RuntimeError("something unexpected"))
    assert cli.run([]) == EXIT_BUG
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "hit a bug" in err and "GATEKEEPER_DEBUG=1" in err


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)


def test_readme_quick_start_is_two_one_line_commands() -> None:
    commands = _readme_commands()
    assert len(commands) >= 2
    demo, tests = commands[0], commands[1]
    assert "\n" not in demo and "\n" not in tests
    assert "gatekeeper demo" in demo
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command() -> None:
    tests = _readme_commands()[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci.splitlines()


def last_line_printed(code: str) -> str:
    """The last line ``code`` prints, run by a fresh interpreter."""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return out.strip().splitlines()[-1]


def test_help_does_not_import_heavy_modules() -> None:
    """`gatekeeper --help` and the hook's fast path must not pay for httpx or pydantic."""
    code = (
        "import sys; from gatekeeper import cli; cli.run(['--help']); "
        "print(sorted(m for m in ('httpx', 'pydantic') if m in sys.modules))"
    )
    assert last_line_printed(code).endswith("[]")


def test_the_console_entry_point_skips_what_gatekeeper_never_runs() -> None:
    """``main`` (the console script) treats trio and httpx's own command-line client as
    absent: httpcore and httpx import them whenever installed, for nothing gatekeeper runs.
    httpx still works without them."""
    code = (
        "import sys; from gatekeeper import cli\n"
        "try:\n    cli.main(['policy', 'explain', 'api-error'])\n"
        "except SystemExit:\n    pass\n"
        "import httpx; httpx.Client().close()\n"
        "skipped = ('trio', 'rich', 'pygments', 'httpx._main')\n"
        "print(sorted(m for m in skipped if sys.modules.get(m)))"
    )
    assert last_line_printed(code) == "[]"


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_each_verbs_help_starts_with_the_line_the_verb_list_shows(
    verb: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """One constant per verb (commands/verbs.py) is both the list's line and the help's."""
    assert cli.run(["--help"]) == 0
    listed = {
        parts[0]: parts[1]
        for line in capsys.readouterr().out.split("Commands:")[1].splitlines()
        if len(parts := line.strip().split(None, 1)) == 2
    }
    assert cli.run([verb, "--help"]) == 0
    lines = capsys.readouterr().out.splitlines()
    first = next(line.strip() for line in lines[1:] if line.strip())
    assert first == listed[verb] == VERBS[verb].summary


def test_listing_the_verbs_imports_no_verb_module() -> None:
    code = (
        "import sys; from gatekeeper import cli; cli.run(['--help']); "
        "print(sorted(m for m in sys.modules if m.startswith('gatekeeper.commands.')))"
    )
    assert last_line_printed(code) == "['gatekeeper.commands.verbs']"


def test_a_bug_with_gatekeeper_debug_prints_the_traceback_and_still_exits_4() -> None:
    """Hooks and CI read exit 1 as "blocked": a crash is 4, with or without the traceback."""
    crash = (
        "import sys; from gatekeeper import cli\n"
        "def boom(*args, **kwargs): raise RuntimeError('kaboom in a verb')\n"
        "cli.cli.main = boom\n"
        "cli.main(['check', '--app', 'survey'])\n"
    )
    env = {**os.environ, "GATEKEEPER_DEBUG": "1"}
    debug = subprocess.run([sys.executable, "-c", crash], capture_output=True, text=True, env=env)
    assert debug.returncode == EXIT_BUG
    assert "Traceback (most recent call last)" in debug.stderr
    assert "RuntimeError: kaboom in a verb" in debug.stderr
    assert "hit a bug" in debug.stderr and "traceback above" in debug.stderr
    env.pop("GATEKEEPER_DEBUG")
    quiet = subprocess.run([sys.executable, "-c", crash], capture_output=True, text=True, env=env)
    assert quiet.returncode == EXIT_BUG and "Traceback" not in quiet.stderr
