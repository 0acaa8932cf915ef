"""The 催办 log (RULES R4.2, R4.7): every chase note a task was sent, the colour, why, the
requirement restated, and the deadline it chased. Nothing here is ever changed or deleted: an
extension that moves the deadline starts a new escalation and leaves the old notes standing."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, StringConstraints, field_validator
from pydantic import Field as PydanticField
from pydantic_core import PydanticCustomError
from sqlalchemy import Index, String, Text
from sqlmodel import Field

from huiwu.db import UTCDateTime, utcnow
from huiwu.events.catalog import ReminderReason, TaskColour, TaskState
from services.supervision.database import Table

# The rank of each colour: a note goes out only when a task climbs above what it was sent.
RANK = {TaskColour.green: 0, TaskColour.blue: 1, TaskColour.yellow: 2, TaskColour.red: 3}
NAMES = {TaskColour.green: "绿色", TaskColour.blue: "蓝色", TaskColour.yellow: "黄色", TaskColour.red: "红色"}

Words = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


def notice_name(colour: TaskColour) -> str:
    """蓝色督办单, 黄色督办单, 红色督办单."""
    return f"{NAMES[colour]}督办单"


class TaskReminder(Table, table=True):
    __tablename__ = "task_reminder"
    # The escalation under a deadline is read by (task, deadline) on every scheduler pass.
    __table_args__ = (Index("ix_task_reminder_task_deadline", "task_id", "deadline"),)

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    task_id: str = Field(foreign_key="task.id", max_length=36)
    meeting_id: str = Field(index=True, max_length=36)
    colour: TaskColour = Field(sa_type=String(10))
    reason: ReminderReason = Field(sa_type=String(20))
    deadline: datetime = Field(sa_type=UTCDateTime)  # the deadline in force it chased
    task_state: TaskState = Field(sa_type=String(20))
    requirement: str = Field(sa_type=Text)
    note: str | None = Field(default=None, sa_type=Text)
    time_limit: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reminded_by: str | None = Field(default=None, max_length=100)  # None: the scheduler
    reminded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def _in_future(moment: datetime) -> datetime:
    if moment <= utcnow():
        raise PydanticCustomError("not_in_future", "a time limit must lie ahead")
    return moment


class RemindIn(BaseModel):
    """A chase note issued by hand: at any colour, e.g. straight at yellow (orange) or red for a
    major or urgent item (RULES R4.7)."""

    model_config = ConfigDict(extra="forbid")

    colour: TaskColour = PydanticField(description="blue, yellow (orange) or red")
    note: Words = PydanticField(description="what the office requires, and why now")
    time_limit: Annotated[AwareDatetime, AfterValidator(_in_future)] | None = PydanticField(
        default=None, description="answer by then, with a time zone, e.g. +08:00"
    )

    @field_validator("colour")
    @classmethod
    def _a_note_colour(cls, colour: TaskColour) -> TaskColour:
        if colour == TaskColour.green:
            raise PydanticCustomError("not_a_note_colour", "a chase note is blue, yellow or red, never green")
        return colour


class ReminderPublic(BaseModel):
    id: str
    colour: TaskColour
    notice: str = PydanticField(description="蓝色督办单, 黄色督办单 or 红色督办单")
    reason: ReminderReason
    requirement: str = PydanticField(description="the requirement restated, as the note prints it")
    note: str | None
    time_limit: datetime | None
    deadline: datetime = PydanticField(description="the deadline it chased (an extension starts anew)")
    task_state: TaskState = PydanticField(description="the task's state when it went out")
    reminded_by: str | None = PydanticField(description="None: sent by the scheduler")
    reminded_at: datetime
