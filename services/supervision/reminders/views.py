from __future__ import annotations

from fastapi import APIRouter

from huiwu.service import SessionDep
from services.supervision.reminders import service
from services.supervision.reminders.escalation import public
from services.supervision.reminders.models import ReminderPublic, RemindIn
from services.supervision.tasks import service as tasks

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/tasks", tags=["reminders"])


@router.post("/{task_id}/remind", status_code=201, response_model=ReminderPublic)
def remind(meeting_id: str, task_id: str, remind_in: RemindIn, session: SessionDep) -> ReminderPublic:
    """催办 by hand: a blue, yellow (orange) or red note at any time the task is open, e.g. straight
    at red for a major or urgent item. It restates the requirement, may set a time limit for the
    answer, and joins the task's 催办 log; the scheduler's notes go on from the colour it reached."""
    task = tasks.get_or_raise(session, meeting_id, task_id, for_update=True)
    return public(service.remind(session, task, remind_in))
