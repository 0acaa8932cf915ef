from __future__ import annotations

from fastapi import APIRouter

from huiwu.service import SessionDep
from services.registration.freeze import service
from services.registration.freeze.models import ChangeStatus, Decision, Freeze, RosterChangePublic
from services.registration.meetings.models import MeetingPublic

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/roster", tags=["roster"])


@router.post("/freeze", response_model=MeetingPublic)
def freeze_roster(meeting_id: str, freeze: Freeze, session: SessionDep) -> MeetingPublic:
    """From now on a change of people is a request an authorised person approves (202)."""
    meeting = service.freeze(session=session, meeting_id=meeting_id, by=freeze.by)
    return MeetingPublic.model_validate(meeting, from_attributes=True)


@router.post("/unfreeze", response_model=MeetingPublic)
def unfreeze_roster(meeting_id: str, freeze: Freeze, session: SessionDep) -> MeetingPublic:
    meeting = service.unfreeze(session=session, meeting_id=meeting_id, by=freeze.by)
    return MeetingPublic.model_validate(meeting, from_attributes=True)


@router.get("/changes", response_model=list[RosterChangePublic])
def list_changes(
    meeting_id: str, session: SessionDep, status: ChangeStatus | None = None
) -> list[RosterChangePublic]:
    changes = service.listing(session=session, meeting_id=meeting_id, status=status)
    return [RosterChangePublic.model_validate(change, from_attributes=True) for change in changes]


@router.post("/changes/{change_id}/approve", response_model=RosterChangePublic)
def approve_change(
    meeting_id: str, change_id: str, decision: Decision, session: SessionDep
) -> RosterChangePublic:
    """Apply the change as it was asked for; who and when are kept."""
    change = service.decide(
        session=session, meeting_id=meeting_id, change_id=change_id, decision=decision, approve=True
    )
    return RosterChangePublic.model_validate(change, from_attributes=True)


@router.post("/changes/{change_id}/reject", response_model=RosterChangePublic)
def reject_change(
    meeting_id: str, change_id: str, decision: Decision, session: SessionDep
) -> RosterChangePublic:
    change = service.decide(
        session=session, meeting_id=meeting_id, change_id=change_id, decision=decision, approve=False
    )
    return RosterChangePublic.model_validate(change, from_attributes=True)
