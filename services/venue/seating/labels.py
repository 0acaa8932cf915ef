"""How a seat is named on charts, cards and notices."""

from __future__ import annotations

from huiwu.events.catalog import SeatArea

_ROW_NUMERALS = "一二三四五六七八九十"


def seat_label(area: SeatArea, row: int, column: int) -> str:
    """主席台第一排3号 (podium rows are few, and said in words), 5排12座 in the hall."""
    if area == SeatArea.podium:
        spoken = _ROW_NUMERALS[row - 1] if row <= len(_ROW_NUMERALS) else str(row)
        return f"主席台第{spoken}排{column}号"
    return f"{row}排{column}座"
