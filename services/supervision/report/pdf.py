"""The report to leaders as an A4 PDF: the title, the as-of time in Beijing time, then 一、总体情况
(the R4.8 sentence, the lights, the states), 二、各牵头单位办理情况, 三、逾期未办结事项 and
四、督查案件. The CJK fonts are embedded (see huiwu/fonts.py); "第 n 页 / 共 N 页" at the foot."""

from __future__ import annotations

from collections.abc import Sequence

from fpdf import FPDF

from huiwu.fonts import SANS, SERIF, embedded_fonts
from huiwu.pdf import (
    NumberedPages,
    TableStyle,
    TitleStyle,
    add_paragraph,
    add_table,
    add_title,
    set_up_document,
)
from services.supervision.report import tables
from services.supervision.report.models import LeadersReport

MARGIN = 15.0  # mm
BOTTOM = 18.0  # mm: room for the page number
TITLE = TitleStyle(size=18, line_height=10, note_size=11, note_line_height=7, space_after=3)
TABLE_WIDTH = 180.0  # mm: A4's 210 less the margins
TABLE = TableStyle(width=TABLE_WIDTH, text_size=10, heading_size=10, line_height=5.5, padding=(1, 1.2))
INDENT = "　　"  # a paragraph's first line is indented by two characters
NOTE = "注：占比按最大余数法取整，各项合计为100%；时间均为北京时间。"
LEFT_ALIGNED = {"事项内容"}  # long text reads from the left; the rest is centred
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
        set_up_document(pdf, report.title, left=MARGIN, top=MARGIN, right=MARGIN, bottom=BOTTOM)
        pdf.add_page()
        add_title(pdf, report.title, report.as_of_text, TITLE)
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


def _section(pdf: FPDF, section: tables.Section) -> None:
    pdf.set_font(SANS, size=14)
    pdf.multi_cell(w=0, h=9, text=section.heading, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(SERIF, size=12)
    for paragraph in section.paragraphs:
        add_paragraph(pdf, INDENT + paragraph, line_height=7, align="J")
    if section.lines:
        _table(pdf, section.columns, section.lines)
    pdf.ln(4)


def _table(pdf: FPDF, columns: tuple[str, ...], lines: Sequence[tuple[tables.Cell, ...]]) -> None:
    align = tuple("LEFT" if column in LEFT_ALIGNED else "CENTER" for column in columns)
    rows = ([str(cell) for cell in cells] for cells in lines)
    add_table(pdf, columns, rows, TABLE, column_widths=WIDTHS[columns], align=align)
