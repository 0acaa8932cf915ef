"""Registration's roster and meeting lifecycle (issue 3, first part), on the registration service
in-process with a real nats-server, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlmodel import col

from huiwu.outbox import OutboxEvent
from huiwu.testing.fixtures import RunningService, StartService
from services.registration.attendees.id_number import check_character
from services.registration.attendees.models import Attendee
from services.registration.main import definition as registration
from tests.messaging import count_rows

MEETING = {
    "name": "中共江南省纪律检查委员会第三次全体会议",
    "starts_on": "2027-01-12",
    "ends_on": "2027-01-14",
}


def id_number(birth: str = "19700101", serial: str = "123") -> str:
    first_17 = f"330102{birth}{serial}"
    return first_17 + check_character(first_17)


async def new_meeting(service: RunningService, **fields: Any) -> str:
    response = await service.http.post("/api/v1/meetings", json={**MEETING, **fields})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def register(service: RunningService, meeting_id: str, name: str, **fields: Any) -> httpx.Response:
    body = {"name": name, "organization": "省纪委监委", "title": "委员", **fields}
    return await service.http.post(f"/api/v1/meetings/{meeting_id}/attendees", json=body)


def events_of(service: RunningService, event_type: str) -> int:
    return count_rows(service, OutboxEvent, col(OutboxEvent.event_type) == event_type)


@pytest.fixture
async def service(start_service: StartService) -> RunningService:
    return await start_service(registration)


async def names(service: RunningService, meeting_id: str, **params: Any) -> list[str]:
    page = (
        await service.http.get(f"/api/v1/meetings/{meeting_id}/attendees", params={"limit": 500, **params})
    ).json()
    return [item["name"] for item in page["items"]]


async def test_protocol_order_is_category_then_rank_then_surname_strokes(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    people: list[tuple[str, dict[str, Any]]] = [
        ("周强", {"category": "observer"}),
        ("欧阳少东", {}),
        ("王芳", {"rank": 2}),
        ("司马文", {"category": "staff"}),
        ("丁一", {}),
        ("林静", {"rank": 1}),
        ("叶建华", {"category": "guest"}),
        ("文明", {}),
        ("方正", {"category": "observer"}),
    ]
    for name, fields in people:
        assert (await register(service, meeting_id, name, **fields)).status_code == 201

    response = await service.http.get(
        f"/api/v1/meetings/{meeting_id}/attendees", params={"order": "protocol"}
    )

    assert [item["name"] for item in response.json()["items"]] == [
        "林静", "王芳",  # ranked leaders first, by rank
        "丁一", "文明", "欧阳少东",  # then members by surname strokes
        "方正", "周强",  # 列席
        "叶建华",  # 来宾
        "司马文",  # 工作人员
    ]  # fmt: skip
    assert response.json()["order_note"] == "（按姓氏笔画为序）"


async def test_the_single_name_mode_is_the_meetings_own(service: RunningService) -> None:
    by_surname = await new_meeting(service)
    by_full_name = await new_meeting(service, name_order="full_name")
    for meeting_id in (by_surname, by_full_name):
        for name in ("田大利", "田富"):
            await register(service, meeting_id, name)

    assert await names(service, by_surname, order="protocol") == ["田富", "田大利"]
    assert await names(service, by_full_name, order="protocol") == ["田大利", "田富"]


async def test_pinyin_order_and_filters(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    for name, delegation in (("周强", "江州市"), ("安然", "临海市"), ("李一鸣", "江州市")):
        await register(service, meeting_id, name, delegation=delegation)

    assert await names(service, meeting_id, order="pinyin") == ["安然", "李一鸣", "周强"]
    assert await names(service, meeting_id, order="pinyin", delegation="江州市") == ["李一鸣", "周强"]
    assert await names(service, meeting_id, category="observer") == []


async def test_pages_in_protocol_order_neither_skip_nor_repeat_when_people_are_added(
    service: RunningService,
) -> None:
    meeting_id = await new_meeting(service)
    for name in ("丁一", "王二", "文三", "叶四", "刘五", "李六"):
        await register(service, meeting_id, name)

    url = f"/api/v1/meetings/{meeting_id}/attendees"
    first = (await service.http.get(url, params={"order": "protocol", "limit": 3})).json()
    await register(service, meeting_id, "丁丁")  # sorts into the first page, already served
    second = (
        await service.http.get(url, params={"order": "protocol", "limit": 3, "cursor": first["next_cursor"]})
    ).json()
    wrong = await service.http.get(url, params={"order": "pinyin", "cursor": first["next_cursor"]})

    assert [item["name"] for item in first["items"]] == ["丁一", "王二", "文三"]
    assert [item["name"] for item in second["items"]] == ["叶四", "刘五", "李六"]
    assert wrong.status_code == 400
    assert wrong.json()["field"] == "cursor"


async def test_an_id_number_is_checked_stored_and_only_ever_shown_masked(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    number = id_number(serial="457")

    created = await register(service, meeting_id, "王芳", id_number=number.lower(), phone="13800138000")
    read = await service.http.get(f"/api/v1/meetings/{meeting_id}/attendees/{created.json()['id']}")
    listed = await service.http.get(f"/api/v1/meetings/{meeting_id}/attendees")

    masked = f"{number[:6]}********{number[-4:]}"
    assert created.status_code == 201
    assert created.json()["id_number"] == masked
    assert read.json()["id_number"] == masked
    assert listed.json()["items"][0]["id_number"] == masked
    assert number[6:14] not in (created.text + read.text + listed.text)  # never the birth date
    with service.runtime.make_session() as session:
        stored = session.get(Attendee, created.json()["id"])
    assert stored is not None and stored.id_number == number.upper()


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("33010219700101123", "id_number_format"),
        ("3301021970010112AB", "id_number_format"),
        ("330102197013011234", "id_number_birth_date"),
        (lambda: id_number()[:17] + ("0" if id_number()[17] != "0" else "1"), "id_number_check_digit"),
    ],
)
async def test_a_bad_id_number_is_refused_naming_the_rule(
    service: RunningService, value: Any, rule: str
) -> None:
    meeting_id = await new_meeting(service)
    number = value() if callable(value) else value

    response = await register(service, meeting_id, "王芳", id_number=number)

    assert response.status_code == 422
    assert [(e["field"], e["rule"]) for e in response.json()["errors"]] == [("id_number", rule)]
    assert count_rows(service, Attendee) == 0


async def test_the_same_person_twice_is_a_conflict_naming_the_first(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    other_meeting = await new_meeting(service)
    first = await register(service, meeting_id, "王芳", id_number=id_number())

    again = await register(service, meeting_id, "王 芳", id_number=id_number())
    elsewhere = await register(service, other_meeting, "王芳", id_number=id_number())

    assert again.status_code == 409
    assert again.json()["existing_attendee_id"] == first.json()["id"]
    assert again.json()["existing_name"] == "王芳"
    assert elsewhere.status_code == 201
    assert events_of(service, "huiwu.registration.attendee.registered.v1") == 2


async def test_the_meeting_moves_through_its_lifecycle_one_step_at_a_time(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    url = f"/api/v1/meetings/{meeting_id}"

    skip = await service.http.patch(url, json={"status": "in_session"})
    steps = [await service.http.patch(url, json={"status": status}) for status in ("notified", "in_session")]
    back = await service.http.patch(url, json={"status": "draft"})
    closed = await service.http.patch(url, json={"status": "closed"})
    after_close = await service.http.patch(url, json={"name": "改名"})

    assert skip.status_code == 409
    assert skip.json()["allowed"] == ["notified"]
    assert [step.json()["status"] for step in steps] == ["notified", "in_session"]
    assert back.status_code == 409
    assert closed.json()["status"] == "closed"
    assert after_close.status_code == 409
    assert after_close.json()["type"] == "urn:huiwu:problem:meeting-closed"
    assert events_of(service, "huiwu.registration.meeting.status_changed.v1") == 3


async def test_details_change_as_one_event_and_dates_stay_in_order(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    url = f"/api/v1/meetings/{meeting_id}"

    changed = await service.http.patch(url, json={"ends_on": "2027-01-15", "name_order": "full_name"})
    unchanged = await service.http.patch(url, json={"ends_on": "2027-01-15"})
    backwards = await service.http.patch(url, json={"ends_on": "2027-01-10"})
    unknown = await service.http.patch(url, json={"venue": "江南宾馆"})

    assert changed.json()["ends_on"] == "2027-01-15"
    assert changed.json()["version"] == 2
    assert unchanged.json()["version"] == 2
    assert backwards.status_code == 422
    assert backwards.json()["errors"][0]["rule"] == "not_before_starts_on"
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "venue"
    assert events_of(service, "huiwu.registration.meeting.updated.v1") == 1
    assert (await service.http.get(url)).json()["ends_on"] == "2027-01-15"
