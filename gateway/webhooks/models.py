"""Webhook subscriptions (an agency system's URL, the event types and meeting it wants), the
delivery of each matching event to each, and every attempt to post it."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, AnyHttpUrl, BaseModel, ConfigDict, StringConstraints, UrlConstraints
from pydantic import Field as PydanticField
from pydantic_core import PydanticCustomError
from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlmodel import Field

from gateway.database import Table
from gateway.events.filters import parse_pattern
from huiwu.db import UTCDateTime, utcnow

MAX_EVENT_TYPES = 50


class DeliveryStatus(StrEnum):
    pending = "pending"  # due at next_attempt_at
    delivered = "delivered"  # the receiver answered 2xx
    failed = "failed"  # every retry failed, or the receiver answered 410 Gone


class WebhookStatus(StrEnum):
    active = "active"
    disabled = "disabled"  # the receiver answered 410 Gone: nothing more is sent


class WebhookSubscription(Table, table=True):
    __tablename__ = "webhook_subscription"

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    url: str = Field(sa_type=Text)
    # Kept as it is: each delivery is signed with it. Shown to its creator once.
    secret: str = Field(max_length=100)
    event_types: str = Field(sa_type=Text)  # space-separated patterns
    meeting_id: str | None = Field(default=None, max_length=36)
    description: str | None = Field(default=None, max_length=200)
    # The creating token and what it could read then: deliveries never show more than it could.
    token_id: str | None = Field(default=None, index=True, max_length=36)
    created_by: str = Field(max_length=100)
    scopes: str = Field(sa_type=Text)
    clearance: str = Field(sa_type=String(20))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    disabled_reason: str | None = Field(default=None, max_length=200)


class WebhookDelivery(Table, table=True):
    """One event for one subscription: its body as sent on every attempt, and where it stands."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id", name="uq_webhook_delivery_event"),
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
        Index("ix_webhook_delivery_log", "subscription_id", "created_at"),
    )

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    subscription_id: str = Field(foreign_key="webhook_subscription.id", max_length=36)
    event_id: str = Field(max_length=36)
    event_type: str = Field(max_length=200)
    meeting_id: str | None = Field(default=None, max_length=36)
    payload: str = Field(sa_type=Text)
    status: DeliveryStatus = Field(default=DeliveryStatus.pending, sa_type=String(10))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claim: str | None = Field(default=None, max_length=36)  # the sender holding it, until claimed_until
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0
    retries: int = 0  # retries scheduled since it was last (re)queued: the backoff step
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_status_code: int | None = None


class WebhookAttempt(Table, table=True):
    """One POST: what the receiver answered and how long it took."""

    __tablename__ = "webhook_attempt"
    __table_args__ = (UniqueConstraint("delivery_id", "number", name="uq_webhook_attempt_number"),)

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), primary_key=True, max_length=36)
    delivery_id: str = Field(foreign_key="webhook_delivery.id", max_length=36)
    number: int
    attempted_at: datetime = Field(sa_type=UTCDateTime)
    status_code: int | None = None
    latency_ms: int
    response_excerpt: str | None = Field(default=None, sa_type=Text)
    error: str | None = Field(default=None, sa_type=Text)


def _no_credentials(url: AnyHttpUrl) -> AnyHttpUrl:
    if url.username or url.password:
        raise PydanticCustomError("no_credentials", "a webhook URL carries no user name or password")
    return url


def _pattern_text(text: str) -> str:
    return parse_pattern(text).text


WebhookUrl = Annotated[
    AnyHttpUrl,
    UrlConstraints(max_length=2000, allowed_schemes=["http", "https"]),
    AfterValidator(_no_credentials),
]
EventTypePattern = Annotated[str, AfterValidator(_pattern_text)]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: WebhookUrl = PydanticField(description="where to POST each event: http or https")
    event_types: list[EventTypePattern] = PydanticField(
        min_length=1,
        max_length=MAX_EVENT_TYPES,
        description="e.g. registration.attendee.registered, registration.*, huiwu.documents.copy.issued.v1",
    )
    meeting_id: Annotated[str, StringConstraints(min_length=1, max_length=36)] | None = PydanticField(
        default=None, description="only this meeting's events (a token for one meeting: always its own)"
    )
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None


class WebhookPublic(BaseModel):
    id: str
    url: str
    event_types: list[str]
    meeting_id: str | None
    description: str | None
    status: WebhookStatus
    disabled_at: datetime | None
    disabled_reason: str | None
    created_at: datetime
    created_by: str


class WebhookCreated(WebhookPublic):
    secret: str = PydanticField(
        description="whsec_ + base64 key (Standard Webhooks): verify each delivery with it; shown this once"
    )


class AttemptPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    attempted_at: datetime
    status_code: int | None = PydanticField(description="none if no answer came (see error)")
    latency_ms: int
    response_excerpt: str | None = PydanticField(description="the first KB of the receiver's answer")
    error: str | None


class DeliveryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = PydanticField(description="the webhook-id header: the same on every attempt")
    subscription_id: str
    event_id: str
    event_type: str
    meeting_id: str | None
    status: DeliveryStatus
    created_at: datetime
    attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_status_code: int | None


class DeliveryDetail(DeliveryPublic):
    body: dict[str, Any] = PydanticField(description="what is posted: {type, timestamp, data, …}")
    log: list[AttemptPublic] = PydanticField(description="every attempt, first first")
