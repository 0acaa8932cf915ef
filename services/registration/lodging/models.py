from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, StringConstraints, ValidationInfo, field_validator
from pydantic import Field as PydanticField
from pydantic_core import PydanticCustomError
from sqlalchemy import UniqueConstraint
from sqlmodel import Field

from huiwu.db import UTCDateTime, utcnow
from services.registration.database import Table

Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class HotelRoom(Table, table=True):
    """A room booked for the meeting (食宿: lodging)."""

    __tablename__ = "hotel_room"
    __table_args__ = (UniqueConstraint("meeting_id", "hotel", "number", name="uq_hotel_room"),)

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    meeting_id: str = Field(foreign_key="meeting.id", index=True, max_length=36)
    hotel: str = Field(max_length=100)
    number: str = Field(max_length=20)
    beds: int
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Stay(Table, table=True):
    """Who sleeps in which room, from which night to which morning."""

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    meeting_id: str = Field(index=True, max_length=36)
    room_id: str = Field(foreign_key="hotel_room.id", index=True, max_length=36)
    attendee_id: str = Field(foreign_key="attendee.id", index=True, max_length=36)
    check_in_on: date
    check_out_on: date


class DiningTable(Table, table=True):
    """A table in the dining hall (用餐桌次)."""

    __tablename__ = "dining_table"
    __table_args__ = (UniqueConstraint("meeting_id", "name", name="uq_dining_table"),)

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    meeting_id: str = Field(foreign_key="meeting.id", index=True, max_length=36)
    name: str = Field(max_length=50)
    seats: int
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Diner(Table, table=True):
    __table_args__ = (UniqueConstraint("meeting_id", "attendee_id", name="uq_diner_attendee"),)

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    meeting_id: str = Field(index=True, max_length=36)
    table_id: str = Field(foreign_key="dining_table.id", index=True, max_length=36)
    attendee_id: str = Field(foreign_key="attendee.id", max_length=36)


class RoomCreate(BaseModel):
    hotel: Label = PydanticField(description="e.g. 江南宾馆")
    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
    beds: int = PydanticField(ge=1, le=4)


class StayCreate(BaseModel):
    attendee_id: str
    check_in_on: date
    check_out_on: date

    @field_validator("check_out_on")
    @classmethod
    def _after_check_in(cls, check_out_on: date, info: ValidationInfo) -> date:
        check_in_on = info.data.get("check_in_on")
        if check_in_on is not None and check_out_on <= check_in_on:
            raise PydanticCustomError(
                "after_check_in_on", "check-out must be after check-in (at least one night)"
            )
        return check_out_on


class TableCreate(BaseModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
    seats: int = PydanticField(ge=1, le=30)


class Seating(BaseModel):
    attendee_id: str


class Occupant(BaseModel):
    attendee_id: str
    name: str
    check_in_on: date
    check_out_on: date


class RoomPublic(BaseModel):
    id: str
    hotel: str
    number: str
    beds: int
    occupants: list[Occupant]


class TablePublic(BaseModel):
    id: str
    name: str
    seats: int
    diners: list[str] = PydanticField(description="names, in protocol order")
