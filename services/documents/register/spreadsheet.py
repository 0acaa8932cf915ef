"""The return register as an XLSX workbook (文件清退登记表), for the secrecy office to check off and
file; times in Beijing time."""

from __future__ import annotations

from datetime import datetime

from huiwu.chinese import CHINA_TIME
from huiwu.spreadsheets import Column, Layout, table_xlsx
from services.documents.register.models import RegisterRow
from services.documents.register.service import REGISTER_TITLE

SHEET_TITLE = "清退登记"
COLUMNS = (
    "序号", "文件标题", "文号", "密级和保密期限", "份号", "领取人", "单位", "发放时间", "发放人",
    "状态", "清退时间", "交回人", "接收人", "是否完整", "留存批准文号", "备注",
)  # fmt: skip
TIME = Column(17, 17, centred=True)
PERSON = Column(8, 16)
LAYOUT: Layout = {
    "文件标题": Column(16, 36, wraps=True),
    "文号": Column(10, 24, wraps=True),
    "密级和保密期限": Column(10, 16, centred=True),
    "份号": Column(9, 9, centred=True),
    "领取人": PERSON,
    "单位": Column(12, 30, wraps=True),
    "发放时间": TIME,
    "发放人": PERSON,
    "状态": Column(8, 12, centred=True),
    "清退时间": TIME,
    "交回人": PERSON,
    "接收人": PERSON,
    "是否完整": Column(8, 8, centred=True),
    "留存批准文号": Column(10, 24, wraps=True),
    "备注": Column(12, 40, wraps=True),
}
YES_NO = {True: "是", False: "否", None: ""}


def register_xlsx(rows: list[RegisterRow]) -> bytes:
    lines = [_cells(number, row) for number, row in enumerate(rows, start=1)]
    return table_xlsx(REGISTER_TITLE, None, COLUMNS, lines, SHEET_TITLE, LAYOUT, landscape=True)


def _cells(number: int, row: RegisterRow) -> tuple[str, ...]:
    return (
        str(number), row.title, row.reference or "", row.marking, row.copy_no, row.holder or "",
        row.organization or "", _beijing(row.issued_at), row.issued_by or "", row.status,
        _beijing(row.returned_at), row.returned_by or "", row.received_by or "", YES_NO[row.complete],
        row.approval_reference or "", row.remarks or "",
    )  # fmt: skip


def _beijing(moment: datetime | None) -> str:
    return moment.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M") if moment else ""
