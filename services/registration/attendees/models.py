from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, StringConstraints
from pydantic import Field as PydanticField
from sqlalchemy import String
from sqlmodel import Field

from huiwu.db import UTCDateTime, utcnow
from huiwu.events.catalog import AttendeeCategory, Gender
from services.registration.database import Table

PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Delegation = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class Attendee(Table, table=True):
    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    meeting_id: str = Field(foreign_key="meeting.id", index=True, max_length=36)
    name: str = Field(max_length=50)
    organization: str = Field(max_length=200)
    title: str = Field(max_length=200)
    category: AttendeeCategory = Field(default=AttendeeCategory.member, sa_type=String(20))
    gender: Gender | None = Field(default=None, sa_type=String(10))
    rank: int | None = None
    delegation: str | None = Field(default=None, max_length=100)
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class AttendeeCreate(BaseModel):
    name: PersonName = PydanticField(description="姓名, exactly as it is to be printed")
    organization: Text200 = PydanticField(description="单位")
    title: Text200 = PydanticField(description="职务")
    category: AttendeeCategory = AttendeeCategory.member
    gender: Gender | None = None
    rank: int | None = PydanticField(
        default=None, ge=1, description="Protocol order of a leader, supplied by the office"
    )
    delegation: Delegation | None = PydanticField(default=None, description="代表团/单位")


class AttendeePublic(BaseModel):
    id: str
    meeting_id: str
    name: str
    organization: str
    title: str
    category: AttendeeCategory
    gender: Gender | None
    rank: int | None
    delegation: str | None
    created_at: datetime
