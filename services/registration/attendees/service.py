from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, tuple_
from sqlmodel import Session, col

from huiwu.errors import NotFound
from huiwu.events.catalog import AttendeeCategory, AttendeeRegistered
from huiwu.outbox import record
from services.registration.attendees.models import Attendee, AttendeeCreate
from services.registration.meetings import service as meetings

PRODUCER = "registration"


def register(*, session: Session, meeting_id: str, attendee_in: AttendeeCreate) -> Attendee:
    meetings.get_or_raise(session=session, meeting_id=meeting_id)
    attendee = Attendee.model_validate({**attendee_in.model_dump(), "meeting_id": meeting_id})
    session.add(attendee)
    record(
        session,
        AttendeeRegistered(
            meeting_id=meeting_id,
            attendee_id=attendee.id,
            version=attendee.version,
            name=attendee.name,
            organization=attendee.organization,
            title=attendee.title,
            category=attendee.category,
            gender=attendee.gender,
            rank=attendee.rank,
            delegation=attendee.delegation,
        ),
        producer=PRODUCER,
        subject=attendee.id,
        meeting_id=meeting_id,
    )
    return attendee


def get_or_raise(*, session: Session, meeting_id: str, attendee_id: str) -> Attendee:
    meetings.get_or_raise(session=session, meeting_id=meeting_id)
    attendee = session.get(Attendee, attendee_id)
    if attendee is None or attendee.meeting_id != meeting_id:
        raise NotFound(f"attendee {attendee_id} is not on meeting {meeting_id}'s roster", field="attendee_id")
    return attendee


def list_page(
    *,
    session: Session,
    meeting_id: str,
    limit: int,
    after: tuple[datetime, str] | None,
    category: AttendeeCategory | None,
) -> list[Attendee]:
    """Registration order, keyset-paginated on (created_at, id)."""
    meetings.get_or_raise(session=session, meeting_id=meeting_id)
    query = select(Attendee).where(col(Attendee.meeting_id) == meeting_id)
    if category is not None:
        query = query.where(col(Attendee.category) == category)
    if after is not None:
        query = query.where(tuple_(col(Attendee.created_at), col(Attendee.id)) > after)
    query = query.order_by(col(Attendee.created_at), col(Attendee.id)).limit(limit)
    return list(session.scalars(query))
