"""The roster as an A4 PDF: the title centred, the note under it, a table whose header repeats
on every page, and "第 n 页 / 共 N 页" at the foot. The CJK fonts are embedded (see huiwu/fonts.py)."""

from __future__ import annotations

from huiwu.fonts import embedded_fonts
from huiwu.pdf import NumberedPages, TableStyle, TitleStyle, add_table, add_title, set_up_document
from services.registration.exports.labels import COLUMNS, roster_cells, roster_title
from services.registration.exports.models import RosterRow

MARGIN = 15.0  # mm
BOTTOM = 18.0  # mm: room for the page number
TITLE = TitleStyle(size=16, line_height=9, note_size=11, note_line_height=7, space_after=3)
TABLE_WIDTH = 180.0  # mm: A4's 210 less the margins
TABLE = TableStyle(width=TABLE_WIDTH, text_size=10, heading_size=10.5, line_height=5.5, padding=(1, 1.2))
COLUMN_WIDTHS = (10, 30, 11, 52, 33, 18, 26)  # mm, in the order of COLUMNS; they add up to 180
COLUMN_ALIGN = ("CENTER", "LEFT", "CENTER", "LEFT", "LEFT", "CENTER", "LEFT")


def roster_pdf(title: str, note: str | None, rows: list[RosterRow]) -> bytes:
    """Everyone in ``rows``, in the given order, under the meeting's name + " 名单"."""
    heading = roster_title(title)
    lines = [roster_cells(number, row) for number, row in enumerate(rows, start=1)]
    pdf = NumberedPages(orientation="portrait", unit="mm", format="A4")
    printed = [heading, note or "", *COLUMNS, *(cell for cells in lines for cell in cells)]
    with embedded_fonts(pdf, "".join(printed)):
        set_up_document(pdf, heading, left=MARGIN, top=MARGIN, right=MARGIN, bottom=BOTTOM)
        pdf.add_page()
        add_title(pdf, heading, note, TITLE)
        add_table(pdf, COLUMNS, lines, TABLE, column_widths=COLUMN_WIDTHS, align=COLUMN_ALIGN)
        return bytes(pdf.output())
