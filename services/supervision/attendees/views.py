from __future__ import annotations

from fastapi import APIRouter

from huiwu.service import SessionDep
from services.supervision.attendees import service
from services.supervision.attendees.models import ParticipantRecord

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/supervision", tags=["supervision-attendees"])


@router.get("/attendees/{attendee_id}", response_model=ParticipantRecord)
def read_participant(meeting_id: str, attendee_id: str, session: SessionDep) -> ParticipantRecord:
    """One person in supervision: the tasks they are responsible for (with the derived overdue flag
    and light) and the cases that name them; empty lists for someone supervision holds nothing on."""
    return service.record_of(session, meeting_id, attendee_id)
