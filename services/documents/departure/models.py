"""Registration's departure requests (离会) as documents keeps them, with the answer it gave."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel
from pydantic import Field as PydanticField
from sqlalchemy import String
from sqlmodel import Field

from huiwu.db import UTCDateTime
from huiwu.events.catalog import OutstandingCopy
from services.documents.database import Table


class ClearanceStatus(StrEnum):
    pending = "pending"  # received, not answered yet
    granted = "granted"  # nothing outstanding: the person may go
    denied = "denied"  # copies still out; granted by itself once the last one is settled


class DepartureRequest(Table, table=True):
    __tablename__ = "departure_request"

    request_id: str = Field(primary_key=True, max_length=36)
    meeting_id: str = Field(max_length=36)
    attendee_id: str = Field(index=True, max_length=36)
    status: ClearanceStatus = Field(default=ClearanceStatus.pending, sa_type=String(10))
    requested_at: datetime = Field(sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AnswerPublic(BaseModel):
    request_id: str
    status: ClearanceStatus
    requested_at: datetime
    decided_at: datetime | None


class ClearancePublic(BaseModel):
    """Whether the person may leave, as documents sees it now."""

    attendee_id: str
    may_leave: bool = PydanticField(description="no copy given to the person is still with them")
    outstanding: list[OutstandingCopy] = PydanticField(
        description="the copies to hand back first (a top-secret title shows as a placeholder)"
    )
    last_request: AnswerPublic | None = PydanticField(
        description="documents' answer to the person's latest departure request; None if they never asked"
    )
