from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator
from pydantic import Field as PydanticField
from pydantic_core import PydanticCustomError
from sqlalchemy import UniqueConstraint
from sqlmodel import Field

from huiwu.db import UTCDateTime, utcnow
from services.registration.database import Table

GroupName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Room = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class DiscussionGroup(Table, table=True):
    """A discussion group (编组) with its convenor (召集人) and room (RULES R6.5)."""

    __tablename__ = "discussion_group"
    __table_args__ = (UniqueConstraint("meeting_id", "name", name="uq_discussion_group_meeting_name"),)

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    meeting_id: str = Field(foreign_key="meeting.id", index=True, max_length=36)
    name: str = Field(max_length=50)
    position: int
    convenor_id: str | None = Field(default=None, foreign_key="attendee.id", max_length=36)
    room: str | None = Field(default=None, max_length=100)
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class GroupCreate(BaseModel):
    name: GroupName = PydanticField(description="e.g. 第一组")
    room: Room | None = PydanticField(default=None, description="where the group meets")
    convenor_id: str | None = PydanticField(default=None, description="召集人; joins the group")


class GroupUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: GroupName | None = None
    room: Room | None = None
    convenor_id: str | None = None

    @field_validator("name")
    @classmethod
    def _name_kept(cls, name: str | None) -> str:
        """Room and convenor may be cleared with null; a group always has a name."""
        if name is None:
            raise PydanticCustomError("not_null", "name cannot be null; leave it out to keep it")
        return name


class Assignment(BaseModel):
    attendee_ids: list[str] = PydanticField(min_length=1, max_length=5000)


class AutoGrouping(BaseModel):
    count: int = PydanticField(ge=1, le=50, description="how many groups to form")


class GroupPublic(BaseModel):
    id: str
    name: str
    position: int
    room: str | None
    convenor_id: str | None
    convenor_name: str | None
    members: int
    version: int
