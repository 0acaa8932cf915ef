"""A person's request to leave the meeting (离会) and documents' answer to it: they may go once every
classified copy they were given has come back (RULES R3.4, R3.6)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from pydantic import Field as PydanticField
from sqlalchemy import JSON, String
from sqlmodel import Field

from huiwu.db import UTCDateTime
from huiwu.events.catalog import OutstandingCopy
from services.registration.database import Table


class DepartureStatus(StrEnum):
    requested = "requested"  # documents has been asked for a clearance
    departed = "departed"  # 准予离会: nothing outstanding
    blocked = "blocked"  # copies to return first


class Departure(Table, table=True):
    """The current departure of one attendee. Asking again after a refusal gives it a new request
    id, so an answer to an older request is recognised as stale."""

    request_id: str = Field(primary_key=True, max_length=36)
    meeting_id: str = Field(foreign_key="meeting.id", max_length=36)
    attendee_id: str = Field(foreign_key="attendee.id", unique=True, index=True, max_length=36)
    status: DepartureStatus = Field(default=DepartureStatus.requested, sa_type=String(10))
    outstanding: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)  # OutstandingCopy dumps
    requested_at: datetime = Field(sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = 1


class DeparturePublic(BaseModel):
    request_id: str
    attendee_id: str
    status: DepartureStatus
    requested_at: datetime
    decided_at: datetime | None = PydanticField(description="when documents answered")
    outstanding: list[OutstandingCopy] = PydanticField(
        description="the copies still to return (a top-secret title shows as a placeholder)"
    )
    reasons: list[str] = PydanticField(description="why the person may not leave yet, in Chinese")
