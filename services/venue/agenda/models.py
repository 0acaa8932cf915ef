"""The agenda (会议日程): sessions, where and when, who presides and who is expected."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints, field_validator, model_validator
from pydantic import Field as PydanticField
from pydantic_core import PydanticCustomError
from sqlalchemy import JSON, String
from sqlmodel import Field

from huiwu.db import UTCDateTime, utcnow
from huiwu.events.catalog import Expected, SessionKind, SessionState, SessionStatus
from services.venue.database import Table

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
AttendeeId = Annotated[str, StringConstraints(min_length=1, max_length=36)]


class AgendaSession(Table, table=True):
    __tablename__ = "agenda_session"

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    meeting_id: str = Field(index=True, max_length=36)
    title: str = Field(max_length=200)
    kind: SessionKind = Field(sa_type=String(20))
    status: SessionStatus = Field(default=SessionStatus.scheduled, sa_type=String(20))
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    room_id: str = Field(foreign_key="room.id", index=True, max_length=36)
    presiding_officer_id: str | None = Field(default=None, max_length=36)
    speaker_ids: list[str] = Field(default_factory=list, sa_type=JSON)
    expected: dict[str, Any] = Field(sa_type=JSON)
    podium_ids: list[str] | None = Field(default=None, sa_type=JSON)
    backup_room_ids: list[str] = Field(default_factory=list, sa_type=JSON)
    version: int = 1
    plan_version: int = 0
    needs_replan: bool = Field(default=False, index=True)
    replan_reason: str | None = Field(default=None, max_length=50)
    plan_problems: list[str] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    def expected_spec(self) -> Expected:
        return Expected.model_validate(self.expected)

    def state(self, room_name: str) -> SessionState:
        return SessionState(
            session_id=self.id,
            version=self.version,
            title=self.title,
            kind=self.kind,
            status=self.status,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            room_id=self.room_id,
            room_name=room_name,
            presiding_officer_id=self.presiding_officer_id,
            speaker_ids=self.speaker_ids,
            expected=self.expected_spec(),
        )


class ExpectedIn(Expected):
    """Who is expected: ``everyone`` (all but staff), ``members`` (出席), a ``group`` or ``people``."""

    attendee_ids: list[AttendeeId] = PydanticField(default_factory=list, max_length=20000)


class _Timing(BaseModel):
    @field_validator("starts_at", "ends_at", check_fields=False)
    @classmethod
    def _in_utc(cls, moment: datetime | None) -> datetime | None:
        """Stored and announced in UTC, whatever offset the caller wrote (the database keeps UTC)."""
        return None if moment is None else moment.astimezone(UTC)

    @model_validator(mode="after")
    def _ends_after_start(self) -> _Timing:
        starts_at, ends_at = getattr(self, "starts_at", None), getattr(self, "ends_at", None)
        if starts_at is not None and ends_at is not None and ends_at <= starts_at:
            raise PydanticCustomError("ends_before_start", "ends_at must be after starts_at")
        return self


class SessionCreate(_Timing):
    model_config = ConfigDict(extra="forbid")

    title: Title = PydanticField(description="e.g. 第一次全体会议")
    kind: SessionKind
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    room_id: str
    presiding_officer_id: AttendeeId | None = PydanticField(default=None, description="主持人")
    speaker_ids: list[AttendeeId] = PydanticField(default_factory=list, max_length=100)
    expected: ExpectedIn
    podium_ids: list[AttendeeId] | None = PydanticField(
        default=None, max_length=300, description="the podium in rank order; default: the ranked attendees"
    )
    backup_room_ids: list[str] = PydanticField(default_factory=list, max_length=10, description="预案")


class SessionUpdate(_Timing):
    """Only the fields sent change; ``null`` clears the presiding officer or the podium list."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    room_id: str | None = None
    presiding_officer_id: AttendeeId | None = None
    speaker_ids: list[AttendeeId] | None = PydanticField(default=None, max_length=100)
    expected: ExpectedIn | None = None
    podium_ids: list[AttendeeId] | None = PydanticField(default=None, max_length=300)
    backup_room_ids: list[str] | None = PydanticField(default=None, max_length=10)


class RoomSwitch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    room_id: str = PydanticField(description="one of the session's backup rooms")
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Cancellation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class SessionPublic(BaseModel):
    id: str
    meeting_id: str
    title: str
    kind: SessionKind
    status: SessionStatus
    starts_at: datetime
    ends_at: datetime
    room_id: str
    room_name: str
    presiding_officer_id: str | None
    speaker_ids: list[str]
    expected: Expected
    expected_count: int = PydanticField(
        description="people expected now (应到), leave and withdrawals excluded"
    )
    podium_ids: list[str] | None
    backup_room_ids: list[str]
    version: int
    plan_version: int
    created_at: datetime
