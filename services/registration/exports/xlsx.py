"""The roster as an XLSX workbook: for the registration desk, the hotel, anyone who re-sorts it
(the sheet itself is drawn by huiwu.spreadsheets)."""

from __future__ import annotations

from huiwu.spreadsheets import Column, Layout, table_xlsx
from services.registration.exports.labels import COLUMNS, roster_cells, roster_title
from services.registration.exports.models import RosterRow

SHEET_TITLE = "名单"
# The columns of registration's lists (roster, hotel, kitchen) by heading.
LAYOUT: Layout = {
    "姓名": Column(10, 20),
    "性别": Column(6, 6, centred=True),
    "单位": Column(16, 40, wraps=True),
    "职务": Column(12, 30, wraps=True),
    "类别": Column(8, 10, centred=True),
    "代表团": Column(10, 20, wraps=True),
    "酒店": Column(10, 24, wraps=True),
    "房号": Column(6, 10, centred=True),
    "入住日期": Column(11, 11, centred=True),
    "退房日期": Column(11, 11, centred=True),
    "同住人": Column(10, 30, wraps=True),
}


def roster_xlsx(title: str, note: str | None, rows: list[RosterRow]) -> bytes:
    """One sheet: the title, the note if any, a header row in Chinese, then one line per person."""
    lines = [roster_cells(number, row) for number, row in enumerate(rows, start=1)]
    return table_xlsx(roster_title(title), note, COLUMNS, lines, SHEET_TITLE, LAYOUT)
