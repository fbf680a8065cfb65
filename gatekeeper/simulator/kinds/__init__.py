"""The resource kinds the simulator serves as lists under an app or a space, one module each.

``KINDS`` is their order in an estate file and in ``facts.App`` / ``facts.Space``. Importing
this package registers each kind's list routes (``serve``); ``server`` imports it after
``routes``, which the kind modules use. The protocol is in ``interface.py``.
"""

from __future__ import annotations

from gatekeeper.simulator.kinds import log_drains, telemetry_drains
from gatekeeper.simulator.kinds.interface import Kind, Owner
from gatekeeper.simulator.kinds.serve import serve

KINDS: tuple[Kind, ...] = (log_drains.KIND, telemetry_drains.KIND)


def kinds_of(owner: Owner) -> tuple[Kind, ...]:
    """The kinds found under an app (``"app"``) or a space (``"space"``), in order."""
    return _OF[owner]


_OF: dict[Owner, tuple[Kind, ...]] = {
    owner: tuple(k for k in KINDS if owner in k.owners) for owner in ("app", "space")
}

for _kind in KINDS:
    serve(_kind)

__all__ = ["KINDS", "Kind", "Owner", "kinds_of"]
