"""What to collect for a run, derived once from the policy: a ``Needs`` value.

The collectors read every fact the engine judges by default; a policy can make some
unnecessary (``[logs] check_drains = false`` switches the log-drain check off, so the
per-app log-drain requests are not made). The decision is taken here, once, and handed to
the fact source as one value instead of flags threaded through the collectors; the rules
ask the same value (``World.needs``) whether a kind is judged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, get_args

from gatekeeper.facts import FactKind

if TYPE_CHECKING:
    from gatekeeper.policy.model import Policy

#: The fact kinds a policy can switch off, each with its switch: the one place a policy's
#: switches are read (the collectors and the rules ask ``Needs``). Each costs requests of its
#: own, one per app in an audit.
SWITCHES: dict[FactKind, Callable[[Policy], bool]] = {
    "log-drains": lambda policy: policy.logs.check_drains,
}
OPTIONAL_KINDS: frozenset[FactKind] = frozenset(SWITCHES)


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
        kinds = get_args(FactKind)
        return cls(frozenset(k for k in kinds if k not in SWITCHES or SWITCHES[k](policy)))

    def wants(self, kind: FactKind) -> bool:
        return kind in self.kinds

    def without(self, *kinds: FactKind) -> Needs:
        return Needs(self.kinds - set(kinds))
