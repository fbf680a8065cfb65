"""``policy validate``: check policy files, every problem of each with its line and key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from gatekeeper.errors import Problem


@dataclass(frozen=True)
class PolicyValidation:
    """One file: valid with its counts, or its problems (the counts are then None)."""

    path: str
    problems: tuple[Problem, ...] = ()
    agreements: int | None = None
    apps: int | None = None
    waivers: int | None = None

    @property
    def valid(self) -> bool:
        return not self.problems


def validate_policies(paths: Iterable[str]) -> tuple[PolicyValidation, ...]:
    """Each file's validation, in order; a file that cannot be read is a problem of its own,
    never the end of the others'."""
    from gatekeeper.errors import PolicyError
    from gatekeeper.policy import load_policy

    out = []
    for path in paths:
        try:
            policy = load_policy(path)
        except PolicyError as exc:
            out.append(PolicyValidation(path, problems=tuple(exc.problems)))
            continue
        out.append(
            PolicyValidation(
                path,
                agreements=len(policy.agreements),
                apps=len(policy.apps),
                waivers=len(policy.waivers),
            )
        )
    return tuple(out)
