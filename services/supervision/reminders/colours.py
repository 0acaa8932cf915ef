"""三色督办 (RULES R4.7) as this office applies it, with the meeting's thresholds (its settings):

- 红 red: overdue, more than ``red_hours_overdue`` hours past the deadline in force;
- 黄 yellow: ``yellow_hours_left`` hours left or fewer, or a blue note went out under this deadline
  ``yellow_after_blue_hours`` ago or more and nothing has happened on the task since;
- 蓝 blue: ``blue_hours_left`` hours left or fewer, or slow: while it is the departments' turn
  (交办, 办理中, 退回重办), nothing has happened on the task for longer than its report frequency
  (daily, weekly, monthly) allows;
- 绿 green: none of these.

"Something happened" is any step, progress report or deadline move: each stamps the task's
``updated_at``, which chase notes never touch. A task shows the higher of the colour this calls
for now and the highest note already sent under its deadline in force (a note issued by hand at
red makes a red item); a closed task shows none.

The rule is written twice, side by side: in Python (``called_for``, for what a task shows and
what the scheduler sends) and in SQL (``may_call_for_a_note``, for the scheduler to find the
tasks due a note without reading every open task); the tests hold them to the same thresholds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlmodel import col

from huiwu.events.catalog import ReminderReason, ReportFrequency, TaskColour, TaskState
from services.supervision.reminders.models import RANK, TaskReminder
from services.supervision.settings.models import SupervisionSettings
from services.supervision.settings.service import THRESHOLDS
from services.supervision.tasks.models import Task

PERIODS = {
    ReportFrequency.daily: timedelta(days=1),
    ReportFrequency.weekly: timedelta(weeks=1),
    ReportFrequency.monthly: timedelta(days=30),
}
DEPARTMENTS_TURN = (TaskState.assigned, TaskState.in_progress, TaskState.returned)


@dataclass(frozen=True)
class Thresholds:
    blue_left: timedelta
    yellow_left: timedelta
    yellow_after_blue: timedelta
    red_overdue: timedelta

    @classmethod
    def of(cls, settings: SupervisionSettings) -> Thresholds:
        return cls.in_hours(*(getattr(settings, name) for name in THRESHOLDS))

    @classmethod
    def in_hours(cls, *hours: int) -> Thresholds:
        """From the settings' hours, in their order (``settings.service.THRESHOLDS``)."""
        return cls(*(timedelta(hours=count) for count in hours))


@dataclass(frozen=True)
class Call:
    """The colour a task's deadline and progress call for, and why (None when green)."""

    colour: TaskColour
    reason: ReminderReason | None


ON_TRACK = Call(TaskColour.green, None)


def called_for(task: Task, blue_notes: Sequence[datetime], limits: Thresholds, now: datetime) -> Call:
    """``blue_notes``: when blue notes went out under the deadline in force."""
    left = task.deadline - now
    if -left > limits.red_overdue:
        return Call(TaskColour.red, ReminderReason.overdue)
    if left <= limits.yellow_left:
        return Call(TaskColour.yellow, ReminderReason.near_deadline)
    if any(now - sent >= limits.yellow_after_blue and task.updated_at <= sent for sent in blue_notes):
        return Call(TaskColour.yellow, ReminderReason.unanswered)
    if left <= limits.blue_left:
        return Call(TaskColour.blue, ReminderReason.near_deadline)
    period = PERIODS.get(ReportFrequency(task.report_frequency))
    if task.state in DEPARTMENTS_TURN and period is not None and now - task.updated_at > period:
        return Call(TaskColour.blue, ReminderReason.slow)
    return ON_TRACK


def sent_level(notes: Sequence[TaskReminder]) -> TaskColour:
    """The highest colour among ``notes`` (those under the deadline in force); green if none."""
    return max((TaskColour(note.colour) for note in notes), key=RANK.__getitem__, default=TaskColour.green)


def shown(task: Task, notes: Sequence[TaskReminder], limits: Thresholds, now: datetime) -> TaskColour | None:
    """What the task shows: the higher of what is called for and what was sent; None once closed."""
    if task.state == TaskState.closed:
        return None
    blue_notes = [note.reminded_at for note in notes if note.colour == TaskColour.blue]
    colours = (called_for(task, blue_notes, limits, now).colour, sent_level(notes))
    return max(colours, key=RANK.__getitem__)


def may_call_for_a_note(limits: Thresholds, now: datetime) -> ColumnElement[bool]:
    """SQL: an open task whose deadline or progress calls for a colour above the notes it was sent
    under its deadline in force: ``called_for`` with ``sent_level``, as a condition on ``Task``."""
    level = _sent_level_sql()
    return and_(
        col(Task.state) != TaskState.closed,
        or_(
            and_(level < RANK[TaskColour.red], col(Task.deadline) < now - limits.red_overdue),
            and_(
                level < RANK[TaskColour.yellow],
                or_(col(Task.deadline) <= now + limits.yellow_left, _unanswered_sql(limits, now)),
            ),
            and_(
                level < RANK[TaskColour.blue],
                or_(col(Task.deadline) <= now + limits.blue_left, _slow_sql(now)),
            ),
        ),
    )


def _under_deadline_in_force() -> ColumnElement[bool]:
    return and_(col(TaskReminder.task_id) == col(Task.id), col(TaskReminder.deadline) == col(Task.deadline))


def _sent_level_sql() -> ColumnElement[int]:
    rank = case({colour.value: rank for colour, rank in RANK.items()}, value=col(TaskReminder.colour))
    highest = select(func.coalesce(func.max(rank), 0)).where(_under_deadline_in_force())
    return highest.scalar_subquery()


def _unanswered_sql(limits: Thresholds, now: datetime) -> ColumnElement[bool]:
    return exists().where(
        _under_deadline_in_force(),
        col(TaskReminder.colour) == TaskColour.blue,
        col(TaskReminder.reminded_at) <= now - limits.yellow_after_blue,
        col(Task.updated_at) <= col(TaskReminder.reminded_at),
    )


def _slow_sql(now: datetime) -> ColumnElement[bool]:
    return and_(
        col(Task.state).in_(DEPARTMENTS_TURN),
        or_(
            *(
                and_(col(Task.report_frequency) == frequency, col(Task.updated_at) < now - period)
                for frequency, period in PERIODS.items()
            )
        ),
    )
