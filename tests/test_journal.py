"""Supervision's journal (留痕): every event of every department recorded once, in the order it
arrived, in one hash chain that shows where it was altered, cut or thinned out. The departments
run in-process on one real nats-server, or a stand-in publishes real envelopes on a stream."""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlmodel import col

from gateway.routes import resolve
from huiwu.auth import Clearance, Principal
from huiwu.bus import Bus
from huiwu.events.catalog import AttendeeRegistered, RequestKind, RequestOpened
from huiwu.events.contract import EventContract
from huiwu.events.envelope import CloudEvent, mint
from huiwu.outbox import OutboxEvent
from huiwu.testing.fixtures import RunningService, StartService, eventually
from huiwu.testing.nats import NatsServer
from services.supervision.journal import service as journal
from services.supervision.journal.chain import entry_hash
from services.supervision.journal.models import JournalEntry
from services.supervision.main import definition as supervision_service
from tests.documents_desk import start_office
from tests.test_inbox import Registration  # stands in for the registration service
from tests.venue_desk import start_desk

MEETING_ID = str(uuid.uuid4())
REGISTERED = "huiwu.registration.attendee.registered.v1"
AGENDA_CHANGED = "huiwu.venue.agenda.changed.v1"
PROBLEM_JSON = "application/problem+json"


def beijing(moment: str) -> datetime:
    return datetime.fromisoformat(f"2027-01-12T{moment}:00+08:00")


def registered(
    name: str, *, meeting_id: str = MEETING_ID, actor: str | None = None, at: datetime | None = None
) -> CloudEvent:
    data = AttendeeRegistered(
        meeting_id=meeting_id, attendee_id=str(uuid.uuid4()), version=1, name=name,
        organization="江州市纪委监委", title="书记", category="member",
    )  # fmt: skip
    return stamped(data, meeting_id, data.attendee_id, actor=actor, at=at)


def request_opened(text: str, *, actor: str | None = None, at: datetime | None = None) -> CloudEvent:
    data = RequestOpened(
        meeting_id=MEETING_ID, request_id=str(uuid.uuid4()), version=1, kind=RequestKind.opinion, text=text
    )
    return stamped(data, MEETING_ID, data.request_id, actor=actor, at=at)


def stamped(
    data: EventContract, meeting_id: str, subject: str, *, actor: str | None, at: datetime | None
) -> CloudEvent:
    """An envelope as registration mints it, for the actor and the time given."""
    event = mint(data, producer="registration", subject=subject, meeting_id=meeting_id)
    return event.model_copy(update={"actor": actor, "time": at or event.time})


@pytest.fixture
async def registration(nats_server: NatsServer) -> AsyncIterator[Registration]:
    bus = Bus([nats_server.url], client_name="test-registration")
    bus.start()
    await bus.wait_connected()
    await bus.ensure_stream("registration", replicas=1)
    yield Registration(bus)
    await bus.close()


@pytest.fixture
async def supervision(start_service: StartService) -> RunningService:
    return await start_service(supervision_service)


async def publish(registration: Registration, *events: CloudEvent, msg_id: bool = True) -> None:
    """One after the other, each acknowledged before the next: the stream keeps this order."""
    for event in events:
        await registration.publish(event, msg_id=msg_id)


def entries(service: RunningService) -> list[JournalEntry]:
    with service.runtime.make_session() as session:
        return list(session.scalars(select(JournalEntry).order_by(col(JournalEntry.position))))


def journaled(service: RunningService) -> int:
    with service.runtime.make_session() as session:
        return int(session.scalar(select(func.count()).select_from(JournalEntry)) or 0)


async def journal_of(service: RunningService, count: int) -> list[JournalEntry]:
    await eventually(lambda: journaled(service) >= count, what=f"{count} entries journaled")
    return entries(service)


async def verdict(service: RunningService) -> dict[str, Any]:
    response = await service.http.get("/api/v1/journal/verify")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def tamper(service: RunningService, statement: str, **values: Any) -> None:
    """Straight into supervision's database, as someone with access to it would."""
    with service.runtime.engine.begin() as connection:
        connection.execute(text(statement), values)


def recomputed(item: dict[str, Any]) -> str:
    """An auditor's own hash of a listed entry, by the rule in ``journal/chain.py``."""
    fields = {name: item[name] for name in item if name != "hash"}
    for moment in ("occurred_at", "recorded_at"):
        fields[moment] = (
            datetime.fromisoformat(item[moment]).astimezone(UTC).isoformat(timespec="microseconds")
        )
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def test_every_department_s_events_are_journaled_in_the_order_they_happened(
    start_service: StartService,
) -> None:
    office = await start_office(start_service)
    supervision = await start_service(supervision_service)
    steps: list[list[str]] = []

    async def step(*expected: str) -> None:
        """Wait for this step's events before the next step, so the order between steps is known."""
        steps.append(list(expected))
        await journal_of(supervision, sum(map(len, steps)))

    meeting_id, people = await office.meeting_with([("王芳", {"rank": 1}), ("叶建华", {"rank": 2})])
    await step("huiwu.registration.meeting.scheduled.v1", REGISTERED, REGISTERED)
    room = await office.desk.room()
    scheduled = await office.desk.session(meeting_id, room)
    assert scheduled.status_code == 201, scheduled.text
    await step(AGENDA_CHANGED, "huiwu.venue.seating.changed.v1")  # seated as it is scheduled
    document = await office.approved(meeting_id)
    distributed = await office.distribute(meeting_id, document["id"], to={"kind": "everyone"})
    assert distributed.status_code == 200, distributed.text
    await step("huiwu.documents.copy.issued.v1", "huiwu.documents.copy.issued.v1")

    recorded = entries(supervision)
    assert [entry.position for entry in recorded] == list(range(1, len(recorded) + 1))
    start = 0
    for expected in steps:  # within a step, events published together may arrive in either order
        assert Counter(entry.event_type for entry in recorded[start : start + len(expected)]) == Counter(
            expected
        )
        start += len(expected)
    assert len(recorded) == start  # nothing else, nothing twice
    listed = (await supervision.http.get(f"/api/v1/meetings/{meeting_id}/journal")).json()
    assert [item["position"] for item in listed["items"]] == [entry.position for entry in recorded]
    copies = listed["items"][-2:]
    assert {item["payload"]["attendee_id"] for item in copies} == set(people.values())
    assert {item["actor"] for item in copies} == {"机要员张三"}  # who handed them out
    assert {item["producer"] for item in listed["items"]} == {"registration", "venue", "documents"}
    assert listed["items"][0]["prev_hash"] == "0" * 64
    for before, item in pairwise(listed["items"]):
        assert item["prev_hash"] == before["hash"]
    assert all(recomputed(item) == item["hash"] for item in listed["items"])
    assert await verdict(supervision) == {"intact": True, "entries": len(recorded), "head": recorded[-1].hash}


async def test_an_agenda_change_is_journaled_with_who_changed_what_and_when(
    start_service: StartService,
) -> None:
    desk = await start_desk(start_service)
    supervision = await start_service(supervision_service)
    meeting_id = await desk.meeting()
    room = await desk.room()
    scheduled = await desk.session(meeting_id, room)
    assert scheduled.status_code == 201, scheduled.text
    clerk = desk.venue.as_principal(Principal("会务组李明", frozenset({"venue:*"}), Clearance.none))

    moved = await clerk.patch(
        f"/api/v1/meetings/{meeting_id}/sessions/{scheduled.json()['id']}",
        json={"starts_at": "2027-01-12T14:30:00+08:00", "ends_at": "2027-01-12T17:00:00+08:00"},
    )

    assert moved.status_code == 200, moved.text

    async def both_changes() -> list[dict[str, Any]]:
        response = await supervision.http.get(
            f"/api/v1/meetings/{meeting_id}/journal", params={"type": AGENDA_CHANGED}
        )
        items: list[dict[str, Any]] = response.json()["items"]
        return items if len(items) == 2 else []

    first, change = await eventually(both_changes, what="the scheduling and the change journaled")
    assert first["payload"]["change"] == "scheduled"
    assert (change["producer"], change["actor"], change["payload"]["change"]) == (
        "venue",
        "会务组李明",
        "changed",
    )
    assert change["payload"]["changed"] == ["ends_at", "starts_at"]
    before, after = change["payload"]["before"], change["payload"]["after"]
    assert (before["starts_at"], after["starts_at"]) == ("2027-01-12T01:00:00Z", "2027-01-12T06:30:00Z")
    with desk.venue.runtime.make_session() as session:
        published = session.scalars(
            select(OutboxEvent).where(col(OutboxEvent.event_id) == change["event_id"])
        ).one()
    assert datetime.fromisoformat(change["occurred_at"]) == published.created_at  # when venue recorded it
    by_clerk = await supervision.http.get(
        f"/api/v1/meetings/{meeting_id}/journal", params={"actor": "会务组李明"}
    )
    assert [item["event_id"] for item in by_clerk.json()["items"]] == [change["event_id"]]


async def test_an_event_delivered_twice_is_journaled_once(
    supervision: RunningService, registration: Registration
) -> None:
    twice, marker = registered("王芳"), registered("叶建华")

    await publish(registration, twice, twice, msg_id=False)  # stored twice: no JetStream de-duplication
    await publish(registration, marker)  # behind both copies in the stream: handled after them

    await eventually(lambda: marker.id in {entry.event_id for entry in entries(supervision)}, what="marker")
    assert [entry.event_id for entry in entries(supervision)] == [twice.id, marker.id]
    assert (await verdict(supervision))["entries"] == 2


async def test_a_changed_payload_is_found_at_its_position(
    supervision: RunningService, registration: Registration
) -> None:
    names = ["丁伟", "王芳", "欧阳少东", "叶建华", "司马文"]
    await publish(registration, *(registered(name) for name in names))
    recorded = await journal_of(supervision, len(names))
    altered = next(entry for entry in recorded if '"王芳"' in entry.payload)
    assert (await verdict(supervision))["intact"] is True

    tamper(
        supervision,
        "UPDATE journal_entry SET payload = replace(payload, '王芳', '王芬') WHERE position = :p",
        p=altered.position,
    )

    found = await verdict(supervision)
    assert (found["intact"], found["first_broken_position"], found["reason"]) == (
        False,
        altered.position,
        "hash_mismatch",
    )
    # Streamed in batches of two, the break is found just the same.
    in_small_batches = journal.verify(supervision.runtime.make_session, batch=2)
    assert (in_small_batches.first_broken_position, in_small_batches.reason) == (
        altered.position,
        "hash_mismatch",
    )


async def test_entries_rehashed_after_a_change_break_the_link_and_then_the_head(
    supervision: RunningService, registration: Registration
) -> None:
    await publish(registration, registered("林静"), registered("周强"), registered("孙丽"))
    recorded = await journal_of(supervision, 3)

    rehash(supervision, recorded[1], actor="某人")  # consistent in itself, but entry 3 names the old hash

    found = await verdict(supervision)
    assert (found["first_broken_position"], found["reason"]) == (3, "prev_hash_mismatch")
    rehash(supervision, recorded[2], prev_hash=entries(supervision)[1].hash)  # the forger goes on to the end
    found = await verdict(supervision)
    assert (found["first_broken_position"], found["reason"]) == (3, "head_mismatch")


def rehash(service: RunningService, entry: JournalEntry, **changes: Any) -> None:
    """Change an entry and give it the hash the chain rule gives its new contents."""
    forged = entry.model_copy(update=changes)
    values = {**changes, "hash": entry_hash(forged)}
    assignments = ", ".join(f"{name} = :{name}" for name in values)
    tamper(
        service,
        f"UPDATE journal_entry SET {assignments} WHERE position = :position",
        **values,
        position=entry.position,
    )


async def test_a_deleted_entry_shows_as_a_gap(
    supervision: RunningService, registration: Registration
) -> None:
    await publish(registration, *(registered(name) for name in ("刘洋", "孙丽", "李一鸣", "林静", "周强")))
    await journal_of(supervision, 5)

    tamper(supervision, "DELETE FROM journal_entry WHERE position = 3")

    found = await verdict(supervision)
    assert (found["intact"], found["first_broken_position"], found["reason"]) == (False, 3, "missing_entry")
    assert "entry 4 follows entry 2" in found["detail"]


async def test_a_cut_off_tail_shows_against_the_chain_head(
    supervision: RunningService, registration: Registration
) -> None:
    await publish(registration, *(registered(name) for name in ("刘洋", "孙丽", "李一鸣")))
    await journal_of(supervision, 3)

    tamper(supervision, "DELETE FROM journal_entry WHERE position = 3")

    found = await verdict(supervision)
    assert (found["intact"], found["first_broken_position"], found["reason"]) == (False, 3, "missing_entry")


async def test_an_entry_slipped_in_after_the_end_shows_against_the_chain_head(
    supervision: RunningService, registration: Registration
) -> None:
    await publish(registration, registered("刘洋"), registered("孙丽"))
    last = (await journal_of(supervision, 2))[-1]

    tamper(
        supervision,
        "INSERT INTO journal_entry (position, event_id, event_type, producer, occurred_at, recorded_at,"
        " payload, prev_hash, hash) SELECT 3, :id, event_type, producer, occurred_at, recorded_at, payload,"
        " hash, hash FROM journal_entry WHERE position = 2",
        id=str(uuid.uuid4()),
    )

    found = await verdict(supervision)
    assert (found["first_broken_position"], found["reason"]) == (last.position + 1, "beyond_head")


async def test_the_journal_filters_by_type_actor_and_time_page_by_page(
    supervision: RunningService, registration: Registration
) -> None:
    other_meeting = str(uuid.uuid4())
    events = [
        registered("王芳", actor="报名组张三", at=beijing("09:00")),
        registered("李四", actor="报名组张三", at=beijing("09:30"), meeting_id=other_meeting),
        registered("叶建华", actor="报名组李四", at=beijing("10:00")),
        request_opened("希望会议材料提前一天发放", actor="报名组张三", at=beijing("11:00")),
    ]
    await publish(registration, *events)
    await journal_of(supervision, len(events))
    first, elsewhere, second, opened = (event.id for event in events)

    async def listed(url: str = f"/api/v1/meetings/{MEETING_ID}/journal", **params: Any) -> list[str]:
        response = await supervision.http.get(url, params=params)
        assert response.status_code == 200, response.text
        return [item["event_id"] for item in response.json()["items"]]

    assert await listed() == [first, second, opened]
    assert await listed(type=REGISTERED) == [first, second]
    assert await listed(actor="报名组张三") == [first, opened]
    assert await listed(since="2027-01-12T10:00:00+08:00") == [second, opened]
    assert await listed(until="2027-01-12T02:00:00Z") == [first]  # 10:00 in Beijing: before it
    assert await listed(since="2027-01-12T09:30:00+08:00", until="2027-01-12T11:00:00+08:00") == [second]
    assert await listed("/api/v1/journal", actor="报名组张三") == [first, elsewhere, opened]
    page = (await supervision.http.get(f"/api/v1/meetings/{MEETING_ID}/journal", params={"limit": 2})).json()
    rest = (
        await supervision.http.get(
            f"/api/v1/meetings/{MEETING_ID}/journal", params={"limit": 2, "cursor": page["next_cursor"]}
        )
    ).json()
    assert [item["event_id"] for item in page["items"]] == [first, second]
    assert ([item["event_id"] for item in rest["items"]], rest["next_cursor"]) == ([opened], None)
    assert page["items"][0]["payload"]["name"] == "王芳"
    assert page["items"][0]["occurred_at"] == "2027-01-12T01:00:00Z"


@pytest.mark.parametrize(
    ("params", "status", "field", "rule"),
    [
        ({"since": "2027-01-12T09:00:00"}, 422, "since", "timezone_aware"),
        (
            {"since": "2027-01-12T10:00:00+08:00", "until": "2027-01-12T10:00:00+08:00"},
            422,
            "until",
            "after_since",
        ),
        ({"limit": 0}, 422, "limit", "greater_than_equal"),
        ({"cursor": "not-a-cursor"}, 400, "cursor", None),
    ],
)
async def test_bad_filters_are_refused_naming_the_field(
    supervision: RunningService, params: dict[str, Any], status: int, field: str, rule: str | None
) -> None:
    response = await supervision.http.get(f"/api/v1/meetings/{MEETING_ID}/journal", params=params)

    assert (response.status_code, response.headers["content-type"]) == (status, PROBLEM_JSON)
    problem = response.json()
    if rule is None:
        assert (problem["type"], problem["field"]) == ("urn:huiwu:problem:invalid-cursor", field)
    else:
        assert [(error["field"], error["in"], error["rule"]) for error in problem["errors"]] == [
            (field, "query", rule)
        ]


async def test_appends_of_one_session_follow_each_other_across_its_transactions(
    supervision: RunningService,
) -> None:
    """The head is read once per transaction: a later transaction of the same session reads it anew."""
    with supervision.runtime.make_session() as session:
        for name in ("王芳", "叶建华"):
            journal.append(session, registered(name))
            journal.append(session, request_opened(f"{name}的意见"))
            session.commit()

    assert [entry.position for entry in entries(supervision)] == [1, 2, 3, 4]
    assert (await verdict(supervision))["entries"] == 4


async def test_two_replicas_append_to_one_chain_without_forking(
    start_service: StartService, registration: Registration
) -> None:
    replicas = [await start_service(supervision_service), await start_service(supervision_service)]
    events = [registered(f"代表{number:03d}") for number in range(200)]

    await asyncio.gather(*(publish(registration, *events[start::8]) for start in range(8)))

    recorded = await journal_of(replicas[0], len(events))
    assert [entry.position for entry in recorded] == list(range(1, len(events) + 1))
    assert {entry.event_id for entry in recorded} == {event.id for event in events}
    for before, entry in pairwise(recorded):
        assert entry.prev_hash == before.hash
    for replica in replicas:
        assert await verdict(replica) == {"intact": True, "entries": len(events), "head": recorded[-1].hash}


def test_the_gateway_sends_the_journal_to_supervision() -> None:
    paths = [f"/api/v1/meetings/{MEETING_ID}/journal", "/api/v1/journal", "/api/v1/journal/verify"]
    assert [resolve(path).service for path in paths] == ["supervision"] * 3
