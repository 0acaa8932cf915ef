from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from huiwu.pagination import Cursor, Limit, Page, keyset_after, page_of
from huiwu.service import SessionDep
from services.supervision.opinions import service
from services.supervision.opinions.models import OpinionCreate, OpinionKind, OpinionPublic

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/opinions", tags=["opinions"])

Filter = Annotated[str | None, Query(max_length=100)]


@router.post("", status_code=201, response_model=OpinionPublic)
def record_opinion(
    meeting_id: str, opinion_in: OpinionCreate, session: SessionDep, response: Response
) -> OpinionPublic:
    """Record an opinion or suggestion heard in a group discussion: the speaker from the roster
    (printed with their registered 职务) or by name and post."""
    opinion = service.record(session, meeting_id, opinion_in)
    response.headers["Location"] = f"/api/v1/meetings/{meeting_id}/opinions/{opinion.id}"
    return service.public(opinion)


@router.get("", response_model=Page[OpinionPublic])
def list_opinions(
    meeting_id: str,
    session: SessionDep,
    group_id: Filter = None,
    group_name: Filter = None,
    session_id: Filter = None,
    kind: OpinionKind | None = None,
    speaker_id: Filter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[OpinionPublic]:
    """In the order they were recorded; filtered by group, session, kind or speaker (attendee id)."""
    rows = service.page(
        session, meeting_id, limit=limit + 1, after=keyset_after(cursor, "opinions"), group_id=group_id,
        group_name=group_name, session_id=session_id, kind=kind, speaker_id=speaker_id,
    )  # fmt: skip
    return page_of([service.public(row) for row in rows], limit, OpinionPublic, "opinions")


@router.get("/{opinion_id}", response_model=OpinionPublic)
def read_opinion(meeting_id: str, opinion_id: str, session: SessionDep) -> OpinionPublic:
    return service.public(service.get_or_raise(session, meeting_id, opinion_id))
