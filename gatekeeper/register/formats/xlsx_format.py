"""The register as an Excel workbook, through openpyxl (the optional ``xlsx`` extra).

One sheet per view (``tables``): by app, by recipient (missing agreements first),
agreements with their expiry, and the processing activities. Each sheet has its header row
frozen, an autofilter over the table, and columns as wide as their content (up to a
limit). Every cell is stored as a string, never as a formula, whatever it starts with, and
characters XML cannot carry (control characters) are shown as escapes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, BinaryIO

from gatekeeper.errors import UsageError
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
            from openpyxl.styles import Font
            from openpyxl.utils import get_column_letter
        except ImportError:
            raise UsageError(
                "Writing the register as XLSX needs openpyxl.",
                hint="Install the extra: pip install 'heroku-gatekeeper[xlsx]'.",
            ) from None
        book = Workbook()
        book.remove(book.active)
        bold = Font(bold=True)
        for view in _VIEWS:
            sheet = book.create_sheet(view.title)
            widths = [len(c) for c in view.columns]
            sheet.append(list(view.columns))
            for cell in sheet[1]:
                cell.font = bold
            for number, cells in enumerate(view.rows(register), start=2):
                for column, text in enumerate(cells, start=1):
                    shown = visible(text)
                    cell = sheet.cell(row=number, column=column)
                    cell.value = shown
                    cell.data_type = "s"  # never a formula, even for "=..."
                    widths[column - 1] = max(widths[column - 1], len(shown))
            sheet.freeze_panes = "A2"
            sheet.auto_filter.ref = sheet.dimensions
            for column, width in enumerate(widths, start=1):
                sheet.column_dimensions[get_column_letter(column)].width = (
                    min(width, _MAX_WIDTH) + 2
                )
        book.save(out)
