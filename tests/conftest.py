"""Shared fixtures. No test reaches the network: HTTP goes to the local simulator on loopback
or to respx mocks."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

REQUIRE_EXTERNAL = os.environ.get("GATEKEEPER_REQUIRE_EXTERNAL") == "1"


def require_program(path: str | None, what: str) -> str:
    """Skip when an external program is missing locally; fail in CI, where .ci/run installs it."""
    found = path if path and os.path.exists(path) else (shutil.which(path) if path else None)
    if not found:
        if REQUIRE_EXTERNAL:
            pytest.fail(f"{what} is required in CI but was not found ({path!r})")
        pytest.skip(f"{what} not installed")
    return found


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test reads the developer's real token, netrc, keyring or policy."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    for name in ("HEROKU_API_KEY", "HEROKU_HOST", "GATEKEEPER_POLICY", "DATABASE_URL",
                 "GATEKEEPER_NOTIFY_URL", "GITHUB_STEP_SUMMARY", "HEROKU_APP_NAME"):
        monkeypatch.delenv(name, raising=False)
    # keyring: a null backend unless a test installs a fake one.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    yield
