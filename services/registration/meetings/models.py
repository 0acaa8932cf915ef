from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, StringConstraints, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import String
from sqlmodel import Field

from huiwu.db import UTCDateTime, utcnow
from services.registration.database import Table

MeetingName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class MeetingStatus(StrEnum):
    draft = "draft"
    notified = "notified"
    in_session = "in_session"
    closed = "closed"


class Meeting(Table, table=True):
    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    name: str = Field(max_length=200)
    starts_on: date
    ends_on: date
    status: MeetingStatus = Field(default=MeetingStatus.draft, sa_type=String(20))
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MeetingCreate(BaseModel):
    name: MeetingName
    starts_on: date
    ends_on: date

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


class MeetingPublic(BaseModel):
    id: str
    name: str
    starts_on: date
    ends_on: date
    status: MeetingStatus
    created_at: datetime
