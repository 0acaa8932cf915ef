from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationInfo, field_validator
from pydantic import Field as PydanticField
from pydantic_core import PydanticCustomError
from sqlalchemy import String
from sqlmodel import Field

from huiwu.chinese import NameOrderMode
from huiwu.db import UTCDateTime, utcnow
from services.registration.database import Table
from services.registration.meetings.quorum import QuorumRule

MeetingName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
QUORUM_NOTE = "how many members must be present (法定人数): " + ", ".join(
    f"{rule} {rule.label}" for rule in QuorumRule
)


class MeetingStatus(StrEnum):
    draft = "draft"  # being prepared
    notified = "notified"  # the notice (会议通知) went out
    in_session = "in_session"
    closed = "closed"


NEXT_STATUS = {
    MeetingStatus.draft: MeetingStatus.notified,
    MeetingStatus.notified: MeetingStatus.in_session,
    MeetingStatus.in_session: MeetingStatus.closed,
}


class Meeting(Table, table=True):
    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    name: str = Field(max_length=200)
    starts_on: date
    ends_on: date
    status: MeetingStatus = Field(default=MeetingStatus.draft, sa_type=String(20))
    name_order: NameOrderMode = Field(default=NameOrderMode.surname, sa_type=String(20))
    quorum: QuorumRule = Field(default=QuorumRule.more_than_half, sa_type=String(30))
    roster_frozen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    roster_frozen_by: str | None = Field(default=None, max_length=50)
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MeetingCreate(BaseModel):
    name: MeetingName
    starts_on: date
    ends_on: date
    name_order: NameOrderMode = PydanticField(
        default=NameOrderMode.surname,
        description="single-name mode of stroke order: surname (按姓氏笔画) or full_name (按姓名笔画)",
    )
    quorum: QuorumRule = PydanticField(default=QuorumRule.more_than_half, description=QUORUM_NOTE)

    @field_validator("ends_on")
    @classmethod
    def _not_before_start(cls, ends_on: date, info: ValidationInfo) -> date:
        starts_on = info.data.get("starts_on")
        if starts_on is not None and ends_on < starts_on:
            raise PydanticCustomError(
                "not_before_starts_on", "ends_on ({ends}) is before starts_on ({starts})",
                {"ends": ends_on.isoformat(), "starts": starts_on.isoformat()},
            )  # fmt: skip
        return ends_on


class MeetingUpdate(BaseModel):
    """Only the fields sent change. ``status`` moves one step: draft → notified → in_session → closed."""

    model_config = ConfigDict(extra="forbid")

    name: MeetingName | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    status: MeetingStatus | None = None
    name_order: NameOrderMode | None = None
    quorum: QuorumRule | None = PydanticField(default=None, description=QUORUM_NOTE)

    @field_validator("*")
    @classmethod
    def _not_emptied(cls, value: object, info: ValidationInfo) -> object:
        """None means "not sent"; sent as null it would empty a column that must have a value."""
        if value is None:
            raise PydanticCustomError("not_null", "{field} cannot be null; leave it out to keep it",
                                      {"field": info.field_name})  # fmt: skip
        return value


class MeetingPublic(BaseModel):
    id: str
    name: str
    starts_on: date
    ends_on: date
    status: MeetingStatus
    name_order: NameOrderMode
    quorum: QuorumRule
    roster_frozen_at: datetime | None
    roster_frozen_by: str | None
    version: int
    created_at: datetime
