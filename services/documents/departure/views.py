"""``/attendees/{id}/clearance``: may the person leave, as documents sees it now."""

from __future__ import annotations

from fastapi import APIRouter

from huiwu.service import SessionDep
from services.documents.departure import service
from services.documents.departure.models import ClearancePublic

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/attendees/{attendee_id}", tags=["departure"])


@router.get("/clearance", response_model=ClearancePublic)
def read_clearance(meeting_id: str, attendee_id: str, session: SessionDep) -> ClearancePublic:
    """离会清退: the copies still with the person and documents' answer to their latest request to
    leave. A person documents does not know has nothing outstanding."""
    return service.clearance(session, meeting_id, attendee_id)
