"""Keeping the meetings' names from registration's ``meeting.scheduled/updated`` events."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from huiwu.errors import NotFound
from huiwu.events.catalog import MeetingScheduled, MeetingUpdated
from huiwu.events.contract import EventContract
from huiwu.events.envelope import CloudEvent
from huiwu.projections import apply_if_newer
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


def apply_meeting(session: Session, _event: CloudEvent, data: EventContract) -> None:
    assert isinstance(data, MeetingScheduled | MeetingUpdated)
    version = data.version if isinstance(data, MeetingUpdated) else 1
    apply_if_newer(
        session, KnownMeeting, data.meeting_id, version, {"id": data.meeting_id, "name": data.name}
    )
