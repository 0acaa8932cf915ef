from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, StringConstraints, field_validator
from pydantic import Field as PydanticField
from sqlalchemy import JSON, String, Text
from sqlmodel import Field

from huiwu.db import UTCDateTime, utcnow
from services.registration.attendees import id_number
from services.registration.database import Table

Person = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class ChangeKind(StrEnum):
    register = "register"
    update = "update"
    withdraw = "withdraw"
    substitute = "substitute"


class ChangeStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class RosterChange(Table, table=True):
    """A change asked for after the roster was frozen; it waits for an authorised person."""

    __tablename__ = "roster_change"

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    meeting_id: str = Field(foreign_key="meeting.id", index=True, max_length=36)
    kind: ChangeKind = Field(sa_type=String(12))
    attendee_id: str | None = Field(default=None, foreign_key="attendee.id", max_length=36)
    payload: dict[str, Any] = Field(sa_type=JSON)
    requested_by: str | None = Field(default=None, max_length=100)
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    status: ChangeStatus = Field(default=ChangeStatus.pending, sa_type=String(10))
    decided_by: str | None = Field(default=None, max_length=50)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    note: str | None = Field(default=None, sa_type=Text)
    result_attendee_id: str | None = Field(default=None, max_length=36)


class Freeze(BaseModel):
    by: Person = PydanticField(description="who froze it (the roster is booked for lodging and printing)")


class Decision(BaseModel):
    approver: Person = PydanticField(description="the authorised person deciding")
    note: Note | None = None


class RosterChangePublic(BaseModel):
    id: str
    kind: ChangeKind
    attendee_id: str | None
    payload: dict[str, Any] = PydanticField(description="the change asked for; ID numbers masked")
    requested_by: str | None
    requested_at: datetime
    status: ChangeStatus
    decided_by: str | None
    decided_at: datetime | None
    note: str | None
    result_attendee_id: str | None

    @field_validator("payload")
    @classmethod
    def _masked(cls, payload: dict[str, Any]) -> dict[str, Any]:
        if payload.get("id_number"):
            return {**payload, "id_number": id_number.mask(payload["id_number"])}
        return payload
