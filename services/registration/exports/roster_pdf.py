"""The roster as an A4 PDF: the title centred, the note under it, a table whose header repeats
on every page, and "第 n 页 / 共 N 页" at the foot. The CJK fonts are embedded (see huiwu/fonts.py)."""

from __future__ import annotations

from fpdf import FPDF, FontFace
from fpdf.enums import TableHeadingsDisplay, WrapMode

from huiwu.fonts import SANS, SERIF, NumberedPages, embedded_fonts
from services.registration.exports.labels import COLUMNS, roster_cells, roster_title
from services.registration.exports.models import RosterRow

MARGIN = 15.0  # mm
TABLE_WIDTH = 180.0  # mm: A4's 210 less the margins
COLUMN_WIDTHS = (10, 30, 11, 52, 33, 18, 26)  # mm, in the order of COLUMNS; they add up to 180
COLUMN_ALIGN = ("CENTER", "LEFT", "CENTER", "LEFT", "LEFT", "CENTER", "LEFT")
HEADINGS = FontFace(family=SANS, emphasis="", size_pt=10.5, fill_color=(217, 217, 217))


def roster_pdf(title: str, note: str | None, rows: list[RosterRow]) -> bytes:
    """Everyone in ``rows``, in the given order, under the meeting's name + " 名单"."""
    heading = roster_title(title)
    lines = [roster_cells(number, row) for number, row in enumerate(rows, start=1)]
    pdf = NumberedPages(orientation="portrait", unit="mm", format="A4")
    printed = [heading, note or "", *COLUMNS, *(cell for cells in lines for cell in cells)]
    with embedded_fonts(pdf, "".join(printed)):
        pdf.set_title(heading)
        pdf.set_lang("zh-CN")
        pdf.set_creator("Huiwu")
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_auto_page_break(auto=True, margin=18)  # room for the page number
        pdf.add_page()
        _heading(pdf, heading, note)
        _table(pdf, lines)
        return bytes(pdf.output())


def _heading(pdf: FPDF, title: str, note: str | None) -> None:
    pdf.set_font(SANS, size=16)
    pdf.multi_cell(w=0, h=9, text=title, align="C", new_x="LMARGIN", new_y="NEXT")
    if note:
        pdf.set_font(SERIF, size=11)
        pdf.multi_cell(w=0, h=7, text=note, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _table(pdf: FPDF, lines: list[tuple[str, ...]]) -> None:
    pdf.set_font(SERIF, size=10)
    with pdf.table(
        width=TABLE_WIDTH,
        col_widths=COLUMN_WIDTHS,
        text_align=COLUMN_ALIGN,
        headings_style=HEADINGS,
        repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE,
        wrapmode=WrapMode.CHAR,  # Chinese has no spaces: a long unit name breaks between characters
        line_height=5.5,
        padding=(1, 1.2),
    ) as table:
        table.row(COLUMNS)
        for cells in lines:
            table.row(cells)
