"""The fault suite's workload: a meeting set up before the fault (people, a room, three sessions,
each with a document that follows it, and numbered copies handed out), then four lanes of
operations through the gateway while the fault is injected: registering people, checking them
in, moving sessions, and taking copies back. Each operation is recorded with whether the client
got an acknowledgement (a 2xx answer); the checker compares that with every department's state.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.documents_desk import small_pdf
from tests.venue_desk import HALL

REQUEST_TIMEOUT_S = 15.0
PACE_S = 0.1  # between two operations of one lane: a steady stream, not a benchmark
AGENDA_PACE_S = 0.3
CHECK_IN_ATTEMPTS = 5  # a scan carries a nonce, so asking again is safe
SETUP_PEOPLE = 24
SESSION_STARTS = [datetime(2027, 1, 12, hour, tzinfo=UTC) for hour in (0, 4, 8)]  # 08:00, 12:00, 16:00 北京
SESSION_LENGTH = timedelta(hours=1)
CLERK = "机要员张三"


@dataclass
class Op:
    """One operation as the client saw it: ``key`` names the effect it asked for."""

    kind: str  # register | check_in | agenda | return
    key: str  # the person's name | attendee id | "session@starts_at" | "document/copy_no"
    acked: bool = False
    status: int | None = None  # the answer's status, None when there was none


@dataclass
class Meeting:
    """What the workload works on, made before the fault."""

    id: str
    people: list[str]
    sessions: dict[str, datetime]  # id -> start
    session_documents: dict[str, str]  # session id -> the document that follows it
    copies: list[tuple[str, str]]  # (document id, copy_no) issued, to be taken back
    returnable: list[str] = field(default_factory=list)  # documents whose copies are handed out


def gateway_client(url: str, token: str) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.AsyncClient(base_url=url, headers=headers, timeout=REQUEST_TIMEOUT_S)


async def prepare(client: httpx.AsyncClient, name: str) -> Meeting:
    """The meeting of one scenario, every department in sync on it before the fault."""
    created = await _ok(client.post("/api/v1/meetings", json={
        "name": name, "starts_on": "2027-01-12", "ends_on": "2027-01-14",
    }))  # fmt: skip
    meeting_id = created["id"]
    people = [(await _register(client, meeting_id, f"与会代表{n:02d}"))["id"] for n in range(SETUP_PEOPLE)]
    await _until_in_sync(client, meeting_id, len(people))
    room = await _room(client)
    sessions: dict[str, datetime] = {}
    for number, start in enumerate(SESSION_STARTS, start=1):
        session = await _ok(client.post(f"/api/v1/meetings/{meeting_id}/sessions", json={
            "title": f"第{number}次全体会议", "kind": "plenary", "room_id": room,
            "starts_at": start.isoformat(), "ends_at": (start + SESSION_LENGTH).isoformat(),
            "expected": {"kind": "people", "attendee_ids": people[:2]},
        }))  # fmt: skip
        sessions[session["id"]] = start
    session_documents = {sid: await _document(client, meeting_id, sid) for sid in sessions}
    await _until_delivered_at_session_start(client, meeting_id, sessions, session_documents)
    copies: list[tuple[str, str]] = []
    returnable = []
    for title in ("省纪委工作报告", "关于换届选举办法的说明"):
        document_id = await _released(client, meeting_id, title)
        issued = await _ok(client.post(
            f"/api/v1/meetings/{meeting_id}/documents/{document_id}/distribute",
            json={"to": {"kind": "everyone"}, "issued_by": CLERK},
        ))  # fmt: skip
        copies += [(document_id, item["copy_no"]) for item in issued["items"]]
        returnable.append(document_id)
    return Meeting(meeting_id, people, sessions, session_documents, copies, returnable)


class Workload:
    """Four lanes of operations on one meeting, until ``stop``."""

    def __init__(self, client: httpx.AsyncClient, meeting: Meeting) -> None:
        self._client = client
        self._meeting = meeting
        self._stopping = asyncio.Event()
        self._to_check_in: asyncio.Queue[str] = asyncio.Queue()
        for person in meeting.people:
            self._to_check_in.put_nowait(person)
        self.ops: list[Op] = []

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> list[Op]:
        await asyncio.gather(
            self._registering(), self._checking_in(), self._moving_sessions(), self._returning()
        )
        return self.ops

    async def _registering(self) -> None:
        number = 0
        while not self._stopping.is_set():
            name = f"增补代表{number:04d}"
            body = {"name": name, "organization": "江州市纪委监委", "title": "委员"}
            op, answer = await self._ask("register", name, "POST", f"{self._base}/attendees", json=body)
            self.ops.append(op)
            if op.acked:
                self._to_check_in.put_nowait(answer["id"])
            number += 1
            await asyncio.sleep(PACE_S)

    async def _checking_in(self) -> None:
        while not self._stopping.is_set():
            try:
                person = await asyncio.wait_for(self._to_check_in.get(), 0.5)
            except TimeoutError:
                continue
            body = {"attendee_id": person, "nonce": f"北门-{person}", "gate": "北门"}
            for _ in range(CHECK_IN_ATTEMPTS):  # the same nonce: a retried scan never counts twice
                op, _answer = await self._ask("check_in", person, "POST", f"{self._base}/checkins", json=body)
                if op.acked:
                    break
                await asyncio.sleep(1.0)
            self.ops.append(op)
            await asyncio.sleep(PACE_S)

    async def _moving_sessions(self) -> None:
        starts = dict(self._meeting.sessions)
        sessions = list(starts)
        turn = 0
        while not self._stopping.is_set():
            session = sessions[turn % len(sessions)]
            start = starts[session] + timedelta(
                minutes=1
            )  # a new time every move: each move is its own effect
            starts[session] = start
            body = {"starts_at": start.isoformat(), "ends_at": (start + SESSION_LENGTH).isoformat()}
            op, _answer = await self._ask(
                "agenda",
                f"{session}@{start.isoformat()}",
                "PATCH",
                f"{self._base}/sessions/{session}",
                json=body,
            )
            self.ops.append(op)
            turn += 1
            await asyncio.sleep(AGENDA_PACE_S)

    async def _returning(self) -> None:
        back = {"returned_by": "与会代表", "received_by": CLERK, "complete": True}
        for document_id, copy_no in self._meeting.copies:
            if self._stopping.is_set():
                return
            url = f"{self._base}/documents/{document_id}/copies/{copy_no}/return"
            op, _answer = await self._ask("return", f"{document_id}/{copy_no}", "POST", url, json=back)
            self.ops.append(op)
            await asyncio.sleep(PACE_S)

    @property
    def _base(self) -> str:
        return f"/api/v1/meetings/{self._meeting.id}"

    async def _ask(self, kind: str, key: str, method: str, url: str, *, json: Any) -> tuple[Op, Any]:
        """The operation as the client saw it, and the answer's body when it was acknowledged."""
        op = Op(kind, key)
        try:
            answer = await self._client.request(method, url, json=json)
        except httpx.HTTPError:
            return op, None  # no answer: it may or may not have happened
        op.status, op.acked = answer.status_code, answer.is_success
        return op, answer.json() if op.acked else None


async def _ok(request: Any) -> Any:
    response: httpx.Response = await request
    assert response.is_success, f"{response.request.method} {response.request.url}: {response.text}"
    return response.json()


async def _register(client: httpx.AsyncClient, meeting_id: str, name: str) -> Any:
    body = {"name": name, "organization": "江州市纪委监委", "title": "书记"}
    return await _ok(client.post(f"/api/v1/meetings/{meeting_id}/attendees", json=body))


async def _room(client: httpx.AsyncClient) -> str:
    venue = await _ok(client.post("/api/v1/venues", json={"name": "江南会议中心"}))
    room = await _ok(client.post(f"/api/v1/venues/{venue['id']}/rooms", json=HALL))
    return str(room["id"])


async def _document(client: httpx.AsyncClient, meeting_id: str, session_id: str) -> str:
    body = {
        "title": "会议议程",
        "category": "report",
        "print_run": 5,
        "registered_by": CLERK,
        "session_id": session_id,
    }
    created: dict[str, Any] = {}

    async def registered() -> bool:
        # 404 until documents has learnt of the session from venue's agenda.changed
        answer = await client.post(f"/api/v1/meetings/{meeting_id}/documents", json=body)
        assert answer.status_code in (201, 404), answer.text
        created.update(answer.json() if answer.status_code == 201 else {})
        return answer.status_code == 201

    await _eventually(registered, lambda: f"documents knows session {session_id}")
    return str(created["id"])


async def _released(client: httpx.AsyncClient, meeting_id: str, title: str) -> str:
    """A document approved for distribution, with SETUP_PEOPLE copies and more."""
    body = {"title": title, "category": "report", "print_run": SETUP_PEOPLE + 10, "registered_by": CLERK}
    document = await _ok(client.post(f"/api/v1/meetings/{meeting_id}/documents", json=body))
    url = f"/api/v1/meetings/{meeting_id}/documents/{document['id']}"
    await _ok(client.put(
        f"{url}/file", params={"by": CLERK}, content=small_pdf(), headers={"content-type": "application/pdf"}
    ))  # fmt: skip
    for action in ("submit", "approve"):
        await _ok(client.post(f"{url}/review", json={"action": action, "by": "秘书长"}))
    return str(document["id"])


def in_step(report: dict[str, Any]) -> bool:
    """Every department answers, knows the people registration knows, and has nothing waiting in
    its outbox. (Not the report's ``in_sync``, which also wants no parked message in the whole
    service: the poison of scenario 7 stays parked, on purpose, for the scenarios after it.)"""
    services = report.get("services", {})
    people = {service.get("attendees") for service in services.values()}
    return len(people) == 1 and all(not service.get("outbox_pending", 1) for service in services.values())


async def _until_in_sync(client: httpx.AsyncClient, meeting_id: str, people: int) -> None:
    last: dict[str, Any] = {}

    async def in_sync() -> bool:
        last.update((await client.get(f"/api/v1/meetings/{meeting_id}/sync")).json())
        return in_step(last) and last["services"]["registration"]["attendees"] == people

    await _eventually(in_sync, lambda: f"every department knows the meeting's {people} people: {last}")


async def _until_delivered_at_session_start(
    client: httpx.AsyncClient, meeting_id: str, sessions: dict[str, datetime], documents: dict[str, str]
) -> None:
    async def following() -> bool:
        for session_id, document_id in documents.items():
            document = (await client.get(f"/api/v1/meetings/{meeting_id}/documents/{document_id}")).json()
            if document.get("deliver_at") is None or _utc(document["deliver_at"]) != sessions[session_id]:
                return False
        return True

    await _eventually(following, lambda: "documents knows when each session starts")


async def _eventually(condition: Any, what: Callable[[], str], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, f"not within {timeout:.0f}s: {what()}"
        await asyncio.sleep(0.2)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)
