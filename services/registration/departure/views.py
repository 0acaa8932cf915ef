"""``/attendees/{id}/departure``: ask to leave (离会) and see whether documents let the person go."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from huiwu.service import SessionDep
from services.registration.departure import service
from services.registration.departure.models import DeparturePublic

PATH = "/api/v1/meetings/{meeting_id}/attendees/{attendee_id}/departure"
ASKED_ALREADY: dict[int | str, dict[str, Any]] = {
    200: {"model": DeparturePublic, "description": "asked already; no answer from documents yet"}
}

router = APIRouter(prefix=PATH, tags=["departure"])


@router.post("", status_code=202, response_model=DeparturePublic, responses=ASKED_ALREADY)
def request_departure(
    meeting_id: str, attendee_id: str, session: SessionDep, response: Response
) -> DeparturePublic:
    """离会: ask documents whether the person has returned every copy (202). Asking again while
    documents has not answered returns the same request (200); after a refusal, documents is
    asked again (202); a person who has left cannot ask again (409). Follow it with GET."""
    departure, asked = service.request(session=session, meeting_id=meeting_id, attendee_id=attendee_id)
    if not asked:
        response.status_code = 200
    response.headers["Location"] = PATH.format(meeting_id=meeting_id, attendee_id=attendee_id)
    return service.public(departure)


@router.get("", response_model=DeparturePublic)
def read_departure(meeting_id: str, attendee_id: str, session: SessionDep) -> DeparturePublic:
    """requested, departed or blocked, with the copies still out and the reasons in Chinese."""
    departure = service.get_or_raise(session=session, meeting_id=meeting_id, attendee_id=attendee_id)
    return service.public(departure)
