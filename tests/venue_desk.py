"""Registration and venue in-process on one real nats-server: what the venue tests stand on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from huiwu.testing.fixtures import RunningService, StartService, eventually
from services.registration.main import definition as registration_service
from services.venue.main import definition as venue_service
from tests.test_registration_roster import new_meeting, register

HALL: dict[str, Any] = {
    "name": "大礼堂",
    "building": "会议中心",
    "floor": "一层",
    "capacity": 60,
    "seat_map": {"rows": 5, "seats_per_row": 10, "aisles_after": [5], "unusable": [{"row": 5, "column": 10}]},
    "podium": {"rows": 2, "seats_per_row": 5},
    "lectern": "audience_right",
    "microphones": {"fixed": 6, "wireless": 2},
}


@dataclass
class Desk:
    registration: RunningService
    venue: RunningService

    async def meeting(self, **fields: Any) -> str:
        meeting_id = await new_meeting(self.registration, **fields)
        await eventually(lambda: self._known(meeting_id), what="venue learns of the meeting")
        return meeting_id

    async def _known(self, meeting_id: str) -> bool:
        response = await self.venue.http.get(f"/api/v1/meetings/{meeting_id}/protocol")
        return response.status_code == 200

    async def person(self, meeting_id: str, name: str, **fields: Any) -> str:
        response = await register(self.registration, meeting_id, name, **fields)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    async def people_known(self, meeting_id: str, count: int) -> None:
        async def synced() -> bool:
            report = (await self.venue.http.get(f"/api/v1/meetings/{meeting_id}/sync")).json()
            return bool(report.get("attendees") == count)

        await eventually(synced, what=f"venue has {count} attendees")

    async def room(self, **overrides: Any) -> str:
        venue = await self.venue.http.post("/api/v1/venues", json={"name": "江南会议中心"})
        assert venue.status_code == 201, venue.text
        room = await self.venue.http.post(
            f"/api/v1/venues/{venue.json()['id']}/rooms", json={**HALL, **overrides}
        )
        assert room.status_code == 201, room.text
        return str(room.json()["id"])

    async def session(self, meeting_id: str, room: str, **fields: Any) -> Any:
        body = {
            "title": "第一次全体会议",
            "kind": "plenary",
            "starts_at": "2027-01-12T09:00:00+08:00",
            "ends_at": "2027-01-12T11:30:00+08:00",
            "room_id": room,
            "expected": {"kind": "everyone"},
            **fields,
        }
        return await self.venue.http.post(f"/api/v1/meetings/{meeting_id}/sessions", json=body)

    async def seating(self, meeting_id: str, session_id: str) -> dict[str, Any]:
        response = await self.venue.http.get(f"/api/v1/meetings/{meeting_id}/sessions/{session_id}/seating")
        assert response.status_code == 200, response.text
        plan: dict[str, Any] = response.json()
        return plan


async def start_desk(start_service: StartService) -> Desk:
    return Desk(await start_service(registration_service), await start_service(venue_service))


def podium_names(plan: dict[str, Any], row: int = 1) -> list[str]:
    """A podium row as the hall sees it, left to right."""
    seats = [seat for seat in plan["seats"] if seat["area"] == "podium" and seat["row"] == row]
    return [seat["name"] for seat in sorted(seats, key=lambda seat: seat["column"])]


def seat_of(plan: dict[str, Any], name: str) -> tuple[str, int, int]:
    (seat,) = [seat for seat in plan["seats"] if seat["name"] == name]
    return seat["area"], seat["row"], seat["column"]
