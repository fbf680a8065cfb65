"""What changed in the register since an earlier one (the last audit's, issue 13).

Rows are matched by app, kind, service and recipient (``RegisterRow.key``). Reported, in
the order of the new register's apps: an app that is new or gone, a recipient an app now
sends data to or no longer does, and an agreement that lapsed (the row was covered by an
agreement in force on the earlier register's day, and is not on this one's: it expired or
left the policy) or was added (a row without an agreement now has one in force).
"""

from __future__ import annotations

from datetime import date, datetime

from gatekeeper.register.model import (
    NO_AGREEMENT,
    ChangeKind,
    Register,
    RegisterChange,
    RegisterChanges,
    RegisterRow,
)


def _in_force(row: RegisterRow, day: date) -> bool:
    return row.agreement_id != NO_AGREEMENT and (
        row.agreement_expires is None or row.agreement_expires >= day
    )


def compare_registers(
    before: Register | None, after: Register, *, baseline: str, since: datetime | None = None
) -> RegisterChanges:
    """The changes from ``before`` to ``after``; with no earlier register, every app is new."""
    items: list[RegisterChange] = []
    old_rows = {row.key: row for row in before.rows} if before else {}
    old_apps = {a.app for a in before.activities} if before else set()
    new_apps = {a.app for a in after.activities}
    for activity in after.activities:
        if activity.app not in old_apps:
            items.append(RegisterChange(kind="new app", app=activity.app))
    for row in after.rows:
        old = old_rows.get(row.key)
        if old is None:
            if row.app in old_apps:
                items.append(_change("new recipient", row, _agreement_words(row)))
            continue
        if before is not None and _in_force(old, before.day) and not _in_force(row, after.day):
            detail = (
                f"{old.agreement_id} expired on {row.agreement_expires.isoformat()}"
                if row.agreement_id == old.agreement_id and row.agreement_expires
                else f"{old.agreement_id} no longer covers it"
            )
            items.append(_change("agreement lapsed", row, detail))
        elif before is not None and not _in_force(old, before.day) and _in_force(row, after.day):
            items.append(_change("agreement added", row, row.agreement_id))
    current = {row.key for row in after.rows}
    for key, old in old_rows.items():
        if key not in current and old.app in new_apps:
            items.append(_change("recipient gone", old, ""))
    for app in sorted(old_apps - new_apps):
        items.append(RegisterChange(kind="app gone", app=app))
    return RegisterChanges(baseline=baseline, since=since, items=tuple(items))


def _agreement_words(row: RegisterRow) -> str:
    return "no agreement" if row.agreement_id == NO_AGREEMENT else f"under {row.agreement_id}"


def _change(kind: ChangeKind, row: RegisterRow, detail: str) -> RegisterChange:
    return RegisterChange(
        kind=kind, app=row.app, recipient=row.recipient, service=row.service, detail=detail
    )
