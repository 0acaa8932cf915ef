from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse
from pydantic import Field
from sqlmodel import Session

from huiwu import preconditions
from huiwu.events.catalog import AttendeeCategory, AttendeeStatus
from huiwu.pagination import Cursor, Limit, Page, page_after
from huiwu.preconditions import IfMatch
from huiwu.service import SessionDep
from services.registration import people
from services.registration.attendees import service
from services.registration.attendees.models import (
    AttendeeCreate,
    AttendeePublic,
    AttendeeUpdate,
    SubstituteCreate,
    Withdrawal,
)
from services.registration.attendees.order import ORDER_NOTE, RosterOrder
from services.registration.freeze.holding import HELD, held_for_approval
from services.registration.freeze.models import ChangeKind

RosterStatus = Annotated[
    AttendeeStatus | None, Query(description="default: those on the roster now (registered)")
]

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/attendees", tags=["attendees"])


@router.post("", status_code=201, response_model=AttendeePublic, responses=HELD)
def register_attendee(
    meeting_id: str, attendee_in: AttendeeCreate, session: SessionDep, response: Response
) -> AttendeePublic | JSONResponse:
    if held := held_for_approval(session, meeting_id, ChangeKind.register, None, attendee_in):
        return held
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
    group_id: str | None = None,
    status: RosterStatus = AttendeeStatus.registered,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> RosterPage:
    """The roster. ``order=protocol``: category, then the office's rank, then surname strokes in
    the meeting's single-name mode."""
    keyed, mode = service.roster(
        session=session,
        meeting_id=meeting_id,
        order=order,
        where=service.RosterFilter(
            category=category, delegation=delegation, status=status, group_id=group_id
        ),
    )
    rows, next_cursor = page_after(keyed, cursor, limit, scope=f"attendees:{order}")
    return RosterPage(
        items=[AttendeePublic.model_validate(row, from_attributes=True) for row in rows],
        next_cursor=next_cursor,
        order_note=ORDER_NOTE[mode] if order is RosterOrder.protocol else None,
    )


@router.get("/{attendee_id}", response_model=AttendeePublic)
def read_attendee(
    meeting_id: str, attendee_id: str, session: SessionDep, response: Response
) -> AttendeePublic:
    attendee = service.get_or_raise(session=session, meeting_id=meeting_id, attendee_id=attendee_id)
    preconditions.tag(response, attendee.version)
    return AttendeePublic.model_validate(attendee, from_attributes=True)


@router.patch("/{attendee_id}", response_model=AttendeePublic, responses=HELD)
def update_attendee(
    meeting_id: str,
    attendee_id: str,
    changes: AttendeeUpdate,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> AttendeePublic | JSONResponse:
    """With ``If-Match``, only if nobody changed the person since (else 412)."""
    _unchanged(session, meeting_id, attendee_id, if_match)
    if held := held_for_approval(session, meeting_id, ChangeKind.update, attendee_id, changes):
        return held
    attendee = service.update(
        session=session, meeting_id=meeting_id, attendee_id=attendee_id, changes=changes
    )
    preconditions.tag(response, attendee.version)
    return AttendeePublic.model_validate(attendee, from_attributes=True)


@router.post("/{attendee_id}/withdraw", response_model=AttendeePublic, responses=HELD)
def withdraw_attendee(
    meeting_id: str,
    attendee_id: str,
    withdrawal: Withdrawal,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> AttendeePublic | JSONResponse:
    _unchanged(session, meeting_id, attendee_id, if_match)
    if held := held_for_approval(session, meeting_id, ChangeKind.withdraw, attendee_id, withdrawal):
        return held
    attendee = service.withdraw(
        session=session, meeting_id=meeting_id, attendee_id=attendee_id, withdrawal=withdrawal
    )
    people.after_withdrawal(session, attendee)
    preconditions.tag(response, attendee.version)
    return AttendeePublic.model_validate(attendee, from_attributes=True)


def _unchanged(session: Session, meeting_id: str, attendee_id: str, if_match: str | None) -> None:
    preconditions.require(
        if_match,
        session,
        lambda: service.get_or_raise(session=session, meeting_id=meeting_id, attendee_id=attendee_id),
    )


@router.post("/{attendee_id}/substitute", status_code=201, response_model=AttendeePublic, responses=HELD)
def substitute_attendee(
    meeting_id: str,
    attendee_id: str,
    substitute_in: SubstituteCreate,
    session: SessionDep,
    response: Response,
) -> AttendeePublic | JSONResponse:
    """Another person takes this place; answers with the substitute, now on the roster."""
    if held := held_for_approval(session, meeting_id, ChangeKind.substitute, attendee_id, substitute_in):
        return held
    original, replacement = service.substitute(
        session=session, meeting_id=meeting_id, attendee_id=attendee_id, substitute_in=substitute_in
    )
    people.after_substitution(session, original, replacement)
    response.headers["Location"] = f"/api/v1/meetings/{meeting_id}/attendees/{replacement.id}"
    return AttendeePublic.model_validate(replacement, from_attributes=True)
