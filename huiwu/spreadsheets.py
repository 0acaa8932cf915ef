"""Printable lists as XLSX workbooks: a title, an optional note, a header row in Chinese, one line
each; for the desk, the hotel, the secrecy office, anyone who re-sorts or prints them.

Font names are the ones Chinese offices have (黑体, 楷体, 宋体 ship with Windows and WPS); an XLSX
only names fonts, it cannot embed them, and a machine without them substitutes its own.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.header_footer import HeaderFooterItem
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet


class Column(NamedTuple):
    """How a column is laid out: its width between ``narrowest`` and ``widest`` (Excel character
    units) as its longest text needs, whether long text wraps, whether it is centred."""

    narrowest: int
    widest: int
    wraps: bool = False
    centred: bool = False


SERIAL = "序号"  # a number, so the sheet sorts and counts it as one
SERIAL_COLUMN = Column(6, 8, centred=True)
OTHER_COLUMN = Column(8, 30, wraps=True)
Layout = Mapping[str, Column]
THIN = Side(style="thin", color="000000")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill(fill_type="solid", fgColor="D9D9D9")


def table_xlsx(
    title: str,
    note: str | None,
    columns: Sequence[str],
    lines: list[tuple[str, ...]],
    sheet_title: str,
    layout: Layout | None = None,
    *,
    landscape: bool = False,
) -> bytes:
    """A printable list: title, optional note, a header row, one line each. ``layout`` gives the
    columns by heading; a heading it does not name gets OTHER_COLUMN, 序号 SERIAL_COLUMN. A wide
    list prints ``landscape``."""
    columns_laid_out = {SERIAL: SERIAL_COLUMN, **(layout or {})}
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = sheet_title
    _banner(sheet, 1, title, Font(name="黑体", size=16, bold=True), height=32, span=len(columns))
    header_row = 2
    if note:
        _banner(sheet, 2, note, Font(name="楷体", size=12), height=22, span=len(columns))
        header_row = 3
    _header(sheet, header_row, columns)
    for offset, cells in enumerate(lines, start=1):
        _line(sheet, header_row + offset, columns, cells, columns_laid_out)
    _column_widths(sheet, columns, lines, columns_laid_out)
    _print_setup(sheet, header_row, landscape)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _banner(sheet: Worksheet, row: int, text: str, font: Font, height: float, span: int) -> None:
    cell = _text_cell(sheet, row, 1, text)
    cell.font = font
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=span)
    sheet.row_dimensions[row].height = height


def _header(sheet: Worksheet, row: int, columns: Sequence[str]) -> None:
    for column, text in enumerate(columns, start=1):
        cell = sheet.cell(row=row, column=column, value=text)
        cell.font = Font(name="黑体", size=11, bold=True)
        cell.fill = HEADER_FILL
        cell.border = GRID
        cell.alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[row].height = 20


def _line(sheet: Worksheet, row: int, columns: Sequence[str], cells: tuple[str, ...], layout: Layout) -> None:
    for column, (heading, text) in enumerate(zip(columns, cells, strict=True), start=1):
        if heading == SERIAL:
            cell = sheet.cell(row=row, column=column, value=int(text))
        else:
            cell = _text_cell(sheet, row, column, text)
        laid_out = layout.get(heading, OTHER_COLUMN)
        cell.font = Font(name="宋体", size=11)
        cell.border = GRID
        cell.alignment = Alignment(
            horizontal="center" if laid_out.centred else "left", vertical="center", wrap_text=laid_out.wraps
        )


def _text_cell(sheet: Worksheet, row: int, column: int, text: str) -> Cell:
    """Text stays text: openpyxl would store "=..." as a formula, which a registrant's name or
    unit must never become (formula injection into the hotel's spreadsheet). Control characters
    XML cannot hold are dropped: one pasted into a name must not fail the whole export."""
    cell = sheet.cell(row=row, column=column, value=ILLEGAL_CHARACTERS_RE.sub("", text))
    cell.data_type = "s"
    return cell


def _column_widths(
    sheet: Worksheet, columns: Sequence[str], lines: list[tuple[str, ...]], layout: Layout
) -> None:
    for column, heading in enumerate(columns):
        laid_out = layout.get(heading, OTHER_COLUMN)
        longest = max([_display_width(heading), *(_display_width(line[column]) for line in lines)])
        width = min(max(longest + 2, laid_out.narrowest), laid_out.widest)
        sheet.column_dimensions[get_column_letter(column + 1)].width = width


def _display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: a Chinese character is about two Latin ones wide."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _print_setup(sheet: Worksheet, header_row: int, landscape: bool) -> None:
    sheet.freeze_panes = f"A{header_row + 1}"  # the header stays in view while scrolling
    sheet.print_title_rows = f"{header_row}:{header_row}"  # the header on every printed page
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE if landscape else sheet.ORIENTATION_PORTRAIT
    sheet.page_setup.fitToWidth = 1  # all columns on the page's width, as many pages down as needed
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    footer = HeaderFooterItem()
    footer.center.text = "第 &P 页 / 共 &N 页"  # &P, &N: Excel's page number and count
    sheet.HeaderFooter.oddFooter = footer
