"""Live events out through the gateway as Server-Sent Events, on real processes: filtered by
meeting and type, resumed after a reconnect with nothing missed and nothing twice, and never more
than the token may read (its departments, its meeting, its clearance)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from huiwu.runner import GATEWAY, Platform
from huiwu.testing.fixtures import eventually

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
# Short heartbeats and retries, so tests see them within seconds.
EVENTS_OUT_ENV = {
    "HUIWU_EVENT_STREAM_HEARTBEAT_S": "0.5",
    "HUIWU_WEBHOOK_RETRY_DELAYS_S": "[0.3, 0.3, 0.3]",
    "HUIWU_WEBHOOK_TIMEOUT_S": "5",
}


def restart_gateway(platform: Platform, env: Mapping[str, str]) -> None:
    platform.stop(GATEWAY)
    platform.env = dict(env)
    platform.start(GATEWAY)
    platform.wait_ready([GATEWAY])


@contextlib.contextmanager
def gateway_with(platform: Platform, extra: Mapping[str, str]) -> Iterator[Platform]:
    """The platform's gateway restarted with ``extra`` in its environment, as it was afterwards."""
    before = dict(platform.env)
    restart_gateway(platform, {**before, **extra})
    try:
        yield platform
    finally:
        restart_gateway(platform, before)


@pytest.fixture(scope="module")
def events_out(platform: Platform) -> Iterator[Platform]:
    with gateway_with(platform, EVENTS_OUT_ENV) as restarted:
        yield restarted


@pytest.fixture
async def admin(events_out: Platform) -> AsyncIterator[httpx.AsyncClient]:
    async with holding(events_out, events_out.token) as client:
        yield client


@contextlib.asynccontextmanager
async def holding(platform: Platform, token: str) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=platform.url("gateway"), headers=headers, timeout=30) as client:
        yield client


async def issue_token(admin: httpx.AsyncClient, **body: Any) -> str:
    response = await admin.post("/api/v1/tokens", json={"name": f"订阅{uuid.uuid4().hex[:6]}", **body})
    assert response.status_code == 201, response.text
    return str(response.json()["token"])


async def new_meeting(admin: httpx.AsyncClient, name: str = "江南省第十四届人民代表大会第五次会议") -> str:
    body = {"name": name, "starts_on": "2027-01-12", "ends_on": "2027-01-14"}
    response = await admin.post("/api/v1/meetings", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def register(admin: httpx.AsyncClient, meeting_id: str, name: str) -> str:
    body = {"name": name, "organization": "江州市人民政府", "title": "市长"}
    response = await admin.post(f"/api/v1/meetings/{meeting_id}/attendees", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def depart(admin: httpx.AsyncClient, meeting_id: str, attendee_id: str) -> None:
    response = await admin.post(f"/api/v1/meetings/{meeting_id}/attendees/{attendee_id}/departure")
    assert response.status_code in (200, 201, 202), response.text


async def settled(admin: httpx.AsyncClient, meeting_id: str) -> None:
    """Every department in step with the meeting: what it did so far is published."""

    async def in_sync() -> bool:
        return bool((await admin.get(f"/api/v1/meetings/{meeting_id}/sync")).json()["in_sync"])

    await eventually(in_sync, timeout=30, what="the departments in sync")


async def documents_know(admin: httpx.AsyncClient, meeting_id: str, count: int) -> None:
    async def known() -> bool:
        report = (await admin.get(f"/api/v1/meetings/{meeting_id}/sync")).json()
        return bool(report["services"]["documents"]["attendees"] == count)

    await eventually(known, timeout=30, what=f"documents knows {count} attendees")


async def hand_out_secret_copies(admin: httpx.AsyncClient, meeting_id: str, *attendee_ids: str) -> None:
    """A 秘密 document registered, reviewed and one copy issued to each person."""
    url = f"/api/v1/meetings/{meeting_id}/documents"
    body = {"title": "大会选举办法（草案）", "category": "report", "classification": "secret",
            "print_run": 5, "registered_by": "机要员张三"}  # fmt: skip
    created = await admin.post(url, json=body)
    assert created.status_code == 201, created.text
    url = f"{url}/{created.json()['id']}"
    uploaded = await admin.put(
        f"{url}/file", params={"by": "机要员张三"}, content=PDF, headers={"content-type": "application/pdf"}
    )
    assert uploaded.status_code == 200, uploaded.text
    for action in ("submit", "approve"):
        reviewed = await admin.post(f"{url}/review", json={"action": action, "by": "秘书长"})
        assert reviewed.status_code == 200, reviewed.text
    body = {"issued_by": "机要员张三", "to": {"kind": "people", "attendee_ids": list(attendee_ids)}}
    issued = await admin.post(f"{url}/distribute", json=body)
    assert issued.status_code == 200, issued.text


@dataclass
class Listener:
    """An SSE client, read in the background as a browser's EventSource would: ``events`` are the
    CloudEvents dispatched, ``last_id`` is what it would send as ``Last-Event-ID``."""

    events: list[dict[str, Any]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    last_id: str | None = None
    retry_ms: int | None = None

    def types(self) -> list[str]:
        return [event["type"] for event in self.events]

    def ids(self) -> list[str]:
        return [event["id"] for event in self.events]

    def of_type(self, suffix: str) -> list[dict[str, Any]]:
        return [event for event in self.events if event["type"].endswith(suffix)]

    async def read(self, response: httpx.Response) -> None:
        data: list[str] = []
        async for line in response.aiter_lines():
            if not line:
                if data:
                    self.events.append(json.loads("\n".join(data)))
                data = []
            elif line.startswith(":"):
                self.comments.append(line[1:].strip())
            else:
                name, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if name == "id":
                    self.last_id = value
                elif name == "data":
                    data.append(value)
                elif name == "retry":
                    self.retry_ms = int(value)


@contextlib.asynccontextmanager
async def listening(
    client: httpx.AsyncClient, params: Mapping[str, Any] | None = None, last_event_id: str | None = None
) -> AsyncIterator[Listener]:
    """Connected once the stream's first frame (its starting position) has arrived: every event
    from then on reaches it."""
    listener = Listener()
    headers = {"Last-Event-ID": last_event_id} if last_event_id else {}
    request = client.build_request("GET", "/api/v1/events/stream", params=params, headers=headers)
    response = await client.send(request, stream=True)
    assert response.status_code == 200, (await response.aread()).decode()
    assert response.headers["content-type"].startswith("text/event-stream")
    reading = asyncio.create_task(listener.read(response))
    try:
        await eventually(lambda: listener.last_id is not None, what="the stream's first frame")
        yield listener
    finally:
        reading.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reading
        await response.aclose()


async def until(condition: Callable[[], Any], what: str) -> None:
    await eventually(condition, timeout=30, what=what)


async def test_a_stream_carries_its_meeting_s_events_of_the_types_asked_for(admin: httpx.AsyncClient) -> None:
    ours, theirs = await new_meeting(admin), await new_meeting(admin, "江南省政协第十三届委员会第五次会议")
    types = ["registration.attendee.registered", "huiwu.registration.meeting.updated.v1"]
    async with listening(admin, {"meeting": ours, "type": types}) as listener:
        for meeting_id, name in ((theirs, "赵敏"), (ours, "王芳"), (ours, "李明")):
            await register(admin, meeting_id, name)
        for meeting_id in (theirs, ours):
            renamed = await admin.patch(f"/api/v1/meetings/{meeting_id}", json={"ends_on": "2027-01-15"})
            assert renamed.status_code == 200, renamed.text
        await until(lambda: len(listener.events) >= 3, "two registrations and a change")
        await asyncio.sleep(0.5)  # anything wrongly let through would arrive by now

    assert listener.types() == [
        "huiwu.registration.attendee.registered.v1",
        "huiwu.registration.attendee.registered.v1",
        "huiwu.registration.meeting.updated.v1",
    ]
    assert [event["data"].get("name") for event in listener.events[:2]] == ["王芳", "李明"]
    assert {event["meetingid"] for event in listener.events} == {ours}
    assert listener.retry_ms is not None


async def test_a_reconnect_with_last_event_id_gets_exactly_what_it_missed(admin: httpx.AsyncClient) -> None:
    meeting_id = await new_meeting(admin)
    await settled(admin, meeting_id)  # its own event is out before anyone listens
    async with listening(admin, {"meeting": meeting_id}) as whole:
        async with listening(admin, {"meeting": meeting_id}) as first:
            people = [await register(admin, meeting_id, name) for name in ("王芳", "李明")]
            await until(lambda: len(first.of_type("attendee.registered.v1")) == 2, "the first two")
        # Disconnected: registration and documents go on without it.
        await register(admin, meeting_id, "张伟")
        await documents_know(admin, meeting_id, 3)
        await depart(admin, meeting_id, people[0])
        await until(lambda: whole.of_type("clearance.granted.v1"), "documents lets 王芳 go")

        async with listening(admin, {"meeting": meeting_id}, last_event_id=first.last_id) as second:
            await until(lambda: set(first.ids()) | set(second.ids()) == set(whole.ids()), "the rest")
            await asyncio.sleep(0.5)  # a repeat would arrive by now

    missed = [event for event in whole.events if event["id"] not in set(first.ids())]
    assert len(set(second.ids())) == len(second.ids())
    for producer in ("registration", "documents"):  # each stream in its order; streams interleave
        assert [e["id"] for e in second.events if e["source"].endswith(producer)] == [
            e["id"] for e in missed if e["source"].endswith(producer)
        ]
    assert {"huiwu.registration.attendee.registered.v1", "huiwu.registration.departure.requested.v1",
            "huiwu.documents.clearance.granted.v1"} <= set(second.types())  # fmt: skip


async def test_after_resumes_like_last_event_id(admin: httpx.AsyncClient) -> None:
    meeting_id = await new_meeting(admin)
    async with listening(admin, {"meeting": meeting_id}) as first:
        pass
    await register(admin, meeting_id, "王芳")
    async with listening(admin, {"meeting": meeting_id, "after": first.last_id}) as resumed:
        await until(lambda: resumed.of_type("attendee.registered.v1"), "the registration made while away")

    assert [event["data"]["name"] for event in resumed.of_type("attendee.registered.v1")] == ["王芳"]


async def test_a_token_without_documents_scope_never_sees_documents_events(
    events_out: Platform, admin: httpx.AsyncClient
) -> None:
    meeting_id = await new_meeting(admin)
    token = await issue_token(admin, scopes=["registration:read"])
    async with holding(events_out, token) as registrar:
        refused = await registrar.get("/api/v1/events/stream", params={"type": "documents.*"})
        async with (
            listening(admin, {"meeting": meeting_id}) as everything,
            listening(registrar, {"meeting": meeting_id}) as registration_only,
        ):
            wang = await register(admin, meeting_id, "王芳")
            await documents_know(admin, meeting_id, 1)
            await depart(admin, meeting_id, wang)
            await until(lambda: everything.of_type("clearance.granted.v1"), "documents' answer")
            await until(lambda: registration_only.of_type("departure.requested.v1"), "the departure")
            await asyncio.sleep(0.5)

    assert refused.status_code == 403
    assert refused.json()["required_scope"] == "documents:read"
    assert any(t.startswith("huiwu.documents.") for t in everything.types())
    assert registration_only.types() and all(
        t.startswith("huiwu.registration.") for t in registration_only.types()
    )


async def test_classified_copies_are_withheld_above_the_token_s_clearance(
    events_out: Platform, admin: httpx.AsyncClient
) -> None:
    meeting_id = await new_meeting(admin)
    uncleared = await issue_token(admin, scopes=["documents:read"], clearance="none")
    cleared = await issue_token(admin, scopes=["documents:read"], clearance="secret")
    async with (
        holding(events_out, uncleared) as low,
        holding(events_out, cleared) as high,
        listening(low, {"meeting": meeting_id}) as low_stream,
        listening(high, {"meeting": meeting_id}) as high_stream,
    ):
        wang, li = await register(admin, meeting_id, "王芳"), await register(admin, meeting_id, "李明")
        await documents_know(admin, meeting_id, 2)
        await hand_out_secret_copies(admin, meeting_id, wang)
        await depart(admin, meeting_id, li)  # holds nothing: granted, after the copy in the stream
        await until(lambda: low_stream.of_type("clearance.granted.v1"), "the uncleared reader's grant")
        await until(lambda: high_stream.of_type("clearance.granted.v1"), "the cleared reader's grant")
        await until(lambda: low_stream.comments, "a heartbeat")

    assert [event["data"]["classification"] for event in high_stream.of_type("copy.issued.v1")] == ["secret"]
    assert low_stream.of_type("copy.issued.v1") == []
    assert low_stream.types() == ["huiwu.documents.clearance.granted.v1"]
    assert "keep-alive" in low_stream.comments


async def test_a_token_for_one_meeting_sees_only_that_meeting(
    events_out: Platform, admin: httpx.AsyncClient
) -> None:
    ours, other = await new_meeting(admin), await new_meeting(admin, "江南省第十四届人民代表大会常务委员会")
    token = await issue_token(admin, scopes=["registration:read"], meeting_id=ours)
    async with holding(events_out, token) as delegate:
        elsewhere = await delegate.get("/api/v1/events/stream", params={"meeting": other})
        async with listening(delegate) as listener:
            await register(admin, other, "赵敏")
            await register(admin, ours, "王芳")
            await until(lambda: listener.of_type("attendee.registered.v1"), "our registration")
            await asyncio.sleep(0.5)

    assert elsewhere.status_code == 403
    assert elsewhere.json()["reason"] == "meeting"
    assert {event["meetingid"] for event in listener.events} == {ours}


async def test_bad_filters_and_positions_are_refused_naming_the_field(admin: httpx.AsyncClient) -> None:
    unknown = await admin.get("/api/v1/events/stream", params={"type": "registration.nonsense.*"})
    malformed = await admin.get("/api/v1/events/stream", params={"type": "registration.*.registered"})
    position = await admin.get("/api/v1/events/stream", headers={"Last-Event-ID": "not-a-position"})
    after = await admin.get("/api/v1/events/stream", params={"after": "eyJ4Ijox"})

    def error(response: httpx.Response) -> dict[str, Any]:
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        only: dict[str, Any] = response.json()["errors"][0]
        return only

    assert (error(unknown)["field"], error(unknown)["rule"]) == ("type", "known_event_type")
    assert (error(malformed)["field"], error(malformed)["rule"]) == ("type", "event_type_pattern")
    assert (error(position)["field"], error(position)["in"], error(position)["rule"]) == (
        "Last-Event-ID", "header", "event_position"
    )  # fmt: skip
    assert (error(after)["field"], error(after)["in"]) == ("after", "query")


async def test_a_kiosk_token_has_no_event_stream(events_out: Platform, admin: httpx.AsyncClient) -> None:
    meeting_id = await new_meeting(admin)
    token = await issue_token(admin, kind="kiosk", meeting_id=meeting_id)
    async with holding(events_out, token) as kiosk:
        refused = await kiosk.get("/api/v1/events/stream")

    assert refused.status_code == 403
    assert refused.json()["reason"] == "kiosk"
