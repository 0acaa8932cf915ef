from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, StringConstraints, model_validator
from pydantic import Field as PydanticField
from pydantic_core import PydanticCustomError
from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field

from huiwu.db import UTCDateTime, utcnow
from huiwu.events.catalog import AttendeeCategory
from services.registration.database import Table

Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class Direction(StrEnum):
    entering = "in"
    leaving = "out"


class Scan(Table, table=True):
    """Every accepted sign-in or sign-out, so the number inside a hall is known."""

    __table_args__ = (UniqueConstraint("meeting_id", "nonce", name="uq_scan_meeting_nonce"),)

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    meeting_id: str = Field(index=True, max_length=36)
    attendee_id: str = Field(foreign_key="attendee.id", index=True, max_length=36)
    session_id: str | None = Field(default=None, max_length=36)
    direction: Direction = Field(sa_type=String(3))
    method: str = Field(max_length=10)
    gate: str | None = Field(default=None, max_length=100)
    nonce: str | None = Field(default=None, max_length=100)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FailedScan(Table, table=True):
    """A refused scan, kept with its reason for door staff and supervision."""

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    meeting_id: str = Field(index=True, max_length=36)
    reason: str = Field(max_length=30)
    detail: str = Field(max_length=300)
    badge_excerpt: str | None = Field(default=None, max_length=40)
    gate: str | None = Field(default=None, max_length=100)
    nonce: str | None = Field(default=None, max_length=100)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SigningKey(Table, table=True):
    """Secrets kept in the service's own database, so every replica signs and checks alike."""

    __tablename__ = "signing_key"

    name: str = Field(primary_key=True, max_length=50)
    secret: str = Field(max_length=100)


class CheckInRequest(BaseModel):
    """A badge scan (``badge``) or staff ticking the roster (``attendee_id``): exactly one."""

    badge: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = None
    attendee_id: str | None = None
    session_id: str | None = None
    gate: Label | None = PydanticField(default=None, description="the door or desk, e.g. 北门")
    direction: Direction = Direction.entering
    nonce: Label | None = PydanticField(
        default=None, description="unique per scan on the client: a retried request never counts twice"
    )

    @model_validator(mode="after")
    def _one_credential(self) -> CheckInRequest:
        if (self.badge is None) == (self.attendee_id is None):
            raise PydanticCustomError("exactly_one_of", "send either badge or attendee_id")
        return self


class RefusedScanPublic(BaseModel):
    id: str
    reason: str
    detail: str
    badge_excerpt: str | None
    gate: str | None
    at: datetime


class CheckInPublic(BaseModel):
    attendee_id: str
    name: str
    organization: str
    category: AttendeeCategory
    session_id: str | None
    direction: Direction
    first_checked_in_at: datetime | None = PydanticField(description="when this person first signed in here")
    repeat: bool = PydanticField(description="true if this person had already signed in here")


class BadgePublic(BaseModel):
    attendee_id: str
    name: str
    organization: str
    category: AttendeeCategory
    pass_name: str = PydanticField(description="出席证, 列席证, 来宾证 or 工作证")
    token: str = PydanticField(description="what the QR code carries")
    qr_svg: str
