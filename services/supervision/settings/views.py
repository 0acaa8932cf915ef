from __future__ import annotations

from fastapi import APIRouter, Response

from huiwu import preconditions
from huiwu.preconditions import IfMatch
from huiwu.service import SessionDep
from services.supervision.settings import service
from services.supervision.settings.models import SettingsPublic, SettingsUpdate

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/supervision/settings", tags=["supervision-settings"])


@router.get("", response_model=SettingsPublic)
def read_settings(meeting_id: str, session: SessionDep, response: Response) -> SettingsPublic:
    """How the meeting's tasks are numbered and when their chase notes turn blue, yellow, red."""
    settings = service.settings_of(session, meeting_id)
    preconditions.tag(response, settings.version)
    return service.public(session, settings)


@router.put("", response_model=SettingsPublic)
def set_settings(
    meeting_id: str,
    settings_in: SettingsUpdate,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> SettingsPublic:
    """Replace the settings (what is left out takes its default). Numbers already given stay.
    With ``If-Match``, only if nobody changed them since (else 412; the defaults are "0")."""
    preconditions.require(if_match, session, lambda: service.locked(session, meeting_id))
    settings = service.update(session, meeting_id, settings_in)
    preconditions.tag(response, settings.version)
    return service.public(session, settings)
