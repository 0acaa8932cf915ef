"""Registration's copy of the venue's agenda: each session as of the latest version seen, enough
to tell people when and where to be and to count who is expected at it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text
from sqlmodel import Field

from huiwu.db import UTCDateTime
from huiwu.events.catalog import Expected, SessionKind, SessionStatus
from services.registration.database import Table


class AgendaSession(Table, table=True):
    """A session of the agenda, projected from venue's ``agenda.changed`` events."""

    __tablename__ = "agenda_session"

    session_id: str = Field(primary_key=True, max_length=36)
    meeting_id: str = Field(index=True, max_length=36)
    # Texts as venue wrote them, unbounded: a projection must never refuse what its producer sends.
    title: str = Field(sa_type=Text)
    kind: SessionKind = Field(sa_type=String(10))
    status: SessionStatus = Field(sa_type=String(10))
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    room_name: str = Field(sa_type=Text)
    presiding_officer_id: str | None = Field(default=None, max_length=36)
    expected: dict[str, Any] = Field(sa_type=JSON)  # an ``Expected``, dumped
    version: int

    def expects(self) -> Expected:
        return Expected.model_validate(self.expected)
