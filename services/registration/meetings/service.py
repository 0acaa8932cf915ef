from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, tuple_
from sqlmodel import Session, col

from huiwu.errors import NotFound
from huiwu.events.catalog import MeetingScheduled
from huiwu.outbox import record
from services.registration.meetings.models import Meeting, MeetingCreate

PRODUCER = "registration"


def get_or_raise(*, session: Session, meeting_id: str) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(f"meeting {meeting_id} does not exist", field="meeting_id")
    return meeting


def create(*, session: Session, meeting_in: MeetingCreate) -> Meeting:
    meeting = Meeting.model_validate(meeting_in)
    session.add(meeting)
    record(
        session,
        MeetingScheduled(
            meeting_id=meeting.id,
            name=meeting.name,
            starts_on=meeting.starts_on,
            ends_on=meeting.ends_on,
            status=meeting.status,
        ),
        producer=PRODUCER,
        subject=meeting.id,
        meeting_id=meeting.id,
    )
    return meeting


def list_page(*, session: Session, limit: int, after: tuple[datetime, str] | None) -> list[Meeting]:
    """Oldest first, keyset-paginated on (created_at, id)."""
    query = select(Meeting)
    if after is not None:
        query = query.where(tuple_(col(Meeting.created_at), col(Meeting.id)) > after)
    return list(session.scalars(query.order_by(col(Meeting.created_at), col(Meeting.id)).limit(limit)))
