from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, StringConstraints
from pydantic import Field as PydanticField
from sqlalchemy import JSON, String
from sqlmodel import Field

from huiwu.db import UTCDateTime, utcnow
from huiwu.events.catalog import AttendeeCategory, LeaveKind
from services.registration.database import Table

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]


class Leave(Table, table=True):
    """Leave of absence (请假), approved; for the whole meeting or for given sessions."""

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    meeting_id: str = Field(index=True, max_length=36)
    attendee_id: str = Field(foreign_key="attendee.id", index=True, max_length=36)
    kind: LeaveKind = Field(sa_type=String(10))
    reason: str = Field(max_length=500)
    approver: str = Field(max_length=50)
    session_ids: list[str] = Field(default_factory=list, sa_type=JSON)
    granted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LeaveCreate(BaseModel):
    kind: LeaveKind = PydanticField(description="sick 病假, personal 事假, official 公假")
    reason: Text
    approver: PersonName = PydanticField(description="who approved it")
    session_ids: list[str] = PydanticField(default_factory=list, description="empty: the whole meeting")


class LeavePublic(BaseModel):
    id: str
    attendee_id: str
    kind: LeaveKind
    reason: str
    approver: str
    session_ids: list[str]
    granted_at: datetime


class Count(BaseModel):
    expected: int = PydanticField(description="应到")
    present: int = PydanticField(description="实到")
    on_leave: int = PydanticField(description="请假")
    absent: int = PydanticField(description="缺席 (without leave)")
    inside: int = PydanticField(description="signed in and not signed out")


class Quorum(BaseModel):
    members_expected: int
    members_present: int
    required: int = PydanticField(
        description="members present needed under the meeting's quorum rule (default: more than half)"
    )
    met: bool


class Attendance(BaseModel):
    meeting_id: str
    session_id: str | None
    total: Count = PydanticField(description="members, observers and guests (staff are not counted)")
    by_category: dict[AttendeeCategory, Count]
    by_delegation: dict[str, Count]
    by_group: dict[str, Count] = PydanticField(description="by discussion group (编组), in group order")
    quorum: Quorum
    announcement: str = PydanticField(description="what the presiding officer reads out")
