"""A session's seating plan: the seats taken, the pins that override the plan, the microphones."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints
from pydantic import Field as PydanticField
from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field

from huiwu.db import UTCDateTime, utcnow
from huiwu.events.catalog import SeatArea
from services.venue.database import Table
from services.venue.venues.models import LecternPosition, MicrophoneKind


class SeatPublic(BaseModel):
    """One seat in both viewpoints (RULES §1.2): ``column`` as the hall sees it (A-view),
    ``podium_view_column`` as the podium sees it (P-view, the mirror image)."""

    area: SeatArea
    row: int = PydanticField(description="1 = the front row")
    column: int = PydanticField(description="A-view: 1 = the far left seen from the hall")
    podium_view_column: int = PydanticField(description="P-view: 1 = the far left seen from the podium")
    label: str = PydanticField(description="as printed: 主席台第一排3号, 5排12座")
    attendee_id: str | None = None
    name: str | None = None
    delegation: str | None = None
    precedence: int | None = PydanticField(default=None, description="podium only: 1 = 1号")
    offset: float | None = PydanticField(
        default=None, description="podium only: seats from the axis, + = the leaders' left"
    )
    pinned: bool = PydanticField(default=False, description="placed by hand; kept by every re-plan")


class MicrophoneUse(BaseModel):
    number: int
    kind: MicrophoneKind
    at: str = PydanticField(description="podium, lectern or speaker")
    attendee_id: str | None = None
    name: str | None = None
    seat: str | None = PydanticField(default=None, description="the seat's label")


class HallShape(BaseModel):
    """The hall's grid as the plan used it (from the room's seat map)."""

    rows: int
    seats_per_row: int
    aisles_after: list[int]
    unusable: list[tuple[int, int]]


class SeatingPlanPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"description": "a session's seating plan"})

    meeting_id: str
    session_id: str
    session_title: str
    starts_at: datetime
    ends_at: datetime
    room_id: str
    room_name: str
    plan_version: int = PydanticField(description="goes up by one with every re-plan that moved someone")
    planned_at: datetime
    podium_rows: list[int] = PydanticField(description="people in each podium row, front row first")
    hall: HallShape | None
    lectern: LecternPosition
    seats: list[SeatPublic] = PydanticField(
        description="podium seats, then every usable hall seat (empty ones have no attendee)"
    )
    microphones: list[MicrophoneUse]
    microphone_shortage: int = PydanticField(description="microphones wanted beyond the room's stock")
    problems: list[str] = PydanticField(description="what the plan could not honour, in words")


class SeatAssignment(Table, table=True):
    """Who sits where in a session, as last planned."""

    __tablename__ = "seat_assignment"
    __table_args__ = (
        UniqueConstraint("session_id", "area", "row", "column", name="uq_seat_assignment_seat"),
    )

    session_id: str = Field(foreign_key="agenda_session.id", primary_key=True, max_length=36)
    attendee_id: str = Field(primary_key=True, max_length=36)
    area: SeatArea = Field(sa_type=String(10))
    row: int
    column: int
    precedence: int | None = None
    offset: float | None = None
    pinned: bool = False
    changed_in: int = Field(description="the plan version in which this person last moved")


class SeatPin(Table, table=True):
    """A person placed by hand on a hall seat (a leader's instruction overrides every default, R1.15)."""

    __tablename__ = "seat_pin"

    session_id: str = Field(foreign_key="agenda_session.id", primary_key=True, max_length=36)
    attendee_id: str = Field(primary_key=True, max_length=36)
    row: int
    column: int
    pinned_by: str = Field(max_length=50)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PinCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    row: int = PydanticField(ge=1, le=200)
    column: int = PydanticField(ge=1, le=200)
    pinned_by: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]


class AttendeeSeat(BaseModel):
    session_id: str
    session_title: str
    starts_at: datetime
    room_name: str
    seat: SeatPublic | None = PydanticField(description="None: expected, but the hall is free seating")
