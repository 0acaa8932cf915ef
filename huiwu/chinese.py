"""Ordering Chinese names: by surname strokes (姓氏笔画, RULES.md §2) and by pinyin.

Characters are compared by their place in ``data/stroke_order.txt`` (stroke count first, then
the 横竖撇点折 sequence). ICU/CLDR "stroke" collation is *not* this rule (RULES §2.4).

Two modes for two-character names (单名), chosen per list (RULES R2.3):

- ``surname`` (按姓氏笔画, mode A): the missing middle character counts as zero strokes, so
  田富 comes before 田大利;
- ``full_name`` (按姓名笔画, mode B): characters are compared in place, so 田大利 (大, 3
  strokes) comes before 田富 (富, 12).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from functools import cache
from pathlib import Path

from pypinyin import Style, lazy_pinyin

_TABLE = Path(__file__).parent / "data" / "stroke_order.txt"
_EMPTY_SLOT = 0  # before every character: the missing middle of a two-character name (mode A)
_MIDDLE_DOT = "·•・‧"  # separators in transliterated names (e.g. 阿依古丽·买买提) carry no strokes


class NameOrderMode(StrEnum):
    surname = "surname"  # 按姓氏笔画 (mode A)
    full_name = "full_name"  # 按姓名笔画 (mode B)


@cache
def _ranks() -> dict[str, int]:
    return {char: rank for rank, char in enumerate(_TABLE.read_text(encoding="utf-8").strip(), start=1)}


def unknown_characters(name: str) -> list[str]:
    """Characters of ``name`` the stroke table does not know; a human should check such names."""
    ranks = _ranks()
    return [char for char in name if char not in ranks and char not in _MIDDLE_DOT and not char.isspace()]


def stroke_key(name: str, mode: NameOrderMode = NameOrderMode.surname) -> tuple[int, ...]:
    """Sort key of a name by strokes. Unknown characters sort after every known one."""
    ranks = _ranks()
    beyond = len(ranks) + 1
    chars = [char for char in name.strip() if char not in _MIDDLE_DOT and not char.isspace()]
    key = [ranks.get(char, beyond + ord(char)) for char in chars]
    if mode == NameOrderMode.surname and len(key) == 2:
        key.insert(1, _EMPTY_SLOT)
    return tuple(key)


def pinyin_key(name: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Sort key by pinyin (with tone numbers), strokes breaking ties between homophones."""
    return tuple(lazy_pinyin(name, style=Style.TONE3, neutral_tone_with_five=True)), stroke_key(name)


# Meetings are held, and their times printed, in Beijing time: UTC+8 all year (no daylight saving
# since 1991), so no time-zone database is needed (slim images have none).
CHINA_TIME = timezone(timedelta(hours=8), "CST")


def local_date(moment: datetime) -> date:
    """The calendar day in China of an aware ``moment``."""
    return moment.astimezone(CHINA_TIME).date()
