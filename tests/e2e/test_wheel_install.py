"""End to end: the built sdist and wheel, as a user gets them.

The sdist is built from the checkout's files and the wheel from the sdist (what ``python -m
build`` does, and what PyPI users install), both without build isolation so that no package
index is needed. ``twine check --strict`` must pass on both. The wheel is then installed,
non-editable, into a fresh virtual environment and run from a directory outside the
checkout: ``policy init``, ``snapshot`` against the simulator, ``check --snapshot`` and
``demo`` must work with nothing but the installed package.

The fresh venv gets its third-party dependencies (httpx, pydantic, click, keyring) from the
running environment's site-packages through a ``.pth`` line, added after the wheel is
installed. A ``.pth`` line only appends a directory to ``sys.path``: the ``.pth`` files inside
it, such as the editable install of this checkout, are not run, and the venv's own
site-packages comes first. ``--system-site-packages`` would run them, and the checkout's code
would be what the test imports. The test asserts that the wheel's copy is the one imported.
"""

from __future__ import annotations

import email.parser
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from gatekeeper.simulator import DEMO_ADMIN_TOKEN, Simulator

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT = 300


@dataclass(frozen=True)
class Built:
    sdist: Path
    wheel: Path


@dataclass(frozen=True)
class Venv:
    root: Path
    python: Path
    gatekeeper: Path
    site_packages: Path


def run_tool(argv: Sequence[str | Path], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [str(a) for a in argv],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
        **kwargs,
    )


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without anything that would point Python or gatekeeper elsewhere."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "GATEKEEPER_", "HEROKU_", "PIP_", "VIRTUAL_ENV"))
        and key not in {"DATABASE_URL", "NO_COLOR", "FORCE_COLOR"}
    }
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """sdist and wheel of the checkout as it is now (committed or not, minus ignored files)."""
    work = tmp_path_factory.mktemp("build")
    source = work / "source"
    listed = run_tool(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT
    )
    assert listed.returncode == 0, listed.stderr
    for name in filter(None, listed.stdout.split("\0")):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    dist = work / "dist"
    result = run_tool(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, source],
        env=clean_env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (sdist,) = dist.glob("heroku_gatekeeper-*.tar.gz")
    (wheel,) = dist.glob("heroku_gatekeeper-*-py3-none-any.whl")
    return Built(sdist=sdist, wheel=wheel)


@pytest.fixture(scope="module")
def venv(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    root = tmp_path_factory.mktemp("venv") / "venv"
    made = run_tool([sys.executable, "-m", "venv", root], env=clean_env())
    assert made.returncode == 0, made.stderr
    python = root / "bin" / "python"
    installed = run_tool(
        [python, "-m", "pip", "install", "--no-index", "--no-deps", "--no-cache-dir",
         "--disable-pip-version-check", built.wheel],
        env=clean_env(),
    )  # fmt: skip
    assert installed.returncode == 0, installed.stdout + installed.stderr
    site = run_tool(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        env=clean_env(),
    )
    site_packages = Path(site.stdout.strip())
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site_packages / "zz-dependencies-of-the-test-environment.pth").write_text(
        "".join(f"{path}\n" for path in sorted(ours)), encoding="utf-8"
    )
    return Venv(root, python, root / "bin" / "gatekeeper", site_packages)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A working directory that is not the checkout and has no policies/ in it."""
    assert ROOT not in tmp_path.parents
    return tmp_path


def gatekeeper(
    venv: Venv, cwd: Path, *argv: str | Path, **env: str
) -> subprocess.CompletedProcess[str]:
    return run_tool(
        [venv.gatekeeper, *argv],
        cwd=cwd,
        env=clean_env(XDG_DATA_HOME=str(cwd / "xdg-data"), HOME=str(cwd), **env),
    )


# --- the artefacts -----------------------------------------------------------------------


def test_twine_check_strict_passes_on_sdist_and_wheel(built: Built) -> None:
    result = run_tool(
        [sys.executable, "-m", "twine", "check", "--strict", built.sdist, built.wheel],
        env=clean_env(NO_COLOR="1"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2, result.stdout


def wheel_metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return email.parser.Parser().parsestr(archive.read(name).decode("utf-8"))


def test_the_metadata_declares_the_license_it_ships(built: Built) -> None:
    meta = wheel_metadata(built.wheel)
    assert meta["Name"] == "heroku-gatekeeper"
    assert meta["License-Expression"] == "MIT"  # SPDX (PEP 639), not the deprecated table
    assert meta["License"] is None
    assert meta.get_all("License-File") == ["LICENSE"]
    assert not [c for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    assert "Programming Language :: Python :: 3.11" in (meta.get_all("Classifier") or [])
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL") or [])
    assert {"Source", "Issues", "Changelog"} <= set(urls)
    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert license_text.startswith("MIT License\n")
    assert "Copyright (c) " in license_text and "heroku-gatekeeper contributors" in license_text
    with zipfile.ZipFile(built.wheel) as archive:
        names = archive.namelist()
        (licence,) = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        assert archive.read(licence).decode("utf-8") == license_text
    with tarfile.open(built.sdist) as sdist:
        assert any(n.endswith("/LICENSE") for n in sdist.getnames())


def test_the_wheel_carries_the_example_policies_and_package_data(built: Built) -> None:
    examples = sorted(p.name for p in (ROOT / "gatekeeper" / "examples").iterdir() if p.is_file())
    with zipfile.ZipFile(built.wheel) as archive:
        names = set(archive.namelist())
    assert {f"gatekeeper/examples/{name}" for name in examples} <= names
    assert "gatekeeper/simulator/demo_estate.json" in names
    assert "gatekeeper/report/report-schema-v1.json" in names
    assert "gatekeeper/register/register-schema-v1.json" in names
    assert "gatekeeper/py.typed" in names
    assert not [n for n in names if n.startswith(("tests/", "policies/", "docs/"))]


# --- the installed wheel, outside the checkout -------------------------------------------


def test_the_wheel_is_what_the_venv_imports(venv: Venv, outside: Path) -> None:
    script = (
        "import importlib.metadata as md, gatekeeper, gatekeeper.examples as ex\n"
        "print(gatekeeper.__file__)\n"
        "print(ex.policy_path('university'))\n"
        "d = md.distribution('heroku-gatekeeper')\n"
        "print(d.locate_file(''))\n"
        "print(d.read_text('direct_url.json') or 'no direct_url.json')\n"
        "import httpx, pydantic, click, keyring\n"
    )
    result = run_tool([venv.python, "-c", script], cwd=outside, env=clean_env())
    assert result.returncode == 0, result.stderr
    module, example, dist_root, direct_url = result.stdout.splitlines()[:4]
    assert Path(module).is_relative_to(venv.site_packages)
    assert Path(example).is_relative_to(venv.site_packages / "gatekeeper" / "examples")
    assert Path(dist_root).resolve() == venv.site_packages.resolve()
    assert '"editable"' not in direct_url  # installed from the wheel, not in editable mode


def test_policy_init_snapshot_and_check_from_the_wheel(
    venv: Venv, outside: Path, simulator: Simulator
) -> None:
    init = gatekeeper(venv, outside, "policy", "init")
    assert init.returncode == 0, init.stderr
    assert (outside / "gatekeeper.toml").is_file()
    valid = gatekeeper(venv, outside, "policy", "validate", "gatekeeper.toml")
    assert valid.returncode == 0, valid.stderr
    assert valid.stdout.startswith("OK: gatekeeper.toml (")

    api = {"HEROKU_HOST": simulator.url, "HEROKU_API_KEY": DEMO_ADMIN_TOKEN}
    taken = gatekeeper(venv, outside, "snapshot", "--all", "--output", "estate.json", **api)
    assert taken.returncode == 0, taken.stderr
    assert DEMO_ADMIN_TOKEN not in (outside / "estate.json").read_text(encoding="utf-8")

    blocked = gatekeeper(venv, outside, "check", "--snapshot", "estate.json", "--app",
                         "experiment-us")  # fmt: skip
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "region-not-allowed" in blocked.stdout
    allowed = gatekeeper(venv, outside, "check", "--snapshot", "estate.json", "--app", "econ-game")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert "Traceback" not in blocked.stderr + allowed.stderr


def test_demo_with_the_packaged_policy_from_the_wheel(venv: Venv, outside: Path) -> None:
    policy = venv.site_packages / "gatekeeper" / "examples" / "university.toml"
    result = gatekeeper(venv, outside, "demo", "--policy", str(policy), "--out-dir", "out")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (outside / "out" / "report.html").is_file()
    assert "experiment-us" in result.stdout


def test_demo_from_the_wheel_finds_its_own_example_policy(venv: Venv, outside: Path) -> None:
    result = gatekeeper(venv, outside, "demo", "--out-dir", "out")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (outside / "out" / "report.html").is_file()
    assert str(venv.site_packages / "gatekeeper" / "examples" / "university.toml") in (
        result.stdout
    )
