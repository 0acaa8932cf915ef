"""The meetings supervision knows (kept by the kernel's ``meeting_handlers``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from huiwu.errors import NotFound
from services.supervision.meetings.models import KnownMeeting


def meeting_or_raise(session: Session, meeting_id: str, *, lock: bool = False) -> KnownMeeting:
    """The meeting; ``lock`` holds its row until the transaction ends (on PostgreSQL; SQLite has
    one writer at a time anyway)."""
    query = select(KnownMeeting).where(col(KnownMeeting.id) == meeting_id)
    meeting = session.scalars(query.with_for_update() if lock else query).first()
    if meeting is None:
        raise NotFound(
            f"meeting {meeting_id} is not known to supervision "
            "(a meeting just created arrives within a moment)",
            field="meeting_id",
        )
    return meeting
