"""The orders a roster is listed in (RULES.md §2.5–§2.6).

Protocol order: category first (出席 before 列席 before 来宾 before 工作人员), then the rank the
office supplied (leaders, by post), then everyone else by surname strokes in the meeting's
single-name mode. Every order ends with registration order, so identical names stay as entered
and each attendee has a unique key (pages are cut after a key, never at an offset).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from huiwu.chinese import NameOrderMode, pinyin_key, stroke_key
from huiwu.events.catalog import AttendeeCategory
from services.registration.attendees.models import Attendee

CATEGORY_ORDER = {category: position for position, category in enumerate(AttendeeCategory)}
ORDER_NOTE = {NameOrderMode.surname: "（按姓氏笔画为序）", NameOrderMode.full_name: "（按姓名笔画为序）"}


class RosterOrder(StrEnum):
    registration = "registration"  # as registered
    protocol = "protocol"  # category, rank, strokes
    pinyin = "pinyin"  # category, pinyin


def roster_key(attendee: Attendee, order: RosterOrder, mode: NameOrderMode) -> list[Any]:
    """A JSON-friendly sort key, unique per attendee."""
    registered = [attendee.created_at.isoformat(), attendee.id]
    category = CATEGORY_ORDER[attendee.category]
    if order is RosterOrder.protocol:
        unranked = attendee.rank is None
        return [category, unranked, attendee.rank or 0, list(stroke_key(attendee.name, mode)), *registered]
    if order is RosterOrder.pinyin:
        syllables, strokes = pinyin_key(attendee.name)
        return [category, list(syllables), list(strokes), *registered]
    return registered
