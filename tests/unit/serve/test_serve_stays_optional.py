"""The web stack is an optional extra: ``import gatekeeper.cli`` and ``gatekeeper check`` (the
release phase) never load Starlette, Jinja2, uvicorn or itsdangerous, and ``gatekeeper serve``
without them is one paragraph naming the install, exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from gatekeeper.simulator import DEMO_ADMIN_TOKEN, Simulator

ROOT = Path(__file__).resolve().parents[3]
POLICY = ROOT / "gatekeeper" / "examples" / "university.toml"
WEB = ("starlette", "jinja2", "uvicorn", "itsdangerous", "multipart")


def modules_after(code: str, env: dict[str, str] | None = None) -> str:
    import os

    out = subprocess.run(
        [sys.executable, "-c", code + f"\nprint(sorted(m for m in {WEB!r} if m in sys.modules))"],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {}), "PYTHONPATH": str(ROOT)},
    )
    return out.stdout.strip().splitlines()[-1]


def test_importing_the_cli_loads_no_web_stack() -> None:
    assert modules_after("import sys\nimport gatekeeper.cli") == "[]"


def test_check_loads_no_web_stack() -> None:
    with Simulator() as sim:
        code = (
            "import sys\nfrom gatekeeper.cli import run\n"
            f"code = run(['check', '--app', 'econ-game', '--policy', {str(POLICY)!r}])\n"
            "assert code == 0, code"
        )
        env = {"HEROKU_HOST": sim.url, "HEROKU_API_KEY": DEMO_ADMIN_TOKEN}
        assert modules_after(code, env) == "[]"


def test_serve_without_the_extra_names_the_install() -> None:
    code = (
        "import sys\n"
        "for name in ('starlette', 'uvicorn'):\n    sys.modules[name] = None\n"
        "from gatekeeper.cli import run\n"
        "print('exit', run(['serve', '--no-auth']))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", "PYTHONPATH": str(ROOT)},
    )
    assert "exit 2" in out.stdout
    assert '"heroku-gatekeeper[serve] @ git+https://' in out.stderr
    assert 'pip install ".[serve]"' in out.stderr
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
