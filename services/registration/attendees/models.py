from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic import Field as PydanticField
from pydantic_core import PydanticCustomError
from sqlalchemy import JSON, Column, ForeignKey, String, UniqueConstraint
from sqlmodel import Field

from huiwu.db import UTCDateTime, utcnow
from huiwu.events.catalog import AttendeeCategory, AttendeeStatus, Gender
from services.registration.attendees import id_number
from services.registration.database import Table

PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Delegation = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 \-]{4,19}$")]
IdNumber = Annotated[str, AfterValidator(id_number.validate)]
# email-validator's syntax check (no DNS look-up); 254 characters is the most SMTP carries (RFC 5321).
Email = Annotated[EmailStr, StringConstraints(strip_whitespace=True, max_length=254)]
NeedText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class Needs(BaseModel):
    """Arrangements to make for the person."""

    diet: NeedText | None = PydanticField(default=None, description="e.g. 清真, 素食")
    accessibility: NeedText | None = PydanticField(default=None, description="e.g. 轮椅通道")
    medical: NeedText | None = PydanticField(default=None, description="医疗保健")
    notes: NeedText | None = None


class Attendee(Table, table=True):
    __table_args__ = (UniqueConstraint("meeting_id", "id_number", name="uq_attendee_meeting_id_number"),)

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    meeting_id: str = Field(foreign_key="meeting.id", index=True, max_length=36)
    name: str = Field(max_length=50)
    organization: str = Field(max_length=200)
    title: str = Field(max_length=200)
    category: AttendeeCategory = Field(default=AttendeeCategory.member, sa_type=String(20))
    gender: Gender | None = Field(default=None, sa_type=String(10))
    rank: int | None = None
    delegation: str | None = Field(default=None, max_length=100)
    # use_alter: groups name a convenor (an attendee) and attendees name their group — a cycle.
    group_id: str | None = Field(
        default=None,
        sa_column=Column(
            String(36),
            ForeignKey("discussion_group.id", use_alter=True, name="fk_attendee_group_id"),
            index=True,
        ),
    )
    phone: str | None = Field(default=None, max_length=20)
    email: str | None = Field(default=None, max_length=254)
    id_number: str | None = Field(default=None, max_length=18)
    needs: dict[str, str] | None = Field(default=None, sa_type=JSON)
    status: AttendeeStatus = Field(default=AttendeeStatus.registered, sa_type=String(20))
    badge_version: int = 1  # a badge of an older version is revoked
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
    phone: Phone | None = None
    email: Email | None = PydanticField(default=None, description="电子邮箱, where notices are emailed")
    id_number: IdNumber | None = PydanticField(
        default=None, description="居民身份证号码, 18 characters; stored, shown masked"
    )
    needs: Needs | None = None


class AttendeeUpdate(BaseModel):
    """Only the fields sent change (liaison updates: a new title, another organization…)."""

    model_config = ConfigDict(extra="forbid")

    name: PersonName | None = None
    organization: Text200 | None = None
    title: Text200 | None = None
    category: AttendeeCategory | None = None
    gender: Gender | None = None
    rank: int | None = PydanticField(default=None, ge=1)
    delegation: Delegation | None = None
    phone: Phone | None = None
    email: Email | None = None
    needs: Needs | None = None

    @field_validator("name", "organization", "title", "category")
    @classmethod
    def _not_emptied(cls, value: object, info: ValidationInfo) -> object:
        """Sent as null, these would empty what every attendee has; the rest may be cleared."""
        if value is None:
            raise PydanticCustomError("not_null", "{field} cannot be null; leave it out to keep it",
                                      {"field": info.field_name})  # fmt: skip
        return value


class Withdrawal(BaseModel):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class SubstituteCreate(BaseModel):
    """The person who takes the place; category, rank, delegation and group default to the original's."""

    name: PersonName
    organization: Text200
    title: Text200
    gender: Gender | None = None
    phone: Phone | None = None
    email: Email | None = None
    id_number: IdNumber | None = None
    needs: Needs | None = None
    category: AttendeeCategory | None = None
    rank: int | None = PydanticField(default=None, ge=1)
    delegation: Delegation | None = None


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
    group_id: str | None
    phone: str | None
    email: str | None
    id_number: str | None = PydanticField(description="masked: region and last four only")
    needs: Needs | None
    status: AttendeeStatus
    version: int
    created_at: datetime

    @field_validator("id_number")
    @classmethod
    def _masked(cls, value: str | None) -> str | None:
        return id_number.mask(value)
