"""The roster as an XLSX workbook: for the registration desk, the hotel, anyone who re-sorts it.

Font names are the ones Chinese offices have (黑体, 楷体, 宋体 ship with Windows and WPS); an XLSX
only names fonts, it cannot embed them, and a machine without them substitutes its own.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.header_footer import HeaderFooterItem
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from services.registration.exports.labels import COLUMNS, roster_cells, roster_title
from services.registration.exports.models import RosterRow

SHEET_TITLE = "名单"
# Per column: (narrowest, widest) in Excel character units, and whether long text wraps.
WIDTHS = {
    "序号": (6, 8, False),
    "姓名": (10, 20, False),
    "性别": (6, 6, False),
    "单位": (16, 40, True),
    "职务": (12, 30, True),
    "类别": (8, 10, False),
    "代表团": (10, 20, True),
    "酒店": (10, 24, True),
    "房号": (6, 10, False),
    "入住日期": (11, 11, False),
    "退房日期": (11, 11, False),
    "同住人": (10, 30, True),
}
OTHER_WIDTH = (8, 30, True)
CENTRED = {"序号", "性别", "类别", "房号", "入住日期", "退房日期"}
THIN = Side(style="thin", color="000000")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill(fill_type="solid", fgColor="D9D9D9")


def roster_xlsx(title: str, note: str | None, rows: list[RosterRow]) -> bytes:
    """One sheet: the title, the note if any, a header row in Chinese, then one line per person."""
    lines = [roster_cells(number, row) for number, row in enumerate(rows, start=1)]
    return table_xlsx(roster_title(title), note, COLUMNS, lines, SHEET_TITLE)


def table_xlsx(
    title: str, note: str | None, columns: Sequence[str], lines: list[tuple[str, ...]], sheet_title: str
) -> bytes:
    """A printable list: title, optional note, a header row, one line each; 序号 is a number."""
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
        _line(sheet, header_row + offset, columns, cells)
    _column_widths(sheet, columns, lines)
    _print_setup(sheet, header_row)
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


def _line(sheet: Worksheet, row: int, columns: Sequence[str], cells: tuple[str, ...]) -> None:
    for column, (heading, text) in enumerate(zip(columns, cells, strict=True), start=1):
        if heading == "序号":  # a number, so the sheet sorts and counts it as one
            cell = sheet.cell(row=row, column=column, value=int(text))
        else:
            cell = _text_cell(sheet, row, column, text)
        cell.font = Font(name="宋体", size=11)
        cell.border = GRID
        cell.alignment = Alignment(
            horizontal="center" if heading in CENTRED else "left",
            vertical="center",
            wrap_text=WIDTHS.get(heading, OTHER_WIDTH)[2],
        )


def _text_cell(sheet: Worksheet, row: int, column: int, text: str) -> Cell:
    """Text stays text: openpyxl would store "=..." as a formula, which a registrant's name or
    unit must never become (formula injection into the hotel's spreadsheet)."""
    cell = sheet.cell(row=row, column=column, value=text)
    cell.data_type = "s"
    return cell


def _column_widths(sheet: Worksheet, columns: Sequence[str], lines: list[tuple[str, ...]]) -> None:
    for column, heading in enumerate(columns):
        narrowest, widest, _ = WIDTHS.get(heading, OTHER_WIDTH)
        longest = max([_display_width(heading), *(_display_width(line[column]) for line in lines)])
        width = min(max(longest + 2, narrowest), widest)
        sheet.column_dimensions[get_column_letter(column + 1)].width = width


def _display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: a Chinese character is about two Latin ones wide."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _print_setup(sheet: Worksheet, header_row: int) -> None:
    sheet.freeze_panes = f"A{header_row + 1}"  # the header stays in view while scrolling
    sheet.print_title_rows = f"{header_row}:{header_row}"  # the header on every printed page
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_PORTRAIT
    sheet.page_setup.fitToWidth = 1  # all columns on the page's width, as many pages down as needed
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    footer = HeaderFooterItem()
    footer.center.text = "第 &P 页 / 共 &N 页"  # &P, &N: Excel's page number and count
    sheet.HeaderFooter.oddFooter = footer
