from __future__ import annotations

from fastapi import APIRouter

from huiwu.service import SessionDep
from services.registration.record import service
from services.registration.record.models import AttendeeRecord

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/attendees", tags=["attendees"])


@router.get("/{attendee_id}/record", response_model=AttendeeRecord)
def read_record(meeting_id: str, attendee_id: str, session: SessionDep) -> AttendeeRecord:
    """One person in one read: the roster entry (ID number masked), sign-ins and sign-outs, leave,
    requests and errands, and the request to leave with documents' answer."""
    return service.record_of(session=session, meeting_id=meeting_id, attendee_id=attendee_id)
