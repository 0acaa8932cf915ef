"""Reading a roster file (CSV or XLSX) into rows of text, with the headers offices use.

Headers may be in Chinese (姓名, 单位, 职务 …) or the API's own field names. The row numbers are
the spreadsheet's, so a report can say "row 7" and staff find it at once.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from openpyxl import load_workbook

# Header (as written in the file, without spaces) → attendee field; "needs.x" fill the needs object.
HEADERS = {
    "姓名": "name", "性别": "gender", "单位": "organization", "工作单位": "organization",
    "职务": "title", "类别": "category", "人员类别": "category", "排序": "rank", "位次": "rank",
    "代表团": "delegation", "分组": "delegation", "电话": "phone", "手机": "phone", "联系电话": "phone",
    "身份证号": "id_number", "身份证号码": "id_number", "饮食": "needs.diet", "饮食要求": "needs.diet",
    "无障碍": "needs.accessibility", "医疗": "needs.medical", "备注": "needs.notes",
    "邮箱": "email", "电子邮箱": "email", "电子邮件": "email",
}  # fmt: skip
FIELDS = {
    "name", "gender", "organization", "title", "category", "rank", "delegation", "phone", "email",
    "id_number",
}  # fmt: skip
NEEDS = {"diet", "accessibility", "medical", "notes"}
REQUIRED = ("name", "organization", "title")
ZIP_MAGIC = b"PK\x03\x04"  # an XLSX is a zip archive


class UnreadableFile(ValueError):
    """The file is not a CSV or XLSX roster we can read; ``rule`` names why."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


@dataclass(frozen=True)
class Sheet:
    columns: dict[int, str]  # position → field
    ignored: list[str]  # headers we do not know
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells)


def read(content: bytes) -> Sheet:
    table = _xlsx_rows(content) if content.startswith(ZIP_MAGIC) else _csv_rows(content)
    header_row = next(((number, cells) for number, cells in table if any(cells)), None)
    if header_row is None:
        raise UnreadableFile("empty_file", "the file has no header row")
    columns, ignored = _columns(header_row[1])
    missing = [field for field in REQUIRED if field not in columns.values()]
    if missing:
        raise UnreadableFile("missing_columns", f"the header row lacks: {', '.join(missing)}")
    data = [(number, cells) for number, cells in table if number > header_row[0] and any(cells)]
    return Sheet(columns, ignored, data)


def field_of(header: str) -> str | None:
    key = "".join(header.split())
    if key in HEADERS:
        return HEADERS[key]
    lowered = key.lower()
    if lowered in FIELDS:
        return lowered
    if lowered.startswith("needs.") and lowered.removeprefix("needs.") in NEEDS:
        return lowered
    return None


def _columns(headers: list[str]) -> tuple[dict[int, str], list[str]]:
    columns: dict[int, str] = {}
    ignored: list[str] = []
    for position, header in enumerate(headers):
        field = field_of(header)
        if field is None:
            if header.strip():
                ignored.append(header.strip())
        elif field not in columns.values():
            columns[position] = field
    return columns, ignored


def _csv_rows(content: bytes) -> list[tuple[int, list[str]]]:
    text = _decode(content)
    return [
        (number, [cell.strip() for cell in cells])
        for number, cells in enumerate(csv.reader(io.StringIO(text)), 1)
    ]


def _decode(content: bytes) -> str:
    # Excel on Chinese Windows saves CSV as GB18030 (GBK); everything else as UTF-8, often with a BOM.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("encoding", "the CSV is neither UTF-8 nor GB18030")


def _xlsx_rows(content: bytes) -> list[tuple[int, list[str]]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise UnreadableFile("unreadable_xlsx", f"the XLSX cannot be read: {error}") from error
    try:
        sheet = workbook.worksheets[0]
        return [
            (number, [_text(cell) for cell in cells])
            for number, cells in enumerate(sheet.iter_rows(values_only=True), 1)
        ]
    finally:
        workbook.close()


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # a rank typed as 3 comes back as 3.0
    return str(cell).strip()
