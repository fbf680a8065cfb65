"""Reading from the API inside the estate collector: the answer or the error standing for it,
lists and objects the audit can or cannot do without, and waiting for every request.

Shared by ``collect/estate.py`` and ``collect/attachments.py``, so that every request of an
audit fails the same way: a detail that cannot be read becomes a ``FactError`` on its apps,
a list the audit cannot do without ends the run (exit 3).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

from gatekeeper import facts
from gatekeeper.collect import details
from gatekeeper.collect.parse import REQUEST_FAILURES, parse_answer, request_error
from gatekeeper.errors import GatekeeperError
from gatekeeper.facts import FactKind
from gatekeeper.heroku import endpoints
from gatekeeper.heroku.interface import HerokuApi
from gatekeeper.heroku.models import HerokuModel

T = TypeVar("T")
M = TypeVar("M", bound=HerokuModel)


async def attempt(awaitable: Awaitable[T], path: str) -> T | GatekeeperError:
    """The answer, or the error standing for it (``parse.REQUEST_FAILURES``)."""
    try:
        return await awaitable
    except REQUEST_FAILURES as exc:
        return request_error(exc, path)


async def read_list(
    client: HerokuApi, kind: FactKind, endpoint: endpoints.Endpoint[M]
) -> list[M] | facts.FactError:
    """An estate-wide list that the audit can do without (each app then carries the error)."""
    path = endpoint.path()
    return details.read_list(kind, endpoint, path, await attempt(client.list(path), path), _same)


def _same(model: M) -> M:
    return model


async def models_of(client: HerokuApi, endpoint: endpoints.Endpoint[M], **params: str) -> list[M]:
    """A list the audit cannot do without: each item parsed, or the run ends (exit 3)."""
    path = endpoint.path(**params)
    items = []
    for raw in await client.list(path):
        parsed = parse_answer(raw, endpoint.model, path)
        if isinstance(parsed, GatekeeperError):
            raise parsed
        items.append(parsed)
    return items


async def model_of(client: HerokuApi, endpoint: endpoints.Endpoint[M], **params: str) -> M:
    """An object the audit cannot do without: parsed, or the run ends (exit 3)."""
    path = endpoint.path(**params)
    parsed = parse_answer(await client.get(path), endpoint.model, path)
    if isinstance(parsed, GatekeeperError):
        raise parsed
    return parsed


async def settled(*aws: Any) -> list[Any]:
    """Like ``asyncio.gather``, but every awaitable runs to its end before the first error is
    raised: none is left running (or never awaited) on a client that is about to close."""

    async def outcome(awaitable: Any) -> tuple[bool, Any]:
        try:
            return True, await awaitable
        except Exception as exc:  # noqa: BLE001 - re-raised below, once all have ended
            return False, exc

    results = await asyncio.gather(*(outcome(a) for a in aws))
    for ok, value in results:
        if not ok:
            raise value
    return [value for _, value in results]
