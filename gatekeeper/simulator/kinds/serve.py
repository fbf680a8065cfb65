"""Serving a kind: one list route per owner (``/apps/{app}/<path>``, ``/spaces/{space}/<path>``)
and the cached ``Resource`` of each object."""

from __future__ import annotations

from typing import Any

from gatekeeper.simulator import routes
from gatekeeper.simulator.index import EstateIndex, Resource
from gatekeeper.simulator.kinds.interface import Kind, Owner


def resource_of(kind: Kind, item: Any, owner: Any, index: EstateIndex) -> Resource:
    """One object of ``kind`` (its id is its name too: these lists page by id only)."""
    return Resource(item.id, item.id, lambda v: kind.body(item, owner, index))


def serve(kind: Kind) -> None:
    """Register the list route of ``kind`` under each of its owners."""
    for owner in kind.owners:
        _list_route(kind, owner)


def _list_route(kind: Kind, owner: Owner) -> None:
    def handler(ctx: routes.Context, **params: str) -> routes.Reply:
        found, index = routes.owner(ctx, owner, params[owner]), ctx.index
        return routes.Many(
            index.listing(
                (f"{owner}-{kind.path}", found.id),
                lambda: [resource_of(kind, item, found, index) for item in found.kinds[kind.key]],
                fields=("id",),
            )
        )

    handler.__name__ = f"{owner}_{kind.key}"
    routes.route(f"/{owner}s/{{{owner}}}/{kind.path}")(handler)
