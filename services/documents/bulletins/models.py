"""Classified bulletins supervision issued (会议简报, RULES R5.2), as the register knows them: each
links its document back to the bulletin."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import JSON
from sqlmodel import Field

from huiwu.db import UTCDateTime, utcnow
from huiwu.events.catalog import BulletinRecipients
from services.documents.database import Table
from services.documents.documents.models import DocumentPublic


class BulletinDocument(Table, table=True):
    __tablename__ = "bulletin_document"

    bulletin_id: str = Field(primary_key=True, max_length=36)  # one document per bulletin, however announced
    document_id: str = Field(foreign_key="document.id", unique=True, max_length=36)
    meeting_id: str = Field(index=True, max_length=36)
    issue_number: int  # 第N期
    issued_on: date  # 印发日期
    recipients: dict[str, list[str]] = Field(sa_type=JSON)  # 报/送/发/增发, as printed
    registered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BulletinDocumentPublic(BaseModel):
    bulletin_id: str
    issue_number: int
    issued_on: date
    recipients: BulletinRecipients
    document: DocumentPublic
