"""Idempotency-Key at the gateway. On real processes: a retried registration registers one
person, answers the same and publishes one event; the key with another body is 422; a 5xx leaves
the key free; the answer outlives a gateway restart; two gateways on one database answer a key
once. In-process, against the gateway's database: a POST without the header never touches it; a
retry while the first is in flight is 409; only 2xx and 4xx answers are kept, never a secret;
keys are forgotten after a day."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime, timedelta
from typing import Any, TypeVar

import httpx
import nats
import pytest
from fastapi import FastAPI, Request, Response
from sqlmodel import Session, select

from gateway.database import Store
from gateway.idempotency import service
from gateway.idempotency.keys import Keys
from gateway.idempotency.middleware import Idempotency
from gateway.idempotency.models import IdempotentRequest
from gateway.tokens.book import TokenBook
from huiwu.db import utcnow
from huiwu.runner import GATEWAY, Platform, free_port
from huiwu.testing.databases import Databases
from huiwu.web import install_platform_basics
from tests.test_gateway_tokens import gateway_database, holding, issue
from tests.test_slice_end_to_end import create_meeting, wait_for_sync

PROBLEM_JSON = "application/problem+json"
REPLAYED = "idempotent-replayed"
REGISTERED = "huiwu.registration.attendee.registered"
T = TypeVar("T")


def key() -> dict[str, str]:
    return {"Idempotency-Key": f'"{uuid.uuid4()}"'}


def person(name: str = "王芳") -> dict[str, Any]:
    return {"name": name, "organization": "江州市纪委监委", "title": "书记"}


def roster(gateway: httpx.Client, meeting_id: str) -> list[str]:
    page = gateway.get(f"/api/v1/meetings/{meeting_id}/attendees", params={"limit": 500}).json()
    return [item["name"] for item in page["items"]]


def published(platform: Platform, subject: str) -> int:
    async def count() -> int:
        client = await nats.connect(platform.nats_url)
        try:
            info = await client.jetstream().stream_info("REGISTRATION", subjects_filter=subject)
            return int((info.state.subjects or {}).get(subject, 0))
        finally:
            await client.close()

    return asyncio.run(count())


def test_a_retried_registration_registers_once_answers_the_same_and_publishes_once(
    platform: Platform, gateway: httpx.Client
) -> None:
    meeting_id = create_meeting(gateway)
    url, headers = f"/api/v1/meetings/{meeting_id}/attendees", key()
    events_before = published(platform, REGISTERED)

    first = gateway.post(url, json=person(), headers=headers)
    again = gateway.post(url, json=person(), headers=headers)
    wait_for_sync(gateway, meeting_id, 1)

    assert first.status_code == again.status_code == 201, first.text
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["content-type"] == first.headers["content-type"] == "application/json"
    assert (REPLAYED in first.headers, again.headers[REPLAYED]) == (False, "true")
    assert roster(gateway, meeting_id) == ["王芳"]
    assert published(platform, REGISTERED) == events_before + 1


def test_the_same_key_for_another_request_is_422_and_changes_nothing(gateway: httpx.Client) -> None:
    meeting_id = create_meeting(gateway)
    url, headers = f"/api/v1/meetings/{meeting_id}/attendees", key()
    assert gateway.post(url, json=person(), headers=headers).status_code == 201

    other_body = gateway.post(url, json=person("丁一"), headers=headers)
    other_path = gateway.post("/api/v1/meetings", json={"name": "另一会议"}, headers=headers)

    for refused in (other_body, other_path):
        assert refused.status_code == 422 and refused.headers["content-type"] == PROBLEM_JSON
        assert refused.json()["type"] == "urn:huiwu:problem:idempotency-key-reused"
    assert url in other_path.json()["detail"]
    assert roster(gateway, meeting_id) == ["王芳"]


def test_a_key_belongs_to_the_token_that_sent_it(platform: Platform, gateway: httpx.Client) -> None:
    meeting_id = create_meeting(gateway)
    url, headers = f"/api/v1/meetings/{meeting_id}/attendees", key()
    clerk = issue(gateway, scopes=["registration:*"])

    by_admin = gateway.post(url, json=person(), headers=headers)
    with holding(platform, clerk["token"]) as client:
        by_clerk = client.post(url, json=person("丁一"), headers=headers)

    assert (by_admin.status_code, by_clerk.status_code) == (201, 201)
    assert REPLAYED not in by_clerk.headers
    assert sorted(roster(gateway, meeting_id)) == sorted(["王芳", "丁一"])


def test_an_answer_from_a_service_that_was_down_is_not_kept(
    platform: Platform, gateway: httpx.Client
) -> None:
    meeting_id = create_meeting(gateway)
    url, headers = f"/api/v1/meetings/{meeting_id}/attendees", key()
    platform.stop("registration")
    try:
        down = gateway.post(url, json=person(), headers=headers)
    finally:
        platform.start("registration")
        platform.wait_ready(["registration"])

    retried = gateway.post(url, json=person(), headers=headers)
    again = gateway.post(url, json=person(), headers=headers)

    assert down.status_code == 503 and down.json()["type"] == "urn:huiwu:problem:service-unavailable"
    assert retried.status_code == 201 and REPLAYED not in retried.headers
    assert again.status_code == 201 and again.headers[REPLAYED] == "true"
    assert again.json() == retried.json()
    assert roster(gateway, meeting_id) == ["王芳"]


def test_an_answer_outlives_a_gateway_restart(platform: Platform, gateway: httpx.Client) -> None:
    meeting_id = create_meeting(gateway)
    url, headers = f"/api/v1/meetings/{meeting_id}/attendees", key()
    first = gateway.post(url, json=person(), headers=headers)

    platform.stop(GATEWAY)
    platform.start(GATEWAY)
    platform.wait_ready([GATEWAY])
    again = gateway.post(url, json=person(), headers=headers)

    assert first.status_code == 201
    assert (again.status_code, again.headers[REPLAYED], again.json()) == (201, "true", first.json())
    assert roster(gateway, meeting_id) == ["王芳"]


@contextmanager
def second_gateway(platform: Platform) -> Iterator[Platform]:
    """Another gateway process on the same database and services."""
    other = dataclasses.replace(platform, gateway_port=free_port(), processes={})
    other.start(GATEWAY)
    try:
        other.wait_ready([GATEWAY])
        yield other
    finally:
        other.stop(GATEWAY)


def test_two_gateways_on_one_database_answer_a_key_once(platform: Platform, gateway: httpx.Client) -> None:
    meeting_id = create_meeting(gateway)
    url, headers = f"/api/v1/meetings/{meeting_id}/attendees", key()

    with second_gateway(platform) as other, holding(other, platform.token) as gateway_b:
        clients = [gateway, gateway_b] * 8
        with ThreadPoolExecutor(len(clients)) as pool:
            rush = list(pool.map(lambda client: client.post(url, json=person(), headers=headers), clients))
        settled = [client.post(url, json=person(), headers=headers) for client in (gateway, gateway_b)]

    answered = [response for response in rush if response.status_code == 201]
    originals = [response for response in answered if REPLAYED not in response.headers]
    in_flight = [response for response in rush if response.status_code == 409]
    assert len(answered) + len(in_flight) == len(rush)
    assert len(originals) == 1
    assert all(
        response.json()["type"] == "urn:huiwu:problem:idempotency-key-in-flight" for response in in_flight
    )
    assert all(response.headers["retry-after"] == "1" for response in in_flight)
    assert {json.dumps(response.json()) for response in answered + settled} == {
        json.dumps(originals[0].json())
    }
    assert all(response.headers[REPLAYED] == "true" for response in settled)
    assert roster(gateway, meeting_id) == ["王芳"]


def test_a_new_token_is_issued_once_and_never_kept_for_a_retry(
    platform: Platform, gateway: httpx.Client
) -> None:
    """The gateway's own POSTs take the key too; an answer carrying a secret is not kept."""
    headers, body = key(), {"name": "重试令牌", "scopes": ["venue:read"]}

    first = gateway.post("/api/v1/tokens", json=body, headers=headers)
    again = gateway.post("/api/v1/tokens", json=body, headers=headers)

    assert first.status_code == 201 and first.headers["cache-control"] == "no-store"
    assert (
        again.status_code == 409 and again.json()["type"] == "urn:huiwu:problem:idempotency-answer-not-kept"
    )
    assert again.headers["location"] == first.headers["location"]
    issued = [item for item in gateway.get("/api/v1/tokens", params={"limit": 500}).json()["items"]
              if item["name"] == "重试令牌"]  # fmt: skip
    assert len(issued) == 1
    with gateway_database(platform) as session:
        kept = " ".join(str(value) for row in session.exec(select(IdempotentRequest)) for value in row)
    assert first.json()["token"] not in kept


def test_a_malformed_or_repeated_key_is_refused_naming_the_header(gateway: httpx.Client) -> None:
    url = "/api/v1/meetings"
    meeting = {"name": "不应出现的会议", "starts_on": "2027-01-12", "ends_on": "2027-01-14"}
    before = len(gateway.get(url, params={"limit": 500}).json()["items"])

    answers = [
        gateway.post(url, json=meeting, headers={"Idempotency-Key": ""}),
        gateway.post(url, json=meeting, headers={"Idempotency-Key": "k" * 256}),
        gateway.post(url, json=meeting, headers={"Idempotency-Key": '"unterminated'}),
        gateway.post(url, json=meeting, headers={b"Idempotency-Key": "会议".encode()}),
        gateway.post(url, json=meeting, headers=[("Idempotency-Key", "a"), ("Idempotency-Key", "b")]),
    ]

    for answer in answers:
        assert answer.status_code == 422 and answer.headers["content-type"] == PROBLEM_JSON, answer.text
        assert [(e["field"], e["in"], e["rule"]) for e in answer.json()["errors"]] == [
            ("Idempotency-Key", "header", "idempotency_key")
        ]
    assert len(gateway.get(url, params={"limit": 500}).json()["items"]) == before


# In-process: the middleware in front of a small app, on the gateway's database.

TOKEN = "test-bootstrap-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class CountingStore(Store):
    transactions = 0

    async def run(self, work: Callable[[Session], T]) -> T:
        self.transactions += 1
        return await super().run(work)


@asynccontextmanager
async def gateway_like(
    databases: Databases,
) -> AsyncIterator[tuple[httpx.AsyncClient, FastAPI, CountingStore]]:
    store = CountingStore(databases.url("gateway"))
    store.migrate()
    app = FastAPI()
    app.state.tokens = TokenBook(store, TOKEN)
    app.state.idempotency = Keys(store)
    app.state.made = 0
    app.add_middleware(Idempotency)

    async def ready() -> dict[str, bool]:
        return {}

    install_platform_basics(app, "gateway", ready)

    @app.post("/api/v1/things/{status}")
    async def make(status: int, request: Request) -> Response:
        app.state.made += 1
        if (gate := getattr(app.state, "gate", None)) is not None:
            await gate.wait()
        headers = {"Location": f"/api/v1/things/{app.state.made}", **dict(request.query_params)}
        return Response(json.dumps({"made": app.state.made}), status, headers, media_type="application/json")

    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway", headers=AUTH) as client:
            yield client, app, store
    finally:
        store.close()


async def test_a_post_without_the_header_never_touches_the_database(databases: Databases) -> None:
    async with gateway_like(databases) as (client, app, store):
        before = store.transactions
        answers = await asyncio.gather(*(client.post("/api/v1/things/201", json={"n": n}) for n in range(50)))

    assert [answer.status_code for answer in answers] == [201] * 50
    assert store.transactions == before
    assert app.state.made == 50


async def test_a_retry_while_the_first_is_answered_is_409_and_then_gets_its_answer(
    databases: Databases,
) -> None:
    async with gateway_like(databases) as (client, app, _):
        app.state.gate = asyncio.Event()
        headers = key()
        first = asyncio.create_task(client.post("/api/v1/things/201", json={}, headers=headers))
        while app.state.made == 0:
            await asyncio.sleep(0.01)
        meanwhile = await client.post("/api/v1/things/201", json={}, headers=headers)
        app.state.gate.set()
        answered = await first
        later = await client.post("/api/v1/things/201", json={}, headers=headers)

    assert meanwhile.status_code == 409 and meanwhile.headers["retry-after"] == "1"
    assert meanwhile.json()["type"] == "urn:huiwu:problem:idempotency-key-in-flight"
    assert (answered.status_code, later.status_code, later.headers[REPLAYED]) == (201, 201, "true")
    assert later.json() == answered.json() == {"made": 1}
    assert app.state.made == 1


@pytest.mark.parametrize(("status", "kept"), [(201, True), (200, True), (404, True), (409, True),
                                              (429, False), (500, False), (503, False)])  # fmt: skip
async def test_only_2xx_and_4xx_answers_are_kept(databases: Databases, status: int, kept: bool) -> None:
    async with gateway_like(databases) as (client, app, _):
        headers = key()
        first = await client.post(f"/api/v1/things/{status}", json={}, headers=headers)
        again = await client.post(f"/api/v1/things/{status}", json={}, headers=headers)

    assert first.status_code == again.status_code == status
    assert (REPLAYED in again.headers, app.state.made) == ((True, 1) if kept else (False, 2))


async def test_an_answer_carrying_a_secret_is_not_kept_and_its_retry_says_what_was_made(
    databases: Databases,
) -> None:
    async with gateway_like(databases) as (client, app, store):
        headers = key()
        first = await client.post("/api/v1/things/201", params={"Cache-Control": "no-store"}, headers=headers)
        again = await client.post("/api/v1/things/201", params={"Cache-Control": "no-store"}, headers=headers)
        with Session(store.engine) as session:
            rows = list(session.exec(select(IdempotentRequest)))

    assert first.status_code == 201 and app.state.made == 1
    assert again.status_code == 409 and again.headers["location"] == "/api/v1/things/1"
    assert again.json()["type"] == "urn:huiwu:problem:idempotency-answer-not-kept"
    assert [(row.status, row.body) for row in rows] == [(201, None)]


def claiming(request: service.Request, now: datetime) -> Callable[[Session], service.Outcome | None]:
    return lambda session: service.claim(session, request, now)


async def test_keys_are_forgotten_after_a_day_and_abandoned_claims_are_taken_over(
    databases: Databases,
) -> None:
    store = Store(databases.url("gateway"))
    store.migrate()
    now = utcnow()

    def asked(key: str) -> service.Request:
        return service.Request("bootstrap", key, "f" * 64, "POST", "/api/v1/things/201")

    try:
        old = await store.run(lambda s: service.claim(s, asked("old"), now - timedelta(hours=25)))
        assert isinstance(old, service.Claimed)
        await store.run(lambda s: service.answer(s, asked("old"), old, 201, {}, b"{}"))
        await store.run(lambda s: service.claim(s, asked("abandoned"), now - timedelta(minutes=2)))
        await store.run(lambda s: service.claim(s, asked("recent"), now - timedelta(seconds=5)))

        outcomes = {
            name: await store.run(claiming(asked(name), now)) for name in ("old", "abandoned", "recent")
        }
        await store.run(lambda s: service.claim(s, asked("expired"), now - timedelta(hours=25)))
        pruned = await store.run(lambda s: service.prune(s, now))
    finally:
        store.close()

    assert isinstance(outcomes["old"], service.Claimed)
    assert isinstance(outcomes["abandoned"], service.Claimed)
    assert isinstance(outcomes["recent"], service.InFlight)
    assert pruned == 1
