"""The journal (留痕): every event of every department, in the order supervision recorded it, each
entry chained to the one before by its hash."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ValidationInfo, field_validator
from pydantic import Field as PydanticField
from pydantic_core import PydanticCustomError
from sqlalchemy import BigInteger, Column, Index, String, Text
from sqlmodel import Field

from huiwu.db import UTCDateTime
from services.supervision.database import Table

HEAD = 1  # the one row of journal_head


class JournalEntry(Table, table=True):
    """One event as recorded: never updated, never deleted."""

    __tablename__ = "journal_entry"
    __table_args__ = (
        Index("ix_journal_entry_meeting_position", "meeting_id", "position"),
        Index("ix_journal_entry_type_position", "event_type", "position"),
    )

    position: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    event_id: str = Field(max_length=36, unique=True)
    event_type: str = Field(max_length=200)
    producer: str = Field(max_length=50)
    subject: str | None = Field(default=None, max_length=200)
    meeting_id: str | None = Field(default=None, max_length=36)
    actor: str | None = Field(default=None, max_length=200)
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    # The event's data as canonical JSON (sorted keys, no whitespace, Chinese as is).
    payload: str = Field(sa_column=Column(Text, nullable=False))
    prev_hash: str = Field(sa_type=String(64))
    hash: str = Field(sa_type=String(64))


class JournalHead(Table, table=True):
    """Where the chain ends. Appends lock this row, so they take turns and the chain never forks;
    it also tells a verifier how long the chain must be, so cutting off its tail shows."""

    __tablename__ = "journal_head"

    id: int = Field(default=HEAD, primary_key=True)
    position: int = Field(sa_column=Column(BigInteger, nullable=False))
    hash: str = Field(sa_type=String(64))


class JournalFilter(BaseModel):
    """Query parameters of a journal listing; every one narrows it."""

    type: str | None = PydanticField(
        default=None, max_length=200, description="the event type, e.g. huiwu.venue.agenda.changed.v1"
    )
    actor: str | None = PydanticField(default=None, max_length=200, description="who caused it")
    since: AwareDatetime | None = PydanticField(default=None, description="occurred at or after")
    until: AwareDatetime | None = PydanticField(default=None, description="occurred before")

    @field_validator("until")
    @classmethod
    def _after_since(cls, until: datetime | None, info: ValidationInfo) -> datetime | None:
        since = info.data.get("since")
        if until is not None and since is not None and until <= since:
            raise PydanticCustomError("after_since", "until must be later than since")
        return until


class JournalEntryPublic(BaseModel):
    position: int
    event_id: str
    type: str
    producer: str
    subject: str | None
    meeting_id: str | None
    actor: str | None
    occurred_at: datetime
    recorded_at: datetime
    payload: dict[str, Any]
    prev_hash: str
    hash: str


class Break(StrEnum):
    missing_entry = "missing_entry"  # a position with no entry: one was deleted
    hash_mismatch = "hash_mismatch"  # the entry's contents are not what was hashed
    prev_hash_mismatch = "prev_hash_mismatch"  # the entry does not follow the one before
    head_mismatch = "head_mismatch"  # the last entry is not the one the head recorded
    beyond_head = "beyond_head"  # an entry after the end of the chain


class Verdict(BaseModel):
    """``{intact, entries, head}`` when the chain holds, else ``{intact, first_broken_position,
    reason, detail}``."""

    intact: bool
    entries: int | None = PydanticField(default=None, description="how many entries were verified")
    head: str | None = PydanticField(default=None, description="the hash of the last entry")
    first_broken_position: int | None = None
    reason: Break | None = None
    detail: str | None = None
