"""The return list (清退目录, RULES R3.6) as an A4 PDF: one list for all attendees, so nobody is
singled out, of the documents to hand back before leaving. The CJK fonts are embedded (see
huiwu/fonts.py); "第 n 页 / 共 N 页" at the foot of each page."""

from __future__ import annotations

from fpdf import FPDF

from huiwu.fonts import SANS, SERIF, embedded_fonts
from huiwu.pdf import NumberedPages, TableStyle, add_table, set_up_document
from services.documents.register.models import ReturnListEntry

HEADING = "会议文件清退目录"
INSTRUCTION = "请于离会前将下列文件交回会务组，不得自行带走、复制或销毁。"
INDENT = "　　"  # a paragraph's first line is indented by two characters
NOTHING_TO_RETURN = "本次会议没有需要清退的文件。"
COLUMNS = ("序号", "文件标题", "文号", "密级和保密期限", "发放份数")
MARGIN = 15.0  # mm
BOTTOM = 18.0  # mm: room for the page number
TABLE_WIDTH = 180.0  # mm: A4's 210 less the margins
TABLE = TableStyle(width=TABLE_WIDTH, text_size=10.5, heading_size=10.5, line_height=6, padding=(1.2, 1.2))
COLUMN_WIDTHS = (12, 80, 38, 30, 20)  # mm, in the order of COLUMNS; they add up to 180
COLUMN_ALIGN = ("CENTER", "LEFT", "LEFT", "CENTER", "CENTER")
ALWAYS_PRINTED = HEADING + INDENT + INSTRUCTION + NOTHING_TO_RETURN + "".join(COLUMNS)


def return_list_pdf(entries: list[ReturnListEntry]) -> bytes:
    """The heading, the instruction, then the documents in the given order."""
    lines = [_cells(number, entry) for number, entry in enumerate(entries, start=1)]
    printed = ALWAYS_PRINTED + "".join(cell for cells in lines for cell in cells)
    pdf = NumberedPages(orientation="portrait", unit="mm", format="A4")
    with embedded_fonts(pdf, printed):
        set_up_document(pdf, HEADING, left=MARGIN, top=MARGIN, right=MARGIN, bottom=BOTTOM)
        pdf.add_page()
        _heading(pdf)
        add_table(pdf, COLUMNS, lines, TABLE, column_widths=COLUMN_WIDTHS, align=COLUMN_ALIGN)
        if not lines:
            pdf.set_font(SERIF, size=11)
            pdf.multi_cell(w=0, h=8, text=NOTHING_TO_RETURN, align="C", new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())


def _cells(number: int, entry: ReturnListEntry) -> tuple[str, ...]:
    return (str(number), entry.title, entry.reference or "", entry.marking, str(entry.issued))


def _heading(pdf: FPDF) -> None:
    pdf.set_font(SANS, size=18)
    pdf.multi_cell(w=0, h=10, text=HEADING, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(SERIF, size=12)
    pdf.multi_cell(w=0, h=7, text=INDENT + INSTRUCTION, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
