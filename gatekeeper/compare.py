"""What changed between two audits: new and resolved findings, matched by fingerprint.

A finding's fingerprint is rule + app id + subject (``gatekeeper.results.fingerprint``),
so it survives message rewording and app renames. Only *open* findings count: those no
waiver covers. Hence a finding that a new waiver covers is "resolved", and one whose waiver
has expired is "new" again; both are what a DPO needs to hear about.

Pure: no I/O, used by ``audit --since-last`` (the previous audit from the history store) and
``audit --baseline FILE`` (a saved report). :func:`compare_open` needs only the previous
audit's open fingerprints and a way to fetch the resolved findings, so that the history store
never has to load a whole previous report.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import datetime

from gatekeeper.results import Changes, Finding, Report

_SEVERITY_ORDER = {"block": 0, "warn": 1, "info": 2}


def compare(previous: Report, current: Report, *, baseline: str) -> Changes:
    """New and resolved open findings of ``current`` relative to ``previous``.

    ``baseline`` names the previous report for humans (``audit #12 of 2026-11-25T02:00:00Z``
    or ``report.json``). Both lists are in a stable order: most severe first, then by app,
    rule, subject and fingerprint, each fingerprint once.
    """
    before = open_findings(previous.all_findings())
    return compare_open(
        before.keys(),
        current,
        baseline=baseline,
        since=previous.generated_at,
        resolved=lambda gone: [before[fp] for fp in gone],
    )


def compare_open(
    before: Collection[str],
    current: Report,
    *,
    baseline: str,
    since: datetime | None,
    resolved: Callable[[set[str]], Iterable[Finding]],
) -> Changes:
    """Like :func:`compare`, given only the previous report's open fingerprints (``before``).

    ``resolved`` is called once with the fingerprints of ``before`` that ``current`` no longer
    has open, and returns the previous findings with those fingerprints (one each).
    ``since`` is when the previous report was generated.
    """
    now = open_findings(current.all_findings())
    gone = {fp for fp in before if fp not in now}
    return Changes(
        baseline=baseline,
        since=since,
        new=tuple(_ordered(f for fp, f in now.items() if fp not in before)),
        resolved=tuple(_ordered(resolved(gone))),
    )


def open_findings(findings: Iterable[Finding]) -> dict[str, Finding]:
    """The unwaived findings by fingerprint (the first one wins if a fingerprint repeats)."""
    result: dict[str, Finding] = {}
    for finding in findings:
        if not finding.waived:
            result.setdefault(finding.fingerprint, finding)
    return result


def _ordered(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(
        findings,
        key=lambda f: (
            _SEVERITY_ORDER.get(f.severity, 3),
            f.app or "",
            f.rule,
            f.subject or "",
            f.fingerprint,
        ),
    )
