"""What tasks show of their escalation: the colour now and the 催办 log, read for many tasks at
once (a page of the list, the report) with one query for the notes and one for the settings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from huiwu.events.catalog import TaskColour
from services.supervision.reminders.colours import Thresholds, shown
from services.supervision.reminders.models import ReminderPublic, TaskReminder, notice_name
from services.supervision.settings.models import SupervisionSettings
from services.supervision.tasks.models import Task


@dataclass(frozen=True)
class Escalation:
    colour: TaskColour | None  # None once closed
    reminders: list[TaskReminder]  # every note, oldest first, whichever deadline it chased


def escalations(session: Session, tasks: Sequence[Task], now: datetime) -> dict[str, Escalation]:
    """Each task's escalation by id."""
    if not tasks:
        return {}
    notes = notes_of(session, [task.id for task in tasks])
    limits = thresholds(session, {task.meeting_id for task in tasks})
    return {
        task.id: Escalation(
            colour=shown(task, under_deadline(task, notes[task.id]), limits[task.meeting_id], now),
            reminders=notes[task.id],
        )
        for task in tasks
    }


def notes_of(session: Session, task_ids: Sequence[str]) -> defaultdict[str, list[TaskReminder]]:
    found = session.scalars(
        select(TaskReminder)
        .where(col(TaskReminder.task_id).in_(task_ids))
        .order_by(col(TaskReminder.reminded_at), col(TaskReminder.id))
    )
    by_task: defaultdict[str, list[TaskReminder]] = defaultdict(list)
    for note in found:
        by_task[note.task_id].append(note)
    return by_task


def under_deadline(task: Task, notes: Sequence[TaskReminder]) -> list[TaskReminder]:
    """The notes that chased the deadline in force: an extension starts the escalation anew."""
    return [note for note in notes if note.deadline == task.deadline]


def thresholds(session: Session, meeting_ids: set[str]) -> defaultdict[str, Thresholds]:
    """Each meeting's thresholds; the defaults for a meeting whose office changed nothing."""
    stored = session.scalars(
        select(SupervisionSettings).where(col(SupervisionSettings.meeting_id).in_(meeting_ids))
    )
    defaults = Thresholds.of(SupervisionSettings(meeting_id=""))
    limits: defaultdict[str, Thresholds] = defaultdict(lambda: defaults)
    limits.update({row.meeting_id: Thresholds.of(row) for row in stored})
    return limits


def public(note: TaskReminder) -> ReminderPublic:
    fields = ReminderPublic.model_fields.keys() - {"notice"}
    return ReminderPublic(
        **{name: getattr(note, name) for name in fields}, notice=notice_name(TaskColour(note.colour))
    )
