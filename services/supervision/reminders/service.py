"""Chase notes (催办, 三色督办单, RULES R4.7) going out: by the scheduler, once per colour under each
deadline, when a task climbs to a colour above the notes it was sent; or by hand, at any colour.
Each is a row of the task's 催办 log and a ``task.reminded`` event, committed together."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from huiwu.context import current_actor
from huiwu.db import utcnow
from huiwu.errors import Conflict
from huiwu.events.catalog import ReminderReason, TaskColour, TaskReminded, TaskState
from services.supervision.events import emit
from services.supervision.reminders import wording
from services.supervision.reminders.colours import Thresholds, called_for, sent_level
from services.supervision.reminders.escalation import under_deadline
from services.supervision.reminders.models import RANK, RemindIn, TaskReminder
from services.supervision.tasks.models import Task
from services.supervision.tasks.service import snapshot


class TaskClosed(Conflict):
    code = "task-closed"
    title = "The task is closed"


def send_if_due(
    session: Session, task: Task, notes: Sequence[TaskReminder], limits: Thresholds, now: datetime
) -> TaskReminder | None:
    """The scheduler's note, if the task calls for a colour above the notes under its deadline in
    force (``notes``: all of the task's). One found already red gets the red note alone."""
    current = under_deadline(task, notes)
    blue_notes = [note.reminded_at for note in current if note.colour == TaskColour.blue]
    call = called_for(task, blue_notes, limits, now)
    if RANK[call.colour] <= RANK[sent_level(current)]:
        return None
    assert call.reason is not None  # only green has none, and green never climbs above anything
    return _send(session, task, call.colour, call.reason, wording.restated(task, call, now), now)


def remind(session: Session, task: Task, remind_in: RemindIn) -> TaskReminder:
    """A note by hand, at the colour the office chooses, e.g. straight at red for an urgent item."""
    if task.state == TaskState.closed:
        raise TaskClosed(f"task {task.number} is closed off (销号): it takes no reminders", field="task_id")
    requirement = wording.restated_by_hand(task, remind_in.note, remind_in.time_limit)
    return _send(
        session, task, remind_in.colour, ReminderReason.manual, requirement, utcnow(),
        note=remind_in.note, time_limit=remind_in.time_limit, by=current_actor.get(),
    )  # fmt: skip


def _send(
    session: Session,
    task: Task,
    colour: TaskColour,
    reason: ReminderReason,
    requirement: str,
    now: datetime,
    *,
    note: str | None = None,
    time_limit: datetime | None = None,
    by: str | None = None,
) -> TaskReminder:
    reminder = TaskReminder(
        task_id=task.id, meeting_id=task.meeting_id, colour=colour, reason=reason, deadline=task.deadline,
        task_state=task.state, requirement=requirement, note=note, time_limit=time_limit, reminded_by=by,
        reminded_at=now,
    )  # fmt: skip
    session.add(reminder)
    emit(session, TaskReminded(
        **snapshot(task), meeting_id=task.meeting_id, reminder_id=reminder.id, colour=colour, reason=reason,
        requirement=requirement, note=note, time_limit=time_limit, reminded_by=by, reminded_at=now,
    ), subject=task.id)  # fmt: skip
    return reminder
