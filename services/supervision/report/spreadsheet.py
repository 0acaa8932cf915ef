"""The report to leaders as an XLSX workbook: one tab per section (总体情况, 各牵头单位, 逾期事项,
督查案件), each headed by the report's title and as-of time, then its paragraphs and its table.
Counts are numbers and percentages are percentages, so the office can re-sort and re-add them;
text stays text (never a formula). Looks as the kernel's lists do (huiwu/spreadsheets.py)."""

from __future__ import annotations

import io
import math
import unicodedata

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from huiwu.spreadsheets import GRID, HEADER_FILL
from services.supervision.report import tables
from services.supervision.report.models import LeadersReport

NARROWEST, WIDEST = 8, 50  # column widths, in Excel's character units
LINE_HEIGHT = 20  # points
TITLE_FONT = Font(name="黑体", size=16, bold=True)
NOTE_FONT = Font(name="楷体", size=12)
HEADING_FONT = Font(name="黑体", size=11, bold=True)
BODY_FONT = Font(name="宋体", size=11)
WRAPPED = Alignment(horizontal="left", vertical="center", wrap_text=True)


def report_xlsx(report: LeadersReport) -> bytes:
    workbook = Workbook()
    first = workbook.active
    assert first is not None  # a new workbook always has one sheet
    workbook.remove(first)
    for section in tables.sections(report):
        _sheet(workbook.create_sheet(section.sheet), report, section)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet(sheet: Worksheet, report: LeadersReport, section: tables.Section) -> None:
    widths = _widths(sheet, section)
    banners = [(report.title, TITLE_FONT), (report.as_of_text, NOTE_FONT), (section.heading, HEADING_FONT)]
    banners += [(paragraph, BODY_FONT) for paragraph in section.paragraphs]
    for row, (text, font) in enumerate(banners, start=1):
        _banner(sheet, row, text, font, widths)
    header = len(banners) + 1
    for column, text in enumerate(section.columns, start=1):
        cell = _text(sheet, header, column, text)
        cell.font, cell.fill, cell.border = HEADING_FONT, HEADER_FILL, GRID
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for row, cells in enumerate(section.lines, start=header + 1):
        for column, value in enumerate(cells, start=1):
            _value(sheet, row, column, value)
    sheet.freeze_panes = f"A{header + 1}"
    sheet.print_title_rows = f"{header}:{header}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4


def _banner(sheet: Worksheet, row: int, text: str, font: Font, widths: list[int]) -> None:
    cell = _text(sheet, row, 1, text)
    cell.font, cell.alignment = font, WRAPPED
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(widths))
    # A merged cell does not grow with its text: as many lines as it takes across the table's width.
    sheet.row_dimensions[row].height = LINE_HEIGHT * math.ceil((_width(text) + 2) / sum(widths))


def _value(sheet: Worksheet, row: int, column: int, value: tables.Cell) -> None:
    if isinstance(value, tables.Percent):
        cell = sheet.cell(row=row, column=column, value=value.value / 100)
        cell.number_format = "0%"
    elif isinstance(value, int):
        cell = sheet.cell(row=row, column=column, value=value)
    else:
        cell = _text(sheet, row, column, value)
    cell.font, cell.border, cell.alignment = BODY_FONT, GRID, WRAPPED


def _text(sheet: Worksheet, row: int, column: int, text: str) -> Cell:
    """Text stays text: a unit's name or an item beginning with "=" never becomes a formula.
    Control characters XML cannot hold are dropped rather than failing the whole report."""
    cell = sheet.cell(row=row, column=column, value=ILLEGAL_CHARACTERS_RE.sub("", text))
    cell.data_type = "s"
    return cell


def _widths(sheet: Worksheet, section: tables.Section) -> list[int]:
    """Each column as wide as its longest text needs, within bounds; the widths set."""
    widths = []
    for index, heading in enumerate(section.columns):
        longest = max([_width(heading), *(_width(str(line[index])) for line in section.lines)])
        widths.append(min(max(longest + 2, NARROWEST), WIDEST))
        sheet.column_dimensions[get_column_letter(index + 1)].width = widths[-1]
    return widths


def _width(text: str) -> int:
    """Columns a text takes: a Chinese character is about two Latin ones wide."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
