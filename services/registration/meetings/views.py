from __future__ import annotations

from fastapi import APIRouter, Response

from huiwu import preconditions
from huiwu.pagination import Cursor, Limit, Page, keyset_after, page_of
from huiwu.preconditions import IfMatch
from huiwu.service import SessionDep
from services.registration.meetings import service
from services.registration.meetings.models import MeetingCreate, MeetingPublic, MeetingUpdate

router = APIRouter(prefix="/api/v1/meetings", tags=["meetings"])


@router.post("", status_code=201, response_model=MeetingPublic)
def create_meeting(meeting_in: MeetingCreate, session: SessionDep, response: Response) -> MeetingPublic:
    meeting = service.create(session=session, meeting_in=meeting_in)
    response.headers["Location"] = f"/api/v1/meetings/{meeting.id}"
    return MeetingPublic.model_validate(meeting, from_attributes=True)


@router.get("", response_model=Page[MeetingPublic])
def list_meetings(session: SessionDep, limit: Limit = 50, cursor: Cursor = None) -> Page[MeetingPublic]:
    rows = service.list_page(session=session, limit=limit + 1, after=keyset_after(cursor, "meetings"))
    return page_of(rows, limit, MeetingPublic, "meetings")


@router.get("/{meeting_id}", response_model=MeetingPublic)
def read_meeting(meeting_id: str, session: SessionDep, response: Response) -> MeetingPublic:
    meeting = service.get_or_raise(session=session, meeting_id=meeting_id)
    preconditions.tag(response, meeting.version)
    return MeetingPublic.model_validate(meeting, from_attributes=True)


@router.patch("/{meeting_id}", response_model=MeetingPublic)
def update_meeting(
    meeting_id: str, changes: MeetingUpdate, session: SessionDep, response: Response, if_match: IfMatch = None
) -> MeetingPublic:
    """Change details or move the status one step (draft → notified → in_session → closed).
    With ``If-Match``, only if nobody changed the meeting since (else 412)."""
    preconditions.require(
        if_match, session, lambda: service.get_or_raise(session=session, meeting_id=meeting_id)
    )
    meeting = service.update(session=session, meeting_id=meeting_id, changes=changes)
    preconditions.tag(response, meeting.version)
    return MeetingPublic.model_validate(meeting, from_attributes=True)
