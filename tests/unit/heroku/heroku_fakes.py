"""Fakes shared by the Heroku client tests (imported by name: tests are not a package)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keyring
import keyring.backend
import keyring.errors

BASE = "https://api.heroku.com"
# Recognisable, so a test can search every output for it.
TOKEN = "HRKU-unit-SECRET-0d5c7e1fa94b"


# run(method, *args, kwargs={...}, **client_options) -> (result, client); see conftest.run
Runner = Callable[..., tuple[Any, Any]]


class FakeTime:
    """A clock that only moves when something sleeps; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


class MemoryKeyring(keyring.backend.KeyringBackend):
    """An in-memory keyring backend."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.entries:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.entries[(service, username)]


class BrokenKeyring(keyring.backend.KeyringBackend):
    """A backend whose every call fails, like a locked or absent Secret Service."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringError("the Secret Service is not available")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("the Secret Service is not available")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.PasswordDeleteError("the Secret Service is not available")
