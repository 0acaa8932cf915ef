"""A person's whole record at the registration desk, read in one go."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from huiwu.db import utcnow
from services.registration.attendance.models import Leave, LeavePublic
from services.registration.attendees import service as attendees
from services.registration.attendees.models import AttendeePublic
from services.registration.checkin.models import Scan
from services.registration.departure import service as departures
from services.registration.departure.models import Departure
from services.registration.record.models import AttendeeRecord, ScanPublic
from services.registration.requests import service as requests
from services.registration.requests.models import AttendeeRequest


def record_of(*, session: Session, meeting_id: str, attendee_id: str) -> AttendeeRecord:
    attendee = attendees.get_or_raise(session=session, meeting_id=meeting_id, attendee_id=attendee_id)
    scans = session.scalars(select(Scan).where(col(Scan.attendee_id) == attendee.id).order_by(col(Scan.at)))
    leave = session.scalars(
        select(Leave).where(col(Leave.attendee_id) == attendee.id).order_by(col(Leave.granted_at))
    )
    asked = session.scalars(
        select(AttendeeRequest)
        .where(col(AttendeeRequest.attendee_id) == attendee.id)
        .order_by(col(AttendeeRequest.created_at))
    )
    departure = session.scalars(select(Departure).where(col(Departure.attendee_id) == attendee.id)).first()
    now = utcnow()
    return AttendeeRecord(
        attendee=AttendeePublic.model_validate(attendee, from_attributes=True),
        checkins=[ScanPublic.model_validate(scan, from_attributes=True) for scan in scans],
        leave=[LeavePublic.model_validate(granted, from_attributes=True) for granted in leave],
        requests=[requests.public(request, now) for request in asked],
        departure=departures.public(departure) if departure is not None else None,
    )
