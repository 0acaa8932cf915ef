from __future__ import annotations

from fastapi import APIRouter, Response

from huiwu.events.catalog import AttendeeCategory
from huiwu.pagination import Cursor, Limit, Page, keyset_after, page_of
from huiwu.service import SessionDep
from services.registration.attendees import service
from services.registration.attendees.models import AttendeeCreate, AttendeePublic

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/attendees", tags=["attendees"])


@router.post("", status_code=201, response_model=AttendeePublic)
def register_attendee(
    meeting_id: str, attendee_in: AttendeeCreate, session: SessionDep, response: Response
) -> AttendeePublic:
    attendee = service.register(session=session, meeting_id=meeting_id, attendee_in=attendee_in)
    response.headers["Location"] = f"/api/v1/meetings/{meeting_id}/attendees/{attendee.id}"
    return AttendeePublic.model_validate(attendee, from_attributes=True)


@router.get("", response_model=Page[AttendeePublic])
def list_attendees(
    meeting_id: str,
    session: SessionDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    category: AttendeeCategory | None = None,
) -> Page[AttendeePublic]:
    rows = service.list_page(
        session=session, meeting_id=meeting_id, limit=limit + 1, after=keyset_after(cursor), category=category
    )
    return page_of(rows, limit, AttendeePublic)


@router.get("/{attendee_id}", response_model=AttendeePublic)
def read_attendee(meeting_id: str, attendee_id: str, session: SessionDep) -> AttendeePublic:
    attendee = service.get_or_raise(session=session, meeting_id=meeting_id, attendee_id=attendee_id)
    return AttendeePublic.model_validate(attendee, from_attributes=True)
