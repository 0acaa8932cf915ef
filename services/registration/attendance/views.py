from __future__ import annotations

from fastapi import APIRouter

from huiwu.service import SessionDep
from services.registration.attendance import service
from services.registration.attendance.models import Attendance, LeaveCreate, LeavePublic

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}", tags=["attendance"])


@router.post("/attendees/{attendee_id}/leave", status_code=201, response_model=LeavePublic)
def grant_leave(meeting_id: str, attendee_id: str, leave_in: LeaveCreate, session: SessionDep) -> LeavePublic:
    leave = service.grant_leave(
        session=session, meeting_id=meeting_id, attendee_id=attendee_id, leave_in=leave_in
    )
    return LeavePublic.model_validate(leave, from_attributes=True)


@router.get("/attendance", response_model=Attendance)
def read_attendance(meeting_id: str, session: SessionDep, session_id: str | None = None) -> Attendance:
    """应到 / 请假 / 实到 / 缺席 for the meeting or one session, by category and delegation, with the
    quorum over members and the sentence the presiding officer reads out."""
    return service.attendance(session=session, meeting_id=meeting_id, session_id=session_id)
