"""The stand-in for pydantic's plugin loader (``gatekeeper.pydantic_plugins``): without a
plugin installed it spares the command line ``importlib.metadata``; with one, pydantic's own
loader runs and the plugin sees gatekeeper's validators, as before."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from gatekeeper import pydantic_plugins

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """``sys.path`` made of ``tmp_path`` alone, with the scan's cache cleared around it."""
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    # Only the standard finders: another one that finds distributions (the importlib_metadata
    # backport installs one when some test imports it) rightly makes pydantic decide.
    standard = [f for f in sys.meta_path if not hasattr(f, "find_distributions")]
    monkeypatch.setattr(sys, "meta_path", [*standard, *_path_finders()])
    pydantic_plugins.plugin_declared.cache_clear()
    yield tmp_path
    pydantic_plugins.plugin_declared.cache_clear()


def _path_finders() -> list[object]:
    return [f for f in sys.meta_path if pydantic_plugins._finder_name(f) == "PathFinder"]


def distribution(
    where: Path, name: str, entry_points: str | None, suffix: str = ".dist-info"
) -> None:
    meta = where / f"{name}-1.0{suffix}"
    meta.mkdir()
    (meta / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    if entry_points is not None:
        (meta / "entry_points.txt").write_text(entry_points)


def test_no_distribution_declares_a_plugin(path: Path) -> None:
    distribution(path, "tool", "[console_scripts]\ntool = tool:main\n")
    distribution(path, "lib", None)
    (path / "not-a-dir.dist-info").write_text("")  # a file of that name is no metadata
    assert pydantic_plugins.plugin_declared() is False
    assert list(pydantic_plugins.get_plugins()) == []


@pytest.mark.parametrize("suffix", [".dist-info", ".egg-info"])
def test_a_pydantic_entry_point_is_found(path: Path, suffix: str) -> None:
    distribution(path, "tool", "[console_scripts]\ntool = tool:main\n")
    distribution(path, "observer", " [ pydantic ]\nobserver = observer:plugin\n", suffix)
    assert pydantic_plugins.plugin_declared() is True


def test_a_zip_on_the_path_cannot_be_told_so_pydantic_decides(path: Path) -> None:
    archive = path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("x.py", "")
    sys.path.append(str(archive))
    sys.path.append(str(path / "missing"))  # a path entry that does not exist is skipped
    assert pydantic_plugins.plugin_declared() is True


def test_a_finder_that_finds_distributions_of_its_own_makes_pydantic_decide(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Finder:
        def find_spec(self, *args: object) -> None:
            return None

        def find_distributions(self, *args: object) -> list[object]:
            return []

    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, Finder()])
    assert pydantic_plugins.plugin_declared() is True


def _python(code: str, pythonpath: Path | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYDANTIC_")}
    env["PYTHONPATH"] = os.pathsep.join([*([str(pythonpath)] if pythonpath else []), str(ROOT)])
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


BUILD_A_MODEL = textwrap.dedent("""
    import sys
    from gatekeeper import pydantic_plugins
    pydantic_plugins.install()
    import pydantic

    class Model(pydantic.BaseModel):
        x: int

    assert Model(x=1).x == 1
""")


def test_without_plugins_a_validator_is_built_without_importlib_metadata() -> None:
    """In a fresh process: importlib.metadata is loaded exactly when a plugin may be
    installed (pydantic's loader took over); in a plain environment, not at all."""
    out = _python(
        BUILD_A_MODEL
        + "print(pydantic_plugins.plugin_declared(), 'importlib.metadata' in sys.modules)"
    )
    assert out in ("False False", "True True")


def test_an_installed_plugin_still_sees_the_validators(tmp_path: Path) -> None:
    """A plugin declared through an entry point (as logfire does) is loaded by pydantic's own
    loader and called for each validator, with the stand-in installed first."""
    (tmp_path / "observer.py").write_text(
        textwrap.dedent("""
            class Plugin:
                def new_schema_validator(self, schema, schema_type, schema_type_path,
                                         schema_kind, config, plugin_settings):
                    print("seen", schema_type.__name__)
                    return None, None, None

            plugin = Plugin()
        """)
    )
    distribution(tmp_path, "observer", "[pydantic]\nobserver = observer:plugin\n")
    out = _python(
        BUILD_A_MODEL + "print(type(sys.modules[pydantic_plugins.LOADER].get_plugins))", tmp_path
    )
    assert "seen Model" in out.splitlines()
    assert pydantic_plugins.get_plugins.__module__ not in out  # pydantic's loader took over


def test_install_leaves_a_loader_already_imported_alone() -> None:
    out = _python("""
        import sys
        import pydantic.plugin._loader as real
        from gatekeeper import pydantic_plugins
        pydantic_plugins.install()
        print(sys.modules[pydantic_plugins.LOADER] is real)
    """)
    assert out == "True"


def test_the_console_entry_point_installs_it() -> None:
    out = _python("""
        import sys
        from gatekeeper import cli
        sys.argv = ["gatekeeper", "--version"]
        try:
            cli.main()
        except SystemExit:
            pass
        from gatekeeper import pydantic_plugins
        print(sys.modules[pydantic_plugins.LOADER].get_plugins is pydantic_plugins.get_plugins)
    """)
    assert out.splitlines()[-1] == "True"


def test_another_name_from_the_loader_comes_from_pydantics_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A later pydantic that imports more than get_plugins from its loader gets the real
    loader's names, not an ImportError."""
    monkeypatch.delitem(sys.modules, pydantic_plugins.LOADER, raising=False)
    real_names = vars(importlib.import_module(pydantic_plugins.LOADER)).keys()
    name = next(n for n in real_names if not n.startswith("__") and n != "get_plugins")
    monkeypatch.delitem(sys.modules, pydantic_plugins.LOADER)
    pydantic_plugins.install()
    stand_in = sys.modules[pydantic_plugins.LOADER]
    assert getattr(stand_in, name) is not None
    assert sys.modules[pydantic_plugins.LOADER] is not stand_in  # the real one took over
