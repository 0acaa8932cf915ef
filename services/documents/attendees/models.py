from __future__ import annotations

from sqlalchemy import String
from sqlmodel import Field

from huiwu.events.catalog import AttendeeCategory
from services.documents.database import Table


class Recipient(Table, table=True):
    """A person documents may issue copies to, and must collect them back from.

    Built only from registration's events.
    """

    __tablename__ = "recipient"

    id: str = Field(primary_key=True, max_length=36)
    meeting_id: str = Field(index=True, max_length=36)
    name: str = Field(max_length=50)
    organization: str = Field(max_length=200)
    category: AttendeeCategory = Field(sa_type=String(20))
    rank: int | None = None
    delegation: str | None = Field(default=None, max_length=100)
    group_id: str | None = Field(default=None, max_length=36)
    status: str = Field(default="registered", max_length=20)
    version: int
