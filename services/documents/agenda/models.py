"""The agenda as documents keeps it from venue: when each session starts and who is expected, so
documents for a session are delivered on time and to the right people."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlmodel import Field

from huiwu.db import UTCDateTime
from huiwu.events.catalog import Expected, SessionStatus
from services.documents.database import Table


class ScheduledSession(Table, table=True):
    __tablename__ = "scheduled_session"

    id: str = Field(primary_key=True, max_length=36)
    meeting_id: str = Field(index=True, max_length=36)
    title: str = Field(max_length=200)
    status: SessionStatus = Field(sa_type=String(20))
    starts_at: datetime = Field(sa_type=UTCDateTime)
    expected: dict[str, Any] = Field(sa_type=JSON)
    version: int

    def expected_spec(self) -> Expected:
        return Expected.model_validate(self.expected)
