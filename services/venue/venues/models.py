"""The venue catalogue (会场): hotels and halls, their rooms, seat maps, podiums and equipment."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator
from pydantic import Field as PydanticField
from pydantic_core import PydanticCustomError
from sqlalchemy import JSON, String
from sqlmodel import Field

from huiwu.db import UTCDateTime, utcnow
from services.venue.database import Table

Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class Venue(Table, table=True):
    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    name: str = Field(max_length=200)
    address: str | None = Field(default=None, max_length=200)
    contact: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class VenueCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text200 = PydanticField(description="e.g. 省会议中心 or 友谊宾馆")
    address: Text200 | None = None
    contact: Text200 | None = PydanticField(default=None, description="联系人及电话")


class VenuePublic(BaseModel):
    id: str
    name: str
    address: str | None
    contact: str | None
    created_at: datetime


class SeatPosition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    row: int = PydanticField(ge=1, description="1 = the front row")
    column: int = PydanticField(ge=1, description="1 = the far left, facing the podium")


class SeatMap(BaseModel):
    """The hall's seats (群众席): a grid, front row first, columns left to right facing the podium."""

    model_config = ConfigDict(extra="forbid")

    rows: int = PydanticField(ge=1, le=200)
    seats_per_row: int = PydanticField(ge=1, le=200)
    aisles_after: list[int] = PydanticField(
        default_factory=list, description="columns after which an aisle runs (drawing only)"
    )
    unusable: list[SeatPosition] = PydanticField(
        default_factory=list, description="seats that cannot be used (a pillar, a camera stand…)"
    )

    @model_validator(mode="after")
    def _within_grid(self) -> SeatMap:
        for column in self.aisles_after:
            if not 1 <= column < self.seats_per_row:
                raise PydanticCustomError(
                    "aisle_outside_row", "an aisle after column {column} is not inside a row of {width}",
                    {"column": column, "width": self.seats_per_row},
                )  # fmt: skip
        for seat in self.unusable:
            if seat.row > self.rows or seat.column > self.seats_per_row:
                raise PydanticCustomError(
                    "seat_outside_map", "seat {row}-{column} is outside the {rows}×{width} map",
                    {"row": seat.row, "column": seat.column, "rows": self.rows, "width": self.seats_per_row},
                )  # fmt: skip
        return self

    def usable_seats(self) -> int:
        return self.rows * self.seats_per_row - len(set(self.unusable))


class PodiumSpec(BaseModel):
    """主席台: how many rows and seats per row the room can take."""

    model_config = ConfigDict(extra="forbid")

    rows: int = PydanticField(ge=1, le=6)
    seats_per_row: int = PydanticField(ge=1, le=60)


class LecternPosition(StrEnum):
    """发言席 (R1.11): directly in front of the podium, or at its front-right; whose right varies."""

    none = "none"
    centre = "centre"  # in front of the podium's centre
    audience_right = "audience_right"  # front-right as the hall sees it
    podium_right = "podium_right"  # front-right as the leaders see it (the audience's left)


class MicrophoneKind(StrEnum):
    fixed = "fixed"  # on the table (podium, lectern)
    wireless = "wireless"  # handheld


class Microphones(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fixed: int = PydanticField(default=0, ge=0, le=1000)
    wireless: int = PydanticField(default=0, ge=0, le=1000)


class Room(Table, table=True):
    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    venue_id: str = Field(foreign_key="venue.id", index=True, max_length=36)
    name: str = Field(max_length=200)
    building: str | None = Field(default=None, max_length=100)
    floor: str | None = Field(default=None, max_length=50)
    capacity: int
    seat_map: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    podium: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    lectern: LecternPosition = Field(default=LecternPosition.none, sa_type=String(20))
    microphones: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    equipment: list[str] = Field(default_factory=list, sa_type=JSON)
    notes: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def full_name(self) -> str:
        """As printed on notices: building, floor and room, e.g. 一号楼三层第一会议室."""
        return "".join(part for part in (self.building, self.floor, self.name) if part)

    def hall(self) -> SeatMap | None:
        return SeatMap.model_validate(self.seat_map) if self.seat_map else None

    def podium_spec(self) -> PodiumSpec | None:
        return PodiumSpec.model_validate(self.podium) if self.podium else None

    def microphone_stock(self) -> Microphones:
        return Microphones.model_validate(self.microphones)

    def seats(self) -> int:
        """People the room can seat: its seat map and podium if it has them, else its capacity."""
        hall = self.hall()
        podium = self.podium_spec()
        if hall is None:
            return self.capacity
        return hall.usable_seats() + (podium.rows * podium.seats_per_row if podium else 0)


class RoomCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text200 = PydanticField(description="e.g. 第一会议室, 大礼堂")
    building: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    floor: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] | None = None
    capacity: int = PydanticField(ge=1, le=20000, description="people the room holds")
    seat_map: SeatMap | None = None
    podium: PodiumSpec | None = None
    lectern: LecternPosition = LecternPosition.none
    microphones: Microphones = PydanticField(default_factory=Microphones)
    equipment: list[
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    ] = PydanticField(default_factory=list, max_length=50, description="投影, 同传, 录像…")
    notes: Note | None = None

    @model_validator(mode="after")
    def _map_within_capacity(self) -> RoomCreate:
        if self.seat_map is not None and self.seat_map.usable_seats() > self.capacity:
            raise PydanticCustomError(
                "seat_map_over_capacity",
                "the seat map has {seats} usable seats, more than the capacity {capacity}",
                {"seats": self.seat_map.usable_seats(), "capacity": self.capacity},
            )  # fmt: skip
        return self


class RoomPublic(BaseModel):
    id: str
    venue_id: str
    name: str
    full_name: str
    building: str | None
    floor: str | None
    capacity: int
    seats: int = PydanticField(description="people it can seat: usable hall seats plus podium seats")
    seat_map: SeatMap | None
    podium: PodiumSpec | None
    lectern: LecternPosition
    microphones: Microphones
    equipment: list[str]
    notes: str | None
    created_at: datetime

    @classmethod
    def of(cls, room: Room) -> RoomPublic:
        return cls(
            **room.model_dump(exclude={"seat_map", "podium", "microphones"}),
            full_name=room.full_name,
            seats=room.seats(),
            seat_map=room.hall(),
            podium=room.podium_spec(),
            microphones=room.microphone_stock(),
        )
