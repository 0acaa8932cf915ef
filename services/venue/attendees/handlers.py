from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import Session, col

from huiwu.events.catalog import AttendeeRegistered
from huiwu.events.contract import EventContract
from huiwu.events.envelope import CloudEvent
from huiwu.projections import apply_if_newer
from services.venue.attendees.models import SeatedPerson


def on_attendee_registered(session: Session, _event: CloudEvent, data: EventContract) -> None:
    assert isinstance(data, AttendeeRegistered)
    apply_if_newer(
        session,
        SeatedPerson,
        data.attendee_id,
        data.version,
        {
            "id": data.attendee_id,
            "meeting_id": data.meeting_id,
            "name": data.name,
            "category": data.category,
            "rank": data.rank,
            "delegation": data.delegation,
        },
    )


def count(session: Session, meeting_id: str) -> int:
    query = select(func.count()).select_from(SeatedPerson).where(col(SeatedPerson.meeting_id) == meeting_id)
    return int(session.scalar(query) or 0)
