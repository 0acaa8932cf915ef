"""Discussion groups (编组, RULES R6.5): convenor and room, manual and automatic assignment with
leaders spread over the groups, and moves that are attendee events."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlmodel import col

from huiwu.outbox import OutboxEvent
from huiwu.testing.fixtures import RunningService, StartService
from services.registration.groups.service import group_name
from services.registration.main import definition as registration
from tests.messaging import count_rows
from tests.test_registration_roster import names, new_meeting, register


@pytest.fixture
async def service(start_service: StartService) -> RunningService:
    return await start_service(registration)


async def person(service: RunningService, meeting_id: str, name: str, **fields: Any) -> str:
    response = await register(service, meeting_id, name, **fields)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def events(service: RunningService, event_type: str) -> int:
    return count_rows(
        service, OutboxEvent, col(OutboxEvent.event_type) == f"huiwu.registration.{event_type}.v1"
    )


def test_groups_are_numbered_in_chinese() -> None:
    assert [group_name(n) for n in (1, 9, 10, 11, 20, 23)] == [
        "第一组",
        "第九组",
        "第十组",
        "第十一组",
        "第二十组",
        "第二十三组",
    ]


async def test_a_group_has_a_convenor_who_joins_it_and_a_room(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    convenor = await person(service, meeting_id, "王芳")
    url = f"/api/v1/meetings/{meeting_id}/groups"

    formed = await service.http.post(
        url, json={"name": "第一组", "room": "江南宾馆3楼第2会议室", "convenor_id": convenor}
    )
    taken = await service.http.post(url, json={"name": "第一组"})
    stranger = await service.http.post(url, json={"name": "第二组", "convenor_id": "nobody"})
    listed = (await service.http.get(url)).json()

    assert formed.status_code == 201
    assert (formed.json()["convenor_name"], formed.json()["members"]) == ("王芳", 1)
    assert taken.status_code == 409
    assert stranger.status_code == 422 and stranger.json()["errors"][0]["rule"] == "not_on_roster"
    assert [group["name"] for group in listed] == ["第一组"]
    assert await names(service, meeting_id, group_id=formed.json()["id"]) == ["王芳"]
    assert events(service, "group.formed") == 1
    assert events(service, "attendee.updated") == 1  # the convenor moved into the group


async def test_people_move_between_groups_by_name_and_unknown_ids_move_nobody(
    service: RunningService,
) -> None:
    meeting_id = await new_meeting(service)
    people = [await person(service, meeting_id, name) for name in ("丁一", "王二", "文三")]
    url = f"/api/v1/meetings/{meeting_id}/groups"
    first = (await service.http.post(url, json={"name": "第一组"})).json()["id"]
    second = (await service.http.post(url, json={"name": "第二组"})).json()["id"]

    await service.http.post(f"{url}/{first}/members", json={"attendee_ids": people})
    moved = await service.http.post(f"{url}/{second}/members", json={"attendee_ids": people[:1]})
    refused = await service.http.post(f"{url}/{second}/members", json={"attendee_ids": [people[1], "nobody"]})
    empty = await service.http.post(f"{url}/{second}/members", json={"attendee_ids": []})

    assert moved.json()["members"] == 1
    assert refused.status_code == 422
    assert empty.status_code == 422
    assert await names(service, meeting_id, group_id=first) == ["王二", "文三"]
    assert await names(service, meeting_id, group_id=second) == ["丁一"]
    assert events(service, "attendee.updated") == 4


async def test_automatic_groups_spread_the_leaders_and_keep_delegations_together(
    service: RunningService,
) -> None:
    meeting_id = await new_meeting(service)
    leaders = [
        await person(service, meeting_id, f"领导{rank}", rank=rank, delegation="省纪委监委")
        for rank in range(1, 7)
    ]
    sizes = {"江州市": 7, "临海市": 6, "省直机关": 5, "青山市": 4, "白沙县": 3, "东湖区": 2}
    for delegation, size in sizes.items():
        for n in range(size):
            await person(service, meeting_id, f"{delegation}{n}", delegation=delegation, category="observer")
    await person(service, meeting_id, "司马文", category="staff")

    response = await service.http.post(f"/api/v1/meetings/{meeting_id}/groups/auto", json={"count": 3})
    again = await service.http.post(f"/api/v1/meetings/{meeting_id}/groups/auto", json={"count": 3})
    roster = (
        await service.http.get(f"/api/v1/meetings/{meeting_id}/attendees", params={"limit": 500})
    ).json()["items"]

    groups = response.json()
    assert [group["name"] for group in groups] == ["第一组", "第二组", "第三组"]
    group_of = {person["id"]: person["group_id"] for person in roster}
    assert Counter(group_of[leader] for leader in leaders) == Counter({group["id"]: 2 for group in groups})
    for delegation in sizes:
        assert len({person["group_id"] for person in roster if person["delegation"] == delegation}) == 1
    member_counts = [group["members"] for group in groups]
    assert sum(member_counts) == 6 + sum(sizes.values())  # staff are not grouped
    assert max(member_counts) - min(member_counts) <= 1
    assert again.status_code == 409


async def test_a_substitute_takes_over_the_group_and_its_convening(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    original = await person(service, meeting_id, "周强")
    group = (
        await service.http.post(
            f"/api/v1/meetings/{meeting_id}/groups", json={"name": "第一组", "convenor_id": original}
        )
    ).json()

    substitute = await service.http.post(
        f"/api/v1/meetings/{meeting_id}/attendees/{original}/substitute",
        json={"name": "吴敏", "organization": "江州市纪委监委", "title": "代理书记"},
    )

    assert substitute.json()["group_id"] == group["id"]
    assert await names(service, meeting_id, group_id=group["id"]) == ["吴敏"]
    groups = (await service.http.get(f"/api/v1/meetings/{meeting_id}/groups")).json()
    assert (groups[0]["convenor_name"], groups[0]["members"]) == ("吴敏", 1)
