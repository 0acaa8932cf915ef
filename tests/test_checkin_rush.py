"""A rush at the door (issue 3): scans that arrive together share a transaction (group commit),
yet each is answered as if alone — a first sign-in is 201, a retried request 200, a bad one its
own 4xx — and nothing answered is lost."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import col

from huiwu.outbox import OutboxEvent
from huiwu.testing.fixtures import RunningService, StartService
from services.registration.checkin.models import Scan
from services.registration.main import definition as registration
from tests.messaging import count_rows
from tests.test_checkin_attendance import person, scan
from tests.test_registration_roster import new_meeting

CHECKED_IN = "huiwu.registration.attendee.checked_in.v1"


@pytest.fixture
async def service(start_service: StartService) -> RunningService:
    return await start_service(registration)


async def test_a_rush_of_scans_is_answered_one_by_one_and_stored_once(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    people = [
        await person(service, meeting_id, name) for name in ("王芳", "李明", "张伟", "刘洋", "陈静") * 8
    ]
    badges = [someone["badge"]["token"] for someone in people]

    answers = await asyncio.gather(
        *(
            scan(service, meeting_id, badge=badge, nonce=f"gate1:{number}")
            for number, badge in enumerate(badges)
        ),
        *(
            scan(service, meeting_id, badge=badges[0], nonce="gate1:0") for _ in range(5)
        ),  # a retrying scanner
        *(scan(service, "no-such-meeting", badge=badges[1]) for _ in range(3)),
        *(scan(service, meeting_id, badge="forged.token") for _ in range(2)),
    )

    statuses = [answer.status_code for answer in answers]
    assert statuses[: len(badges)] == [201] * len(badges)
    assert statuses[len(badges) : len(badges) + 5] == [200] * 5
    assert statuses[len(badges) + 5 :] == [404] * 3 + [400] * 2
    assert count_rows(service, Scan) == len(badges)
    assert count_rows(service, OutboxEvent, col(OutboxEvent.event_type) == CHECKED_IN) == len(badges)
    attendance = (await service.http.get(f"/api/v1/meetings/{meeting_id}/attendance")).json()
    assert attendance["total"]["present"] == len(badges)
    refused = (await service.http.get(f"/api/v1/meetings/{meeting_id}/checkins/refused")).json()
    assert [scan["reason"] for scan in refused] == ["forged", "forged"]
