"""The audit (审计) of refused requests and of token changes, kept in the gateway's database."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel
from pydantic import Field as PydanticField
from sqlalchemy import Text
from sqlmodel import Field

from gateway.database import Table
from huiwu.db import UTCDateTime, utcnow


class AuditEntry(Table, table=True):
    __tablename__ = "audit"

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    token_id: str | None = Field(default=None, index=True, max_length=36)
    token_name: str | None = Field(default=None, max_length=100)
    method: str = Field(max_length=10)
    path: str = Field(sa_type=Text)
    status: int = Field(index=True)
    reason: str = Field(max_length=40)
    request_id: str | None = Field(default=None, max_length=200)


class AuditEntryPublic(BaseModel):
    id: str
    created_at: datetime = PydanticField(description="when the gateway answered")
    token_id: str | None = PydanticField(description="none when the token was missing or unknown")
    token_name: str | None
    method: str
    path: str
    status: int
    reason: str = PydanticField(
        description="e.g. missing-token, unknown-token, token-expired, token-revoked, scope, meeting, "
        "kiosk, clearance-required; token-issued, token-revoked for changes to tokens"
    )
    request_id: str | None = PydanticField(description="the request's X-Request-ID (its correlation id)")
