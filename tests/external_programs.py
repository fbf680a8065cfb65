"""Tests that need a program from outside the project (the Heroku CLI, a PostgreSQL server).

Locally such a test skips when the program is missing; in CI, where ``.ci/run`` installs it
and sets ``GATEKEEPER_REQUIRE_EXTERNAL=1``, a missing program fails the run instead, so a
broken install step cannot pass as "skipped". A module of its own, not ``conftest``: pytest
imports every conftest.py under the same name, so ``from conftest import ...`` is ambiguous.
"""

from __future__ import annotations

import os
import shutil

import pytest

REQUIRE_EXTERNAL = os.environ.get("GATEKEEPER_REQUIRE_EXTERNAL") == "1"


def require_program(path: str | None, what: str) -> str:
    """The program's path; skip (locally) or fail (in CI) when it is missing."""
    found = path if path and os.path.exists(path) else (shutil.which(path) if path else None)
    if not found:
        if REQUIRE_EXTERNAL:
            pytest.fail(f"{what} is required in CI but was not found ({path!r})")
        pytest.skip(f"{what} not installed")
    return found
