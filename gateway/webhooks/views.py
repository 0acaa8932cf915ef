from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlmodel import Session

from gateway.audit import service as audit
from gateway.caller import Caller, StoreDep
from gateway.events.runtime import EventsOut
from gateway.webhooks import service
from gateway.webhooks.models import (
    DeliveryDetail,
    DeliveryPublic,
    DeliveryStatus,
    WebhookCreate,
    WebhookCreated,
    WebhookPublic,
)
from huiwu.pagination import Cursor, Limit, Page, encode_cursor, keyset_after, page_of

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])


@router.post("", status_code=201, response_model=WebhookCreated)
async def create_webhook(
    webhook_in: WebhookCreate, caller: Caller, store: StoreDep, response: Response
) -> WebhookCreated:
    """Events of the types and meeting asked for, as the token could read them, posted to the URL
    and signed with the secret in this answer (shown this once)."""

    def create(session: Session) -> WebhookCreated:
        subscription = service.create(session=session, webhook_in=webhook_in, by=caller)
        path = f"/api/v1/webhooks/{subscription.id}"
        audit.record(
            session=session, token=caller, method="POST", path=path, status=201, reason="webhook-created"
        )
        return WebhookCreated(**service.public(subscription).model_dump(), secret=subscription.secret)

    created = await store.run(create)
    response.headers["Location"] = f"/api/v1/webhooks/{created.id}"
    response.headers["Cache-Control"] = "no-store"  # the secret is shown once: never kept for a retry
    return created


@router.get("", response_model=Page[WebhookPublic])
async def list_webhooks(
    caller: Caller, store: StoreDep, limit: Limit = 50, cursor: Cursor = None
) -> Page[WebhookPublic]:
    """Oldest first: the token's own, or every one for a platform admin."""
    after = keyset_after(cursor, "webhooks")
    rows = await store.run(
        lambda session: service.list_page(session=session, by=caller, limit=limit + 1, after=after)
    )
    last = rows[limit - 1] if len(rows) > limit else None
    next_cursor = encode_cursor("webhooks", [last.created_at.isoformat(), last.id]) if last else None
    return Page[WebhookPublic](items=[service.public(row) for row in rows[:limit]], next_cursor=next_cursor)


@router.get("/{webhook_id}", response_model=WebhookPublic)
async def read_webhook(webhook_id: str, caller: Caller, store: StoreDep) -> WebhookPublic:
    subscription = await store.run(
        lambda session: service.reachable(session=session, webhook_id=webhook_id, by=caller)
    )
    return service.public(subscription)


@router.delete("/{webhook_id}", status_code=204)
async def delete_webhook(webhook_id: str, caller: Caller, store: StoreDep, request: Request) -> Response:
    """Nothing more is sent; its deliveries and their log go with it."""

    def delete(session: Session) -> None:
        subscription = service.reachable(session=session, webhook_id=webhook_id, by=caller)
        service.delete_subscription(session=session, subscription=subscription)
        path = request.url.path
        audit.record(
            session=session, token=caller, method="DELETE", path=path, status=204, reason="webhook-deleted"
        )

    await store.run(delete)
    return Response(status_code=204)


@router.get("/{webhook_id}/deliveries", response_model=Page[DeliveryPublic])
async def list_deliveries(
    webhook_id: str,
    caller: Caller,
    store: StoreDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: DeliveryStatus | None = None,
) -> Page[DeliveryPublic]:
    """Newest first: each event sent (or to be sent) to this webhook and where it stands."""
    before = keyset_after(cursor, "webhook-deliveries")

    def page(session: Session) -> Page[DeliveryPublic]:
        subscription = service.reachable(session=session, webhook_id=webhook_id, by=caller)
        rows = service.deliveries_page(
            session=session, subscription=subscription, limit=limit + 1, before=before, status=status
        )
        return page_of(rows, limit, DeliveryPublic, "webhook-deliveries")

    return await store.run(page)


@router.get("/{webhook_id}/deliveries/{delivery_id}", response_model=DeliveryDetail)
async def read_delivery(webhook_id: str, delivery_id: str, caller: Caller, store: StoreDep) -> DeliveryDetail:
    """The body posted and every attempt: when, the answer's status and first KB, how long it took."""

    def read(session: Session) -> DeliveryDetail:
        subscription = service.reachable(session=session, webhook_id=webhook_id, by=caller)
        delivery = service.delivery_of(session=session, subscription=subscription, delivery_id=delivery_id)
        return service.detail(session=session, delivery=delivery)

    return await store.run(read)


@router.post(
    "/{webhook_id}/deliveries/{delivery_id}/redeliver", status_code=202, response_model=DeliveryPublic
)
async def redeliver(
    webhook_id: str, delivery_id: str, caller: Caller, store: StoreDep, request: Request
) -> DeliveryPublic:
    """Send it again now (with the same webhook-id), then by the retry schedule if it fails."""

    def queue(session: Session) -> DeliveryPublic:
        subscription = service.reachable(session=session, webhook_id=webhook_id, by=caller)
        delivery = service.redeliver(session=session, subscription=subscription, delivery_id=delivery_id)
        return DeliveryPublic.model_validate(delivery)

    queued = await store.run(queue)
    events: EventsOut = request.app.state.events
    events.webhooks.worker.wake()
    return queued
