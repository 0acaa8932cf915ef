"""API tokens: who may call the platform, for what, at which clearance, until when."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic import Field as PydanticField
from pydantic_core import PydanticCustomError
from sqlalchemy import String, Text
from sqlmodel import Field

from gateway.database import Table
from huiwu.auth import KIOSK_SCOPES, SCOPE_PATTERN, TokenKind
from huiwu.db import UTCDateTime, utcnow

_SCOPE = re.compile(SCOPE_PATTERN)


class ClearanceName(StrEnum):
    """``huiwu.auth.Clearance`` by name, as the API takes and shows it."""

    none = "none"
    secret = "secret"  # 秘密
    confidential = "confidential"  # 机密
    top_secret = "top_secret"  # 绝密


class TokenStatus(StrEnum):
    active = "active"
    expired = "expired"
    revoked = "revoked"


class ApiToken(Table, table=True):
    """A token as stored: its SHA-256 digest, never the token itself."""

    __tablename__ = "api_token"

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    name: str = Field(max_length=100)
    kind: TokenKind = Field(sa_type=String(10))
    scopes: str = Field(sa_type=Text)  # space-separated
    clearance: ClearanceName = Field(sa_type=String(20))
    meeting_id: str | None = Field(default=None, max_length=36)
    digest: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    created_by: str = Field(max_length=100)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_by: str | None = Field(default=None, max_length=100)
    rate_per_s: float | None = None  # its own rate limit; none: its kind's (HUIWU_*RATE_LIMIT_*)
    rate_burst: int | None = None


def _known_scope(scope: str) -> str:
    if not _SCOPE.match(scope):
        raise PydanticCustomError(
            "known_scope", "{scope} is not a scope: admin, or <department>:read|write|*", {"scope": scope}
        )
    return scope


Scope = Annotated[str, AfterValidator(_known_scope)]
TokenName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class RateLimit(BaseModel):
    """A token's own rate limit at the gateway, in place of its kind's default."""

    model_config = ConfigDict(extra="forbid")

    per_second: float = PydanticField(gt=0, le=10_000, description="requests a second, sustained")
    burst: int = PydanticField(ge=1, le=100_000, description="requests at once, after a quiet spell")


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: TokenName = PydanticField(description="who or what holds it, e.g. 北门签到机1号")
    kind: TokenKind = PydanticField(
        default=TokenKind.standard, description="kiosk: scans badges and looks attendees up, nothing else"
    )
    scopes: list[Scope] = PydanticField(
        default_factory=list,
        description="registration|venue|documents|supervision :read|:write|:*, or admin; a kiosk needs none",
    )
    clearance: ClearanceName = PydanticField(
        default=ClearanceName.none, description="none < secret 秘密 < confidential 机密 < top_secret 绝密"
    )
    meeting_id: Annotated[str, StringConstraints(min_length=1, max_length=36)] | None = PydanticField(
        default=None, description="only this meeting's paths (any other meeting: 403)"
    )
    expires_at: AwareDatetime | None = PydanticField(
        default=None, description="with a time zone; none: never"
    )
    rate_limit: RateLimit | None = PydanticField(
        default=None,
        description="its own rate limit; none: its kind's (20 a second, 100 at once; a kiosk 100, 300)",
    )

    @field_validator("scopes")
    @classmethod
    def _scopes_fit_the_kind(cls, scopes: list[str], info: ValidationInfo) -> list[str]:
        if info.data.get("kind") == TokenKind.kiosk:
            if not set(scopes) <= KIOSK_SCOPES:
                raise PydanticCustomError("kiosk_scopes", "a kiosk token has registration scopes only")
        elif not scopes:
            raise PydanticCustomError("at_least_one_scope", "a token needs at least one scope")
        return sorted(set(scopes))

    @field_validator("expires_at")
    @classmethod
    def _in_the_future(cls, expires_at: datetime | None) -> datetime | None:
        if expires_at is not None and expires_at <= utcnow():
            raise PydanticCustomError("in_future", "expires_at is not in the future")
        return expires_at


class TokenPublic(BaseModel):
    id: str
    name: str
    kind: TokenKind
    scopes: list[str]
    clearance: ClearanceName
    meeting_id: str | None
    status: TokenStatus = PydanticField(description="derived from expires_at and revoked_at")
    created_at: datetime
    created_by: str
    expires_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str | None
    rate_limit: RateLimit | None = PydanticField(description="its own; none: its kind's default")


class CallerPublic(BaseModel):
    """What the token in this request may do: a console or another agency's system reads it once,
    rather than probing paths to find out."""

    token_id: str | None = PydanticField(description="its id; ``bootstrap`` for the platform's first token")
    name: str
    kind: TokenKind
    scopes: list[str]
    clearance: ClearanceName
    meeting_id: str | None = PydanticField(description="set: this meeting's paths only")


class TokenIssued(TokenPublic):
    token: str = PydanticField(description="the token itself: shown this once, never again")
