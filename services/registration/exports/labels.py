"""The Chinese words every export prints, kept in one place so the XLSX and the PDF agree."""

from __future__ import annotations

from services.registration.exports.models import RosterRow

CATEGORY_LABELS = {"member": "出席", "observer": "列席", "guest": "来宾", "staff": "工作人员"}
GENDER_LABELS = {"male": "男", "female": "女"}
COLUMNS = ("序号", "姓名", "性别", "单位", "职务", "类别", "代表团")


def roster_title(meeting_name: str) -> str:
    return f"{meeting_name} 名单"


def category_label(category: str) -> str:
    try:
        return CATEGORY_LABELS[category]
    except KeyError:
        raise ValueError(
            f"unknown category {category!r}; expected one of {sorted(CATEGORY_LABELS)}"
        ) from None


def roster_cells(number: int, row: RosterRow) -> tuple[str, ...]:
    """The printed cells of one roster line, in the order of COLUMNS."""
    return (
        str(number),
        row.name,
        GENDER_LABELS.get(row.gender or "", ""),  # left blank when not known
        row.organization,
        row.title,
        category_label(row.category),
        row.delegation or "",
    )
