from __future__ import annotations

from sqlmodel import Field

from services.supervision.database import Table


class Participant(Table, table=True):
    """A participant supervision may name as responsible or cite in a report.

    Built only from registration's events.
    """

    __tablename__ = "participant"

    id: str = Field(primary_key=True, max_length=36)
    meeting_id: str = Field(index=True, max_length=36)
    name: str = Field(max_length=50)
    organization: str = Field(max_length=200)
    title: str = Field(max_length=200)
    status: str = Field(default="registered", max_length=20)
    version: int
