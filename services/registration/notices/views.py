from __future__ import annotations

from fastapi import APIRouter

from huiwu.service import SessionDep
from services.registration.meetings import service as meetings
from services.registration.notices import service
from services.registration.notices.models import NoticePublic, NoticeStatus

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/notices", tags=["notices"])


@router.get("", response_model=list[NoticePublic])
def list_notices(
    meeting_id: str, session: SessionDep, attendee_id: str | None = None, status: NoticeStatus | None = None
) -> list[NoticePublic]:
    """Notices of changed arrangements, with their delivery status (pending ones are retried)."""
    meetings.get_or_raise(session=session, meeting_id=meeting_id)
    return service.listing(session, meeting_id, attendee_id, status)
