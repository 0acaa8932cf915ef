from __future__ import annotations

from sqlmodel import Session

from huiwu.events.catalog import AttendeeRegistered
from huiwu.events.contract import EventContract
from huiwu.events.envelope import CloudEvent
from huiwu.projections import project
from services.venue.attendees.models import SeatedPerson


def on_attendee_registered(session: Session, _event: CloudEvent, data: EventContract) -> None:
    assert isinstance(data, AttendeeRegistered)
    project(session, SeatedPerson, data.attendee_id, data, version=data.version)
