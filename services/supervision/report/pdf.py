"""The report to leaders as an A4 PDF: the title, the as-of time in Beijing time, then 一、总体情况
(the R4.8 sentence, the lights, the states), 二、各牵头单位办理情况, 三、逾期未办结事项 and
四、督查案件. The CJK fonts are embedded (see huiwu/fonts.py); "第 n 页 / 共 N 页" at the foot."""

from __future__ import annotations

from collections.abc import Sequence

from fpdf import FPDF, FontFace
from fpdf.enums import TableHeadingsDisplay, WrapMode

from huiwu.fonts import SANS, SERIF, NumberedPages, embedded_fonts
from services.supervision.report import tables
from services.supervision.report.models import LeadersReport

MARGIN = 15.0  # mm
TABLE_WIDTH = 180.0  # mm: A4's 210 less the margins
INDENT = "　　"  # a paragraph's first line is indented by two characters
NOTE = "注：占比按最大余数法取整，各项合计为100%；时间均为北京时间。"
LEFT_ALIGNED = {"事项内容"}  # long text reads from the left; the rest is centred
HEADINGS = FontFace(family=SANS, emphasis="", size_pt=10, fill_color=(217, 217, 217))
# Widths in mm, in the order of each table's columns; each set adds up to 180.
WIDTHS = {
    tables.STATES: (90, 45, 45),
    tables.DEPARTMENTS: (12, 48, 18, 18, 18, 18, 18, 18, 12),
    tables.OVERDUE: (26, 30, 60, 28, 16, 20),
    tables.CASES: (40, 20, 30, 30, 30, 30),
}


def report_pdf(report: LeadersReport) -> bytes:
    sections = tables.sections(report)
    pdf = NumberedPages(orientation="portrait", unit="mm", format="A4")
    with embedded_fonts(pdf, _all_text(report, sections)):
        pdf.set_title(report.title)
        pdf.set_lang("zh-CN")
        pdf.set_creator("Huiwu")
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_auto_page_break(auto=True, margin=18)  # room for the page number
        pdf.add_page()
        _heading(pdf, report)
        for section in sections:
            _section(pdf, section)
        pdf.set_font(SERIF, size=10)
        pdf.multi_cell(w=0, h=6, text=NOTE, new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())


def _all_text(report: LeadersReport, sections: Sequence[tables.Section]) -> str:
    """Every character the PDF may print, for the fonts' subset."""
    texts = [report.title, report.as_of_text, INDENT, NOTE]
    for section in sections:
        texts += [section.heading, *section.paragraphs, *section.columns]
        texts += [str(cell) for line in section.lines for cell in line]
    return "".join(texts)


def _heading(pdf: FPDF, report: LeadersReport) -> None:
    pdf.set_font(SANS, size=18)
    pdf.multi_cell(w=0, h=10, text=report.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(SERIF, size=11)
    pdf.multi_cell(w=0, h=7, text=report.as_of_text, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _section(pdf: FPDF, section: tables.Section) -> None:
    pdf.set_font(SANS, size=14)
    pdf.multi_cell(w=0, h=9, text=section.heading, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(SERIF, size=12)
    for paragraph in section.paragraphs:
        pdf.multi_cell(
            w=0, h=7, text=INDENT + paragraph, new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR
        )
    if section.lines:
        _table(pdf, section.columns, section.lines)
    pdf.ln(4)


def _table(pdf: FPDF, columns: tuple[str, ...], lines: Sequence[tuple[tables.Cell, ...]]) -> None:
    pdf.set_font(SERIF, size=10)
    with pdf.table(
        width=TABLE_WIDTH,
        col_widths=WIDTHS[columns],
        text_align=tuple("LEFT" if column in LEFT_ALIGNED else "CENTER" for column in columns),
        headings_style=HEADINGS,
        repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE,
        wrapmode=WrapMode.CHAR,  # Chinese has no spaces: a long item breaks between characters
        line_height=5.5,
        padding=(1, 1.2),
    ) as table:
        table.row(columns)
        for cells in lines:
            table.row([str(cell) for cell in cells])
