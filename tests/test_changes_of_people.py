"""Changes of people (issue 3): updates, withdrawals and substitutions are events every
department applies; a replaced or withdrawn person's badge stops working at once."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from sqlmodel import col

from huiwu.outbox import OutboxEvent
from huiwu.testing.fixtures import RunningService, StartService
from services.registration.main import definition as registration
from tests.messaging import count_rows
from tests.test_checkin_attendance import person, scan
from tests.test_registration_roster import names, new_meeting
from tests.test_slice_end_to_end import create_meeting, register, wait_for_sync


@pytest.fixture
async def service(start_service: StartService) -> RunningService:
    return await start_service(registration)


def events(service: RunningService, name: str) -> int:
    event_type = f"huiwu.registration.attendee.{name}.v1"
    return count_rows(service, OutboxEvent, col(OutboxEvent.event_type) == event_type)


async def test_a_liaison_update_is_one_event_with_what_changed(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    member = await person(service, meeting_id, "王芳", title="副书记")
    url = f"/api/v1/meetings/{meeting_id}/attendees/{member['id']}"

    updated = await service.http.patch(url, json={"title": "书记", "organization": "省纪委监委"})
    same = await service.http.patch(url, json={"title": "书记"})
    unknown = await service.http.patch(url, json={"salary": 1})

    assert updated.json()["title"] == "书记"
    assert updated.json()["version"] == 2
    assert same.json()["version"] == 2
    assert unknown.status_code == 422
    assert events(service, "updated") == 1


async def test_a_withdrawn_person_leaves_the_roster_and_the_count(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    stays = await person(service, meeting_id, "王芳")
    leaves = await person(service, meeting_id, "李一鸣")
    url = f"/api/v1/meetings/{meeting_id}/attendees/{leaves['id']}"

    withdrawn = await service.http.post(f"{url}/withdraw", json={"reason": "工作调动"})
    twice = await service.http.post(f"{url}/withdraw", json={"reason": "工作调动"})
    no_reason = await service.http.post(
        f"/api/v1/meetings/{meeting_id}/attendees/{stays['id']}/withdraw", json={}
    )
    door = await scan(service, meeting_id, badge=leaves["badge"]["token"])
    attendance = (await service.http.get(f"/api/v1/meetings/{meeting_id}/attendance")).json()

    assert withdrawn.json()["status"] == "withdrawn"
    assert twice.status_code == 409
    assert no_reason.status_code == 422
    assert door.status_code == 403 and door.json()["reason"] == "revoked"
    assert await names(service, meeting_id) == ["王芳"]
    assert await names(service, meeting_id, status="withdrawn") == ["李一鸣"]
    assert attendance["total"]["expected"] == 1
    assert events(service, "withdrawn") == 1


async def test_a_substitute_takes_the_place_and_the_original_badge_stops_working(
    service: RunningService,
) -> None:
    meeting_id = await new_meeting(service)
    original = await person(service, meeting_id, "周强", rank=3, delegation="江州市", category="member")
    url = f"/api/v1/meetings/{meeting_id}/attendees/{original['id']}"

    response = await service.http.post(
        f"{url}/substitute", json={"name": "吴敏", "organization": "江州市纪委监委", "title": "代理书记"}
    )
    again = await service.http.post(
        f"{url}/substitute", json={"name": "郑华", "organization": "x", "title": "y"}
    )
    old_badge = await scan(service, meeting_id, badge=original["badge"]["token"])
    substitute = response.json()
    new_badge = await service.http.get(f"/api/v1/meetings/{meeting_id}/attendees/{substitute['id']}/badge")

    assert response.status_code == 201
    assert (substitute["rank"], substitute["delegation"], substitute["category"]) == (3, "江州市", "member")
    assert (await service.http.get(url)).json()["status"] == "substituted"
    assert again.status_code == 409
    assert old_badge.status_code == 403
    assert (await scan(service, meeting_id, badge=new_badge.json()["token"])).status_code == 201
    assert await names(service, meeting_id, order="protocol") == ["吴敏"]
    assert events(service, "substituted") == 1


def test_every_department_follows_substitutions_and_withdrawals(gateway: httpx.Client) -> None:
    meeting_id = create_meeting(gateway)
    people: list[dict[str, Any]] = [register(gateway, meeting_id, name) for name in ("王一", "王二", "王三")]
    base = f"/api/v1/meetings/{meeting_id}/attendees"

    replaced = gateway.post(
        f"{base}/{people[0]['id']}/substitute",
        json={"name": "吴敏", "organization": "省纪委", "title": "委员"},
    )
    withdrawn = gateway.post(f"{base}/{people[1]['id']}/withdraw", json={"reason": "工作调动"})
    renamed = gateway.patch(f"{base}/{people[2]['id']}", json={"title": "副书记"})

    assert (replaced.status_code, withdrawn.status_code, renamed.status_code) == (201, 200, 200)
    wait_for_sync(gateway, meeting_id, 2)
    deadline = time.monotonic() + 30
    departments = ("venue", "documents", "supervision")
    while True:  # the title change may still be on its way once the counts agree
        report = gateway.get(f"/api/v1/meetings/{meeting_id}/sync").json()
        applied = [report["services"][department]["events_applied"] for department in departments]
        if applied == [7, 6, 7] or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    # 3 registered + substituted + withdrawn + updated; venue and supervision also keep the meeting
    assert applied == [7, 6, 7]
    assert report["in_sync"] is True
