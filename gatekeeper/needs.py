"""What to collect for a run, derived once from the policy: a ``Needs`` value.

The collectors read every fact the engine judges by default; a policy can make some
unnecessary (``[logs] check_drains = false`` switches the log-drain check off, so the
per-app log-drain requests are not made). The decision is taken here, once, and handed to
the fact source as one value instead of flags threaded through the collectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, get_args

from gatekeeper.facts import FactKind

if TYPE_CHECKING:
    from gatekeeper.policy.model import Policy

#: the fact kinds a collector reads only when asked to (each costs requests of its own)
OPTIONAL_KINDS: frozenset[FactKind] = frozenset({"log-drains"})


@dataclass(frozen=True)
class Needs:
    """The fact kinds a run must collect. ``Needs.everything()`` is every kind."""

    kinds: frozenset[FactKind]

    @classmethod
    def everything(cls) -> Needs:
        return cls(frozenset(get_args(FactKind)))

    @classmethod
    def from_policy(cls, policy: Policy) -> Needs:
        """Every kind, less the optional kinds whose check the policy switches off."""
        kinds = set(get_args(FactKind))
        if not policy.logs.check_drains:
            kinds.discard("log-drains")
        return cls(frozenset(kinds))

    def wants(self, kind: FactKind) -> bool:
        return kind in self.kinds

    def without(self, *kinds: FactKind) -> Needs:
        return Needs(self.kinds - set(kinds))
