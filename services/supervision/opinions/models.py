"""Opinions and suggestions heard in the group discussions (分组讨论), as the staff sitting in each
group record them (RULES R5.1, BRIEF 2.4, 3.3): who said it, in which group and session."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator
from pydantic import Field as PydanticField
from pydantic_core import PydanticCustomError
from sqlalchemy import String, Text
from sqlmodel import Field

from huiwu.db import UTCDateTime, utcnow
from services.supervision.database import Table

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Post = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
GroupName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Said = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=36)]


class OpinionKind(StrEnum):
    opinion = "opinion"  # 意见
    suggestion = "suggestion"  # 建议


class Opinion(Table, table=True):
    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    meeting_id: str = Field(index=True, max_length=36)
    group_id: str | None = Field(default=None, index=True, max_length=36)
    group_name: str = Field(max_length=100)
    session_id: str | None = Field(default=None, index=True, max_length=36)
    speaker_id: str | None = Field(default=None, index=True, max_length=36)  # on the roster, if there
    speaker_name: str = Field(max_length=50)
    speaker_post: str = Field(max_length=200)
    kind: OpinionKind = Field(sa_type=String(20))
    text: str = Field(sa_type=Text)
    recorded_by: str = Field(max_length=50)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class PersonIn(BaseModel):
    """Someone named in a record: a person on the roster (their name and 职务 as registered), or
    anyone else by name and post."""

    model_config = ConfigDict(extra="forbid")

    attendee_id: Reference | None = PydanticField(default=None, description="on the meeting's roster")
    name: Name | None = PydanticField(default=None, description="姓名, when not on the roster")
    post: Post | None = PydanticField(
        default=None,
        description="职务 as printed after the name; with attendee_id, instead of the registered one",
    )

    @model_validator(mode="after")
    def _named_once(self) -> PersonIn:
        if self.attendee_id is not None and self.name is not None:
            raise PydanticCustomError("attendee_or_name", "give attendee_id or a name, not both")
        if self.attendee_id is None and (self.name is None or self.post is None):
            raise PydanticCustomError("name_and_post_required", "give attendee_id, or a name and a post")
        return self


class GroupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Reference | None = PydanticField(
        default=None, description="the discussion group (编组) on the roster"
    )
    name: GroupName = PydanticField(description="as printed, e.g. 省直机关第一组")


class OpinionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    group: GroupIn
    session_id: Reference | None = PydanticField(default=None, description="the session it was said in")
    speaker: PersonIn
    kind: OpinionKind = PydanticField(description="opinion 意见, or suggestion 建议")
    text: Said
    recorded_by: Name = PydanticField(description="the staff member who recorded it")


class PersonPublic(BaseModel):
    attendee_id: str | None
    name: str
    post: str


class OpinionPublic(BaseModel):
    id: str
    meeting_id: str
    group_id: str | None
    group_name: str
    session_id: str | None
    speaker: PersonPublic
    kind: OpinionKind
    text: str
    recorded_by: str
    created_at: datetime
