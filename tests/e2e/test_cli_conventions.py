"""End to end: the CLI conventions with real parts. ``doctor --format json`` against the
simulator as docs/cli.md documents it, ``--quiet`` and ``-t`` on real runs, colour on a real
pseudo-terminal, and shell completion written by the installed ``gatekeeper`` command for
bash, zsh and fish (and answered in a real bash)."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from external_programs import require_program

from gatekeeper.cli import run
from gatekeeper.simulator import DEMO_ADMIN_TOKEN

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "gatekeeper" / "examples" / "university.toml"
CLI_DOC = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
ANSI = "\x1b["


@pytest.fixture
def env(heroku_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("GATEKEEPER_POLICY", str(POLICY))
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    return {**heroku_env, "GATEKEEPER_POLICY": str(POLICY)}


def test_doctor_json_is_the_documented_shape(
    env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["doctor", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    blocks = re.findall(r"^```json\n(.*?)^```", CLI_DOC, flags=re.DOTALL | re.MULTILINE)
    (documented,) = [json.loads(b) for b in blocks if '"gatekeeper.doctor/v1"' in b]
    assert set(data) == set(documented)
    assert data["schema"] == documented["schema"] and code == data["exit_code"] == 0
    assert data["ok"] is True
    for check in data["checks"]:
        assert set(check) == set(documented["checks"][0])
        assert check["status"] in {"ok", "warn", "fail", "info"}
    names = [c["name"] for c in data["checks"]]
    assert names[:2] == ["api", "token"] and "account" in names and names[-1] == "policy"
    assert next(c["details"] for c in data["checks"] if c["name"] == "account") == {
        "email": "admin@uni-example.edu"
    }
    assert DEMO_ADMIN_TOKEN not in json.dumps(data)


def test_quiet_check_prints_nothing_but_writes_its_files_and_keeps_the_exit_code(
    env: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    assert run(["check", "--app", "experiment-us"]) == 1
    assert capsys.readouterr().out
    assert run(["-q", "check", "--app", "experiment-us", "--output", f"json={report}"]) == 1
    assert capsys.readouterr() == ("", "")
    assert json.loads(report.read_text("utf-8"))["decision"] == "block"
    # Errors are still said.
    assert run(["-q", "check", "--app", "experiment-us", "--policy", "missing.toml"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "gatekeeper: error:" in err and "missing.toml" in err


def test_quiet_audit_shows_no_progress_or_notices(
    env: dict[str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store = f"sqlite:///{tmp_path / 'h.sqlite3'}"
    assert run(["-q", "audit", "-t", "bio-lab", "--store", store, "--since-last"]) == 1
    assert capsys.readouterr() == ("", "")


def test_t_is_team(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    run(["audit", "--team", "bio-lab", "--no-history", "--format", "json"])
    long = json.loads(capsys.readouterr().out)
    run(["audit", "-t", "bio-lab", "--no-history", "--format", "json"])
    short = json.loads(capsys.readouterr().out)
    assert [a["name"] for a in short["apps"]] == [a["name"] for a in long["apps"]]
    assert {a["team"] for a in short["apps"]} == {"bio-lab"}


def _on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """What ``python -m gatekeeper ARGS`` writes to stdout when stdout is a pseudo-terminal."""
    controller, terminal = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "gatekeeper", *args],
        stdout=terminal,
        stderr=subprocess.DEVNULL,
        env=env,
    ) as process:
        os.close(terminal)
        chunks = []
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the other side closed (EIO on Linux)
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=60)
    os.close(controller)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize(
    ("settings", "coloured"),
    [
        ({}, True),
        ({"NO_COLOR": ""}, True),  # empty: not set, as no-color.org says
        ({"NO_COLOR": "1"}, False),
        ({"TERM": "dumb"}, False),
        ({"TERM": "dumb", "FORCE_COLOR": "1"}, True),
    ],
)
def test_colour_on_a_real_terminal(
    env: dict[str, str], settings: dict[str, str], coloured: bool
) -> None:
    base = {k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "FORCE_COLOR", "TERM"}}
    out = _on_a_terminal(
        ["check", "--app", "experiment-us"],
        {**base, "TERM": "xterm", **settings, "PYTHONPATH": str(ROOT)},
    )
    assert "experiment-us" in out
    assert (ANSI in out) is coloured


@pytest.mark.parametrize(
    ("settings", "coloured"),
    [({"FORCE_COLOR": "1"}, True), ({}, False), ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False)],
)
def test_colour_into_a_pipe_only_when_forced(
    env: dict[str, str], settings: dict[str, str], coloured: bool
) -> None:
    base = {k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "FORCE_COLOR", "TERM"}}
    done = subprocess.run(
        [sys.executable, "-m", "gatekeeper", "check", "--app", "experiment-us"],
        env={**base, **settings, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1 and "experiment-us" in done.stdout
    assert (ANSI in done.stdout) is coloured


def test_forced_colour_never_goes_into_an_output_file(env: dict[str, str], tmp_path: Path) -> None:
    base = {k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "TERM"}}
    text = tmp_path / "report.txt"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "gatekeeper",
            "check",
            "-a",
            "experiment-us",
            f"--output=text={text}",
        ],
        env={**base, "FORCE_COLOR": "1", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ANSI in done.stdout
    written = text.read_text(encoding="utf-8")
    assert "experiment-us" in written and ANSI not in written


def _installed(shell_var: str, **extra: str) -> subprocess.CompletedProcess[str]:
    program = require_program("gatekeeper", "the installed gatekeeper command")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "_GATEKEEPER_COMPLETE": shell_var, **extra}
    return subprocess.run(
        [program], env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize(
    ("shell", "marker"),
    [
        ("bash", "complete -o nosort -F _gatekeeper_completion gatekeeper"),
        ("zsh", "#compdef gatekeeper"),
        ("fish", "complete --no-files --command gatekeeper"),
    ],
)
def test_the_installed_command_writes_the_completion_script(shell: str, marker: str) -> None:
    done = _installed(f"{shell}_source")
    assert done.returncode == 0, done.stderr
    assert marker in done.stdout and "_GATEKEEPER_COMPLETE" in done.stdout


def test_bash_completes_verbs_and_options_with_the_script() -> None:
    bash = require_program("bash", "bash")
    script = _installed("bash_source").stdout
    program_dir = str(Path(require_program("gatekeeper", "gatekeeper")).parent)
    probe = (
        script
        + "\nCOMP_WORDS=(gatekeeper pl); COMP_CWORD=1; _gatekeeper_completion gatekeeper;"
        + ' echo "verbs: ${COMPREPLY[*]}"; COMPREPLY=();'
        + " COMP_WORDS=(gatekeeper plan --form); COMP_CWORD=2; _gatekeeper_completion gatekeeper;"
        + ' echo "options: ${COMPREPLY[*]}"; COMPREPLY=();'
        + " COMP_WORDS=(gatekeeper check --format s); COMP_CWORD=3;"
        + ' _gatekeeper_completion gatekeeper; echo "formats: ${COMPREPLY[*]}"'
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PATH": f"{program_dir}:{os.environ['PATH']}"}
    done = subprocess.run(
        [bash, "--norc", "--noprofile", "-c", probe],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(": ", 1) for line in done.stdout.splitlines() if ": " in line)
    assert lines["verbs"].split() == ["plan"]
    assert lines["options"].split() == ["--format"]
    assert lines["formats"].split() == ["sarif"]
