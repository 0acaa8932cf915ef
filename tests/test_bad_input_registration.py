"""Bad input on registration's newer endpoints: a specific 4xx, and nothing written."""

from __future__ import annotations

from typing import Any

import pytest

from huiwu.testing.fixtures import RunningService, StartService
from services.registration.attendees.models import Attendee
from services.registration.freeze.models import RosterChange
from services.registration.groups.models import DiscussionGroup
from services.registration.lodging.models import Diner, Stay
from services.registration.main import definition as registration
from tests.messaging import count_rows
from tests.test_groups import person
from tests.test_registration_roster import new_meeting


@pytest.fixture
async def service(start_service: StartService) -> RunningService:
    return await start_service(registration)


async def test_a_substitute_without_name_or_for_nobody_is_refused(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    original = await person(service, meeting_id, "周强")
    url = f"/api/v1/meetings/{meeting_id}/attendees"

    nameless = await service.http.post(
        f"{url}/{original}/substitute", json={"organization": "省纪委", "title": "委员"}
    )
    nobody = await service.http.post(
        f"{url}/nobody/substitute", json={"name": "吴敏", "organization": "x", "title": "y"}
    )

    assert nameless.status_code == 422 and nameless.json()["errors"][0]["field"] == "name"
    assert nobody.status_code == 404 and nobody.json()["field"] == "attendee_id"
    assert count_rows(service, Attendee) == 1
    assert (await service.http.get(f"{url}/{original}")).json()["status"] == "registered"


async def test_a_decision_without_approver_or_on_no_change_is_refused(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    base = f"/api/v1/meetings/{meeting_id}"
    await service.http.post(f"{base}/roster/freeze", json={"by": "会务组张明"})
    held = await service.http.post(
        f"{base}/attendees", json={"name": "王芳", "organization": "省纪委", "title": "委员"}
    )

    anonymous = await service.http.post(f"{base}/roster/changes/{held.json()['id']}/approve", json={})
    unknown = await service.http.post(f"{base}/roster/changes/nothing/approve", json={"approver": "刘强"})

    assert anonymous.status_code == 422 and anonymous.json()["errors"][0]["field"] == "approver"
    assert unknown.status_code == 404 and unknown.json()["field"] == "change_id"
    assert count_rows(service, Attendee) == 0
    assert [change["status"] for change in (await service.http.get(f"{base}/roster/changes")).json()] == [
        "pending"
    ]
    assert count_rows(service, RosterChange) == 1


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        (
            "lodging/rooms/nowhere/occupants",
            {"attendee_id": "{someone}", "check_in_on": "2027-01-11", "check_out_on": "2027-01-12"},
            404,
            "room_id",
        ),
        (
            "lodging/rooms/{room}/occupants",
            {"attendee_id": "nobody", "check_in_on": "2027-01-11", "check_out_on": "2027-01-12"},
            404,
            "attendee_id",
        ),
        ("lodging/rooms", {"hotel": "江南宾馆", "number": "1", "beds": 9}, 422, "beds"),
        ("dining/tables/nowhere/diners", {"attendee_id": "{someone}"}, 404, "table_id"),
        ("dining/tables/{table}/diners", {"attendee_id": "nobody"}, 404, "attendee_id"),
        ("dining/tables", {"name": "", "seats": 10}, 422, "name"),
        ("groups", {"name": "第一组", "room": ""}, 422, "room"),
        ("groups/nowhere/members", {"attendee_ids": ["{someone}"]}, 404, "group_id"),
        ("groups/auto", {"count": 0}, 422, "count"),
    ],
)
async def test_bad_lodging_dining_and_group_requests_write_nothing(
    service: RunningService, path: str, body: dict[str, Any], status: int, field: str
) -> None:
    meeting_id = await new_meeting(service)
    base = f"/api/v1/meetings/{meeting_id}"
    someone = await person(service, meeting_id, "王芳")
    room = (
        await service.http.post(f"{base}/lodging/rooms", json={"hotel": "江南宾馆", "number": "8", "beds": 1})
    ).json()
    table = (await service.http.post(f"{base}/dining/tables", json={"name": "1号桌", "seats": 8})).json()
    filled = {
        key: value.replace("{someone}", someone)
        if isinstance(value, str)
        else [item.replace("{someone}", someone) for item in value]
        if isinstance(value, list)
        else value
        for key, value in body.items()
    }
    url = f"{base}/{path}".replace("{room}", room["id"]).replace("{table}", table["id"])

    response = await service.http.post(url, json=filled)

    assert response.status_code == status, response.text
    problem = response.json()
    fields = [error["field"] for error in problem.get("errors", [])] or [problem.get("field")]
    assert field in fields
    assert (count_rows(service, Stay), count_rows(service, Diner), count_rows(service, DiscussionGroup)) == (
        0,
        0,
        0,
    )
