"""action.yml and .pre-commit-hooks.yaml: they parse, reference real options, and the
action's check script behaves (run with bash against a fake gatekeeper)."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from gatekeeper.cli import run

ROOT = Path(__file__).resolve().parents[3]
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")

# The keys pre-commit accepts in a hook manifest (pre_commit/clientlib.py, MANIFEST_HOOK_DICT).
PRE_COMMIT_MANIFEST_KEYS = {
    "id",
    "name",
    "entry",
    "language",
    "alias",
    "files",
    "exclude",
    "types",
    "types_or",
    "exclude_types",
    "additional_dependencies",
    "args",
    "always_run",
    "fail_fast",
    "pass_filenames",
    "description",
    "language_version",
    "log_file",
    "minimum_pre_commit_version",
    "require_serial",
    "stages",
    "verbose",
}


def load(name: str) -> Any:
    return yaml.safe_load((ROOT / name).read_text())


# --- .pre-commit-hooks.yaml --------------------------------------------------------------


def test_pre_commit_manifest() -> None:
    hooks = load(".pre-commit-hooks.yaml")
    assert isinstance(hooks, list) and len(hooks) == 1
    hook = hooks[0]
    assert set(hook) <= PRE_COMMIT_MANIFEST_KEYS
    assert hook["id"] == "gatekeeper-check"
    assert hook["language"] == "python"
    assert hook["stages"] == ["pre-push"]
    assert hook["pass_filenames"] is False
    assert hook["always_run"] is True
    # `stages: [pre-push]` is the spelling of pre-commit 3.2 and later.
    assert tuple(map(int, hook["minimum_pre_commit_version"].split("."))) >= (3, 2, 0)


def test_pre_commit_entry_is_a_real_command(capsys: pytest.CaptureFixture[str]) -> None:
    entry = shlex.split(load(".pre-commit-hooks.yaml")[0]["entry"])
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert entry[0] == "gatekeeper"
    assert 'gatekeeper = "gatekeeper.cli:main"' in pyproject
    assert run([*entry[1:], "--help"]) == 0
    assert "run by the installed hook" in capsys.readouterr().out


# --- action.yml: structure ---------------------------------------------------------------


@pytest.fixture(scope="module")
def action() -> Any:
    return load("action.yml")


def steps_of(action: Any) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = action["runs"]["steps"]
    return steps


def test_action_is_a_composite_action(action: Any) -> None:
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) >= {
        "app",
        "policy",
        "api-url",
        "strict",
        "sarif-file",
        "python-version",
        "heroku-api-key",
    }
    assert action["inputs"]["app"]["required"] is True
    for step in steps_of(action):
        if "run" in step:
            assert step["shell"] == "bash"


def test_action_pins_every_action_by_commit(action: Any) -> None:
    uses = [step["uses"] for step in steps_of(action) if "uses" in step]
    assert uses, "expected actions/setup-python"
    for ref in uses:
        assert PINNED.match(ref), ref


def test_action_scripts_never_interpolate_expressions(action: Any) -> None:
    """${{ }} pasted into a script is a shell injection; inputs go through env only."""
    for step in steps_of(action):
        assert "${{" not in step.get("run", "")


def test_action_references_only_declared_inputs_and_outputs(action: Any) -> None:
    text = (ROOT / "action.yml").read_text()
    assert set(re.findall(r"inputs\.([\w-]+)", text)) <= set(action["inputs"])
    check_script = next(s for s in steps_of(action) if s.get("id") == "check")["run"]
    for name, output in action["outputs"].items():
        assert output["value"] == f"${{{{ steps.check.outputs.{name} }}}}"
        assert f'echo "{name}=' in check_script


def test_action_uses_options_the_check_command_has() -> None:
    check = pytest.importorskip("gatekeeper.commands.check")
    options = {opt for param in check.command.params for opt in getattr(param, "opts", [])}
    assert {"--app", "--policy", "--api-url", "--strict", "--format", "--output"} <= options


# --- action.yml: the check script, run for real ------------------------------------------

FAKE_GATEKEEPER = """#!{python}
import json, os, sys
args = sys.argv[1:]
with open(os.environ["FAKE_LOG"], "w", encoding="utf-8") as log:
    json.dump({{"argv": args, "api_key": os.environ.get("HEROKU_API_KEY"),
               "leaked_input": "INPUT_HEROKU_API_KEY" in os.environ}}, log)
outputs = dict(a.split("=", 1) for a in args if "=" in a and not a.startswith("--"))
if os.environ.get("FAKE_DECISION"):
    with open(outputs["json"], "w") as report:
        json.dump({{"schema": "gatekeeper.report/v1", "decision": os.environ["FAKE_DECISION"]}},
                  report)
    if "sarif" in outputs:
        with open(outputs["sarif"], "w") as sarif:
            sarif.write("{{}}")
sys.exit(int(os.environ["FAKE_EXIT"]))
"""


@pytest.fixture
def action_run(action: Any, tmp_path: Path) -> Any:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    script = next(s for s in steps_of(action) if s.get("id") == "check")["run"]
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    fake = venv / "bin" / "gatekeeper"
    fake.write_text(FAKE_GATEKEEPER.format(python=sys.executable))
    fake.chmod(0o755)
    (venv / "bin" / "python").symlink_to(sys.executable)
    workdir = tmp_path / "work dir"
    workdir.mkdir()

    def go(exit_code: int, decision: str | None, **inputs: str) -> dict[str, Any]:
        output = tmp_path / "github_output"
        summary = tmp_path / "step_summary"
        output.write_text("")
        summary.write_text("")
        env = {
            "PATH": "/usr/bin:/bin",
            "GATEKEEPER_VENV": str(venv),
            "GATEKEEPER_REPORT": str(tmp_path / "report.json"),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "FAKE_LOG": str(tmp_path / "fake.json"),
            "FAKE_EXIT": str(exit_code),
            "FAKE_DECISION": decision or "",
            "INPUT_APP": "experiment-us",
            "INPUT_POLICY": "",
            "INPUT_API_URL": "",
            "INPUT_STRICT": "false",
            "INPUT_SARIF_FILE": "gatekeeper.sarif",
            "INPUT_HEROKU_API_KEY": "",
        }
        env.update({f"INPUT_{k.upper()}": v for k, v in inputs.items()})
        done = subprocess.run(
            [bash, "-c", script], cwd=workdir, env=env, capture_output=True, text=True, check=False
        )
        outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
        return {
            "code": done.returncode,
            "outputs": outputs,
            "summary": summary.read_text(),
            "fake": json.loads((tmp_path / "fake.json").read_text()),
            "stderr": done.stderr,
            "workdir": workdir,
            "report": str(tmp_path / "report.json"),
        }

    return go


def test_action_allowed(action_run: Any) -> None:
    result = action_run(0, "allow")
    assert result["code"] == 0, result["stderr"]
    sarif = str(result["workdir"] / "gatekeeper.sarif")
    assert result["outputs"] == {
        "exit-code": "0",
        "decision": "allow",
        "report-file": result["report"],
        "sarif-file": sarif,
    }
    argv = result["fake"]["argv"]
    assert argv[:3] == ["check", "--app", "experiment-us"]
    assert argv[3:7] == ["--format", "text", "--output", "github=-"]
    assert f"sarif={sarif}" in argv and f"json={result['report']}" in argv
    assert "--strict" not in argv and "--policy" not in argv and "--api-url" not in argv
    assert result["summary"] == ""  # the github format writes the summary itself


def test_action_blocked_with_every_option(action_run: Any, tmp_path: Path) -> None:
    sarif = tmp_path / "absolute.sarif"
    result = action_run(
        1,
        "block",
        strict="true",
        policy="policies/uni.toml",
        api_url="http://127.0.0.1:5000",
        sarif_file=str(sarif),
    )
    assert result["code"] == 1
    assert result["outputs"]["decision"] == "block"
    assert result["outputs"]["exit-code"] == "1"
    argv = result["fake"]["argv"]
    assert "--strict" in argv
    assert argv[argv.index("--policy") + 1] == "policies/uni.toml"
    assert argv[argv.index("--api-url") + 1] == "http://127.0.0.1:5000"
    assert f"sarif={sarif}" in argv
    assert result["outputs"]["sarif-file"] == str(sarif)


def test_action_warn_passes(action_run: Any) -> None:
    result = action_run(0, "warn")
    assert result["code"] == 0
    assert result["outputs"]["decision"] == "warn"


@pytest.mark.parametrize(
    ("code", "meaning"), [(2, "invalid policy"), (3, "could not evaluate"), (4, "a bug")]
)
def test_action_could_not_evaluate_fails_closed(code: int, meaning: str, action_run: Any) -> None:
    result = action_run(code, None)
    assert result["code"] == code
    assert result["outputs"] == {
        "exit-code": str(code),
        "decision": "error",
        "report-file": "",
        "sarif-file": "",
    }
    assert "`experiment-us` was not evaluated" in result["summary"]
    assert meaning in result["summary"]


def test_action_without_sarif(action_run: Any) -> None:
    result = action_run(0, "allow", sarif_file="")
    assert not any(arg.startswith("sarif=") for arg in result["fake"]["argv"])
    assert result["outputs"]["sarif-file"] == ""


def test_action_token_input_reaches_only_heroku_api_key(action_run: Any) -> None:
    result = action_run(0, "allow", heroku_api_key="HRKU-from-input")
    assert result["fake"]["api_key"] == "HRKU-from-input"
    assert result["fake"]["leaked_input"] is False


def test_action_metacharacters_in_inputs_stay_data(action_run: Any, tmp_path: Path) -> None:
    result = action_run(0, "allow", app="x$(touch pwned)`touch pwned2`;touch pwned3")
    assert result["fake"]["argv"][2] == "x$(touch pwned)`touch pwned2`;touch pwned3"
    assert not [p for p in result["workdir"].iterdir() if p.name.startswith("pwned")]


# --- docs/hooks-and-ci.md ----------------------------------------------------------------


def doc_blocks(language: str) -> list[str]:
    text = (ROOT / "docs" / "hooks-and-ci.md").read_text()
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE)


def test_documented_workflows_parse_and_pin_their_actions() -> None:
    blocks = [yaml.safe_load(block) for block in doc_blocks("yaml")]
    assert len(blocks) == 2  # the pre-commit config and the workflow
    pre_commit, workflow = blocks
    assert pre_commit["repos"][0]["hooks"] == [{"id": "gatekeeper-check"}]
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    uses = [step["uses"] for step in steps if "uses" in step]
    assert "github/codeql-action/upload-sarif" in " ".join(uses)
    for ref in uses:
        if ref.startswith("OWNER/heroku-gatekeeper@"):
            continue  # the reader's own pin of this action
        assert PINNED.match(ref), ref
    check = next(step for step in steps if step.get("id") == "gatekeeper")
    assert set(check["with"]) <= set(load("action.yml")["inputs"])


def test_documented_release_phase_line() -> None:
    procfiles = [b for b in doc_blocks("text") if b.startswith("release:")]
    assert len(procfiles) == 1
    assert procfiles[0].splitlines()[0] == 'release: gatekeeper check --app "$HEROKU_APP_NAME"'
