"""Webhooks through the gateway, on real processes and a receiver on this machine: deliveries
signed so the Standard Webhooks reference library verifies them, retried, logged, redelivered by
hand, stopped by 410 Gone, and none lost or sent twice across a gateway restart. Below, the
database side: one delivery per event however often it comes, what a subscription may not see,
the retry schedule, and two senders never holding one delivery at once."""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
from aiohttp import web
from sqlmodel import Session, col, select
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from gateway.database import Store
from gateway.tokens.book import BOOTSTRAP
from gateway.tokens.models import ApiToken, ClearanceName
from gateway.webhooks import service
from gateway.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from gateway.webhooks.service import Outcome
from huiwu.assertions import ASSERTION_HEADER, sign
from huiwu.auth import ADMIN, Clearance, Principal, TokenKind
from huiwu.db import session_factory, unit_of_work, utcnow
from huiwu.events.catalog import AttendeeRegistered, ClearanceGranted, CopyIssued
from huiwu.events.envelope import CloudEvent, mint
from huiwu.runner import GATEWAY, Platform, free_port
from huiwu.testing.databases import Databases
from huiwu.testing.fixtures import eventually
from tests.test_event_stream import (
    EVENTS_OUT_ENV,
    depart,
    documents_know,
    gateway_with,
    holding,
    issue_token,
    new_meeting,
    register,
)

HOOK_PATH = "/hooks/huiwu"


@pytest.fixture(scope="module")
def events_out(platform: Platform) -> Iterator[Platform]:
    with gateway_with(platform, EVENTS_OUT_ENV) as restarted:
        yield restarted


@pytest.fixture
async def admin(events_out: Platform) -> AsyncIterator[httpx.AsyncClient]:
    async with holding(events_out, events_out.token) as client:
        yield client


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    answered: int


@dataclass
class Receiver:
    """An agency system's endpoint: answers the statuses in ``answers`` in turn, then ``usual``."""

    port: int
    answers: list[int] = field(default_factory=list)
    usual: int = 200
    received: list[Received] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{HOOK_PATH}"

    async def handle(self, request: web.Request) -> web.Response:
        status = self.answers.pop(0) if self.answers else self.usual
        self.received.append(Received(dict(request.headers), await request.read(), status))
        return web.Response(status=status, text="已收到" if status < 300 else "稍后再试")

    def ids(self, answered: int | None = None) -> list[str]:
        return [r.headers["webhook-id"] for r in self.received if answered in (None, r.answered)]


@contextlib.asynccontextmanager
async def receiving(*answers: int) -> AsyncIterator[Receiver]:
    receiver = Receiver(free_port(), list(answers))
    app = web.Application()
    app.router.add_post(HOOK_PATH, receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", receiver.port).start()
    try:
        yield receiver
    finally:
        await runner.cleanup()


async def subscribe(client: httpx.AsyncClient, url: str, meeting_id: str, *types: str) -> dict[str, Any]:
    body = {"url": url, "event_types": list(types or ["registration.attendee.registered"]),
            "meeting_id": meeting_id, "description": "省政府办公厅协同办公系统"}  # fmt: skip
    response = await client.post("/api/v1/webhooks", json=body)
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"  # the secret is never kept for a retry
    created: dict[str, Any] = response.json()
    return created


async def deliveries(client: httpx.AsyncClient, webhook_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"/api/v1/webhooks/{webhook_id}/deliveries")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def delivery(client: httpx.AsyncClient, webhook_id: str, delivery_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}")
    assert response.status_code == 200, response.text
    detail: dict[str, Any] = response.json()
    return detail


async def settled(
    client: httpx.AsyncClient, webhook_id: str, count: int, status: str
) -> list[dict[str, Any]]:
    async def done() -> list[dict[str, Any]] | None:
        items = await deliveries(client, webhook_id)
        return items if len(items) == count and all(i["status"] == status for i in items) else None

    found: list[dict[str, Any]] = await eventually(done, timeout=30, what=f"{count} deliveries {status}")
    return found


async def test_a_delivery_is_signed_so_the_reference_library_verifies_it(admin: httpx.AsyncClient) -> None:
    meeting_id = await new_meeting(admin)
    async with receiving() as receiver:
        webhook = await subscribe(admin, receiver.url, meeting_id)
        await register(admin, meeting_id, "王芳")
        [sent] = await settled(admin, webhook["id"], 1, "delivered")
        log = await delivery(admin, webhook["id"], sent["id"])
        shown = (await admin.get(f"/api/v1/webhooks/{webhook['id']}")).json()

    [post] = receiver.received
    payload = Webhook(webhook["secret"]).verify(post.body, post.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(webhook["secret"]).verify(post.body.replace("王芳".encode(), "李明".encode()), post.headers)
    assert webhook["secret"].startswith("whsec_") and "secret" not in shown
    assert (payload["type"], payload["data"]["name"]) == ("huiwu.registration.attendee.registered.v1", "王芳")
    assert payload["meeting_id"] == meeting_id
    assert post.headers["webhook-id"] == sent["id"]
    assert [(a["number"], a["status_code"], a["response_excerpt"]) for a in log["log"]] == [
        (1, 200, "已收到")
    ]
    assert log["log"][0]["latency_ms"] >= 0 and log["body"] == payload


async def test_a_failing_receiver_is_retried_with_the_same_webhook_id(admin: httpx.AsyncClient) -> None:
    meeting_id = await new_meeting(admin)
    async with receiving(500) as receiver:
        webhook = await subscribe(admin, receiver.url, meeting_id)
        await register(admin, meeting_id, "王芳")
        [sent] = await settled(admin, webhook["id"], 1, "delivered")
        log = await delivery(admin, webhook["id"], sent["id"])

    assert [r.answered for r in receiver.received] == [500, 200]
    assert receiver.ids() == [sent["id"], sent["id"]]
    assert [(a["number"], a["status_code"]) for a in log["log"]] == [(1, 500), (2, 200)]
    assert log["log"][0]["response_excerpt"] == "稍后再试"
    for post in receiver.received:
        Webhook(webhook["secret"]).verify(post.body, post.headers)


async def test_gone_disables_the_webhook_and_nothing_more_is_sent(admin: httpx.AsyncClient) -> None:
    meeting_id = await new_meeting(admin)
    async with receiving(410) as receiver:
        webhook = await subscribe(admin, receiver.url, meeting_id)
        await register(admin, meeting_id, "王芳")
        await settled(admin, webhook["id"], 1, "failed")
        shown = (await admin.get(f"/api/v1/webhooks/{webhook['id']}")).json()
        witness = await subscribe(admin, receiver.url, meeting_id)  # sees the same events from now on
        for name in ("李明", "张伟"):
            await register(admin, meeting_id, name)
        await settled(admin, witness["id"], 2, "delivered")
        after = await deliveries(admin, webhook["id"])

    assert (shown["status"], shown["disabled_reason"]) == ("disabled", "the receiver answered 410 Gone")
    assert [r.answered for r in receiver.received] == [410, 200, 200]
    assert len(after) == 1


async def test_a_delivery_is_sent_again_by_hand(admin: httpx.AsyncClient) -> None:
    meeting_id = await new_meeting(admin)
    async with receiving() as receiver:
        webhook = await subscribe(admin, receiver.url, meeting_id)
        await register(admin, meeting_id, "王芳")
        [sent] = await settled(admin, webhook["id"], 1, "delivered")
        again = await admin.post(f"/api/v1/webhooks/{webhook['id']}/deliveries/{sent['id']}/redeliver")
        await eventually(lambda: len(receiver.received) == 2, what="the second post")
        await settled(admin, webhook["id"], 1, "delivered")
        log = await delivery(admin, webhook["id"], sent["id"])

    assert again.status_code == 202
    assert receiver.ids(answered=200) == [sent["id"], sent["id"]]
    assert [(a["number"], a["status_code"]) for a in log["log"]] == [(1, 200), (2, 200)]


async def test_deliveries_survive_a_gateway_restart_each_arriving_once(events_out: Platform) -> None:
    # Retries 5 s apart: the gateway is stopped and started again in between.
    slow_retries = {**EVENTS_OUT_ENV, "HUIWU_WEBHOOK_RETRY_DELAYS_S": "[5, 5, 5]"}
    with gateway_with(events_out, slow_retries):
        async with holding(events_out, events_out.token) as admin, receiving() as receiver:
            receiver.usual = 503
            meeting_id = await new_meeting(admin)
            webhook = await subscribe(admin, receiver.url, meeting_id)
            for name in ("王芳", "李明"):
                await register(admin, meeting_id, name)
            await eventually(lambda: len(set(receiver.ids())) == 2, what="a first, failed, post of each")

            events_out.stop(GATEWAY)
            await _register_directly(events_out, meeting_id, "张伟")  # while the gateway is away
            receiver.usual = 200
            events_out.start(GATEWAY)
            events_out.wait_ready([GATEWAY])
            await eventually(lambda: len(receiver.ids(answered=200)) == 3, timeout=30, what="all three")
            await settled(admin, webhook["id"], 3, "delivered")

    names = {Webhook(webhook["secret"]).verify(r.body, r.headers)["data"]["name"]
             for r in receiver.received if r.answered == 200}  # fmt: skip
    assert names == {"王芳", "李明", "张伟"}
    assert Counter(receiver.ids(answered=200)).most_common(1)[0][1] == 1


async def _register_directly(platform: Platform, meeting_id: str, name: str) -> None:
    who = Principal("会务组", frozenset({ADMIN}), Clearance.top_secret, token_id="bootstrap")
    headers = {ASSERTION_HEADER: sign(who, platform.assertion_key)}
    body = {"name": name, "organization": "江州市人民政府", "title": "副市长"}
    async with httpx.AsyncClient(base_url=platform.url("registration"), headers=headers) as registration:
        response = await registration.post(f"/api/v1/meetings/{meeting_id}/attendees", json=body)
    assert response.status_code == 201, response.text


async def test_a_webhook_gets_only_what_its_token_may_read(
    events_out: Platform, admin: httpx.AsyncClient
) -> None:
    meeting_id = await new_meeting(admin)
    token = await issue_token(admin, scopes=["registration:read"], meeting_id=meeting_id)
    async with holding(events_out, token) as delegate, receiving() as receiver:
        refused = {
            "scope": await delegate.post("/api/v1/webhooks", json={
                "url": receiver.url, "event_types": ["documents.*"]}),
            "meeting": await delegate.post("/api/v1/webhooks", json={
                "url": receiver.url, "event_types": ["registration.*"], "meeting_id": str(uuid.uuid4())}),
        }  # fmt: skip
        response = await delegate.post("/api/v1/webhooks", json={"url": receiver.url, "event_types": ["*"]})
        assert response.status_code == 201, response.text
        webhook = response.json()
        others = await admin.get("/api/v1/webhooks")
        mine = await delegate.get("/api/v1/webhooks")
        witness = await subscribe(admin, receiver.url, meeting_id, "documents.clearance.granted")
        wang = await register(admin, meeting_id, "王芳")
        await documents_know(admin, meeting_id, 1)
        await depart(admin, meeting_id, wang)
        await settled(admin, witness["id"], 1, "delivered")  # documents' answer was read
        departure = "huiwu.registration.departure.requested.v1"
        types = await eventually(
            lambda: _delivered_types(delegate, webhook["id"], departure), what="its departure"
        )
        foreign = await delegate.get(f"/api/v1/webhooks/{witness['id']}")

    assert {name: response.status_code for name, response in refused.items()} == {
        "scope": 403,
        "meeting": 403,
    }
    assert webhook["meeting_id"] == meeting_id  # its token's meeting
    assert webhook["id"] in {item["id"] for item in others.json()["items"]}
    assert [item["id"] for item in mine.json()["items"]] == [webhook["id"]]
    assert foreign.status_code == 404
    assert all(t.startswith("huiwu.registration.") for t in types)


async def _delivered_types(client: httpx.AsyncClient, webhook_id: str, including: str) -> set[str] | None:
    """The types delivered to the webhook, once ``including`` is among them."""
    items = await deliveries(client, webhook_id)
    types = {item["event_type"] for item in items if item["status"] == "delivered"}
    return types if including in types else None


async def test_bad_webhooks_are_refused_naming_the_field(admin: httpx.AsyncClient) -> None:
    cases = {
        "ftp://files.example.gov.cn/in": ("url", "url_scheme"),
        "http://user:pw@oa.example.gov.cn/hook": ("url", "no_credentials"),
        "not a url": ("url", "url_parsing"),
    }
    answers = {
        url: await admin.post("/api/v1/webhooks", json={"url": url, "event_types": ["registration.*"]})
        for url in cases
    }
    unknown = await admin.post(
        "/api/v1/webhooks",
        json={"url": "https://oa.example.gov.cn/hook", "event_types": ["registration.nope"]},
    )
    empty = await admin.post(
        "/api/v1/webhooks", json={"url": "https://oa.example.gov.cn/hook", "event_types": []}
    )
    listed = await admin.get("/api/v1/webhooks", params={"limit": 500})

    def error(response: httpx.Response) -> tuple[str, str]:
        assert response.status_code == 422, response.text
        first = response.json()["errors"][0]
        return first["field"], first["rule"]

    assert {url: error(response) for url, response in answers.items()} == cases
    assert error(unknown) == ("event_types.0", "known_event_type")
    assert error(empty) == ("event_types", "too_short")
    assert not any(item["url"].startswith("ftp") for item in listed.json()["items"])


# The database side.


@pytest.fixture
def store(databases: Databases) -> Iterator[Store]:
    created = Store(databases.url("gateway"))
    created.migrate()
    yield created
    created.close()


def _subscription(session: Session, **fields: Any) -> WebhookSubscription:
    subscription = WebhookSubscription(
        url="https://oa.example.gov.cn/hook",
        secret="whsec_" + "A" * 44,
        event_types=fields.pop("event_types", "*"),
        token_id=fields.pop("token_id", BOOTSTRAP.token_id),
        created_by="省政府办公厅",
        scopes=fields.pop("scopes", ADMIN),
        clearance=fields.pop("clearance", "top_secret"),
        **fields,
    )
    session.add(subscription)
    session.flush()
    return subscription


def _event(contract: Any, meeting_id: str) -> CloudEvent:
    return mint(contract, producer=contract.producer, meeting_id=meeting_id)


def _registered(meeting_id: str) -> CloudEvent:
    data = {"attendee_id": str(uuid.uuid4()), "version": 1, "name": "王芳", "organization": "江州市人民政府",
            "title": "市长", "category": "member", "meeting_id": meeting_id}  # fmt: skip
    return _event(AttendeeRegistered.model_validate(data), meeting_id)


def _in(store: Store) -> AbstractContextManager[Session]:
    return unit_of_work(session_factory(store.engine))


def test_an_event_that_comes_twice_is_one_delivery(store: Store) -> None:
    meeting_id = str(uuid.uuid4())
    event = _registered(meeting_id)
    with _in(store) as session:
        _subscription(session)
    counts = []
    for _ in range(2):
        with _in(store) as session:
            counts.append(service.record_deliveries(session=session, events=[event, event], now=utcnow()))
    with _in(store) as session:
        rows = list(session.scalars(select(WebhookDelivery)))

    assert counts == [1, 0]
    assert [(row.event_id, row.status) for row in rows] == [(event.id, DeliveryStatus.pending)]


def test_a_subscription_gets_nothing_above_its_clearance_elsewhere_or_after_its_token_is_revoked(
    store: Store,
) -> None:
    meeting_id = str(uuid.uuid4())
    copy = _event(CopyIssued.model_validate({
        "meeting_id": meeting_id, "document_id": str(uuid.uuid4()), "copy_no": "000001",
        "classification": "secret", "attendee_id": str(uuid.uuid4()), "issued_at": utcnow(),
        "issued_by": "机要员张三"}), meeting_id)  # fmt: skip
    grant = _event(ClearanceGranted(meeting_id=meeting_id, attendee_id="a", request_id="r"), meeting_id)
    elsewhere = _event(ClearanceGranted(meeting_id="another", attendee_id="a", request_id="r"), "another")
    with _in(store) as session:
        token = ApiToken(
            name="协同办公",
            kind=TokenKind.standard,
            scopes="documents:read",
            clearance=ClearanceName.none,
            digest=uuid.uuid4().hex,
            created_by="会务组",
        )
        session.add(token)
        session.flush()
        uncleared = _subscription(session, token_id=token.id, scopes="documents:read", clearance="none",
                                  meeting_id=meeting_id, event_types="documents.*")  # fmt: skip
        uncleared_id, token_id = uncleared.id, token.id
    with _in(store) as session:
        service.record_deliveries(session=session, events=[copy, grant, elsewhere], now=utcnow())
    with _in(store) as session:
        revoked = session.get(ApiToken, token_id)
        assert revoked is not None
        revoked.revoked_at = utcnow()
    with _in(store) as session:
        later = service.record_deliveries(
            session=session,
            events=[
                _event(ClearanceGranted(meeting_id=meeting_id, attendee_id="b", request_id="s"), meeting_id)
            ],
            now=utcnow(),
        )
        types = [row.event_type for row in session.scalars(
            select(WebhookDelivery).where(col(WebhookDelivery.subscription_id) == uncleared_id))]  # fmt: skip

    assert types == ["huiwu.documents.clearance.granted.v1"]
    assert later == 0


def test_failures_are_retried_by_the_schedule_with_jitter_then_given_up(store: Store) -> None:
    delays = [10.0, 100.0]
    with _in(store) as session:
        _subscription(session)
        service.record_deliveries(session=session, events=[_registered(str(uuid.uuid4()))], now=utcnow())
    waits: list[float | None] = []
    for _ in range(3):
        start = utcnow()
        with _in(store) as session:
            later = start + timedelta(days=1)  # due whatever the jitter
            [claimed] = service.claim_due(session=session, now=later, lease=timedelta(minutes=1), limit=10)
            failed = Outcome(claimed.delivery_id, claimed.claim, start, 503, 12, "忙", None)
            service.settle(session=session, outcomes=[failed], delays=delays, now=start)
        with _in(store) as session:
            row = session.scalars(select(WebhookDelivery)).one()
            waits.append((row.next_attempt_at - start).total_seconds() if row.next_attempt_at else None)

    assert waits[2] is None
    assert waits[0] is not None and 8 <= waits[0] <= 12  # ±20%
    assert waits[1] is not None and 80 <= waits[1] <= 120
    assert (row.status, row.attempts) == (DeliveryStatus.failed, 3)


def test_two_senders_never_hold_the_same_delivery(store: Store, databases: Databases) -> None:
    with _in(store) as session:
        _subscription(session)
        events = [_registered(str(uuid.uuid4())) for _ in range(40)]
        service.record_deliveries(session=session, events=events, now=utcnow())
    now, lease = utcnow() + timedelta(seconds=1), timedelta(minutes=1)
    # On PostgreSQL the first sender keeps its transaction open while the second claims: the
    # second skips the rows the first has locked instead of waiting for them.
    holds = databases.backend == "postgres"
    claimed, released = threading.Event(), threading.Event()
    first: list[service.Claimed] = []
    committed = threading.Event()

    def first_sender() -> None:
        with _in(store) as session:
            first.extend(service.claim_due(session=session, now=now, lease=lease, limit=25))
            claimed.set()
            if holds:
                released.wait(30)
        committed.set()

    sender = threading.Thread(target=first_sender)
    sender.start()
    assert claimed.wait(30)
    if not holds:
        assert committed.wait(30)
    with _in(store) as session:
        second = service.claim_due(session=session, now=now, lease=lease, limit=25)
    second_done_while_first_held = not committed.is_set()
    released.set()
    sender.join(30)

    assert len(first) == 25 and len(second) == 15
    assert not {c.delivery_id for c in first} & {c.delivery_id for c in second}
    assert second_done_while_first_held == holds
