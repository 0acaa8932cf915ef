from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints
from pydantic import Field as PydanticField
from sqlalchemy import String, Text
from sqlmodel import Field

from huiwu.db import UTCDateTime, utcnow
from huiwu.events.catalog import RequestKind, RequestStatus
from services.registration.database import Table

Words = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Person = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]

NEXT = {
    RequestStatus.open: {RequestStatus.in_progress, RequestStatus.done},
    RequestStatus.in_progress: {RequestStatus.done},
    RequestStatus.done: set(),
}


class AttendeeRequest(Table, table=True):
    """An opinion or request from a delegate (意见和要求) or an errand they give (临时交办事项)."""

    __tablename__ = "attendee_request"

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    meeting_id: str = Field(foreign_key="meeting.id", index=True, max_length=36)
    attendee_id: str | None = Field(default=None, foreign_key="attendee.id", max_length=36)
    kind: RequestKind = Field(sa_type=String(10))
    text: str = Field(sa_type=Text)
    assigned_to: str | None = Field(default=None, max_length=50)
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: RequestStatus = Field(default=RequestStatus.open, sa_type=String(12))
    resolution: str | None = Field(default=None, sa_type=Text)
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RequestCreate(BaseModel):
    kind: RequestKind = PydanticField(description="opinion 意见和要求, or errand 临时交办")
    text: Words
    attendee_id: str | None = PydanticField(default=None, description="who raised it, if a delegate")
    assigned_to: Person | None = PydanticField(default=None, description="the staff member handling it")
    due_at: AwareDatetime | None = PydanticField(default=None, description="with a time zone, e.g. +08:00")


class RequestUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: RequestStatus | None = None
    assigned_to: Person | None = None
    due_at: AwareDatetime | None = None
    resolution: Words | None = PydanticField(default=None, description="how it was handled")


class RequestPublic(BaseModel):
    id: str
    attendee_id: str | None
    kind: RequestKind
    text: str
    assigned_to: str | None
    due_at: datetime | None
    status: RequestStatus
    resolution: str | None
    overdue: bool = PydanticField(description="past due and not done: derived, never stored")
    created_at: datetime
    done_at: datetime | None
