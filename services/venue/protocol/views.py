from __future__ import annotations

from fastapi import APIRouter

from huiwu.service import SessionDep
from services.venue.protocol import service
from services.venue.protocol.models import ProtocolPublic, ProtocolUpdate
from services.venue.seating import service as seating

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/protocol", tags=["protocol"])


@router.get("", response_model=ProtocolPublic)
def read_protocol(meeting_id: str, session: SessionDep) -> ProtocolPublic:
    service.meeting_or_raise(session, meeting_id)
    return ProtocolPublic.of(service.settings_of(session, meeting_id))


@router.put("", response_model=ProtocolPublic)
def set_protocol(meeting_id: str, settings_in: ProtocolUpdate, session: SessionDep) -> ProtocolPublic:
    """Set the meeting's protocol choices; every session of the meeting is re-planned at once."""
    settings = service.update(session, meeting_id, settings_in)
    seating.replan_meeting(session, meeting_id, reason="protocol_changed")
    return ProtocolPublic.of(settings)
