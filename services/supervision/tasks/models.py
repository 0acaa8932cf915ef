"""Tracked tasks (督办事项, RULES R4.2): the register, every transition, every deadline, the
extension requests, the progress and completion reports and their files."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic import Field as PydanticField
from pydantic_core import PydanticCustomError
from sqlalchemy import JSON, LargeBinary, String, Text, UniqueConstraint
from sqlmodel import Field

from huiwu.db import UTCDateTime, utcnow
from huiwu.events.catalog import (
    DeadlineReason,
    ReportFrequency,
    TaskAction,
    TaskColour,
    TaskSourceKind,
    TaskState,
)
from services.supervision.database import Table
from services.supervision.reminders.models import ReminderPublic

Words = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Report = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]
Department = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Person = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def _in_future(moment: datetime) -> datetime:
    if moment <= utcnow():
        raise PydanticCustomError("not_in_future", "a deadline must lie ahead")
    return moment


Deadline = Annotated[AwareDatetime, AfterValidator(_in_future)]


class Task(Table, table=True):
    """One matter (一事一项), numbered once when registered."""

    __tablename__ = "task"
    __table_args__ = (UniqueConstraint("meeting_id", "year", "serial", name="uq_task_number"),)

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    meeting_id: str = Field(index=True, max_length=36)
    number: str = Field(max_length=100)
    year: int
    serial: int
    content: str = Field(sa_type=Text)
    source_kind: TaskSourceKind = Field(sa_type=String(20))
    source_reference: str | None = Field(default=None, max_length=200)
    source_session_id: str | None = Field(default=None, max_length=36)
    lead_department: str = Field(max_length=100)
    supporting_departments: list[str] = Field(default_factory=list, sa_type=JSON)
    responsible_person: str = Field(max_length=50)
    responsible_attendee_id: str | None = Field(default=None, max_length=36)
    deadline: datetime = Field(sa_type=UTCDateTime)
    report_frequency: ReportFrequency = Field(sa_type=String(10))
    state: TaskState = Field(default=TaskState.registered, sa_type=String(20))
    round: int = 1
    version: int = 1
    registered_by: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class TaskTransition(Table, table=True):
    """The history: who moved the task, from what to what, when, and what they wrote."""

    __tablename__ = "task_transition"

    task_id: str = Field(foreign_key="task.id", primary_key=True, max_length=36)
    version: int = Field(primary_key=True)  # the task's version it made
    action: TaskAction = Field(sa_type=String(20))
    from_state: TaskState | None = Field(default=None, sa_type=String(20))
    to_state: TaskState = Field(sa_type=String(20))
    actor: str | None = Field(default=None, max_length=100)
    department: str | None = Field(default=None, max_length=100)
    note: str | None = Field(default=None, sa_type=Text)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TaskDeadline(Table, table=True):
    """Every deadline the task has had, the first one included."""

    __tablename__ = "task_deadline"

    task_id: str = Field(foreign_key="task.id", primary_key=True, max_length=36)
    version: int = Field(primary_key=True)
    deadline: datetime = Field(sa_type=UTCDateTime)
    reason: DeadlineReason = Field(sa_type=String(20))
    set_by: str | None = Field(default=None, max_length=100)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ExtensionStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    denied = "denied"


class TaskExtension(Table, table=True):
    """An extension request (延期申请, RULES R4.5) and what became of it."""

    __tablename__ = "task_extension"

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    task_id: str = Field(foreign_key="task.id", index=True, max_length=36)
    department: str = Field(max_length=100)
    reasons: str = Field(sa_type=Text)
    progress: str = Field(sa_type=Text)
    requested_deadline: datetime = Field(sa_type=UTCDateTime)
    previous_deadline: datetime = Field(sa_type=UTCDateTime)
    status: ExtensionStatus = Field(default=ExtensionStatus.pending, sa_type=String(10))
    requested_by: str | None = Field(default=None, max_length=100)
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_by: str | None = Field(default=None, max_length=100)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    opinion: str | None = Field(default=None, sa_type=Text)


class ReportKind(StrEnum):
    progress = "progress"  # 进展, from the lead or a supporting department
    feedback = "feedback"  # 反馈, the completion report, from the lead department only


class TaskReport(Table, table=True):
    __tablename__ = "task_report"

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    task_id: str = Field(foreign_key="task.id", index=True, max_length=36)
    version: int  # the task's version it made
    kind: ReportKind = Field(sa_type=String(10))
    department: str = Field(max_length=100)
    text: str = Field(sa_type=Text)
    reported_by: str | None = Field(default=None, max_length=100)
    reported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TaskAttachment(Table, table=True):
    """A file sent with a report, kept in the database with its SHA-256."""

    __tablename__ = "task_attachment"

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    report_id: str = Field(foreign_key="task_report.id", index=True, max_length=36)
    task_id: str = Field(foreign_key="task.id", index=True, max_length=36)
    position: int  # the order it was sent in with its report
    filename: str = Field(max_length=200)
    media_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    content: bytes = Field(sa_type=LargeBinary)


class Source(BaseModel):
    """任务来源: the meeting's decision and its item, a leader's instruction, a session…"""

    model_config = ConfigDict(extra="forbid")

    kind: TaskSourceKind
    reference: Reference | None = PydanticField(default=None, description="e.g. 全会决议第3项, 王书记批示")
    session_id: str | None = PydanticField(default=None, max_length=36, description="the agenda session")

    @model_validator(mode="after")
    def _cites_something(self) -> Source:
        if self.kind == TaskSourceKind.session and self.session_id is None:
            raise PydanticCustomError("session_required", "a task from a session names the session_id")
        if self.reference is None and self.session_id is None:
            raise PydanticCustomError("reference_required", "name the decision, instruction or item cited")
        return self


class TaskCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: Report = PydanticField(description="事项内容")
    source: Source
    lead_department: Department = PydanticField(description="承办/牵头单位: exactly one")
    supporting_departments: list[Department] = PydanticField(
        default_factory=list, max_length=30, description="协办单位"
    )
    responsible_person: Person = PydanticField(description="责任人")
    responsible_attendee_id: str | None = PydanticField(
        default=None, max_length=36, description="the responsible person, if on the meeting's roster"
    )
    deadline: Deadline = PydanticField(description="办理时限, with a time zone, e.g. +08:00")
    report_frequency: ReportFrequency = PydanticField(default=ReportFrequency.weekly, description="反馈频次")

    @field_validator("supporting_departments")
    @classmethod
    def _each_once(cls, departments: list[str]) -> list[str]:
        if len(set(departments)) != len(departments):
            raise PydanticCustomError("departments_repeated", "a supporting department is named twice")
        return departments


class Note(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Words | None = PydanticField(default=None, description="交办意见 or any remark")


class Review(BaseModel):
    model_config = ConfigDict(extra="forbid")

    opinion: Words = PydanticField(description="审核意见")


class ExtensionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    department: Department = PydanticField(description="the lead department, which alone may ask")
    reasons: Words
    progress: Words = PydanticField(description="what has been done so far")
    new_deadline: AwareDatetime = PydanticField(description="later than the deadline now in force")


class ExtensionDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    opinion: Words | None = None


class ExtensionDenial(BaseModel):
    model_config = ConfigDict(extra="forbid")

    opinion: Words = PydanticField(description="why not")


class Feedback(BaseModel):
    model_config = ConfigDict(extra="forbid")

    department: Department = PydanticField(description="the lead department, in whose name it is sent")
    report: Report = PydanticField(description="办结报告")


class Reopen(BaseModel):
    model_config = ConfigDict(extra="forbid")

    instruction: Words = PydanticField(description="the leader's new instruction (新批示)")
    deadline: Deadline | None = PydanticField(default=None, description="a new deadline, if it has one")


class SourcePublic(BaseModel):
    kind: TaskSourceKind
    reference: str | None
    session_id: str | None


class TaskPublic(BaseModel):
    id: str
    meeting_id: str
    number: str
    content: str
    source: SourcePublic
    lead_department: str
    supporting_departments: list[str]
    responsible_person: str
    responsible_attendee_id: str | None
    deadline: datetime = PydanticField(description="the deadline in force")
    report_frequency: ReportFrequency
    state: TaskState
    state_label: str = PydanticField(description="the state in Chinese: 办理中, 已反馈（待审核）…")
    overdue: bool = PydanticField(description="past the deadline and not closed: derived, never stored")
    colour: TaskColour | None = PydanticField(
        description="三色督办 (RULES R4.7), derived now: the higher of what the deadline and progress "
        "call for and the chase notes sent under the deadline in force; None once closed"
    )
    reminders: list[ReminderPublic] = PydanticField(description="催办 log, oldest first, every deadline's")
    allowed_actions: list[TaskAction]
    round: int
    version: int
    registered_by: str | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None


class TransitionPublic(BaseModel):
    version: int
    action: TaskAction
    from_state: TaskState | None
    to_state: TaskState
    actor: str | None
    department: str | None
    note: str | None
    at: datetime


class DeadlinePublic(BaseModel):
    version: int
    deadline: datetime
    reason: DeadlineReason
    set_by: str | None
    at: datetime


class ExtensionPublic(BaseModel):
    id: str
    department: str
    reasons: str
    progress: str
    requested_deadline: datetime
    previous_deadline: datetime
    status: ExtensionStatus
    requested_by: str | None
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    opinion: str | None


class AttachmentPublic(BaseModel):
    id: str
    filename: str
    media_type: str
    size: int
    sha256: str
    url: str


class ReportPublic(BaseModel):
    id: str
    kind: ReportKind
    department: str
    text: str
    reported_by: str | None
    reported_at: datetime
    attachments: list[AttachmentPublic]


class TaskDetail(TaskPublic):
    transitions: list[TransitionPublic] = PydanticField(description="oldest first, 立项 included")
    deadlines: list[DeadlinePublic] = PydanticField(description="every deadline, the first one included")
    extensions: list[ExtensionPublic]
    reports: list[ReportPublic] = PydanticField(description="progress and completion reports, oldest first")
