"""Venue (issue 4): the agenda, its conflict checks and the seating it plans, with registration
and venue in-process on a real nats-server, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col

from huiwu.outbox import OutboxEvent
from huiwu.testing.fixtures import RunningService, StartService
from services.venue.agenda.models import AgendaSession
from tests.messaging import count_rows
from tests.venue_desk import Desk, podium_names, seat_of, start_desk

LEADERS = ["王建国", "李明", "张伟", "刘洋", "陈静"]
AGENDA_CHANGED = "huiwu.venue.agenda.changed.v1"


@pytest.fixture
async def desk(start_service: StartService) -> Desk:
    return await start_desk(start_service)


def agenda_events(venue: RunningService) -> int:
    return count_rows(venue, OutboxEvent, col(OutboxEvent.event_type) == AGENDA_CHANGED)


def sessions(venue: RunningService) -> int:
    return count_rows(venue, AgendaSession)


async def leaders_and_delegates(desk: Desk, meeting_id: str) -> dict[str, str]:
    people = {}
    for rank, name in enumerate(LEADERS, start=1):
        people[name] = await desk.person(meeting_id, name, rank=rank, delegation="省委")
    people["丁一"] = await desk.person(meeting_id, "丁一", delegation="乙市")
    people["王二"] = await desk.person(meeting_id, "王二", delegation="甲市")
    people["列席甲"] = await desk.person(meeting_id, "列席甲", category="observer", delegation="甲市")
    people["工作人员"] = await desk.person(meeting_id, "赵会务", category="staff")
    await desk.people_known(meeting_id, len(people))
    return people


async def test_a_plenary_seats_the_podium_by_rank_and_the_hall_by_delegation(desk: Desk) -> None:
    meeting_id = await desk.meeting()
    await leaders_and_delegates(desk, meeting_id)
    room_id = await desk.room()

    created = await desk.session(meeting_id, room_id)

    assert created.status_code == 201, created.text
    assert created.json()["expected_count"] == 8  # everyone but the staff
    plan = await desk.seating(meeting_id, created.json()["id"])
    assert podium_names(plan) == ["陈静", "张伟", "王建国", "李明", "刘洋"]  # 5 3 1 2 4 seen from the hall
    podium = {seat["name"]: seat for seat in plan["seats"] if seat["area"] == "podium"}
    assert podium["王建国"]["precedence"] == 1 and podium["王建国"]["podium_view_column"] == 3
    assert podium["李明"]["podium_view_column"] == 2  # 2号 at 1号's own left: P-view left of centre
    assert seat_of(plan, "丁一") == ("hall", 1, 1)  # 乙市 (乙, 1 stroke) before 甲市 (5 strokes)
    assert seat_of(plan, "王二") == ("hall", 1, 2)
    assert seat_of(plan, "列席甲") == ("hall", 2, 1)  # observers on a fresh row behind the members
    assert "赵会务" not in {seat["name"] for seat in plan["seats"]}
    hall_seats = [seat for seat in plan["seats"] if seat["area"] == "hall"]
    assert len(hall_seats) == 49  # every usable seat listed, empty ones too (5×10, one unusable)
    assert plan["microphones"][0] == {**plan["microphones"][0], "kind": "fixed", "name": "王建国"}
    assert [mic["at"] for mic in plan["microphones"]] == ["podium"] * 5 + ["lectern"]


async def test_the_agenda_lists_sessions_in_time_order(desk: Desk) -> None:
    meeting_id = await desk.meeting()
    await leaders_and_delegates(desk, meeting_id)
    room_id = await desk.room()
    later = await desk.session(
        meeting_id, room_id, title="第二次全体会议", starts_at="2027-01-13T09:00:00+08:00",
        ends_at="2027-01-13T11:00:00+08:00",
    )  # fmt: skip
    earlier = await desk.session(meeting_id, room_id)

    page = (await desk.venue.http.get(f"/api/v1/meetings/{meeting_id}/sessions", params={"limit": 1})).json()
    rest = await desk.venue.http.get(
        f"/api/v1/meetings/{meeting_id}/sessions", params={"limit": 1, "cursor": page["next_cursor"]}
    )

    assert [item["id"] for item in page["items"]] == [earlier.json()["id"]]
    assert [item["id"] for item in rest.json()["items"]] == [later.json()["id"]]
    assert rest.json()["next_cursor"] is None


async def test_each_kind_of_collision_is_refused_naming_what_collides(desk: Desk) -> None:
    meeting_id = await desk.meeting()
    people = await leaders_and_delegates(desk, meeting_id)
    hall_id = await desk.room()
    small_id = await desk.room(name="小会议室", capacity=4, seat_map=None, podium=None)
    first = await desk.session(meeting_id, hall_id, presiding_officer_id=people["王建国"])
    before = (agenda_events(desk.venue), sessions(desk.venue))

    same_room = await desk.session(meeting_id, hall_id, title="临时会议", kind="adhoc",
                                   expected={"kind": "people", "attendee_ids": [people["丁一"]]})  # fmt: skip
    too_small = await desk.session(meeting_id, small_id, title="座谈会")
    double = await desk.session(
        meeting_id, small_id, title="小组讨论", kind="group",
        expected={"kind": "people", "attendee_ids": [people["丁一"], people["王二"]]},
    )  # fmt: skip
    not_attendee = await desk.session(
        meeting_id, small_id, title="座谈会", starts_at="2027-01-13T09:00:00+08:00",
        ends_at="2027-01-13T10:00:00+08:00", presiding_officer_id="someone-else",
        expected={"kind": "people", "attendee_ids": [people["丁一"]]},
    )  # fmt: skip
    unknown_people = await desk.session(
        meeting_id, small_id, title="座谈会", starts_at="2027-01-13T09:00:00+08:00",
        ends_at="2027-01-13T10:00:00+08:00", expected={"kind": "people", "attendee_ids": ["nobody"]},
    )  # fmt: skip

    assert same_room.status_code == 409
    assert same_room.json()["type"] == "urn:huiwu:problem:" + "room-double-booked"
    assert same_room.json()["session_id"] == first.json()["id"]
    assert "第一次全体会议" in same_room.json()["detail"]
    assert too_small.status_code == 409
    assert too_small.json()["type"] == "urn:huiwu:problem:" + "room-too-small"
    assert (too_small.json()["expected"], too_small.json()["seats"]) == (8, 4)
    assert double.status_code == 409
    assert double.json()["type"] == "urn:huiwu:problem:" + "person-double-booked"
    assert set(double.json()["attendee_ids"]) == {people["丁一"], people["王二"]}
    assert "丁一" in double.json()["detail"] and "第一次全体会议" in double.json()["detail"]
    assert not_attendee.status_code == 409
    assert not_attendee.json()["type"] == "urn:huiwu:problem:" + "presiding-officer-not-attendee"
    assert unknown_people.status_code == 409
    assert unknown_people.json()["type"] == "urn:huiwu:problem:" + "not-attendees"
    assert unknown_people.json()["attendee_ids"] == ["nobody"]
    assert (agenda_events(desk.venue), sessions(desk.venue)) == before


@pytest.mark.parametrize(
    ("fields", "field", "status"),
    [
        ({"ends_at": "2027-01-12T08:00:00+08:00"}, "body", 422),
        ({"starts_at": "2027-01-12T09:00:00"}, "starts_at", 422),  # no time zone
        (
            {"starts_at": "2027-02-01T09:00:00+08:00", "ends_at": "2027-02-01T10:00:00+08:00"},
            "starts_at",
            422,
        ),
        ({"kind": "banquet"}, "kind", 422),
        ({"expected": {"kind": "group"}}, "expected", 422),
        ({"expected": {"kind": "people", "attendee_ids": []}}, "expected", 422),
        ({"seats": 3}, "seats", 422),
        ({"room_id": "no-such-room"}, "room_id", 404),
        ({"backup_room_ids": ["no-such-room"]}, "backup_room_ids", 404),
    ],
)
async def test_bad_sessions_are_refused_with_the_field_and_nothing_is_written(
    desk: Desk, fields: dict[str, Any], field: str, status: int
) -> None:
    meeting_id = await desk.meeting()
    room_id = await desk.room()

    response = await desk.session(meeting_id, room_id, **fields)

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    named = [error["field"] for error in body.get("errors", [])] + [body.get("field")]
    assert any(name and name.startswith(field) for name in named), body
    assert (agenda_events(desk.venue), sessions(desk.venue)) == (0, 0)


async def test_a_session_for_a_meeting_venue_does_not_know_is_404(desk: Desk) -> None:
    room_id = await desk.room()

    response = await desk.session("no-such-meeting", room_id)

    assert response.status_code == 404
    assert response.json()["field"] == "meeting_id"


async def test_bad_rooms_are_refused_naming_the_rule(desk: Desk) -> None:
    venue = (await desk.venue.http.post("/api/v1/venues", json={"name": "宾馆"})).json()
    url = f"/api/v1/venues/{venue['id']}/rooms"
    base = {"name": "第一会议室", "capacity": 10}

    outside = await desk.venue.http.post(
        url, json={**base, "seat_map": {"rows": 2, "seats_per_row": 3, "unusable": [{"row": 3, "column": 1}]}}
    )
    over = await desk.venue.http.post(url, json={**base, "seat_map": {"rows": 4, "seats_per_row": 4}})
    aisle = await desk.venue.http.post(
        url, json={**base, "seat_map": {"rows": 2, "seats_per_row": 3, "aisles_after": [3]}}
    )
    nameless = await desk.venue.http.post(url, json={"capacity": 10})
    missing = await desk.venue.http.post("/api/v1/venues/nowhere/rooms", json=base)

    rules = [response.json()["errors"][0]["rule"] for response in (outside, over, aisle, nameless)]
    assert rules == ["seat_outside_map", "seat_map_over_capacity", "aisle_outside_row", "missing"]
    assert missing.status_code == 404
    rooms = await desk.venue.http.get(f"/api/v1/venues/{venue['id']}/rooms")
    assert rooms.json() == []
