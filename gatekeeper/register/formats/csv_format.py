"""The register as CSV: one row per app and recipient, the columns of ``tables.BY_APP``.

UTF-8 with a byte order mark, so that Excel reads the names right when the file is opened
by double-click; RFC 4180 quoting with CRLF line ends. A cell that starts with ``= + - @``
(or TAB/CR) gets a ``'`` so that no spreadsheet evaluates it as a formula (CSV injection).
"""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING, BinaryIO

from gatekeeper.register.formats.interface import TextOut
from gatekeeper.register.formats.tables import BY_APP
from gatekeeper.report.escape import csv_cell

if TYPE_CHECKING:
    from gatekeeper.register.model import Register


class RegisterCsv:
    name = "csv"
    extension = ".csv"
    media_type = "text/csv; charset=utf-8"

    def write(self, register: Register, out: BinaryIO) -> None:
        with TextOut(out, encoding="utf-8-sig") as text:
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow(BY_APP.columns)
            for cells in BY_APP.rows(register):
                writer.writerow([csv_cell(cell) for cell in cells])
