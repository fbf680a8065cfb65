"""The register's views as tables of text, once for every format that shows tables.

``BY_APP`` is the register itself (one row per app and recipient: the CSV's columns, the
first sheet of the workbook), ``BY_RECIPIENT`` the view by recipient (missing agreements
first), ``AGREEMENTS`` the policy's agreements with their expiry, ``ACTIVITIES`` the
processing activities with their Art. 30(1) fields. Cells are plain text, not yet escaped:
each format escapes for its own syntax. Lists are joined with ``"; "``; an empty team is a
personal account.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from gatekeeper.register.model import (
    Activity,
    AgreementEntry,
    Recipient,
    Register,
    RegisterRow,
)

T = TypeVar("T")


def joined(values: Iterable[str]) -> str:
    return "; ".join(values)


def day(value: date | None) -> str:
    return value.isoformat() if value else ""


@dataclass(frozen=True)
class View(Generic[T]):
    """A table: its title, column names, the register's items and how each becomes cells."""

    title: str
    columns: tuple[str, ...]
    items: Callable[[Register], Sequence[T]]
    cells: Callable[[T], list[str]]

    def rows(self, register: Register) -> Iterable[list[str]]:
        return (self.cells(item) for item in self.items(register))


def _row_cells(row: RegisterRow) -> list[str]:
    return [
        row.app,
        row.team or "",
        row.data_class,
        row.purpose,
        row.recipient,
        row.role,
        row.service,
        row.kind,
        joined(row.countries),
        row.transfer_mechanism,
        row.agreement_id,
        row.agreement_document,
        day(row.agreement_expires),
        row.decision,
        joined(row.open_findings),
    ]


def _recipient_cells(item: Recipient) -> list[str]:
    return [
        item.recipient,
        joined(item.roles),
        joined(item.services),
        joined(item.kinds),
        joined(item.countries),
        joined(item.apps),
        joined(item.agreements) or "none",
        joined(item.missing_agreement),
    ]


def _agreement_cells(item: AgreementEntry) -> list[str]:
    return [
        item.id,
        "Heroku (Salesforce)" if item.kind == "heroku" else "add-on",
        joined(item.covers),
        item.mechanism or "",
        joined(item.countries),
        item.document,
        day(item.signed),
        day(item.expires),
        str(item.days_left),
        item.state,
        joined(item.apps),
    ]


def _activity_cells(item: Activity) -> list[str]:
    return [
        item.app,
        item.team or "",
        item.region or "",
        item.data_class,
        item.purpose,
        joined(item.data_subjects),
        joined(item.data_categories),
        item.retention,
        item.controller_contact,
        item.ethics_reference,
        item.decision,
    ]


BY_APP: View[RegisterRow] = View(
    "By app",
    tuple(RegisterRow.model_fields),
    lambda r: r.rows,
    _row_cells,
)
BY_RECIPIENT: View[Recipient] = View(
    "By recipient",
    (
        "recipient",
        "roles",
        "services",
        "kinds",
        "countries",
        "apps",
        "agreements",
        "apps_without_agreement",
    ),
    lambda r: r.recipients,
    _recipient_cells,
)
AGREEMENTS: View[AgreementEntry] = View(
    "Agreements",
    (
        "agreement",
        "with",
        "covers",
        "mechanism",
        "countries",
        "document",
        "signed",
        "expires",
        "days_left",
        "state",
        "apps",
    ),
    lambda r: r.agreements,
    _agreement_cells,
)
ACTIVITIES: View[Activity] = View(
    "Activities",
    (
        "app",
        "team",
        "region",
        "data_class",
        "purpose",
        "data_subjects",
        "data_categories",
        "retention",
        "controller_contact",
        "ethics_reference",
        "decision",
    ),
    lambda r: r.activities,
    _activity_cells,
)
