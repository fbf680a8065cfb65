"""The error tree drawn in ``gatekeeper/errors.py`` is the whole tree: every expected failure
is defined there, drawn under its parent, with the exit code and category it really has."""

from __future__ import annotations

import importlib
import pkgutil
import re

import gatekeeper
from gatekeeper import errors
from gatekeeper.errors import GatekeeperError

# "├── Name [3] category" (the first word after the code is the category)
_ROW = re.compile(r"^(?P<indent>[\s│]*)(?:[├└]── )?(?P<name>\w+) \[(?P<code>\d)\] (?P<cat>[\w-]+)")


def _all_error_classes() -> set[type[GatekeeperError]]:
    for info in pkgutil.walk_packages(gatekeeper.__path__, "gatekeeper."):
        importlib.import_module(info.name)
    found: set[type[GatekeeperError]] = set()
    todo: list[type[GatekeeperError]] = [GatekeeperError]
    while todo:
        cls = todo.pop()
        found.add(cls)
        todo.extend(cls.__subclasses__())
    return found


def _drawn() -> dict[str, tuple[int, str, int]]:
    """name -> (exit code, category, depth) as the docstring draws it."""
    rows: dict[str, tuple[int, str, int]] = {}
    for line in (errors.__doc__ or "").splitlines():
        match = _ROW.match(line)
        if match:
            depth = match.start("name") // 4 - 1  # the root is drawn at column 4
            rows[match.group("name")] = (int(match.group("code")), match.group("cat"), depth)
    return rows


def test_every_error_class_is_defined_in_errors_py_and_drawn() -> None:
    drawn = _drawn()
    for cls in _all_error_classes():
        if cls.__module__.startswith("tests"):
            continue
        assert cls.__module__ == "gatekeeper.errors", f"{cls.__qualname__} lives outside errors.py"
        assert cls.__name__ in drawn, f"{cls.__name__} is missing from the tree in errors.py"
        code, category, _ = drawn[cls.__name__]
        assert code == cls.exit_code, cls.__name__
        assert category == cls.category, cls.__name__


def test_the_tree_draws_each_class_under_its_parent() -> None:
    drawn = _drawn()
    order = list(drawn)
    for name in order[1:]:
        cls = getattr(errors, name)
        depth = drawn[name][2]
        # the nearest row above with one level less is the parent
        above = order[: order.index(name)]
        parent = next(n for n in reversed(above) if drawn[n][2] == depth - 1)
        assert cls.__bases__[0].__name__ == parent, f"{name} is drawn under {parent}"
