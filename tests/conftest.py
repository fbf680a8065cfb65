"""Shared fixtures. No test reaches the network: HTTP goes to the local simulator on loopback
or to respx mocks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from external_programs import REQUIRE_EXTERNAL, require_program

__all__ = ["REQUIRE_EXTERNAL", "require_program"]


@pytest.fixture(autouse=True)
def _isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """No test reads the developer's real token, netrc, keyring or policy."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    for name in (
        "HEROKU_API_KEY",
        "HEROKU_HOST",
        "GATEKEEPER_POLICY",
        "DATABASE_URL",
        "GATEKEEPER_NOTIFY_URL",
        "GATEKEEPER_SMTP_HOST",
        "GATEKEEPER_SMTP_PORT",
        "GATEKEEPER_SMTP_USER",
        "GATEKEEPER_SMTP_PASSWORD",
        "GATEKEEPER_SMTP_FROM",
        "GATEKEEPER_SMTP_CA_FILE",
        "GITHUB_STEP_SUMMARY",
        "HEROKU_APP_NAME",
    ):
        monkeypatch.delenv(name, raising=False)
    # keyring: a null backend unless a test installs a fake one.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    yield
