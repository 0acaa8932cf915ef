"""Cases (事件/案件) opened from other departments' events, the missing-copy report, and the
delegates' requests supervision follows (its projection of registration's requests)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints
from pydantic import Field as PydanticField
from sqlalchemy import String, Text
from sqlmodel import Field

from huiwu.db import UTCDateTime, utcnow
from huiwu.events.catalog import CaseKind, CaseState, Classification, RequestKind, RequestStatus
from services.supervision.database import Table

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Place = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Words = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class Case(Table, table=True):
    """One case, linked to its cause: a missing copy (document and copy number) or a request."""

    __tablename__ = "supervision_case"

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    meeting_id: str = Field(index=True, max_length=36)
    kind: CaseKind = Field(sa_type=String(20))
    state: CaseState = Field(default=CaseState.open, sa_type=String(10), index=True)
    title: str = Field(max_length=300)
    # One case per cause, however often it is announced: "copy:<document>:<份号>" or "request:<id>".
    cause_key: str = Field(unique=True, max_length=100)
    cause_event_id: str | None = Field(default=None, max_length=36)
    document_id: str | None = Field(default=None, max_length=36)
    copy_no: str | None = Field(default=None, max_length=6)
    classification: Classification | None = Field(default=None, sa_type=String(20))
    request_id: str | None = Field(default=None, max_length=36)
    report_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    # When the scheduler sent the warning and the alert, so each goes out once.
    warned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    alerted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reported_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_by: str | None = Field(default=None, max_length=50)
    outcome: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class LostCopy(Table, table=True):
    """What documents said of a missing copy (its ``copy.missing`` event)."""

    __tablename__ = "lost_copy"

    case_id: str = Field(foreign_key="supervision_case.id", primary_key=True, max_length=36)
    document_title: str = Field(max_length=200)
    marking: str = Field(max_length=40)
    holder_id: str | None = Field(default=None, max_length=36)
    discovered_at: datetime = Field(sa_type=UTCDateTime)
    circumstances: str = Field(sa_type=Text)


class LossReport(Table, table=True):
    """The report of a missing copy (RULES R3.8: content, level, quantity and medium; how it was
    found; who is responsible; time, place and course; harm; investigation; remedies)."""

    __tablename__ = "loss_report"

    case_id: str = Field(foreign_key="supervision_case.id", primary_key=True, max_length=36)
    medium: str = Field(max_length=50)
    lost_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lost_where: str = Field(max_length=200)
    course: str = Field(sa_type=Text)
    responsible: str = Field(max_length=50)
    harm: str = Field(sa_type=Text)
    investigation: str = Field(sa_type=Text)
    measures: str = Field(sa_type=Text)
    reported_by: str = Field(max_length=50)
    secrecy_bureau: str = Field(max_length=200)
    superior: str = Field(max_length=200)
    reported_at: datetime = Field(sa_type=UTCDateTime)


class FollowedRequest(Table, table=True):
    """A delegate's request or errand as registration announces it; kept to follow it up once it
    is past due. ``kind`` and ``text`` are empty until ``request.opened`` arrives (redelivery can
    bring a ``request.progressed`` first)."""

    __tablename__ = "followed_request"

    id: str = Field(primary_key=True, max_length=36)
    meeting_id: str = Field(index=True, max_length=36)
    kind: RequestKind | None = Field(default=None, sa_type=String(10))
    text: str | None = Field(default=None, sa_type=Text)
    attendee_id: str | None = Field(default=None, max_length=36)
    assigned_to: str | None = Field(default=None, max_length=50)
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    status: RequestStatus = Field(default=RequestStatus.open, sa_type=String(12))
    resolution: str | None = Field(default=None, sa_type=Text)
    follow_up_id: str | None = Field(default=None, max_length=36)
    version: int


class ReportIn(BaseModel):
    """The 24-hour report of a missing copy as filed (RULES R3.8). The facts documents gave (the
    document, its level, the copy number, its holder, when and how it was found) are already on
    the case."""

    model_config = ConfigDict(extra="forbid")

    medium: Name = PydanticField(default="纸质文件", description="载体: 纸质文件, 光盘, U盘…")
    lost_at: AwareDatetime | None = PydanticField(default=None, description="when it was lost, if known")
    lost_where: Place = PydanticField(description="where it was lost (or 不详)")
    course: Words = PydanticField(description="the course of events (经过)")
    responsible: Name = PydanticField(description="the person responsible (责任人)")
    harm: Words = PydanticField(description="harm caused or possible (危害及影响)")
    investigation: Words = PydanticField(description="what the investigation found so far (调查情况)")
    measures: Words = PydanticField(description="remedial steps taken (已采取的补救措施)")
    reported_by: Name
    secrecy_bureau: Place = PydanticField(description="同级保密行政管理部门 the report goes to")
    superior: Place = PydanticField(description="the superior department it goes to (上级部门)")
    reported_at: AwareDatetime | None = PydanticField(default=None, description="default: now")


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Words = PydanticField(description="how it ended (查处结果, or how the request was settled)")
    closed_by: Name


class CaseSummary(BaseModel):
    id: str
    kind: CaseKind
    state: CaseState
    title: str
    report_due_at: datetime | None = PydanticField(description="the 24-hour report deadline, if one is due")
    overdue: bool = PydanticField(description="the report deadline passed and no report is filed: derived")
    opened_at: datetime
    reported_at: datetime | None
    closed_at: datetime | None


class Holder(BaseModel):
    attendee_id: str
    name: str | None = PydanticField(description="None until supervision knows the person")
    organization: str | None


class LostCopyPublic(BaseModel):
    """The cause of a missing-copy case, as documents announced it."""

    event_id: str | None
    document_id: str
    document_title: str
    copy_no: str
    classification: Classification
    marking: str
    holder: Holder | None = PydanticField(description="who held it; None if it went missing from stock")
    discovered_at: datetime
    circumstances: str = PydanticField(description="how it was discovered")


class FollowedRequestPublic(BaseModel):
    """The cause of a follow-up: the request as supervision last heard of it."""

    request_id: str
    kind: RequestKind | None
    text: str | None
    raised_by: Holder | None
    assigned_to: str | None
    due_at: datetime | None
    status: RequestStatus
    resolution: str | None


class ReportPublic(BaseModel):
    medium: str
    lost_at: datetime | None
    lost_where: str
    course: str
    responsible: str
    harm: str
    investigation: str
    measures: str
    reported_by: str
    reported_to: list[str]
    reported_at: datetime
    late: bool = PydanticField(description="filed after the report deadline")


class CaseDetail(CaseSummary):
    lost_copy: LostCopyPublic | None = PydanticField(description="the cause of a missing_copy case")
    request: FollowedRequestPublic | None = PydanticField(description="the cause of a follow-up")
    report: ReportPublic | None
    outcome: str | None
    closed_by: str | None = PydanticField(description="None on a closed follow-up: its request was done")
