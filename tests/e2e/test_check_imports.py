"""``gatekeeper check`` stays fast: the policy and the API's answers are read by
``gatekeeper.records``, so a check in every format but the JSON report (whose contract is
pydantic's, ``gatekeeper.report.v1``) runs without importing pydantic at all
(docs/benchmarks.md: pydantic was about 130 ms of a 360 ms check)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

from gatekeeper.simulator import DEMO_ADMIN_TOKEN, Simulator

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "gatekeeper" / "examples" / "university.toml"


class CheckRun(NamedTuple):
    exit_code: int
    loaded: list[str]  # the pydantic packages the run imported
    stderr: str


def check_in_a_fresh_interpreter(url: str, *args: str, policy: Path = POLICY) -> CheckRun:
    """``gatekeeper check --policy POLICY ARGS`` through the console entry point, in a new
    interpreter, against the API at ``url``."""
    code = (
        "import sys\nfrom gatekeeper.cli import main\n"
        "try:\n"
        f"    main(['check', '--policy', {str(policy)!r}, *{list(args)!r}])\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        # The packages themselves: the console entry point puts a stand-in module of ours
        # at pydantic.plugin._loader (gatekeeper.pydantic_plugins), which loads nothing.
        "print('\\nEXIT', code, sorted(m for m in ('pydantic', 'pydantic_core', "
        "'annotated_types') if m in sys.modules))"
    )
    env = {
        **os.environ,
        "HEROKU_HOST": url,
        "HEROKU_API_KEY": DEMO_ADMIN_TOKEN,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        "PYTHONPATH": str(ROOT),
    }
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    last = out.stdout.strip().splitlines()[-1]
    assert last.startswith("EXIT "), out.stderr[-2000:]
    _, exit_code, loaded = last.split(" ", 2)
    return CheckRun(int(exit_code), eval(loaded), out.stderr)  # loaded: a printed list


@pytest.mark.parametrize(
    ("app", "fmt", "exit_code"),
    [
        ("econ-game", "text", 0),  # allowed
        ("survey", "text", 0),  # waived findings, a warning
        ("bio-dashboard", "text", 1),  # blocked
        ("bio-dashboard", "sarif", 1),
        ("bio-dashboard", "junit", 1),
        ("bio-dashboard", "github", 1),
        ("bio-dashboard", "markdown", 1),
    ],
)
def test_check_reads_policy_and_answers_without_pydantic(
    app: str, fmt: str, exit_code: int
) -> None:
    with Simulator() as sim:
        run = check_in_a_fresh_interpreter(sim.url, "--app", app, "--format", fmt)
    assert (run.exit_code, run.loaded) == (exit_code, [])


def test_a_bad_policy_is_still_reported_without_pydantic(tmp_path: Path) -> None:
    bad = tmp_path / "gatekeeper.toml"
    bad.write_text('version = 1\n[defaults]\nexpiry_warning_days = "60"\n', encoding="utf-8")
    # The policy is refused before any request: nothing listens at this address.
    run = check_in_a_fresh_interpreter("http://127.0.0.1:9", "--app", "x", policy=bad)
    assert (run.exit_code, run.loaded) == (2, [])
    assert f"{bad}:3 [defaults.expiry_warning_days]: must be an integer" in run.stderr
    assert "Traceback" not in run.stderr


def test_the_json_report_still_comes_from_its_pydantic_contract() -> None:
    with Simulator() as sim:
        run = check_in_a_fresh_interpreter(sim.url, "--app", "bio-dashboard", "--format", "json")
    assert run.exit_code == 1 and "pydantic" in run.loaded
