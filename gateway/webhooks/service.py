"""Subscriptions, their deliveries and the attempts: what the views, the intake and the worker
change, in the caller's transaction (never committed here)."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVarTuple

from sqlalchemy import ColumnElement, Select, and_, delete, or_, select, tuple_
from sqlmodel import Session, col

from gateway.events.filters import Selection, TypePattern, select_for
from gateway.tokens.book import BOOTSTRAP
from gateway.tokens.models import ApiToken
from gateway.webhooks import messages
from gateway.webhooks.models import (
    AttemptPublic,
    DeliveryDetail,
    DeliveryPublic,
    DeliveryStatus,
    WebhookAttempt,
    WebhookCreate,
    WebhookDelivery,
    WebhookPublic,
    WebhookStatus,
    WebhookSubscription,
)
from huiwu.auth import ADMIN, Clearance, Principal
from huiwu.db import utcnow
from huiwu.errors import Conflict, NotFound
from huiwu.events.envelope import CloudEvent

GONE_REASON = "the receiver answered 410 Gone"
JITTER = 0.2  # each retry waits its delay ±20%: a receiver back up is not hit by every retry at once
Ts = TypeVarTuple("Ts")


def create(*, session: Session, webhook_in: WebhookCreate, by: Principal) -> WebhookSubscription:
    """403 for event types, a meeting or a kind of token that may not read them."""
    patterns = [TypePattern.of(text) for text in webhook_in.event_types]
    selection = select_for(by, patterns, webhook_in.meeting_id)
    subscription = WebhookSubscription(
        url=str(webhook_in.url),
        secret=messages.new_secret(),
        event_types=" ".join(dict.fromkeys(webhook_in.event_types)),
        meeting_id=selection.meeting_id,
        description=webhook_in.description or None,
        token_id=by.token_id,
        created_by=by.name,
        scopes=" ".join(sorted(by.scopes)),
        clearance=by.clearance.name,
    )
    session.add(subscription)
    return subscription


def _platform_admin(by: Principal) -> bool:
    return by.allows(ADMIN) and by.meeting_id is None


def reachable(*, session: Session, webhook_id: str, by: Principal) -> WebhookSubscription:
    """The subscription, if ``by`` made it (with the same token) or administers the platform."""
    subscription = session.get(WebhookSubscription, webhook_id)
    if subscription is None or not (_platform_admin(by) or subscription.token_id == by.token_id):
        raise NotFound(f"webhook {webhook_id} does not exist", field="webhook_id")
    return subscription


def list_page(
    *, session: Session, by: Principal, limit: int, after: tuple[datetime, str] | None
) -> list[WebhookSubscription]:
    """Oldest first; a platform admin sees every subscription, anyone else those of their token."""
    query = select(WebhookSubscription)
    if not _platform_admin(by):
        query = query.where(col(WebhookSubscription.token_id) == by.token_id)
    if after is not None:
        query = query.where(tuple_(col(WebhookSubscription.created_at), col(WebhookSubscription.id)) > after)
    order = (col(WebhookSubscription.created_at), col(WebhookSubscription.id))
    return list(session.scalars(query.order_by(*order).limit(limit)))


def delete_subscription(*, session: Session, subscription: WebhookSubscription) -> None:
    """With its deliveries and their log: nothing more is sent."""
    deliveries = select(col(WebhookDelivery.id)).where(
        col(WebhookDelivery.subscription_id) == subscription.id
    )
    session.execute(delete(WebhookAttempt).where(col(WebhookAttempt.delivery_id).in_(deliveries)))
    session.execute(delete(WebhookDelivery).where(col(WebhookDelivery.subscription_id) == subscription.id))
    session.delete(subscription)


def deliveries_page(
    *,
    session: Session,
    subscription: WebhookSubscription,
    limit: int,
    before: tuple[datetime, str] | None,
    status: DeliveryStatus | None,
) -> list[WebhookDelivery]:
    """Newest first, keyset-paginated on (created_at, id)."""
    query = select(WebhookDelivery).where(col(WebhookDelivery.subscription_id) == subscription.id)
    if before is not None:
        query = query.where(tuple_(col(WebhookDelivery.created_at), col(WebhookDelivery.id)) < before)
    if status is not None:
        query = query.where(col(WebhookDelivery.status) == status)
    order = (col(WebhookDelivery.created_at).desc(), col(WebhookDelivery.id).desc())
    return list(session.scalars(query.order_by(*order).limit(limit)))


def delivery_of(*, session: Session, subscription: WebhookSubscription, delivery_id: str) -> WebhookDelivery:
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.subscription_id != subscription.id:
        raise NotFound(f"delivery {delivery_id} does not exist", field="delivery_id")
    return delivery


def redeliver(*, session: Session, subscription: WebhookSubscription, delivery_id: str) -> WebhookDelivery:
    """Send it again now, whatever became of it, with the retry schedule from its start."""
    if subscription.disabled_at is not None:
        raise Conflict(f"webhook {subscription.id} is disabled: {subscription.disabled_reason}")
    delivery = delivery_of(session=session, subscription=subscription, delivery_id=delivery_id)
    delivery.status = DeliveryStatus.pending
    delivery.next_attempt_at = utcnow()
    delivery.retries = 0
    delivery.claim = delivery.claimed_until = None  # a send in flight now settles nothing
    return delivery


def public(subscription: WebhookSubscription) -> WebhookPublic:
    return WebhookPublic(
        id=subscription.id,
        url=subscription.url,
        event_types=subscription.event_types.split(),
        meeting_id=subscription.meeting_id,
        description=subscription.description,
        status=WebhookStatus.active if subscription.disabled_at is None else WebhookStatus.disabled,
        disabled_at=subscription.disabled_at,
        disabled_reason=subscription.disabled_reason,
        created_at=subscription.created_at,
        created_by=subscription.created_by,
    )


def detail(*, session: Session, delivery: WebhookDelivery) -> DeliveryDetail:
    attempts = session.scalars(
        select(WebhookAttempt)
        .where(col(WebhookAttempt.delivery_id) == delivery.id)
        .order_by(col(WebhookAttempt.number))
    )
    return DeliveryDetail(
        **DeliveryPublic.model_validate(delivery).model_dump(),
        body=json.loads(delivery.payload),
        log=[AttemptPublic.model_validate(attempt) for attempt in attempts],
    )


# The intake: events from the streams become deliveries.


def _token_valid(now: datetime) -> ColumnElement[bool]:
    """A subscription lives as long as its token: revoked or expired, nothing more is sent."""
    return or_(
        col(WebhookSubscription.token_id) == BOOTSTRAP.token_id,
        and_(
            col(ApiToken.id).is_not(None),
            col(ApiToken.revoked_at).is_(None),
            or_(col(ApiToken.expires_at).is_(None), col(ApiToken.expires_at) > now),
        ),
    )


def _live(query: Select[*Ts], now: datetime) -> Select[*Ts]:
    """Only subscriptions not disabled, whose token is still valid."""
    with_token = query.outerjoin(ApiToken, col(ApiToken.id) == col(WebhookSubscription.token_id))
    return with_token.where(col(WebhookSubscription.disabled_at).is_(None), _token_valid(now))


def selection_of(subscription: WebhookSubscription) -> Selection:
    """What its creator could read when they made it, narrowed to what it asked for."""
    creator = Principal(
        subscription.created_by, frozenset(subscription.scopes.split()), Clearance[subscription.clearance]
    )
    patterns = [TypePattern.of(text) for text in subscription.event_types.split()]
    return select_for(creator, patterns, subscription.meeting_id)


def record_deliveries(*, session: Session, events: Sequence[CloudEvent], now: datetime) -> int:
    """A delivery per (active subscription, event it admits), once however often an event comes:
    the subscription and event id are unique together. Returns how many are new."""
    live = session.scalars(_live(select(WebhookSubscription), now))
    selections = [(subscription, selection_of(subscription)) for subscription in live]
    wanted = [(subscription, event) for event in events for subscription, selection in selections
              if selection.admits(event)]  # fmt: skip
    if not wanted:
        return 0
    known = select(col(WebhookDelivery.subscription_id), col(WebhookDelivery.event_id)).where(
        col(WebhookDelivery.event_id).in_({event.id for _, event in wanted})
    )
    seen = {(row[0], row[1]) for row in session.execute(known)}
    created = 0
    for subscription, event in wanted:
        if (subscription.id, event.id) in seen:
            continue
        seen.add((subscription.id, event.id))
        created += 1
        session.add(
            WebhookDelivery(
                subscription_id=subscription.id,
                event_id=event.id,
                event_type=event.type,
                meeting_id=event.meetingid,
                payload=messages.body_of(event),
                created_at=now,
                next_attempt_at=now,
            )
        )
    return created


# The worker: claims what is due, then settles each attempt.


@dataclass(frozen=True)
class Claimed:
    delivery_id: str
    claim: str
    url: str
    secret: str
    body: str


@dataclass(frozen=True)
class Outcome:
    delivery_id: str
    claim: str
    attempted_at: datetime
    status_code: int | None
    latency_ms: int
    response_excerpt: str | None
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def claim_due(*, session: Session, now: datetime, lease: timedelta, limit: int) -> list[Claimed]:
    """Due deliveries of live subscriptions, held for ``lease`` by a claim of their own; on
    PostgreSQL rows another sender holds are skipped (``SKIP LOCKED``), so two gateways never
    post one delivery at once."""
    due = (
        select(WebhookDelivery, WebhookSubscription)
        .join(WebhookSubscription, col(WebhookSubscription.id) == col(WebhookDelivery.subscription_id))
        .where(col(WebhookDelivery.status) == DeliveryStatus.pending)
        .where(col(WebhookDelivery.next_attempt_at) <= now)
        .where(or_(col(WebhookDelivery.claimed_until).is_(None), col(WebhookDelivery.claimed_until) < now))
    )
    due = _live(due, now).order_by(col(WebhookDelivery.next_attempt_at)).limit(limit)
    claimed = []
    for delivery, subscription in session.execute(due.with_for_update(skip_locked=True, of=WebhookDelivery)):
        delivery.claim, delivery.claimed_until = str(uuid.uuid4()), now + lease
        claimed.append(
            Claimed(delivery.id, delivery.claim, subscription.url, subscription.secret, delivery.payload)
        )
    return claimed


def settle(*, session: Session, outcomes: Sequence[Outcome], delays: Sequence[float], now: datetime) -> None:
    """Log each attempt; then delivered, retried after the next delay, or failed. A delivery
    claimed again meanwhile (redelivered by hand, or its lease ran out) is left to that claim."""
    for outcome in outcomes:
        # Locked: two senders settling one delivery number their attempts one after the other.
        delivery = session.get(WebhookDelivery, outcome.delivery_id, with_for_update=True)
        if delivery is None:  # deleted with its webhook meanwhile
            continue
        delivery.attempts += 1
        session.add(
            WebhookAttempt(
                delivery_id=delivery.id,
                number=delivery.attempts,
                attempted_at=outcome.attempted_at,
                status_code=outcome.status_code,
                latency_ms=outcome.latency_ms,
                response_excerpt=outcome.response_excerpt,
                error=outcome.error,
            )
        )
        if delivery.claim == outcome.claim:
            delivery.claim = delivery.claimed_until = None
            delivery.last_status_code = outcome.status_code
            _after_attempt(session, delivery, outcome, delays, now)


def _after_attempt(
    session: Session, delivery: WebhookDelivery, outcome: Outcome, delays: Sequence[float], now: datetime
) -> None:
    if outcome.succeeded:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.delivered, now, None
    elif outcome.status_code == 410:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.failed, None
        subscription = session.get(WebhookSubscription, delivery.subscription_id)
        if subscription is not None and subscription.disabled_at is None:
            subscription.disabled_at, subscription.disabled_reason = now, GONE_REASON
    elif delivery.retries < len(delays):
        wait = delays[delivery.retries] * random.uniform(1 - JITTER, 1 + JITTER)
        delivery.next_attempt_at = now + timedelta(seconds=wait)
        delivery.retries += 1
    else:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.failed, None
