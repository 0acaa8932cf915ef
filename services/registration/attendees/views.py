from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import Field

from huiwu.events.catalog import AttendeeCategory
from huiwu.pagination import Cursor, Limit, Page, page_after
from huiwu.service import SessionDep
from services.registration.attendees import service
from services.registration.attendees.models import AttendeeCreate, AttendeePublic
from services.registration.attendees.order import ORDER_NOTE, RosterOrder

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/attendees", tags=["attendees"])


@router.post("", status_code=201, response_model=AttendeePublic)
def register_attendee(
    meeting_id: str, attendee_in: AttendeeCreate, session: SessionDep, response: Response
) -> AttendeePublic:
    attendee = service.register(session=session, meeting_id=meeting_id, attendee_in=attendee_in)
    response.headers["Location"] = f"/api/v1/meetings/{meeting_id}/attendees/{attendee.id}"
    return AttendeePublic.model_validate(attendee, from_attributes=True)


class RosterPage(Page[AttendeePublic]):
    order_note: str | None = Field(
        description="the note to print under a roster title, e.g. （按姓氏笔画为序）"
    )


@router.get("", response_model=RosterPage)
def list_attendees(
    meeting_id: str,
    session: SessionDep,
    order: RosterOrder = RosterOrder.registration,
    category: AttendeeCategory | None = None,
    delegation: str | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> RosterPage:
    """The roster. ``order=protocol``: category, then the office's rank, then surname strokes in
    the meeting's single-name mode."""
    keyed, mode = service.roster(
        session=session,
        meeting_id=meeting_id,
        order=order,
        where=service.RosterFilter(category=category, delegation=delegation),
    )
    rows, next_cursor = page_after(keyed, cursor, limit, scope=f"attendees:{order}")
    return RosterPage(
        items=[AttendeePublic.model_validate(row, from_attributes=True) for row in rows],
        next_cursor=next_cursor,
        order_note=ORDER_NOTE[mode] if order is RosterOrder.protocol else None,
    )


@router.get("/{attendee_id}", response_model=AttendeePublic)
def read_attendee(meeting_id: str, attendee_id: str, session: SessionDep) -> AttendeePublic:
    attendee = service.get_or_raise(session=session, meeting_id=meeting_id, attendee_id=attendee_id)
    return AttendeePublic.model_validate(attendee, from_attributes=True)
