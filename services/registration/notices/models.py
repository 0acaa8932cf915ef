"""A notice to one person and its delivery state."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, String, Text
from sqlmodel import Field

from huiwu.db import UTCDateTime, utcnow
from services.registration.database import Table


class NoticeStatus(StrEnum):
    pending = "pending"  # not delivered yet (retried until it is)
    sent = "sent"
    # The channel cannot reach the person as recorded (no email address): not retried until their
    # record changes, then pending again.
    undeliverable = "undeliverable"


class Notice(Table, table=True):
    """A message to one person about a change of their arrangements, kept until delivered."""

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    meeting_id: str = Field(index=True, max_length=36)
    attendee_id: str = Field(foreign_key="attendee.id", index=True, max_length=36)
    topic: str = Field(max_length=30)
    message: str = Field(sa_type=Text)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    status: NoticeStatus = Field(default=NoticeStatus.pending, sa_type=String(20), index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NoticePublic(BaseModel):
    id: str
    attendee_id: str
    topic: str
    message: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    status: NoticeStatus
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
