"""The register turned around: for each recipient, the apps that send it data (issue 13).

One entry per recipient (a processor, a sub-processor, a host), with its roles, services,
kinds, countries, the apps and the agreements their rows name. Recipients with apps that
send them data under no agreement come first, with those apps listed: these are the
contracts the DPO must sign. Then by name.
"""

from __future__ import annotations

from collections.abc import Iterable

from gatekeeper.knowledge import canonical
from gatekeeper.register.model import NO_AGREEMENT, Recipient, RegisterRow


def recipients(rows: Iterable[RegisterRow]) -> tuple[Recipient, ...]:
    """The by-recipient view of ``rows``: missing agreements first, then by name."""
    grouped: dict[str, list[RegisterRow]] = {}
    for row in rows:
        grouped.setdefault(row.recipient, []).append(row)
    out = []
    for name, group in grouped.items():
        out.append(
            Recipient(
                recipient=name,
                roles=tuple(sorted({r.role for r in group})),
                services=tuple(sorted({r.service for r in group})),
                kinds=tuple(sorted({r.kind for r in group})),
                countries=canonical([c for r in group for c in r.countries]),
                apps=tuple(sorted({r.app for r in group})),
                agreements=tuple(
                    sorted({r.agreement_id for r in group if r.agreement_id != NO_AGREEMENT})
                ),
                missing_agreement=tuple(sorted({r.app for r in group if r.missing_agreement})),
            )
        )
    return tuple(sorted(out, key=lambda r: (not r.missing_agreement, r.recipient)))
