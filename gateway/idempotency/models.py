"""A request made with an Idempotency-Key, and the answer it was given."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, Text
from sqlmodel import Field

from gateway.database import Table
from huiwu.db import UTCDateTime


class IdempotentRequest(Table, table=True):
    """One per (token, key): the primary key is how two gateways agree on who answers a key."""

    __tablename__ = "idempotent_request"

    token_id: str = Field(primary_key=True, max_length=64)
    key: str = Field(primary_key=True, max_length=255)
    claim_id: str = Field(max_length=36)  # the attempt answering it: only it may store or release
    fingerprint: str = Field(max_length=64)  # SHA-256 of the method, path and body
    method: str = Field(max_length=10)
    path: str = Field(sa_type=Text)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
    status: int | None = None  # none while the first request is being answered
    headers: str | None = Field(default=None, sa_type=Text)  # JSON: the answer's headers worth replaying
    body: bytes | None = Field(default=None, sa_type=LargeBinary)  # none: not kept (no-store)
