"""Venue (issue 4): changes re-plan themselves. An agenda change is announced with before and
after; a substitution keeps the seat; leave frees it and re-packs the podium; pins survive every
re-plan; each re-plan names only the seats that moved."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session, col

from huiwu.outbox import OutboxEvent
from huiwu.testing.fixtures import RunningService, StartService, eventually
from tests.test_venue_agenda import LEADERS, leaders_and_delegates
from tests.venue_desk import Desk, podium_names, seat_of, start_desk

SEATING_CHANGED = "huiwu.venue.seating.changed.v1"


@pytest.fixture
async def desk(start_service: StartService) -> Desk:
    return await start_desk(start_service)


def events_of(service: RunningService, event_type: str, session_id: str) -> list[dict[str, Any]]:
    """The events of a type about one session, oldest first, as venue recorded them."""
    with Session(service.runtime.engine) as session:
        rows = session.scalars(
            select(OutboxEvent)
            .where(col(OutboxEvent.event_type) == event_type)
            .order_by(col(OutboxEvent.position))
        )
        events = [json.loads(row.payload) for row in rows]
    return [event for event in events if event["session_id"] == session_id]


async def plenary(desk: Desk) -> tuple[str, dict[str, str], str, dict[str, Any]]:
    meeting_id = await desk.meeting()
    people = await leaders_and_delegates(desk, meeting_id)
    room_id = await desk.room()
    created = await desk.session(meeting_id, room_id, presiding_officer_id=people["李明"])
    assert created.status_code == 201, created.text
    return meeting_id, people, room_id, created.json()


async def replanned(desk: Desk, meeting_id: str, session_id: str, version: int) -> dict[str, Any]:
    """The plan once the worker has re-planned past ``version``."""

    async def newer() -> dict[str, Any] | None:
        plan = await desk.seating(meeting_id, session_id)
        return plan if plan["plan_version"] > version else None

    plan: dict[str, Any] = await eventually(newer, what="a re-plan")
    return plan


async def test_a_change_of_time_is_announced_with_before_after_and_who_is_affected(desk: Desk) -> None:
    meeting_id, people, _, session = await plenary(desk)
    url = f"/api/v1/meetings/{meeting_id}/sessions/{session['id']}"

    moved = await desk.venue.http.patch(
        url, json={"starts_at": "2027-01-12T14:30:00+08:00", "ends_at": "2027-01-12T17:00:00+08:00"}
    )
    same = await desk.venue.http.patch(url, json={"starts_at": "2027-01-12T14:30:00+08:00"})

    assert moved.status_code == 200, moved.text
    assert moved.json()["version"] == 2
    assert same.json()["version"] == 2  # nothing changed, nothing announced
    scheduled, changed = events_of(desk.venue, "huiwu.venue.agenda.changed.v1", session["id"])
    assert scheduled["change"] == "scheduled" and scheduled["before"] is None
    assert changed["change"] == "changed"
    assert changed["changed"] == ["ends_at", "starts_at"]
    assert changed["before"]["starts_at"].startswith("2027-01-12T01:00:00")  # 09:00 Beijing, in UTC
    assert changed["after"]["starts_at"].startswith("2027-01-12T06:30:00")
    assert changed["after"]["room_name"] == "会议中心一层大礼堂"
    assert sorted(changed["affected"]) == sorted(set(people.values()) - {people["工作人员"]})
    assert len(events_of(desk.venue, SEATING_CHANGED, session["id"])) == 1  # the first plan only


async def test_a_room_change_re_plans_into_the_new_room(desk: Desk) -> None:
    meeting_id, _, _, session = await plenary(desk)
    other = await desk.room(
        name="第二会议室",
        seat_map={"rows": 3, "seats_per_row": 4},
        capacity=20,
        podium={"rows": 2, "seats_per_row": 3},
    )

    response = await desk.venue.http.patch(
        f"/api/v1/meetings/{meeting_id}/sessions/{session['id']}", json={"room_id": other}
    )

    assert response.status_code == 200, response.text
    plan = await desk.seating(meeting_id, session["id"])
    assert plan["room_name"] == "会议中心一层第二会议室"
    assert podium_names(plan, row=1) == ["张伟", "王建国", "李明"]  # 3 seats a row now: 3 1 2
    assert podium_names(plan, row=2) == ["刘洋", "陈静"]  # and 4 5 behind
    assert seat_of(plan, "列席甲") == ("hall", 2, 1)
    assert plan["plan_version"] == 2
    moves = events_of(desk.venue, SEATING_CHANGED, session["id"])[-1]["moved"]
    assert {move["name"] for move in moves} == set(LEADERS)  # the hall's seats did not change


async def test_a_cancelled_session_frees_its_seats_and_takes_no_more_changes(desk: Desk) -> None:
    meeting_id, _, _, session = await plenary(desk)
    url = f"/api/v1/meetings/{meeting_id}/sessions/{session['id']}"

    cancelled = await desk.venue.http.post(f"{url}/cancel", json={"reason": "议程调整"})
    patched = await desk.venue.http.patch(url, json={"title": "改名"})

    assert cancelled.json()["status"] == "cancelled"
    assert patched.status_code == 409
    assert patched.json()["type"] == "urn:huiwu:problem:session-cancelled"
    plan = await desk.seating(meeting_id, session["id"])
    assert all(seat["attendee_id"] is None for seat in plan["seats"])
    event = events_of(desk.venue, "huiwu.venue.agenda.changed.v1", session["id"])[-1]
    assert (event["change"], event["reason"], event["after"]["status"]) == (
        "cancelled",
        "议程调整",
        "cancelled",
    )


async def test_switching_to_a_backup_room_re_plans_and_only_backups_are_allowed(desk: Desk) -> None:
    meeting_id = await desk.meeting()
    await leaders_and_delegates(desk, meeting_id)
    main_room = await desk.room()
    backup = await desk.room(name="备用会议室", podium={"rows": 1, "seats_per_row": 6})
    stranger = await desk.room(name="别的会议室")
    session = (await desk.session(meeting_id, main_room, backup_room_ids=[backup])).json()
    url = f"/api/v1/meetings/{meeting_id}/sessions/{session['id']}/switch-room"

    refused = await desk.venue.http.post(url, json={"room_id": stranger, "reason": "空调故障"})
    switched = await desk.venue.http.post(url, json={"room_id": backup, "reason": "空调故障"})

    assert refused.status_code == 409
    assert refused.json()["type"] == "urn:huiwu:problem:not-a-backup-room"
    assert switched.status_code == 200, switched.text
    assert switched.json()["room_id"] == backup
    assert switched.json()["backup_room_ids"] == [main_room]  # the old room stays a fallback
    plan = await desk.seating(meeting_id, session["id"])
    assert plan["room_id"] == backup
    assert plan["podium_rows"] == [5]
    event = events_of(desk.venue, "huiwu.venue.agenda.changed.v1", session["id"])[-1]
    assert (event["change"], event["reason"]) == ("room_switched", "空调故障")


async def test_a_substitute_takes_the_original_seat_on_the_podium_and_in_the_hall(desk: Desk) -> None:
    meeting_id, people, _, session = await plenary(desk)
    before = await desk.seating(meeting_id, session["id"])
    base = f"/api/v1/meetings/{meeting_id}/attendees"

    for original, substitute in (("李明", "欧阳春华"), ("丁一", "黄大年")):
        response = await desk.registration.http.post(
            f"{base}/{people[original]}/substitute",
            json={"name": substitute, "organization": "省纪委监委", "title": "委员"},
        )
        assert response.status_code == 201, response.text
    plan = await eventually(
        lambda: _seated(desk, meeting_id, session["id"], "黄大年"), what="the substitutes are seated"
    )

    assert seat_of(plan, "欧阳春华") == seat_of(before, "李明")  # 2号's seat on the podium
    assert seat_of(plan, "黄大年") == seat_of(before, "丁一")  # 黄 has 11 strokes, 丁 2: the seat still holds
    assert podium_names(plan) == [*podium_names(before)[:3], "欧阳春华", *podium_names(before)[4:]]
    read = await desk.venue.http.get(f"/api/v1/meetings/{meeting_id}/sessions/{session['id']}")
    assert read.json()["presiding_officer_id"] != people["李明"]  # the substitute presides now
    moves = events_of(desk.venue, SEATING_CHANGED, session["id"])[1:]
    moved_names = {move["name"] for event in moves for move in event["moved"]}
    assert moved_names == {"李明", "欧阳春华", "丁一", "黄大年"}


async def _seated(desk: Desk, meeting_id: str, session_id: str, name: str) -> dict[str, Any] | None:
    plan = await desk.seating(meeting_id, session_id)
    return plan if any(seat["name"] == name for seat in plan["seats"]) else None


async def test_leave_frees_the_seat_and_re_packs_the_podium_with_no_empty_seat(desk: Desk) -> None:
    meeting_id, people, _, session = await plenary(desk)
    leave = await desk.registration.http.post(
        f"/api/v1/meetings/{meeting_id}/attendees/{people['张伟']}/leave",
        json={"kind": "official", "reason": "另有公务", "approver": "王建国", "session_ids": [session["id"]]},
    )
    assert leave.status_code == 201, leave.text

    plan = await replanned(desk, meeting_id, session["id"], 1)

    assert podium_names(plan) == ["刘洋", "王建国", "李明", "陈静"]  # re-packed: 3 1 2 4 of four leaders
    assert plan["podium_rows"] == [4]
    moves = events_of(desk.venue, SEATING_CHANGED, session["id"])[-1]["moved"]
    assert {move["name"] for move in moves} == {"张伟", "陈静", "王建国", "李明", "刘洋"}
    gone = next(move for move in moves if move["name"] == "张伟")
    assert gone["after"] is None
    assert all(seat["name"] != "张伟" for seat in plan["seats"])


async def test_a_pinned_person_keeps_the_seat_through_re_plans(desk: Desk) -> None:
    meeting_id, people, _, session = await plenary(desk)
    url = f"/api/v1/meetings/{meeting_id}/sessions/{session['id']}/pins/{people['王二']}"

    pinned = await desk.venue.http.put(url, json={"row": 4, "column": 6, "pinned_by": "会务组"})
    taken = await desk.venue.http.put(
        f"/api/v1/meetings/{meeting_id}/sessions/{session['id']}/pins/{people['丁一']}",
        json={"row": 4, "column": 6, "pinned_by": "会务组"},
    )
    unusable = await desk.venue.http.put(url, json={"row": 5, "column": 10, "pinned_by": "会务组"})
    await desk.person(meeting_id, "卜新", delegation="乙市")
    after_registration = await replanned(desk, meeting_id, session["id"], pinned.json()["plan_version"])
    await desk.venue.http.patch(
        f"/api/v1/meetings/{meeting_id}/sessions/{session['id']}",
        json={"title": "第一次全体会议（预备会议）"},
    )
    settings = await desk.venue.http.put(
        f"/api/v1/meetings/{meeting_id}/protocol", json={"hall_layout": "vertical"}
    )

    assert pinned.status_code == 200, pinned.text
    assert seat_of(pinned.json(), "王二") == ("hall", 4, 6)
    assert taken.status_code == 409 and taken.json()["attendee_id"] == people["王二"]
    assert unusable.status_code == 409
    assert seat_of(after_registration, "卜新") == ("hall", 1, 2)  # after 丁一 (丁 starts with 横)
    assert settings.status_code == 200
    final = await desk.seating(meeting_id, session["id"])
    assert seat_of(final, "王二") == ("hall", 4, 6)
    assert next(seat for seat in final["seats"] if seat["name"] == "王二")["pinned"] is True


async def test_the_meeting_s_protocol_choices_change_the_podium(desk: Desk) -> None:
    meeting_id = await desk.meeting()
    await leaders_and_delegates(desk, meeting_id)
    await desk.person(meeting_id, "周六", rank=6, delegation="省委")
    await desk.people_known(meeting_id, 9)
    room_id = await desk.room(podium={"rows": 1, "seats_per_row": 8})
    session = (await desk.session(meeting_id, room_id)).json()
    assert podium_names(await desk.seating(meeting_id, session["id"]))[0] == "陈静"  # L: 5 3 1 2 4 6

    response = await desk.venue.http.put(
        f"/api/v1/meetings/{meeting_id}/protocol", json={"even_variant": "R"}
    )
    bad = await desk.venue.http.put(
        f"/api/v1/meetings/{meeting_id}/protocol", json={"delegation_order": "listed"}
    )

    assert response.status_code == 200
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["rule"] == "delegations_required"
    plan = await desk.seating(meeting_id, session["id"])
    assert podium_names(plan) == ["周六", "刘洋", "李明", "王建国", "张伟", "陈静"]  # 6 4 2 1 3 5


async def test_where_a_person_sits(desk: Desk) -> None:
    meeting_id, people, _, session = await plenary(desk)
    url = f"/api/v1/meetings/{meeting_id}/attendees/{people['王建国']}/seat"

    seat = await desk.venue.http.get(url, params={"session_id": session["id"]})
    staff = await desk.venue.http.get(
        f"/api/v1/meetings/{meeting_id}/attendees/{people['工作人员']}/seat",
        params={"session_id": session["id"]},
    )
    no_session = await desk.venue.http.get(url)

    assert seat.json()["seat"]["label"] == "主席台第一排3号"
    assert seat.json()["room_name"] == "会议中心一层大礼堂"
    assert staff.status_code == 404
    assert no_session.status_code == 422


async def test_a_full_room_reports_who_has_no_seat(desk: Desk) -> None:
    meeting_id = await desk.meeting()
    room_id = await desk.room(seat_map={"rows": 1, "seats_per_row": 2}, podium=None, capacity=2)
    await desk.person(meeting_id, "甲一")
    await desk.person(meeting_id, "甲二")
    await desk.people_known(meeting_id, 2)
    session = (await desk.session(meeting_id, room_id)).json()

    await desk.person(meeting_id, "甲三")  # registered after the session was planned

    async def reported() -> dict[str, Any] | None:
        current = await desk.seating(meeting_id, session["id"])
        return current if current["problems"] else None

    plan = await eventually(reported, what="the plan reports the missing seat")
    assert plan["problems"] == ["会场座位不足：1人没有座位"]
    assert [seat_of(plan, name) for name in ("甲一", "甲二")] == [("hall", 1, 1), ("hall", 1, 2)]


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"ends_at": "2027-01-12T08:00:00+08:00"}, "ends_at", "ends_before_start"),
        ({"title": None}, "title", "not_nullable"),
        ({"expected": None}, "expected", "not_nullable"),
        ({"starts_at": "2027-03-01T09:00:00+08:00", "ends_at": "2027-03-01T10:00:00+08:00"}, "starts_at",
         "outside_meeting_dates"),
        ({"colour": "红"}, "colour", "extra_forbidden"),
        ({"room_id": 42}, "room_id", "string_type"),
    ],
)  # fmt: skip
async def test_a_bad_change_is_refused_with_field_and_rule_and_changes_nothing(
    desk: Desk, changes: dict[str, Any], field: str, rule: str
) -> None:
    meeting_id, _, _, session = await plenary(desk)
    url = f"/api/v1/meetings/{meeting_id}/sessions/{session['id']}"

    response = await desk.venue.http.patch(url, json=changes)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert any(error["field"].endswith(field) and error["rule"] == rule for error in errors), errors
    after = (await desk.venue.http.get(url)).json()
    assert (after["version"], after["starts_at"], after["title"]) == (
        1,
        session["starts_at"],
        session["title"],
    )
    assert len(events_of(desk.venue, "huiwu.venue.agenda.changed.v1", session["id"])) == 1
