"""What the scheduler does for tasks: send the chase note each one has come to call for.

Meetings set their own thresholds, so the tasks due a note are looked for once per set of
thresholds in use (a handful: most meetings keep the defaults), each time with an exact SQL
condition (``colours.may_call_for_a_note``). The notes sent are the mark: a colour goes out once
under a deadline, and the rows are locked (``SKIP LOCKED``: a task busy elsewhere waits for the
next pass), so a step taken on the task at that moment is never contradicted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select
from sqlmodel import Session, col

from services.supervision.reminders.colours import Thresholds, may_call_for_a_note
from services.supervision.reminders.escalation import notes_of
from services.supervision.reminders.service import send_if_due
from services.supervision.settings.models import SupervisionSettings
from services.supervision.settings.service import THRESHOLDS
from services.supervision.tasks.models import Task

BATCH = 100
HOURS: tuple[Any, ...] = tuple(getattr(SupervisionSettings, name) for name in THRESHOLDS)


def send_reminders(session: Session, now: datetime) -> int:
    sent = 0
    for limits, meetings in _meetings_by_thresholds(session):
        due = session.scalars(
            select(Task)
            .where(meetings, may_call_for_a_note(limits, now))
            .order_by(col(Task.deadline), col(Task.id))
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        ).all()
        notes = notes_of(session, [task.id for task in due])
        sent += sum(send_if_due(session, task, notes[task.id], limits, now) is not None for task in due)
    return sent


def _meetings_by_thresholds(session: Session) -> Iterator[tuple[Thresholds, ColumnElement[bool]]]:
    """Each set of thresholds in use, with the condition on ``Task`` naming its meetings; the
    defaults also take the meetings with no settings stored."""
    default = tuple(getattr(SupervisionSettings(meeting_id=""), name) for name in THRESHOLDS)
    in_use = {tuple(row) for row in session.execute(select(*HOURS).distinct())}
    for hours in in_use | {default}:
        same_meeting = col(SupervisionSettings.meeting_id) == col(Task.meeting_id)
        alike = (column == count for column, count in zip(HOURS, hours, strict=True))
        meetings: ColumnElement[bool] = exists().where(same_meeting, *alike)
        if hours == default:
            meetings = or_(meetings, ~exists().where(same_meeting))
        yield Thresholds.in_hours(*hours), meetings
