"""Numbered copies (份号) and what became of each: in stock, issued, returned, retained, missing."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints
from pydantic import Field as PydanticField
from sqlalchemy import String
from sqlmodel import Field

from huiwu.db import UTCDateTime
from huiwu.events.catalog import Expected
from services.documents.database import Table

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class CopyStatus(StrEnum):
    in_stock = "in_stock"  # printed, not handed out
    issued = "issued"  # 已发放: with its holder
    returned = "returned"  # 已清退
    retained = "retained"  # 经批准留存/带回
    missing = "missing"  # 缺失


class Copy(Table, table=True):
    document_id: str = Field(foreign_key="document.id", primary_key=True, max_length=36)
    number: int = Field(primary_key=True)
    meeting_id: str = Field(index=True, max_length=36)
    status: CopyStatus = Field(default=CopyStatus.in_stock, sa_type=String(20), index=True)
    attendee_id: str | None = Field(default=None, index=True, max_length=36)
    issued_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    issued_by: str | None = Field(default=None, max_length=50)
    returned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    returned_by: str | None = Field(default=None, max_length=50)
    received_by: str | None = Field(default=None, max_length=50)
    complete: bool | None = None
    approval_reference: str | None = Field(default=None, max_length=100)
    discovered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    circumstances: str | None = Field(default=None, max_length=2000)
    remarks: str | None = Field(default=None, max_length=2000)


class Distribution(BaseModel):
    """Who gets a copy: everyone, the members, a group, a list (``to``), or the people expected at
    a session (``session_id``). People who already had a copy of this document get none."""

    model_config = ConfigDict(extra="forbid")

    to: Expected | None = None
    session_id: str | None = PydanticField(default=None, max_length=36)
    issued_by: Name


class Return(BaseModel):
    model_config = ConfigDict(extra="forbid")

    returned_by: Name
    received_by: Name
    complete: bool = PydanticField(description="pages and attachments all there, no notes or copies made")
    remarks: Text | None = None


class Retention(BaseModel):
    model_config = ConfigDict(extra="forbid")

    approval_reference: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    approved_by: Name


class Loss(BaseModel):
    model_config = ConfigDict(extra="forbid")

    circumstances: Text = PydanticField(description="how it was discovered")
    discovered_at: AwareDatetime | None = PydanticField(default=None, description="default: now")
    reported_by: Name


class CopyPublic(BaseModel):
    document_id: str
    copy_no: str
    status: CopyStatus
    attendee_id: str | None
    holder: str | None = PydanticField(description="the holder's name")
    issued_at: datetime | None
    issued_by: str | None
    returned_at: datetime | None
    returned_by: str | None
    received_by: str | None
    complete: bool | None
    approval_reference: str | None
    discovered_at: datetime | None
    circumstances: str | None


class CopyCounts(BaseModel):
    """printed = in stock + issued; issued = outstanding + returned + retained + missing (R3.5, R3.7)."""

    printed: int
    in_stock: int
    issued: int
    outstanding: int
    returned: int
    retained: int
    missing: int


class HeldCopyPublic(CopyPublic):
    title: str
    marking: str
