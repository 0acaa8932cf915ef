"""A bulletin printed on A4 (RULES R5.1): the masthead (报头: the name large, red and centred, 第N期
below it, the 编印单位 left and the 印发日期 right, a red rule), the headline and body, and the
foot (报尾: 报/送/发/增发 between two rules, then 印发份数) at the bottom of the last page.

A classified bulletin prints its marking top left on the second line and a "编号" for the copy
number top right: the first line's left end stays free for the 份号 the documents room stamps on
each numbered copy (GB/T 9704-2012 §7.2.1: 份号, then 密级). The CJK fonts are embedded (see
huiwu/fonts.py); "第 n 页 / 共 N 页" at the foot of each page."""

from __future__ import annotations

from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, WrapMode

from huiwu.fonts import SANS, SERIF, embedded_fonts
from huiwu.pdf import NumberedPages, add_paragraph, set_up_document

# GB/T 9704-2012's type area: 37 mm from the top, 28 mm from the left, 156 mm wide.
TOP, LEFT, RIGHT, BOTTOM = 37.0, 28.0, 26.0, 25.0  # mm
WIDTH = 210.0 - LEFT - RIGHT
RED = (230, 0, 0)
BLACK = (0, 0, 0)
NAME_LARGEST, NAME_SMALLEST = 36.0, 18.0  # pt: the name shrinks to fit one line, then wraps
SIZE_3 = 16.0  # 3号: the marking, the issue, the unit and date
LINE = 8.0  # mm, a line of 3号 type
HEADLINE_SIZE, HEADING_SIZE, BODY_SIZE, FOOT_SIZE = 20.0, 15.0, 14.0, 12.0
FOOT_LINE = 7.0  # mm
RULE = 3.0  # mm of height a rule takes
INDENT = "　　"  # a paragraph's first line is indented by two characters
COPY_NUMBER = "编号："
FOOT_LABELS = ("报", "送", "发", "增发")


@dataclass(frozen=True)
class Printed:
    """What the page shows, already worded: the service decides, this module only lays it out."""

    name: str
    issue: str  # 第2期, or （草稿） for a draft
    unit: str
    date: str  # 2027年1月12日; empty for a draft
    marking: str  # 机密★20年; empty when unclassified
    headline: str
    sections: tuple[tuple[str | None, tuple[str, ...]], ...]  # heading, paragraphs
    foot: tuple[tuple[str, ...], ...]  # the names after 报, 送, 发 and 增发
    print_count: int


def bulletin_pdf(printed: Printed) -> bytes:
    pdf = NumberedPages(orientation="portrait", unit="mm", format="A4")
    with embedded_fonts(pdf, _all_text(printed)):
        set_up_document(pdf, f"{printed.name}{printed.issue}", left=LEFT, top=TOP, right=RIGHT, bottom=BOTTOM)
        pdf.add_page()
        _masthead(pdf, printed)
        _body(pdf, printed)
        _foot(pdf, _foot_lines(printed), f"（共印{printed.print_count}份）")
        return bytes(pdf.output())


def _all_text(printed: Printed) -> str:
    """Every character the PDF may print, for the fonts' subset."""
    texts = [printed.name, printed.issue, printed.unit, printed.date, printed.marking, printed.headline]
    texts += [COPY_NUMBER, INDENT, *FOOT_LABELS, "共印份：，"]
    texts += [heading or "" for heading, _ in printed.sections]
    texts += [line for _, lines in printed.sections for line in lines]
    texts += [name for names in printed.foot for name in names]
    return "".join(texts)


def _masthead(pdf: FPDF, printed: Printed) -> None:
    pdf.set_font(SANS, size=SIZE_3)
    if printed.marking:
        pdf.set_xy(LEFT, TOP)
        pdf.cell(w=WIDTH, h=LINE, text=COPY_NUMBER + "　" * 6, align="R")
        pdf.set_xy(LEFT, TOP + LINE)
        pdf.cell(w=WIDTH, h=LINE, text=printed.marking, align="L")
        pdf.set_xy(LEFT, TOP + 2 * LINE + 4)
    pdf.set_text_color(*RED)
    pdf.set_font(SANS, size=NAME_LARGEST)
    room = WIDTH - 2 * pdf.c_margin  # a cell keeps a margin inside each side
    size = max(NAME_SMALLEST, min(NAME_LARGEST, NAME_LARGEST * room / pdf.get_string_width(printed.name)))
    pdf.set_font(SANS, size=size)
    add_paragraph(pdf, printed.name, line_height=size * 0.5, align="C", width=WIDTH)
    pdf.set_text_color(*BLACK)
    pdf.ln(3)
    pdf.set_font(SERIF, size=SIZE_3)
    add_paragraph(pdf, printed.issue, line_height=LINE, align="C", width=WIDTH)
    pdf.ln(2)
    pdf.cell(w=WIDTH / 2, h=LINE, text=printed.unit, align="L")
    pdf.cell(w=WIDTH / 2, h=LINE, text=printed.date, align="R", new_x="LMARGIN", new_y="NEXT")
    _rule(pdf, RED, 0.8)
    pdf.ln(8)


def _rule(pdf: FPDF, colour: tuple[int, int, int], width: float) -> None:
    """A rule across the type area, in the middle of RULE mm of height."""
    pdf.set_draw_color(*colour)
    pdf.set_line_width(width)
    y = pdf.get_y() + RULE / 2
    pdf.line(LEFT, y, LEFT + WIDTH, y)
    pdf.set_y(y + RULE / 2)


def _body(pdf: FPDF, printed: Printed) -> None:
    pdf.set_font(SANS, size=HEADLINE_SIZE)
    add_paragraph(pdf, printed.headline, line_height=11, align="C", width=WIDTH)
    pdf.ln(5)
    for heading, paragraphs in printed.sections:
        if heading:
            pdf.set_font(SANS, size=HEADING_SIZE)
            add_paragraph(pdf, INDENT + heading, line_height=9, width=WIDTH)
        pdf.set_font(SERIF, size=BODY_SIZE)
        for text in paragraphs:
            add_paragraph(pdf, INDENT + text, line_height=8, align="J", width=WIDTH)
        pdf.ln(2)


def _foot_lines(printed: Printed) -> list[str]:
    return [
        f"{label}：{'，'.join(names)}"
        for label, names in zip(FOOT_LABELS, printed.foot, strict=True)
        if names
    ]


def _foot(pdf: FPDF, lines: list[str], count: str) -> None:
    """At the bottom of the last page, on a new page if the body left no room."""
    pdf.set_font(SERIF, size=FOOT_SIZE)
    needed = FOOT_LINE * (sum(_wrapped(pdf, line) for line in lines) + 1) + 2 * RULE + 1
    bottom = pdf.h - BOTTOM
    if pdf.get_y() + needed > bottom:
        pdf.add_page()
    pdf.set_y(bottom - needed)
    _rule(pdf, BLACK, 0.35)
    for line in lines:
        add_paragraph(pdf, line, line_height=FOOT_LINE, align="J", width=WIDTH)
    _rule(pdf, BLACK, 0.35)
    pdf.cell(w=WIDTH, h=FOOT_LINE, text=count, align="R")


def _wrapped(pdf: FPDF, line: str) -> int:
    """How many lines ``line`` takes in the foot."""
    lines = pdf.multi_cell(w=WIDTH, h=FOOT_LINE, text=line, dry_run=True, output=MethodReturnValue.LINES,
                           wrapmode=WrapMode.CHAR)  # fmt: skip
    assert isinstance(lines, list)
    return len(lines)
