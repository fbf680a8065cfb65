"""The register as an Excel workbook, through openpyxl (the optional ``xlsx`` extra).

One sheet per view (``tables``): by app, by recipient (missing agreements first),
agreements with their expiry, and the processing activities. Each sheet has its header row
frozen, an autofilter over the table, and columns as wide as their content (up to a
limit). Every cell is stored as a string, never as a formula, whatever it starts with, and
characters XML cannot carry (control characters) are shown as escapes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, BinaryIO

from gatekeeper.errors import UsageError, missing_extra_hint
from gatekeeper.register.formats.tables import ACTIVITIES, AGREEMENTS, BY_APP, BY_RECIPIENT, View
from gatekeeper.report.escape import visible

if TYPE_CHECKING:
    from gatekeeper.register.model import Register

_MAX_WIDTH = 60
_VIEWS: tuple[View[Any], ...] = (BY_APP, BY_RECIPIENT, AGREEMENTS, ACTIVITIES)


class RegisterXlsx:
    name = "xlsx"
    extension = ".xlsx"
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def write(self, register: Register, out: BinaryIO) -> None:
        try:
            from openpyxl import Workbook
            from openpyxl.cell import WriteOnlyCell
            from openpyxl.styles import Font
            from openpyxl.utils import get_column_letter
        except ImportError:
            raise UsageError(
                "Writing the register as XLSX needs openpyxl.",
                hint=missing_extra_hint("xlsx", "openpyxl"),
            ) from None
        # Write-only: rows are streamed into the file, not kept as cell objects (a register
        # of 10,000 apps has some 40,000 rows); widths are measured in a first pass.
        book = Workbook(write_only=True)
        bold = Font(bold=True)
        for view in _VIEWS:
            sheet = book.create_sheet(view.title)
            widths = [len(c) for c in view.columns]
            for cells in view.rows(register):
                for index, text in enumerate(cells):
                    widths[index] = max(widths[index], len(visible(text)))
            for index, width in enumerate(widths, start=1):
                sheet.column_dimensions[get_column_letter(index)].width = min(width, _MAX_WIDTH) + 2
            sheet.freeze_panes = "A2"
            count = len(view.items(register))
            last = get_column_letter(len(view.columns))
            sheet.auto_filter.ref = f"A1:{last}{count + 1}"
            header = []
            for name in view.columns:
                cell = WriteOnlyCell(sheet, value=name)
                cell.font = bold
                header.append(cell)
            sheet.append(header)
            for cells in view.rows(register):
                sheet.append([_text_cell(WriteOnlyCell, sheet, text) for text in cells])
        book.save(out)


def _text_cell(factory: Any, sheet: Any, text: str) -> Any:
    """A cell that holds ``text`` as a string, never as a formula, even for ``=...``."""
    cell = factory(sheet, value=visible(text))
    cell.data_type = "s"
    return cell
