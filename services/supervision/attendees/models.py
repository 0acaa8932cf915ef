from __future__ import annotations

from pydantic import BaseModel
from pydantic import Field as PydanticField
from sqlmodel import Field

from services.supervision.cases.models import CaseSummary
from services.supervision.database import Table
from services.supervision.tasks.models import TaskPublic


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


class ParticipantRecord(BaseModel):
    """What supervision holds on one person."""

    attendee_id: str
    tasks: list[TaskPublic] = PydanticField(
        description="tasks they are the responsible person of, oldest first"
    )
    cases: list[CaseSummary] = PydanticField(
        description="cases naming them (the holder of a missing copy, the delegate of a request followed "
        "up), oldest first"
    )
