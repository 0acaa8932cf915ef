"""The access log (审计): every read of classified content and every refusal, kept for good."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel
from sqlalchemy import String
from sqlmodel import Field

from huiwu.db import UTCDateTime, utcnow
from huiwu.events.catalog import Classification
from services.documents.database import Table


class AccessKind(StrEnum):
    read = "read"  # the document's details
    download = "download"  # its PDF (the original or a copy's)
    refused = "refused"  # asked without the clearance


class AccessRecord(Table, table=True):
    __tablename__ = "access_record"

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    meeting_id: str = Field(index=True, max_length=36)
    document_id: str = Field(index=True, max_length=36)
    copy_no: int | None = None
    kind: AccessKind = Field(sa_type=String(10))
    who: str = Field(max_length=100)
    clearance: str = Field(max_length=20)
    classification: Classification = Field(sa_type=String(20))
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AccessRecordPublic(BaseModel):
    document_id: str
    copy_no: str | None
    kind: AccessKind
    who: str
    clearance: str
    classification: Classification
    at: datetime
