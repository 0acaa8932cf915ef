"""One person as registration knows them: the roster entry and everything recorded about them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from pydantic import Field as PydanticField

from services.registration.attendance.models import LeavePublic
from services.registration.attendees.models import AttendeePublic
from services.registration.checkin.models import Direction
from services.registration.departure.models import DeparturePublic
from services.registration.requests.models import RequestPublic


class ScanPublic(BaseModel):
    session_id: str | None = PydanticField(description="None: signed in to the meeting itself")
    direction: Direction
    method: str = PydanticField(description="badge or roster")
    gate: str | None
    at: datetime


class AttendeeRecord(BaseModel):
    attendee: AttendeePublic = PydanticField(description="the roster entry, ID number masked")
    checkins: list[ScanPublic] = PydanticField(
        description="every sign-in and sign-out accepted, oldest first"
    )
    leave: list[LeavePublic] = PydanticField(description="leave granted, oldest first")
    requests: list[RequestPublic] = PydanticField(
        description="the person's requests and errands, oldest first"
    )
    departure: DeparturePublic | None = PydanticField(
        description="their request to leave; None if they never asked"
    )
