"""Venue (issue 4) through the gateway, on real processes: an agenda change reaches every
department — registration tells exactly the affected people, the seat lookup follows the new
room, and the sync report shows every department caught up."""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.test_slice_end_to_end import create_meeting, register, wait_for_sync
from tests.venue_desk import HALL


def eventually(check: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


def known_to_venue(gateway: httpx.Client, meeting_id: str) -> bool:
    return gateway.get(f"/api/v1/meetings/{meeting_id}/protocol").status_code == 200


def test_a_room_change_reaches_the_affected_people_and_the_seat_lookup(gateway: httpx.Client) -> None:
    meeting_id = create_meeting(gateway)
    leader = register(gateway, meeting_id, "王建国", rank=1, delegation="省委")
    member = register(gateway, meeting_id, "李明", delegation="江州市")
    observer = register(gateway, meeting_id, "张伟", category="observer", delegation="江州市")
    wait_for_sync(gateway, meeting_id, 3)
    assert eventually(lambda: known_to_venue(gateway, meeting_id))
    venue = gateway.post("/api/v1/venues", json={"name": "江南会议中心"}).json()
    hall = gateway.post(f"/api/v1/venues/{venue['id']}/rooms", json=HALL).json()
    small = gateway.post(f"/api/v1/venues/{venue['id']}/rooms", json={**HALL, "name": "第二会议室"}).json()
    created = gateway.post(
        f"/api/v1/meetings/{meeting_id}/sessions",
        json={
            "title": "第一次全体会议", "kind": "plenary", "room_id": hall["id"],
            "starts_at": "2027-01-12T09:00:00+08:00", "ends_at": "2027-01-12T11:30:00+08:00",
            "expected": {"kind": "members"}, "presiding_officer_id": leader["id"],
        },
    )  # fmt: skip
    assert created.status_code == 201, created.text
    session_id = created.json()["id"]

    moved = gateway.patch(
        f"/api/v1/meetings/{meeting_id}/sessions/{session_id}", json={"room_id": small["id"]}
    )
    clash = gateway.post(
        f"/api/v1/meetings/{meeting_id}/sessions",
        json={
            "title": "临时会议", "kind": "adhoc", "room_id": small["id"],
            "starts_at": "2027-01-12T10:00:00+08:00", "ends_at": "2027-01-12T10:30:00+08:00",
            "expected": {"kind": "people", "attendee_ids": [observer["id"]]},
        },
    )  # fmt: skip

    assert moved.status_code == 200, moved.text
    assert clash.status_code == 409  # the small room is now taken at that time
    assert clash.json()["type"] == "urn:huiwu:problem:room-double-booked"
    notices = eventually(lambda: _agenda_notices(gateway, meeting_id, member["id"], 2))
    assert notices, "the member was not told of the session and of its new room"
    assert "第二会议室" in notices[-1]["message"]
    assert _agenda_notices(gateway, meeting_id, observer["id"], 0) == []  # members only: not the observer
    seat = gateway.get(
        f"/api/v1/meetings/{meeting_id}/attendees/{leader['id']}/seat", params={"session_id": session_id}
    )
    assert seat.status_code == 200, seat.text
    assert (seat.json()["room_name"], seat.json()["seat"]["label"]) == (
        "会议中心一层第二会议室",
        "主席台第一排1号",
    )
    attendance = gateway.get(f"/api/v1/meetings/{meeting_id}/attendance", params={"session_id": session_id})
    assert attendance.json()["total"]["expected"] == 2  # registration counts the session's members only


def _agenda_notices(gateway: httpx.Client, meeting_id: str, attendee_id: str, at_least: int) -> list[Any]:
    listed = gateway.get(f"/api/v1/meetings/{meeting_id}/notices", params={"attendee_id": attendee_id}).json()
    agenda = [notice for notice in listed if notice["topic"] == "agenda"]
    return agenda if len(agenda) >= at_least else []
