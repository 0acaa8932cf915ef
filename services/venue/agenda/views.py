from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlmodel import Session

from huiwu import preconditions
from huiwu.pagination import Cursor, Limit, Page, page_after
from huiwu.preconditions import IfMatch
from huiwu.service import SessionDep
from services.venue.agenda import service
from services.venue.agenda.models import Cancellation, RoomSwitch, SessionCreate, SessionPublic, SessionUpdate
from services.venue.protocol import service as protocol

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/sessions", tags=["agenda"])

OnDay = Annotated[date | None, Query(description="only the sessions starting on this day, Beijing time")]


@router.post("", status_code=201, response_model=SessionPublic)
def schedule_session(
    meeting_id: str, session_in: SessionCreate, session: SessionDep, response: Response
) -> SessionPublic:
    """Add a session (plenary, group or ad-hoc). Collisions are refused with 409 naming what
    collides: the room, the seats, people expected elsewhere, a presiding officer not on the roster."""
    agenda = service.schedule(session, meeting_id, session_in)
    response.headers["Location"] = f"/api/v1/meetings/{meeting_id}/sessions/{agenda.id}"
    return service.public(session, agenda)


@router.get("", response_model=Page[SessionPublic])
def read_agenda(
    meeting_id: str, session: SessionDep, on: OnDay = None, limit: Limit = 50, cursor: Cursor = None
) -> Page[SessionPublic]:
    """The agenda (会议日程) in time order; ``on``: one day's sessions (Beijing time)."""
    protocol.meeting_or_raise(session, meeting_id)
    rows = service.agenda_of(session, meeting_id, on)
    keyed = [([row.starts_at.isoformat(), row.id], row) for row in rows]
    rows, next_cursor = page_after(keyed, cursor, limit, scope="sessions")
    return Page[SessionPublic](items=[service.public(session, row) for row in rows], next_cursor=next_cursor)


@router.get("/{session_id}", response_model=SessionPublic)
def read_session(meeting_id: str, session_id: str, session: SessionDep, response: Response) -> SessionPublic:
    return _tagged(response, service.public(session, service.get_or_raise(session, meeting_id, session_id)))


@router.patch("/{session_id}", response_model=SessionPublic)
def change_session(
    meeting_id: str,
    session_id: str,
    changes: SessionUpdate,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> SessionPublic:
    """Change time, length, room, presiding officer or who is expected; the seating is re-planned
    and every department is told (``venue.agenda.changed``). With ``If-Match``, only if nobody
    changed the session since (else 412)."""
    _unchanged(session, meeting_id, session_id, if_match)
    return _tagged(
        response, service.public(session, service.update(session, meeting_id, session_id, changes))
    )


@router.post("/{session_id}/cancel", response_model=SessionPublic)
def cancel_session(
    meeting_id: str,
    session_id: str,
    cancellation: Cancellation,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> SessionPublic:
    _unchanged(session, meeting_id, session_id, if_match)
    cancelled = service.cancel(session, meeting_id, session_id, cancellation.reason)
    return _tagged(response, service.public(session, cancelled))


@router.post("/{session_id}/switch-room", response_model=SessionPublic)
def switch_room(
    meeting_id: str,
    session_id: str,
    switch: RoomSwitch,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> SessionPublic:
    """Move to a backup room (预案): seats, name cards and microphones are re-planned."""
    _unchanged(session, meeting_id, session_id, if_match)
    switched = service.switch_room(session, meeting_id, session_id, switch)
    return _tagged(response, service.public(session, switched))


def _unchanged(session: Session, meeting_id: str, session_id: str, if_match: str | None) -> None:
    preconditions.require(if_match, session, lambda: service.get_or_raise(session, meeting_id, session_id))


def _tagged(response: Response, public: SessionPublic) -> SessionPublic:
    preconditions.tag(response, public.version)
    return public
