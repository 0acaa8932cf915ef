from __future__ import annotations

from sqlalchemy import JSON, String
from sqlmodel import Field

from huiwu.events.catalog import AttendeeCategory
from services.venue.database import Table


class SeatedPerson(Table, table=True):
    """A person venue may have to seat (name, category, rank, delegation).

    Built only from registration's events.
    """

    __tablename__ = "seated_person"

    id: str = Field(primary_key=True, max_length=36)
    meeting_id: str = Field(index=True, max_length=36)
    name: str = Field(max_length=50)
    category: AttendeeCategory = Field(sa_type=String(20))
    rank: int | None = None
    delegation: str | None = Field(default=None, max_length=100)
    group_id: str | None = Field(default=None, max_length=36)
    status: str = Field(default="registered", max_length=20)
    # A substitute takes the original's place in every order, so they sit where the original
    # would have: the name they are ordered by and whose place it is (the first original's).
    order_name: str | None = Field(default=None, max_length=50)
    place_of: str | None = Field(default=None, max_length=36)
    version: int


class Absence(Table, table=True):
    """Leave granted by registration (请假): the whole meeting, or some sessions."""

    id: str = Field(primary_key=True, max_length=36)  # the leave's id
    meeting_id: str = Field(index=True, max_length=36)
    attendee_id: str = Field(index=True, max_length=36)
    session_ids: list[str] = Field(default_factory=list, sa_type=JSON)  # empty: the whole meeting
