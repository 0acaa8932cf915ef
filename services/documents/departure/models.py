"""Registration's departure requests (离会) as documents keeps them, with the answer it gave."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlmodel import Field

from huiwu.db import UTCDateTime
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
