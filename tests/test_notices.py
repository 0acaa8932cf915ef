"""Notices of changed arrangements: recorded with what changed, delivered by the worker, and
retried until delivered when the channel fails."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from huiwu.testing.fixtures import RunningService, StartService, eventually
from services.registration.main import definition as registration
from services.registration.notices import service as notices
from services.registration.notices.models import Notice
from tests.test_groups import person
from tests.test_registration_roster import new_meeting


@pytest.fixture
async def service(start_service: StartService) -> RunningService:
    return await start_service(registration)


async def listed(service: RunningService, meeting_id: str, **params: Any) -> list[dict[str, Any]]:
    response = await service.http.get(f"/api/v1/meetings/{meeting_id}/notices", params=params)
    result: list[dict[str, Any]] = response.json()
    return result


async def test_people_are_told_of_their_group_room_and_substitution(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    original = await person(service, meeting_id, "周强")
    base = f"/api/v1/meetings/{meeting_id}"
    group = (
        await service.http.post(f"{base}/groups", json={"name": "第一组", "room": "江南宾馆3楼会议室"})
    ).json()
    room = (
        await service.http.post(
            f"{base}/lodging/rooms", json={"hotel": "江南宾馆", "number": "808", "beds": 1}
        )
    ).json()

    await service.http.post(f"{base}/groups/{group['id']}/members", json={"attendee_ids": [original]})
    await service.http.post(
        f"{base}/lodging/rooms/{room['id']}/occupants",
        json={"attendee_id": original, "check_in_on": "2027-01-11", "check_out_on": "2027-01-14"},
    )
    substitute = (
        await service.http.post(
            f"{base}/attendees/{original}/substitute",
            json={"name": "吴敏", "organization": "省纪委", "title": "委员"},
        )
    ).json()

    to_original = await listed(service, meeting_id, attendee_id=original)
    assert [notice["topic"] for notice in to_original] == ["group", "lodging", "substitution"]
    assert to_original[0]["message"] == "周强同志：您参加第一组的分组讨论，地点：江南宾馆3楼会议室。"
    assert to_original[1]["after"] == {
        "hotel": "江南宾馆",
        "room": "808",
        "check_in_on": "2027-01-11",
        "check_out_on": "2027-01-14",
    }
    assert "证件已作废" in to_original[2]["message"]
    to_substitute = await listed(service, meeting_id, attendee_id=substitute["id"])
    assert [notice["topic"] for notice in to_substitute] == ["substitution"]
    assert await eventually(lambda: all_sent(service, meeting_id), what="the worker delivered every notice")


async def all_sent(service: RunningService, meeting_id: str) -> bool:
    every = await listed(service, meeting_id)
    return bool(every) and all(notice["status"] == "sent" for notice in every)


async def test_a_failed_delivery_is_retried_until_it_goes_through(start_service: StartService) -> None:
    service = await start_service(registration, workers=False)  # no background worker: we drive it
    meeting_id = await new_meeting(service)
    someone = await person(service, meeting_id, "王芳")
    group = (await service.http.post(f"/api/v1/meetings/{meeting_id}/groups", json={"name": "第一组"})).json()
    calls: list[str] = []

    class Flaky:
        def send(self, notice: Notice, recipient: dict[str, str | None]) -> None:
            calls.append(notice.id)
            if len(calls) == 1:
                raise ConnectionError("the messaging gateway is down")

    await service.http.post(
        f"/api/v1/meetings/{meeting_id}/groups/{group['id']}/members", json={"attendee_ids": [someone]}
    )

    first = notices.deliver_due(service.runtime, Flaky())
    failed = [n for n in await listed(service, meeting_id) if n["last_error"]]
    with service.runtime.make_session() as session:  # make the retry due now instead of in 2 s
        for notice in session.exec(select(Notice)):
            notice.next_attempt_at = notice.created_at
        session.commit()
    second = notices.deliver_due(service.runtime, Flaky())

    assert first == 0 and len(failed) == 1 and failed[0]["attempts"] == 1
    assert "gateway is down" in failed[0]["last_error"]
    assert second == 1
    assert calls.count(failed[0]["id"]) == 2
