"""The return list (清退目录, RULES R3.6) as an A4 PDF: one list for all attendees, so nobody is
singled out, of the documents to hand back before leaving. The CJK fonts are embedded (see
huiwu/fonts.py); "第 n 页 / 共 N 页" at the foot of each page."""

from __future__ import annotations

from fpdf import FPDF, FontFace
from fpdf.enums import TableHeadingsDisplay, WrapMode

from huiwu.fonts import SANS, SERIF, NumberedPages, embedded_fonts
from services.documents.register.models import ReturnListEntry

HEADING = "会议文件清退目录"
INSTRUCTION = "请于离会前将下列文件交回会务组，不得自行带走、复制或销毁。"
INDENT = "　　"  # a paragraph's first line is indented by two characters
NOTHING_TO_RETURN = "本次会议没有需要清退的文件。"
COLUMNS = ("序号", "文件标题", "文号", "密级和保密期限", "发放份数")
MARGIN = 15.0  # mm
TABLE_WIDTH = 180.0  # mm: A4's 210 less the margins
COLUMN_WIDTHS = (12, 80, 38, 30, 20)  # mm, in the order of COLUMNS; they add up to 180
COLUMN_ALIGN = ("CENTER", "LEFT", "LEFT", "CENTER", "CENTER")
ALWAYS_PRINTED = HEADING + INDENT + INSTRUCTION + NOTHING_TO_RETURN + "".join(COLUMNS)
HEADINGS = FontFace(family=SANS, emphasis="", size_pt=10.5, fill_color=(217, 217, 217))


def return_list_pdf(entries: list[ReturnListEntry]) -> bytes:
    """The heading, the instruction, then the documents in the given order."""
    lines = [_cells(number, entry) for number, entry in enumerate(entries, start=1)]
    printed = ALWAYS_PRINTED + "".join(cell for cells in lines for cell in cells)
    pdf = NumberedPages(orientation="portrait", unit="mm", format="A4")
    with embedded_fonts(pdf, printed):
        pdf.set_title(HEADING)
        pdf.set_lang("zh-CN")
        pdf.set_creator("Huiwu")
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_auto_page_break(auto=True, margin=18)  # room for the page number
        pdf.add_page()
        _heading(pdf)
        _table(pdf, lines)
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


def _table(pdf: FPDF, lines: list[tuple[str, ...]]) -> None:
    pdf.set_font(SERIF, size=10.5)
    with pdf.table(
        width=TABLE_WIDTH,
        col_widths=COLUMN_WIDTHS,
        text_align=COLUMN_ALIGN,
        headings_style=HEADINGS,
        repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE,
        wrapmode=WrapMode.CHAR,  # Chinese has no spaces: a long title breaks between characters
        line_height=6,
        padding=(1.2, 1.2),
    ) as table:
        table.row(COLUMNS)
        for cells in lines:
            table.row(cells)
