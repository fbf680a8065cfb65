"""The policy file: format version 1, strict models and the loader
(docs/design.md#4-the-policy-file-toml-owned-by-the-dpo).

Public API::

    from gatekeeper.policy import load_policy, loads_policy, Policy

    policy = load_policy("gatekeeper.toml")   # raises gatekeeper.errors.PolicyError (exit 2)
    policy.source_path, policy.sha256          # which policy a report was made with

Pure: reading the one file is the only I/O, and nothing here imports httpx or click.
"""

from __future__ import annotations

from gatekeeper.policy.loader import load_policy, loads_policy
from gatekeeper.policy.model import (
    AddonsPolicy,
    Agreement,
    AppEntry,
    ClassRule,
    Defaults,
    Institution,
    LogsPolicy,
    Policy,
    Waiver,
)

__all__ = [
    "AddonsPolicy",
    "Agreement",
    "AppEntry",
    "ClassRule",
    "Defaults",
    "Institution",
    "LogsPolicy",
    "Policy",
    "Waiver",
    "load_policy",
    "loads_policy",
]
