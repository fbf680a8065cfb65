"""GitHub and packaging integration files: action.yml (and its hash-locked install),
.pre-commit-hooks.yaml, the release workflow, the lock files and the documented install
instructions. They parse, reference real options, and their scripts behave (run with bash,
against a fake gatekeeper where one is needed)."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from stand_in_venv import stand_in_venv

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
    venv = stand_in_venv(tmp_path)
    fake = venv / "bin" / "gatekeeper"
    fake.write_text(FAKE_GATEKEEPER.format(python=sys.executable))
    fake.chmod(0o755)
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
            # the venv's python is this one: it finds gatekeeper as this test run does
            "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
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
            "stdout": done.stdout,
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
    [error] = [line for line in result["stdout"].splitlines() if line.startswith("::error")]
    assert error.startswith("::error title=heroku-gatekeeper%3A experiment-us was not evaluated::")
    assert f"gatekeeper exited with {code}: " in error


def test_action_a_forged_app_name_stays_inside_its_annotation(action_run: Any) -> None:
    result = action_run(3, None, app="x\n::error file=a.py::forged")
    commands = [line for line in result["stdout"].splitlines() if line.startswith("::")]
    assert len(commands) == 1 and "x\\n%3A%3Aerror file=a.py%3A%3Aforged" in commands[0]
    assert "\n::error" not in result["summary"]


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
    assert len(blocks) == 3  # the pre-commit config, the check workflow, the plan workflow
    pre_commit, workflow, plan = blocks
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
    plan_steps = [step for job in plan["jobs"].values() for step in job["steps"]]
    assert all(PINNED.match(step["uses"]) for step in plan_steps if "uses" in step)
    runs = " ".join(step.get("run", "") for step in plan_steps)
    assert "gatekeeper plan app.json" in runs and "@FULL_COMMIT_SHA" in runs


def test_the_documented_plan_commands_parse() -> None:
    """Every `gatekeeper plan` line of the plan section is accepted by the real options."""
    from gatekeeper.cli import cli

    text = (ROOT / "docs" / "hooks-and-ci.md").read_text(encoding="utf-8")
    section = text[text.index("## Before the app exists") :]
    lines = re.findall(r"^gatekeeper plan (.*?)(?:  +#.*)?$", section, flags=re.M)
    assert len(lines) == 3
    command = cli.get_command(click.Context(cli), "plan")
    assert command is not None
    for line in lines:
        command.make_context("plan", shlex.split(line))


def test_documented_release_phase_line() -> None:
    procfiles = [b for b in doc_blocks("text") if b.startswith("release:")]
    assert len(procfiles) == 1
    assert procfiles[0].splitlines()[0] == 'release: gatekeeper check --app "$HEROKU_APP_NAME"'


# --- requirements/*.txt: what the Action and the release workflow install, with hashes ----

LOCKS = ROOT / "requirements"
HASH = re.compile(r"^--hash=sha256:[0-9a-f]{64}$")
REFRESH = (
    "uv pip compile --universal --python-version 3.11 --generate-hashes "
    "--output-file requirements/{name}.txt {inputs}"
)
LOCKED = {
    # lock name: the inputs it is compiled from
    "action": "pyproject.toml requirements/action.in",
    "release": "requirements/release.in",
}


def lock_entries(name: str) -> dict[str, tuple[Any, list[str]]]:
    """Each requirement of requirements/NAME.txt by normalised name: (Requirement, hashes)."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    text = (LOCKS / f"{name}.txt").read_text(encoding="utf-8").replace("\\\n", " ")
    entries: dict[str, tuple[Any, list[str]]] = {}
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        spec, *options = re.split(r"\s+(?=--)", line)
        requirement = Requirement(spec)
        key = canonicalize_name(requirement.name)
        assert key not in entries, f"{key} is locked twice"
        entries[key] = (requirement, options)
    return entries


def requirements_in(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def pyproject() -> Any:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def one_line(text: str) -> str:
    """Shell text with its line continuations joined and runs of blanks made one space."""
    return " ".join(text.replace("\\\n", " ").split())


@pytest.mark.parametrize("name", sorted(LOCKED))
def test_every_locked_requirement_is_pinned_with_hashes(name: str) -> None:
    entries = lock_entries(name)
    assert len(entries) >= 10
    for key, (requirement, options) in entries.items():
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", f"{key}: {requirement}"
        assert "*" not in specifier.version, f"{key}: {requirement}"
        assert not requirement.url, key
        assert options, f"{key} has no --hash"
        for option in options:
            assert HASH.match(option), f"{key}: {option}"


def assert_locked(name: str, wanted: list[str]) -> None:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    entries = lock_entries(name)
    for line in wanted:
        requirement = Requirement(line)
        key = canonicalize_name(requirement.name)
        assert key in entries, f"{line} is not in requirements/{name}.txt: refresh the lock"
        (pinned,) = entries[key][0].specifier
        assert requirement.specifier.contains(pinned.version, prereleases=True), (
            f"requirements/{name}.txt pins {key}=={pinned.version}, but {line} is wanted"
        )


def test_the_action_lock_covers_the_runtime_and_build_requirements() -> None:
    """Every dependency in pyproject and its build backend is locked at a version they
    accept: `pip install --require-hashes` has everything, the tool's own install fetches
    nothing."""
    meta = pyproject()
    assert_locked("action", [*meta["project"]["dependencies"], *meta["build-system"]["requires"]])
    # Linux (SecretStorage) and Python 3.11 (importlib-metadata) need more than macOS or
    # 3.12 do: a universal lock carries them under markers instead of leaving them out.
    entries = lock_entries("action")
    assert entries["secretstorage"][0].marker is not None
    assert entries["importlib-metadata"][0].marker is not None


def test_the_release_lock_covers_the_build_tools() -> None:
    backend = pyproject()["build-system"]["requires"]
    assert_locked("release", [*backend, "build", "twine"])
    assert set(backend) <= set(requirements_in(LOCKS / "release.in"))


@pytest.mark.parametrize("name", sorted(LOCKED))
def test_one_documented_command_refreshes_each_lock(name: str) -> None:
    command = REFRESH.format(name=name, inputs=LOCKED[name])
    lock_input = (LOCKS / f"{name}.in").read_text(encoding="utf-8")
    assert f"#    {command}\n" in (LOCKS / f"{name}.txt").read_text(encoding="utf-8")
    assert command in one_line(lock_input.replace("\\\n#", " "))
    assert command in one_line((ROOT / "docs" / "install.md").read_text(encoding="utf-8"))


def test_the_action_lock_input_is_the_build_backend() -> None:
    assert requirements_in(LOCKS / "action.in") == pyproject()["build-system"]["requires"]


def install_step(action: Any) -> str:
    step = next(s for s in steps_of(action) if s.get("name") == "Install heroku-gatekeeper")
    return one_line(step["run"])


def test_action_installs_from_the_lock_only(action: Any) -> None:
    script = install_step(action)
    assert (
        "install --quiet --require-hashes --only-binary :all: -r "
        '"$GATEKEEPER_ACTION_PATH/requirements/action.txt"' in script
    )
    # The action's own checkout: no dependency resolution, no index, the locked setuptools.
    assert (
        'install --quiet --no-deps --no-index --no-build-isolation "$GATEKEEPER_ACTION_PATH"'
        in script
    )
    assert "pip check" in script
    assert script.count(" install ") == 2


def test_action_caches_pip_downloads_by_the_lock_hash(action: Any, tmp_path: Path) -> None:
    steps = steps_of(action)
    lock_step = next(s for s in steps if s.get("id") == "lock")
    cache = next(s for s in steps if str(s.get("uses", "")).startswith("actions/cache@"))
    install = next(s for s in steps if s.get("name") == "Install heroku-gatekeeper")
    assert steps.index(lock_step) < steps.index(cache) < steps.index(install)
    assert cache["with"]["path"] == install["env"]["PIP_CACHE_DIR"]
    key = cache["with"]["key"]
    assert "${{ steps.lock.outputs.sha256 }}" in key
    assert "${{ steps.lock.outputs.python }}" in key and "${{ runner.os }}" in key

    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    output = tmp_path / "github_output"
    output.write_text("")
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "GATEKEEPER_LOCK": str(LOCKS / "action.txt"),
        "GITHUB_OUTPUT": str(output),
    }
    done = subprocess.run(
        [bash, "-c", lock_step["run"]], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    import hashlib

    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert outputs == {
        "python": f"{sys.version_info[0]}.{sys.version_info[1]}",
        "sha256": hashlib.sha256((LOCKS / "action.txt").read_bytes()).hexdigest(),
    }


# --- .github/workflows/release.yml: build, check, publish with trusted publishing ----------


@pytest.fixture(scope="module")
def release() -> Any:
    return load(".github/workflows/release.yml")


def release_step(release: Any, job: str, name: str) -> dict[str, Any]:
    step: dict[str, Any] = next(s for s in release["jobs"][job]["steps"] if s.get("name") == name)
    return step


def test_release_runs_on_version_tags_with_least_privilege(release: Any) -> None:
    trigger = release.get("on", release.get(True))  # YAML 1.1 reads a bare `on` as true
    assert trigger == {"push": {"tags": ["v*"]}}
    assert release["permissions"] == {}
    build, publish = release["jobs"]["build"], release["jobs"]["publish"]
    assert build["permissions"] == {"contents": "read"}
    assert publish["permissions"] == {"id-token": "write"}  # and nothing else
    assert publish["needs"] == "build"
    assert publish["environment"]["name"] == "pypi"


def test_release_pins_every_action_and_publishes_without_a_token(release: Any) -> None:
    steps = [step for job in release["jobs"].values() for step in job["steps"]]
    uses = [step["uses"] for step in steps if "uses" in step]
    for ref in uses:
        assert PINNED.match(ref), ref
    for step in steps:
        assert "${{" not in step.get("run", ""), step
    publish = release["jobs"]["publish"]["steps"]
    assert publish[-1]["uses"].startswith("pypa/gh-action-pypi-publish@")
    assert "password" not in (publish[-1].get("with") or {})
    text = (ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    assert "secrets." not in text


def test_release_builds_from_the_lock_and_checks_strictly(release: Any) -> None:
    build = release["jobs"]["build"]["steps"]
    runs = [one_line(step.get("run", "")) for step in build]
    assert (
        "python -m pip install --require-hashes --only-binary :all: -r requirements/release.txt"
        in runs
    )
    assert "python -m build --no-isolation --outdir dist ." in runs
    assert "python -m twine check --strict dist/*" in runs
    upload = next(step for step in build if step.get("uses", "").startswith("actions/upload"))
    download = release["jobs"]["publish"]["steps"][0]
    assert download["uses"].startswith("actions/download-artifact@")
    assert upload["with"]["name"] == download["with"]["name"]


def run_release_script(script: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    path = f"{Path(sys.executable).parent}:/usr/bin:/bin"
    return subprocess.run(
        [bash, "-e", "-c", script],
        cwd=cwd,
        env={"PATH": path, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_release_refuses_a_tag_that_is_not_the_version(release: Any) -> None:
    from gatekeeper import __version__

    step = release_step(release, "build", "Check that the tag names the package's version")
    assert step["env"] == {"TAG": "${{ github.ref_name }}"}
    good = run_release_script(step["run"], ROOT, TAG=f"v{__version__}")
    assert good.returncode == 0, good.stdout + good.stderr
    bad = run_release_script(step["run"], ROOT, TAG="v99.0.0")
    assert bad.returncode == 1
    assert "::error::The tag v99.0.0 does not name the version" in bad.stdout


def test_release_refuses_placeholder_project_urls(release: Any, tmp_path: Path) -> None:
    step = release_step(release, "build", "Check that the project URLs name the real repository")
    (tmp_path / "pyproject.toml").write_text(
        '[project.urls]\nSource = "https://github.com/OWNER/heroku-gatekeeper"\n'
    )
    assert run_release_script(step["run"], tmp_path).returncode == 1
    (tmp_path / "pyproject.toml").write_text(
        '[project.urls]\nSource = "https://github.com/uni-example/heroku-gatekeeper"\n'
    )
    assert run_release_script(step["run"], tmp_path).returncode == 0


# --- install instructions: only exact artefacts -------------------------------------------

# `pip install heroku-gatekeeper`, `pipx install 'heroku-gatekeeper[postgres]'`: the bare
# name, which is not on PyPI and which anyone could register. `NAME @ git+...@SHA` and
# `git+https://.../heroku-gatekeeper@SHA` name an exact artefact.
BARE_INSTALL = re.compile(
    r"(?:pipx?|uv pip|uv tool) install\s[^\n`]*?(?<![\w/.-])heroku-gatekeeper"
    # not followed by "[": an extra that an exact artefact follows is not a bare name
    r"(?:\[[\w,]+\])?(?!\s*@|[\w/.\[-])"
)
BARE_REQUIREMENT = re.compile(
    r"^\s*['\"]?heroku-gatekeeper(?:\[[\w,]+\])?\s*(?:[<>=!~;][^@\n]*)?['\"]?\s*$", re.M
)
ADD_BARE_NAME = re.compile(r"heroku-gatekeeper`?\s+to\s+`?requirements")


def install_instruction_files() -> list[Path]:
    names = ["README.md", "SECURITY.md", "CONTRIBUTING.md", "app.json", "requirements.txt",
             "action.yml", ".pre-commit-hooks.yaml", "Procfile"]  # fmt: skip
    files = [ROOT / name for name in names if (ROOT / name).is_file()]
    files += sorted((ROOT / "docs").glob("*.md"))
    files += sorted((ROOT / ".github").rglob("*.yml"))
    files += sorted((ROOT / "requirements").glob("*.in"))
    # the package's own hints print install instructions too (a missing extra's error)
    files += sorted((ROOT / "gatekeeper").rglob("*.py"))
    return files


def test_no_install_instruction_names_the_unpublished_package() -> None:
    files = install_instruction_files()
    assert ROOT / "docs" / "install.md" in files
    found = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for pattern in (BARE_INSTALL, BARE_REQUIREMENT, ADD_BARE_NAME):
            found += [f"{path.relative_to(ROOT)}: {m.group(0)!r}" for m in pattern.finditer(text)]
    assert not found, "install an exact artefact (docs/install.md):\n" + "\n".join(found)


@pytest.mark.parametrize(
    "line",
    [
        "python -m pip install heroku-gatekeeper",
        "pip install 'heroku-gatekeeper[postgres]'",
        "pipx install heroku-gatekeeper",
        "heroku-gatekeeper>=0.1\n",
        "add `heroku-gatekeeper` to `requirements.txt`",
    ],
)
def test_the_install_check_sees_a_bare_name(line: str) -> None:
    assert any(p.search(line) for p in (BARE_INSTALL, BARE_REQUIREMENT, ADD_BARE_NAME))


@pytest.mark.parametrize(
    "line",
    [
        'pip install "heroku-gatekeeper @ git+https://github.com/o/heroku-gatekeeper@' + "a" * 40,
        'pipx install "git+https://github.com/OWNER/heroku-gatekeeper@FULL_COMMIT_SHA"',
        "heroku-gatekeeper[postgres] @ git+https://github.com/o/heroku-gatekeeper@" + "a" * 40,
        # a hint split over two string literals: the artefact follows the extra
        'python -m pip install "heroku-gatekeeper[serve] @ git+https://github.com/OWNER/',
        "./vendor/heroku_gatekeeper-0.1.0-py3-none-any.whl",
        "python -m pip install -e '.[test]'",
    ],
)
def test_the_install_check_lets_exact_artefacts_pass(line: str) -> None:
    assert not any(p.search(line) for p in (BARE_INSTALL, BARE_REQUIREMENT, ADD_BARE_NAME))


def test_documented_pre_commit_rev_is_a_frozen_commit() -> None:
    """`rev: v0.1.0` does not resolve (there are no tags yet); a full SHA always does."""
    text = (ROOT / "docs" / "hooks-and-ci.md").read_text(encoding="utf-8")
    (rev,) = re.findall(r"^ +rev: .*$", text, flags=re.M)
    assert re.fullmatch(r" +rev: (?:FULL_COMMIT_SHA|[0-9a-f]{40})  # frozen: v\d+\.\d+\.\d+", rev)
    assert "pre-commit autoupdate --freeze" in text
