"""The meetings supervision knows, from registration's events: their names head the bulletins."""

from __future__ import annotations

from sqlmodel import Field

from services.supervision.database import Table


class KnownMeeting(Table, table=True):
    __tablename__ = "known_meeting"

    id: str = Field(primary_key=True, max_length=36)
    name: str = Field(max_length=200)
    version: int
