"""What every Huiwu PDF (fpdf2) lays out the same way: the document's properties and margins, a
title centred over an optional note, paragraphs and tables that wrap Chinese between characters,
and "第 n 页 / 共 N 页" at the foot of each page.

Each document keeps its own sizes, widths and texts and passes them in; the fonts it names are
those ``huiwu.fonts.embedded_fonts`` adds (SANS for 黑体 titles and headings, SERIF for 宋体 text).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fpdf import FPDF, FontFace
from fpdf.enums import TableHeadingsDisplay, WrapMode

from huiwu.fonts import SANS, SERIF

HEADINGS_FILL = (217, 217, 217)  # a table's heading row: the light grey of the XLSX exports (D9D9D9)


class NumberedPages(FPDF):
    """A PDF whose pages end with "第 n 页 / 共 N 页" in the serif face; subclasses say where."""

    footer_from_bottom = 12.0  # mm from the page's foot to the line
    footer_size = 9.0  # pt
    first_numbered_page = 1  # a booklet's cover carries no number

    def footer(self) -> None:  # fpdf2 calls this at the end of every page
        if self.page_no() < self.first_numbered_page:
            return
        self.set_y(-self.footer_from_bottom)
        self.set_font(SERIF, size=self.footer_size)
        self.set_text_color(0, 0, 0)
        self.cell(w=0, h=6, text=f"第 {self.page_no()} 页 / 共 {self.str_alias_nb_pages} 页", align="C")


@dataclass(frozen=True)
class TitleStyle:
    """How a document's title and the note under it are set."""

    size: float  # pt, the title in the sans face
    line_height: float  # mm
    note_size: float  # pt, the note in the serif face
    note_line_height: float  # mm
    space_after: float  # mm between the title (or its note) and what follows


@dataclass(frozen=True)
class TableStyle:
    """How a document's tables are set; each table brings its own columns."""

    width: float  # mm; each table's column widths add up to it
    text_size: float  # pt, the cells in the serif face
    heading_size: float  # pt, the heading row in the sans face
    line_height: float  # mm
    padding: tuple[float, float]  # mm inside each cell: above and below, left and right


def set_up_document(
    pdf: FPDF, title: str, *, left: float, top: float, right: float, bottom: float | None
) -> None:
    """Names the document (its title, Chinese as its language, Huiwu as its creator) and sets the
    margins in mm. Text flowing down starts a new page ``bottom`` mm above the page's foot; None
    where nothing flows, every position being computed."""
    pdf.set_title(title)
    pdf.set_lang("zh-CN")
    pdf.set_creator("Huiwu")
    pdf.set_margins(left, top, right)
    if bottom is None:
        pdf.set_auto_page_break(auto=False)
    else:
        pdf.set_auto_page_break(auto=True, margin=bottom)


def add_title(pdf: FPDF, title: str, note: str | None, style: TitleStyle) -> None:
    """``title`` centred in the sans face, then ``note`` (if any) centred under it in the serif
    face. A long title wraps at its spaces first, so "… 名单" stays whole."""
    pdf.set_font(SANS, size=style.size)
    pdf.multi_cell(w=0, h=style.line_height, text=title, align="C", new_x="LMARGIN", new_y="NEXT")
    if note:
        pdf.set_font(SERIF, size=style.note_size)
        pdf.multi_cell(w=0, h=style.note_line_height, text=note, align="C", new_x="LMARGIN", new_y="NEXT")
    if style.space_after:
        pdf.ln(style.space_after)


def add_paragraph(pdf: FPDF, text: str, *, line_height: float, align: str = "L", width: float = 0) -> None:
    """``text`` in the current font, ``width`` mm wide (0: to the right margin), the next line
    starting at the left margin. Chinese has no spaces: long lines break between characters."""
    pdf.multi_cell(
        w=width, h=line_height, text=text, align=align, new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR
    )


def add_table(
    pdf: FPDF,
    columns: Sequence[str],
    rows: Iterable[Sequence[str]],
    style: TableStyle,
    *,
    column_widths: Sequence[float],
    align: str | Sequence[str] = "LEFT",
) -> None:
    """A table with ``columns`` as its heading row, repeated on top of every page it runs onto,
    then ``rows``. ``column_widths`` (mm) and ``align`` ("LEFT", "CENTER"…: one for all columns
    or one per column) follow the order of ``columns``."""
    headings = FontFace(family=SANS, emphasis="", size_pt=style.heading_size, fill_color=HEADINGS_FILL)
    pdf.set_font(SERIF, size=style.text_size)
    with pdf.table(
        width=style.width,
        col_widths=tuple(column_widths),
        text_align=align if isinstance(align, str) else tuple(align),
        headings_style=headings,
        repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE,
        wrapmode=WrapMode.CHAR,  # Chinese has no spaces: a long name breaks between characters
        line_height=style.line_height,
        padding=style.padding,
    ) as table:
        table.row(tuple(columns))
        for cells in rows:
            table.row(tuple(cells))
