"""An audit's comparison with an earlier one: ``--baseline FILE`` or ``--since-last``.

A baseline report that cannot be read is a usage error (exit 2). A history that cannot be
read for the comparison (a ``StoreError``: a damaged row, a lost connection) does not cost
the audit its report: the audit goes on without a changes section and says that the
comparison was not possible (a warning notice). Its exit code is the report's, as without
the comparison: the comparison is news about the past, not a fact about the apps.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gatekeeper.errors import StoreError, UsageError
from gatekeeper.usecases.common import Notice

if TYPE_CHECKING:
    from gatekeeper.results import Changes, Report
    from gatekeeper.store.interface import AuditRecord, AuditStore


def against_baseline(baseline: str | Path, report: Report) -> Changes:
    """New and resolved findings of ``report`` against the saved JSON report ``baseline``."""
    from gatekeeper.compare import compare
    from gatekeeper.report.json_format import parse_json_report

    path = Path(baseline)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(
            f"The baseline report {str(baseline)!r} cannot be read ({exc}).",
            hint="Save one with --output json=FILE.",
        ) from None
    previous = parse_json_report(text, source=str(baseline))
    return compare(previous, report, baseline=path.name)


def since_last(
    store: AuditStore, scope_key: str, report: Report
) -> tuple[Changes | None, list[Notice]]:
    """New and resolved findings since the latest audit of ``scope_key`` in ``store``; with
    none, every open finding is new. ``None`` and a warning when the history cannot be read."""
    from gatekeeper.results import Changes

    try:
        last = store.latest_record(scope_key)
        if last is None:
            notice = Notice(
                f"no earlier audit of {scope_key} in {store.location}; every finding counts as new."
            )
            changes = Changes(
                baseline="no earlier audit",
                new=tuple(f for f in report.all_findings() if not f.waived),
            )
            return changes, [notice]
        return compare_with_record(store, last, report), []
    except StoreError as exc:
        warning = Notice(
            f"the comparison with the last audit of {scope_key} was not possible, so this "
            f"report has no new and resolved findings: {exc.user_message()}",
            level="warning",
        )
        return None, [warning]


def compare_with_record(store: AuditStore, last: AuditRecord, report: Report) -> Changes:
    """Compare with the stored open findings of ``last``: fingerprints first, then only the
    resolved findings are loaded. Audits recorded before the store kept finding rows are
    compared with their whole report."""
    from gatekeeper.compare import compare, compare_open

    before = store.open_fingerprints(last.id)
    if before is None:
        stored = store.get(last.id)
        if stored is None:
            raise StoreError(
                f"Audit #{last.id} disappeared from the history store "
                f"{store.location} while it was being read."
            )
        return compare(stored.report, report, baseline=last.label)
    return compare_open(
        before,
        report,
        baseline=last.label,
        since=last.generated_at,
        resolved=lambda gone: store.open_findings(last.id, gone),
    )
