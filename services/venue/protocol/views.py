from __future__ import annotations

from fastapi import APIRouter, Response
from sqlmodel import Session

from huiwu import preconditions
from huiwu.preconditions import IfMatch
from huiwu.service import SessionDep
from services.venue.protocol import service
from services.venue.protocol.models import ProtocolPublic, ProtocolSettings, ProtocolUpdate
from services.venue.seating import service as seating

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/protocol", tags=["protocol"])


@router.get("", response_model=ProtocolPublic)
def read_protocol(meeting_id: str, session: SessionDep, response: Response) -> ProtocolPublic:
    service.meeting_or_raise(session, meeting_id)
    settings = service.settings_of(session, meeting_id)
    preconditions.tag(response, settings.version)
    return ProtocolPublic.of(settings)


@router.put("", response_model=ProtocolPublic)
def set_protocol(
    meeting_id: str,
    settings_in: ProtocolUpdate,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> ProtocolPublic:
    """Set the meeting's protocol choices; every session of the meeting is re-planned at once.
    With ``If-Match``, only if nobody changed them since (else 412; the defaults are "0")."""
    preconditions.require(if_match, session, lambda: _settings_in_turn(session, meeting_id))
    settings = service.update(session, meeting_id, settings_in)
    seating.replan_meeting(session, meeting_id, reason="protocol_changed")
    preconditions.tag(response, settings.version)
    return ProtocolPublic.of(settings)


def _settings_in_turn(session: Session, meeting_id: str) -> ProtocolSettings:
    """The settings, once this request holds the meeting's row: writers of a meeting's settings
    take turns on it, also the first ones, when no settings row exists yet to lock."""
    session.refresh(service.meeting_or_raise(session, meeting_id), with_for_update=True)
    return service.settings_of(session, meeting_id)
