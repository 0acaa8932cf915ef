from __future__ import annotations

from fastapi import APIRouter, Response

from huiwu.service import SessionDep
from services.registration.groups import service
from services.registration.groups.models import (
    Assignment,
    AutoGrouping,
    GroupCreate,
    GroupPublic,
    GroupUpdate,
)

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/groups", tags=["groups"])


@router.post("", status_code=201, response_model=GroupPublic)
def form_group(
    meeting_id: str, group_in: GroupCreate, session: SessionDep, response: Response
) -> GroupPublic:
    group = service.form(session=session, meeting_id=meeting_id, group_in=group_in)
    response.headers["Location"] = f"/api/v1/meetings/{meeting_id}/groups/{group.id}"
    return service.public(session, group)


@router.get("", response_model=list[GroupPublic])
def list_groups(meeting_id: str, session: SessionDep) -> list[GroupPublic]:
    """The groups in order, with convenor, room and how many people each has. Members: the
    roster with ``?group_id=``."""
    return service.listing(session=session, meeting_id=meeting_id)


@router.post("/auto", status_code=201, response_model=list[GroupPublic])
def form_groups_automatically(
    meeting_id: str, grouping: AutoGrouping, session: SessionDep
) -> list[GroupPublic]:
    """Form groups 第一组… and place members and observers: leaders spread over the groups, whole
    delegations into the smallest group so far (balanced sizes)."""
    service.auto_group(session=session, meeting_id=meeting_id, count=grouping.count)
    return service.listing(session=session, meeting_id=meeting_id)


@router.patch("/{group_id}", response_model=GroupPublic)
def update_group(meeting_id: str, group_id: str, changes: GroupUpdate, session: SessionDep) -> GroupPublic:
    group = service.update(session=session, meeting_id=meeting_id, group_id=group_id, changes=changes)
    return service.public(session, group)


@router.post("/{group_id}/members", response_model=GroupPublic)
def assign_members(
    meeting_id: str, group_id: str, assignment: Assignment, session: SessionDep
) -> GroupPublic:
    """Move these people into the group (from whichever group they were in)."""
    group = service.assign(
        session=session, meeting_id=meeting_id, group_id=group_id, attendee_ids=assignment.attendee_ids
    )
    return service.public(session, group)
