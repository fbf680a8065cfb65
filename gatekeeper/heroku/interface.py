"""The seam between the gatekeeper and the Heroku Platform API.

``AsyncHerokuClient`` and ``HerokuClient`` (``gatekeeper.heroku.client``) implement these
protocols over HTTP; tests and the collector may use any object with the same shape.
Paths are API paths starting with ``/`` whose user-supplied segments went through
``quote_segment``; ``variant`` selects the ``Accept`` version (``None`` = ``3``, or ``"3.sdk"``).
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from gatekeeper.heroku.models import HerokuModel

ModelT = TypeVar("ModelT", bound=HerokuModel)


@dataclass
class ClientStats:
    """What a client did, for logs and reports (never contains request data)."""

    requests_sent: int = 0  # HTTP requests put on the wire, retries included
    retries: int = 0  # requests repeated after 429, 5xx or a dropped connection
    pages: int = 0  # list pages received (206 and final 200, 304 pages included)
    not_modified: int = 0  # 304 answers served from the ETag cache
    paced_waits: int = 0  # waits inserted because RateLimit-Remaining was low
    seconds_waited: float = 0.0  # total of retry and pacing waits


class HerokuApi(Protocol):
    """The asynchronous client interface (used by the audit, which fetches many lists)."""

    @property
    def stats(self) -> ClientStats:
        """Counters of what the client did so far."""

    @property
    def rate_limit_remaining(self) -> int | None:
        """The last ``RateLimit-Remaining`` Heroku reported (None before the first answer)."""

    async def get(self, path: str, *, variant: str | None = None) -> Any:
        """The decoded JSON body of ``GET path``."""

    async def get_model(
        self, path: str, model: type[ModelT], *, variant: str | None = None
    ) -> ModelT:
        """``GET path`` parsed into ``model``."""

    async def list(self, path: str, *, variant: str | None = None) -> builtins.list[Any]:
        """Every item of the list at ``path``, following ``Next-Range`` to the end."""

    async def list_models(
        self, path: str, model: type[ModelT], *, variant: str | None = None
    ) -> builtins.list[ModelT]:
        """Every item of the list at ``path``, each parsed into ``model``."""


class SyncHerokuApi(Protocol):
    """The synchronous client interface (for small commands: check, login, doctor)."""

    @property
    def stats(self) -> ClientStats:
        """Counters of what the client did so far."""

    @property
    def rate_limit_remaining(self) -> int | None:
        """The last ``RateLimit-Remaining`` Heroku reported (None before the first answer)."""

    def get(self, path: str, *, variant: str | None = None) -> Any:
        """The decoded JSON body of ``GET path``."""

    def get_model(self, path: str, model: type[ModelT], *, variant: str | None = None) -> ModelT:
        """``GET path`` parsed into ``model``."""

    def list(self, path: str, *, variant: str | None = None) -> builtins.list[Any]:
        """Every item of the list at ``path``, following ``Next-Range`` to the end."""

    def list_models(
        self, path: str, model: type[ModelT], *, variant: str | None = None
    ) -> builtins.list[ModelT]:
        """Every item of the list at ``path``, each parsed into ``model``."""
