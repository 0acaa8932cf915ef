"""The people documents issues copies to, as registration's events tell it, in protocol order."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from huiwu.chinese import NameOrderMode, stroke_key
from huiwu.events.catalog import AttendeeCategory, AttendeeStatus
from services.documents.attendees.models import Recipient

CATEGORY_ORDER = {category: position for position, category in enumerate(AttendeeCategory)}


def roster(session: Session, meeting_id: str) -> list[Recipient]:
    """Everyone on the meeting's roster now, in protocol order: copies are numbered in it."""
    query = select(Recipient).where(
        col(Recipient.meeting_id) == meeting_id, col(Recipient.status) == AttendeeStatus.registered
    )
    return sorted(session.scalars(query), key=protocol_key)


def protocol_key(person: Recipient) -> tuple[Any, ...]:
    """Category, the office's rank, then surname strokes (RULES §2; mode A, the usual one)."""
    return (
        CATEGORY_ORDER[AttendeeCategory(person.category)],
        person.rank is None,
        person.rank or 0,
        stroke_key(person.name, NameOrderMode.surname),
        person.id,
    )
