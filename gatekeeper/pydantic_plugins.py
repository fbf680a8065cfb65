"""Pydantic's plugin discovery, without ``importlib.metadata`` when no plugin is installed.

Pydantic looks for plugins (entry points of the group ``pydantic``, such as logfire's) when it
builds its first validator: its loader (``pydantic.plugin._loader``) imports
``importlib.metadata`` (and with it zipfile, shutil, bz2, lzma, csv and email) and reads the
metadata of every installed distribution, about 15 ms of every verb that uses pydantic
(``audit``, ``snapshot``, ``serve``, ``check --format json``; a plain ``check`` reads its
policy and answers without it), although hardly anyone has such a plugin. The console entry
point (``gatekeeper.cli.main``) puts this module's ``get_plugins`` in the loader's place. It
looks for a ``[pydantic]`` section in the ``entry_points.txt`` of the distributions on
``sys.path`` with plain file reads, and hands over to pydantic's own loader whenever it finds
one or cannot tell (a zip file or an unfamiliar finder on the path): an installed plugin still
loads, as it did before, and ``PYDANTIC_DISABLE_PLUGINS`` is still pydantic's to read. A
program that imports gatekeeper keeps pydantic's loader: only the command line installs this
one.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
import types
from collections.abc import Iterable
from functools import cache
from typing import Any

#: pydantic's loader; its ``get_plugins()`` is the one name pydantic imports from it
#: (``pydantic/plugin/_schema_validator.py``, 2.6 to 2.x)
LOADER = "pydantic.plugin._loader"

_SECTION = re.compile(r"^\s*\[\s*pydantic\s*\]", re.MULTILINE)
_METADATA_DIRS = (".dist-info", ".egg-info")
# The finders of the standard library: any other one on sys.meta_path may find
# distributions of its own (importlib.metadata asks each), which a file scan cannot see.
_STANDARD_FINDERS = frozenset({"BuiltinImporter", "FrozenImporter", "PathFinder"})


def install() -> None:
    """Stand in for pydantic's plugin loader, unless it has been imported already."""
    if LOADER in sys.modules:
        return
    stand_in = types.ModuleType(LOADER, __doc__)
    stand_in.get_plugins = get_plugins  # type: ignore[attr-defined]
    # Any other name a later pydantic may import from its loader comes from the real one, so
    # a pydantic that changes its loader gets it back instead of an ImportError.
    setattr(stand_in, "__getattr__", _from_real_loader)  # noqa: B010 - a module attribute
    sys.modules[LOADER] = stand_in


def _real_loader() -> types.ModuleType:
    loader = sys.modules.get(LOADER)
    if loader is None or getattr(loader, "get_plugins", None) is get_plugins:
        # Pydantic's real loader from now on: it caches what it loads, and pydantic imports
        # ``get_plugins`` from sys.modules on every validator it builds.
        sys.modules.pop(LOADER, None)
        loader = importlib.import_module(LOADER)
    return loader


def _from_real_loader(name: str) -> Any:
    if name.startswith("__"):  # the import system's probes (__path__, __spec__ ...)
        raise AttributeError(name)
    return getattr(_real_loader(), name)


def get_plugins() -> Iterable[Any]:
    """No plugins when no distribution declares one; otherwise pydantic's own answer."""
    if not plugin_declared():
        return ()
    real: Iterable[Any] = _real_loader().get_plugins()
    return real


@cache
def plugin_declared() -> bool:
    """Whether a distribution on ``sys.path`` may declare a pydantic entry point (True also
    when that cannot be told without ``importlib.metadata``)."""
    if any(
        _finder_name(f) not in _STANDARD_FINDERS and hasattr(f, "find_distributions")
        for f in sys.meta_path
    ):
        return True
    for entry in sys.path:
        directory = entry or "."
        if not os.path.isdir(directory):
            if os.path.exists(directory):
                return True  # a zip file or an egg: its metadata is not plain files
            continue
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        for name in names:
            if name.endswith(_METADATA_DIRS) and _declares(os.path.join(directory, name)):
                return True
    return False


def _finder_name(finder: object) -> str:
    # The standard finders are classes on sys.meta_path, other finders often instances.
    return getattr(finder, "__name__", None) or type(finder).__name__


def _declares(metadata_dir: str) -> bool:
    try:
        with open(os.path.join(metadata_dir, "entry_points.txt"), encoding="utf-8") as f:
            return _SECTION.search(f.read()) is not None
    except (FileNotFoundError, NotADirectoryError):
        return False  # no entry points, or a file that only looks like metadata
    except (OSError, UnicodeDecodeError):
        return True  # unreadable: let pydantic's loader decide
