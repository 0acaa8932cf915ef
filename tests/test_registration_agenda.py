"""Registration follows the venue's agenda: each affected registered person is told exactly what
changed for them (to come, a new time, room or presiding officer, a cancellation, no longer
needed), a duplicate or older version tells nobody anything, and attendance at a session counts
only the people it expects."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col

from huiwu.bus import Bus
from huiwu.db import unit_of_work
from huiwu.events.catalog import (
    AgendaChanged,
    AgendaChangeKind,
    Expected,
    ExpectedKind,
    SessionKind,
    SessionState,
    SessionStatus,
)
from huiwu.events.envelope import CloudEvent, mint
from huiwu.inbox import InboxEntry
from huiwu.testing.fixtures import RunningService, StartService, eventually
from huiwu.testing.nats import NatsServer
from services.registration.agenda import service as agenda
from services.registration.agenda.models import AgendaSession
from services.registration.main import definition as registration
from tests.messaging import count_rows
from tests.test_groups import person
from tests.test_registration_roster import new_meeting

SHANGHAI = ZoneInfo("Asia/Shanghai")
EVERYONE = Expected(kind=ExpectedKind.everyone)
MEMBERS = Expected(kind=ExpectedKind.members)
HALL = "一号楼三层第一会议室"
PLENARY = "第一次全体会议"


class Venue:
    """Stands in for the venue service: owns the VENUE stream and publishes agenda changes to it."""

    def __init__(self, bus: Bus) -> None:
        self.bus = bus

    async def publish(self, change: AgendaChanged) -> CloudEvent:
        event = mint(change, producer="venue", subject=change.session_id, meeting_id=change.meeting_id)
        await self.publish_again(event)
        return event

    async def publish_again(self, event: CloudEvent) -> None:
        """Without ``Nats-Msg-Id`` JetStream stores a second copy: the consumer sees it twice."""
        headers = event.nats_headers()
        headers.pop("Nats-Msg-Id")
        await self.bus.publish(event.nats_subject, event.nats_payload(), headers)


@pytest.fixture
async def venue(nats_server: NatsServer) -> AsyncIterator[Venue]:
    bus = Bus([nats_server.url], client_name="test-venue")
    bus.start()
    await bus.wait_connected()
    await bus.ensure_stream("venue", replicas=1)
    yield Venue(bus)
    await bus.close()


@dataclass
class Roster:
    """A meeting's people by name; 第一组 is 王芳 and 周强."""

    meeting_id: str
    ids: dict[str, str]
    group_id: str

    def __getitem__(self, name: str) -> str:
        return self.ids[name]

    def name_of(self, attendee_id: str) -> str:
        return next(name for name, known in self.ids.items() if known == attendee_id)


@pytest.fixture
async def service(start_service: StartService) -> RunningService:
    return await start_service(registration)


@pytest.fixture
async def roster(service: RunningService) -> Roster:
    meeting_id = await new_meeting(service)
    people = {
        "王芳": {},
        "李一鸣": {},
        "周强": {"category": "observer"},
        "刘洋": {"category": "guest"},
        "孙丽": {"category": "staff"},
        "林静": {},
    }
    ids = {name: await person(service, meeting_id, name, **fields) for name, fields in people.items()}
    base = f"/api/v1/meetings/{meeting_id}"
    group = (await service.http.post(f"{base}/groups", json={"name": "第一组"})).json()
    members = {"attendee_ids": [ids["王芳"], ids["周强"]]}
    assert (await service.http.post(f"{base}/groups/{group['id']}/members", json=members)).status_code == 200
    withdrawn = await service.http.post(f"{base}/attendees/{ids['林静']}/withdraw", json={"reason": "因病"})
    assert withdrawn.status_code == 200
    return Roster(meeting_id, ids, group["id"])


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment given in Beijing time, carried in UTC as venue's events carry it."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def session_state(session_id: str, version: int, **fields: Any) -> SessionState:
    values: dict[str, Any] = {
        "session_id": session_id,
        "version": version,
        "title": PLENARY,
        "kind": SessionKind.plenary,
        "status": SessionStatus.scheduled,
        "starts_at": local(27, 9),
        "ends_at": local(27, 11, 30),
        "room_id": "room-1",
        "room_name": HALL,
        "expected": EVERYONE,
    }
    return SessionState.model_validate({**values, **fields})


def change_of(
    meeting_id: str,
    before: SessionState | None,
    after: SessionState,
    affected: list[str],
    kind: AgendaChangeKind = AgendaChangeKind.changed,
) -> AgendaChanged:
    old = before.model_dump(exclude={"version"}) if before else {}
    new = after.model_dump(exclude={"version"})
    return AgendaChanged(
        meeting_id=meeting_id,
        session_id=after.session_id,
        change=AgendaChangeKind.scheduled if before is None else kind,
        changed=[field for field in new if old.get(field) != new[field]],
        before=before,
        after=after,
        affected=affected,
    )


def apply_directly(service: RunningService, change: AgendaChanged) -> None:
    """Apply an agenda change as registration's consumer would, without the broker (for tests
    about something else that need a session on the agenda)."""
    event = mint(change, producer="venue", subject=change.session_id, meeting_id=change.meeting_id)
    with unit_of_work(service.runtime.make_session) as session:
        agenda.on_agenda_changed(session, event, change)


async def consumed(service: RunningService, count: int) -> None:
    def applied() -> bool:
        return count_rows(service, InboxEntry, col(InboxEntry.consumer) == "registration__venue") == count

    await eventually(applied, what=f"{count} agenda events applied")


async def agenda_notices(service: RunningService, roster: Roster) -> dict[str, list[dict[str, Any]]]:
    """The agenda notices each person has had, in order, by name."""
    response = await service.http.get(f"/api/v1/meetings/{roster.meeting_id}/notices")
    told: dict[str, list[dict[str, Any]]] = {}
    for notice in response.json():
        if notice["topic"] == "agenda":
            told.setdefault(roster.name_of(notice["attendee_id"]), []).append(notice)
    return told


async def messages(service: RunningService, roster: Roster) -> dict[str, list[str]]:
    told = await agenda_notices(service, roster)
    return {name: [notice["message"] for notice in notices] for name, notices in told.items()}


def come(name: str, title: str = PLENARY, time: str = "11月27日 09:00—11:30", room: str = HALL) -> str:
    return f"{name}同志：请参加《{title}》，时间{time}，地点{room}。"


async def test_a_new_session_is_announced_to_the_registered_people_it_expects(
    service: RunningService, roster: Roster, venue: Venue
) -> None:
    session_id = str(uuid.uuid4())
    plenary = session_state(session_id, 1)
    # Venue's list may name anyone; registration tells only registered people the session expects.
    affected = [*roster.ids.values(), str(uuid.uuid4()), roster["王芳"]]

    await venue.publish(change_of(roster.meeting_id, None, plenary, affected))
    await consumed(service, 1)

    assert await messages(service, roster) == {
        name: [come(name)] for name in ("王芳", "李一鸣", "周强", "刘洋")
    }
    told = (await agenda_notices(service, roster))["王芳"][0]
    assert told["before"] is None
    assert told["after"] == {
        "session_id": session_id,
        "title": PLENARY,
        "time": "11月27日 09:00—11:30",
        "room": HALL,
        "presiding_officer": "待定",
        "status": "scheduled",
        "expected": True,
    }
    with service.runtime.make_session() as session:
        kept = session.get(AgendaSession, session_id)
    assert kept is not None
    assert (kept.meeting_id, kept.version, kept.status, kept.room_name) == (
        roster.meeting_id,
        1,
        "scheduled",
        HALL,
    )
    assert (kept.starts_at, kept.ends_at) == (local(27, 9), local(27, 11, 30))
    assert kept.expected == {"kind": "everyone", "group_id": None, "attendee_ids": []}


async def test_a_new_time_room_or_presiding_officer_is_told_as_a_change(
    service: RunningService, roster: Roster, venue: Venue
) -> None:
    session_id = str(uuid.uuid4())
    members = [roster["王芳"], roster["李一鸣"], roster["林静"]]
    first = session_state(session_id, 1, expected=MEMBERS, presiding_officer_id=roster["李一鸣"])
    moved = session_state(
        session_id,
        2,
        expected=MEMBERS,
        presiding_officer_id=roster["王芳"],
        starts_at=local(27, 14, 30),
        ends_at=local(27, 17),
        room_name="二号楼一层报告厅",
    )
    switched = moved.model_copy(
        update={"version": 3, "room_id": "backup", "room_name": "二号楼二层备用会议室"}
    )
    speakers_only = switched.model_copy(update={"version": 4, "speaker_ids": [roster["王芳"]]})

    await venue.publish(change_of(roster.meeting_id, None, first, members))
    await venue.publish(change_of(roster.meeting_id, first, moved, members))
    await venue.publish(
        change_of(roster.meeting_id, moved, switched, members, AgendaChangeKind.room_switched)
    )
    await venue.publish(change_of(roster.meeting_id, switched, speakers_only, members))
    await consumed(service, 4)

    time_and_place = (
        "《第一次全体会议》时间由11月27日 09:00—11:30调整为11月27日 14:30—17:00，"
        "地点由一号楼三层第一会议室调整为二号楼一层报告厅，主持人由李一鸣调整为王芳。"
    )
    backup_room = "《第一次全体会议》地点由二号楼一层报告厅调整为二号楼二层备用会议室。"
    assert await messages(service, roster) == {
        name: [come(name), f"{name}同志：{time_and_place}", f"{name}同志：{backup_room}"]
        for name in ("王芳", "李一鸣")
    }
    switch = (await agenda_notices(service, roster))["李一鸣"][2]
    assert (switch["before"]["room"], switch["after"]["room"]) == ("二号楼一层报告厅", "二号楼二层备用会议室")


async def test_people_dropped_added_or_whose_session_is_cancelled_are_told(
    service: RunningService, roster: Roster, venue: Venue
) -> None:
    session_id = str(uuid.uuid4())
    title, room = "第一组分组讨论", "江南宾馆3楼会议室"
    group = Expected(kind=ExpectedKind.group, group_id=roster.group_id)
    chosen = Expected(kind=ExpectedKind.people, attendee_ids=[roster["王芳"], roster["李一鸣"]])
    first = session_state(session_id, 1, title=title, kind=SessionKind.group, room_name=room, expected=group)
    rechosen = first.model_copy(update={"version": 2, "expected": chosen})
    cancelled = rechosen.model_copy(update={"version": 3, "status": SessionStatus.cancelled})
    everyone_concerned = [roster["王芳"], roster["周强"], roster["李一鸣"]]

    await venue.publish(change_of(roster.meeting_id, None, first, [roster["王芳"], roster["周强"]]))
    await venue.publish(change_of(roster.meeting_id, first, rechosen, everyone_concerned))
    cancellation = change_of(
        roster.meeting_id, rechosen, cancelled, everyone_concerned, AgendaChangeKind.cancelled
    )
    await venue.publish(cancellation)
    await consumed(service, 3)

    assert await messages(service, roster) == {
        "王芳": [come("王芳", title, room=room), "王芳同志：《第一组分组讨论》已取消。"],
        "周强": [come("周强", title, room=room), "周强同志：您无需参加《第一组分组讨论》。"],
        "李一鸣": [come("李一鸣", title, room=room), "李一鸣同志：《第一组分组讨论》已取消。"],
    }
    dropped = (await agenda_notices(service, roster))["周强"][1]
    assert (dropped["before"]["expected"], dropped["after"]["expected"]) == (True, False)
    told_cancelled = (await agenda_notices(service, roster))["王芳"][1]
    assert (told_cancelled["before"]["status"], told_cancelled["after"]["status"]) == (
        "scheduled",
        "cancelled",
    )


async def test_a_duplicate_or_an_older_version_sends_no_more_notices(
    service: RunningService, roster: Roster, venue: Venue
) -> None:
    session_id = str(uuid.uuid4())
    affected = [roster["王芳"], roster["李一鸣"]]
    first = session_state(session_id, 1, expected=MEMBERS)
    later = session_state(session_id, 2, expected=MEMBERS, starts_at=local(28, 9), ends_at=local(28, 11, 30))
    scheduled = change_of(roster.meeting_id, None, first, affected)

    await venue.publish(scheduled)
    moved = await venue.publish(change_of(roster.meeting_id, first, later, affected))
    await venue.publish_again(moved)  # delivered twice: the inbox drops the copy
    await venue.publish(scheduled)  # the first version again, as a new event arriving late
    await consumed(service, 3)

    moved_text = "《第一次全体会议》时间由11月27日 09:00—11:30调整为11月28日 09:00—11:30。"
    assert await messages(service, roster) == {
        name: [come(name), f"{name}同志：{moved_text}"] for name in ("王芳", "李一鸣")
    }
    with service.runtime.make_session() as session:
        kept = session.get(AgendaSession, session_id)
    assert kept is not None
    assert (kept.version, kept.starts_at) == (2, local(28, 9))


async def test_attendance_at_a_session_counts_only_the_people_it_expects(
    service: RunningService, roster: Roster
) -> None:
    url = f"/api/v1/meetings/{roster.meeting_id}/attendance"
    members_only, group, chosen = (str(uuid.uuid4()) for _ in range(3))
    sessions = {
        members_only: MEMBERS,
        group: Expected(kind=ExpectedKind.group, group_id=roster.group_id),
        chosen: Expected(kind=ExpectedKind.people, attendee_ids=[roster["孙丽"], roster["刘洋"]]),
    }
    for session_id, expected in sessions.items():
        apply_directly(
            service, change_of(roster.meeting_id, None, session_state(session_id, 1, expected=expected), [])
        )
    signed_in = await service.http.post(
        f"/api/v1/meetings/{roster.meeting_id}/checkins",
        json={"attendee_id": roster["王芳"], "session_id": members_only},
    )

    at_members = (await service.http.get(url, params={"session_id": members_only})).json()
    at_group = (await service.http.get(url, params={"session_id": group})).json()
    at_chosen = (await service.http.get(url, params={"session_id": chosen})).json()
    meeting_wide = (await service.http.get(url)).json()
    unknown = await service.http.get(url, params={"session_id": str(uuid.uuid4())})

    assert signed_in.status_code == 201
    assert at_members["total"] == {"expected": 2, "present": 1, "on_leave": 0, "absent": 1, "inside": 1}
    assert at_members["by_category"]["observer"]["expected"] == 0
    assert at_members["announcement"] == "本次会议应到2名，请假0名，实到1名，不符合规定人数。"
    assert at_group["total"]["expected"] == 2  # 王芳 and 周强
    assert at_group["by_category"]["observer"]["expected"] == 1
    assert at_chosen["total"]["expected"] == 1  # staff are never counted, even when named
    assert meeting_wide["total"]["expected"] == 4  # 王芳, 李一鸣, 周强, 刘洋: no staff, no withdrawn
    assert unknown.status_code == 404
    problem = unknown.json()
    assert (problem["type"], problem["field"]) == ("urn:huiwu:problem:not-found", "session_id")
