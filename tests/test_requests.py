"""Delegates' requests and errands (意见和要求, 临时交办事项): recorded, assigned, followed to done;
overdue is derived; every step is an event supervision can follow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col

from huiwu.outbox import OutboxEvent
from huiwu.testing.fixtures import RunningService, StartService
from services.registration.main import definition as registration
from services.registration.requests.models import AttendeeRequest
from tests.messaging import count_rows
from tests.test_groups import person
from tests.test_registration_roster import new_meeting


@pytest.fixture
async def service(start_service: StartService) -> RunningService:
    return await start_service(registration)


def events(service: RunningService, name: str) -> int:
    return count_rows(
        service, OutboxEvent, col(OutboxEvent.event_type) == f"huiwu.registration.request.{name}.v1"
    )


async def test_a_request_is_followed_from_open_to_done(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    delegate = await person(service, meeting_id, "王芳")
    url = f"/api/v1/meetings/{meeting_id}/requests"
    due = (datetime.now(UTC) + timedelta(hours=2)).isoformat()

    opened = await service.http.post(
        url, json={"kind": "opinion", "text": "建议延长分组讨论时间", "attendee_id": delegate, "due_at": due}
    )
    request_url = f"{url}/{opened.json()['id']}"
    working = await service.http.patch(
        request_url, json={"status": "in_progress", "assigned_to": "会务组李明"}
    )
    back = await service.http.patch(request_url, json={"status": "open"})
    done = await service.http.patch(request_url, json={"status": "done", "resolution": "已报告大会秘书处"})
    after_done = await service.http.patch(request_url, json={"assigned_to": "别人"})

    assert opened.status_code == 201
    assert (opened.json()["status"], opened.json()["overdue"]) == ("open", False)
    assert working.json()["assigned_to"] == "会务组李明"
    assert back.status_code == 409 and back.json()["allowed"] == ["done"]
    assert (done.json()["status"], done.json()["resolution"]) == ("done", "已报告大会秘书处")
    assert done.json()["done_at"] is not None
    assert after_done.status_code == 409
    assert (events(service, "opened"), events(service, "progressed")) == (1, 2)


async def test_overdue_is_derived_from_the_deadline_until_done(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    url = f"/api/v1/meetings/{meeting_id}/requests"
    past = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    late = (
        await service.http.post(url, json={"kind": "errand", "text": "为代表预订返程车票", "due_at": past})
    ).json()
    await service.http.post(url, json={"kind": "errand", "text": "打印讲话稿", "due_at": past})
    await service.http.post(url, json={"kind": "opinion", "text": "会场温度偏低"})

    overdue = (await service.http.get(url, params={"overdue": "true"})).json()
    await service.http.patch(f"{url}/{late['id']}", json={"status": "done", "resolution": "已订"})
    still_overdue = (await service.http.get(url, params={"overdue": "true"})).json()
    open_ones = (await service.http.get(url, params={"status": "open"})).json()

    assert [request["text"] for request in overdue] == ["为代表预订返程车票", "打印讲话稿"]
    assert [request["text"] for request in still_overdue] == ["打印讲话稿"]
    assert len(open_ones) == 2


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({"kind": "opinion"}, "text", "missing"),
        ({"kind": "complaint", "text": "…"}, "kind", "enum"),
        ({"kind": "errand", "text": "…", "due_at": "2027-01-12T09:00:00"}, "due_at", "timezone_aware"),
    ],
)
async def test_a_bad_request_is_refused_naming_the_field(
    service: RunningService, body: dict[str, str], field: str, rule: str
) -> None:
    meeting_id = await new_meeting(service)

    response = await service.http.post(f"/api/v1/meetings/{meeting_id}/requests", json=body)

    assert response.status_code == 422
    assert [(e["field"], e["rule"]) for e in response.json()["errors"]] == [(field, rule)]
    assert count_rows(service, AttendeeRequest) == 0


async def test_a_request_from_someone_not_on_the_roster_is_404(service: RunningService) -> None:
    meeting_id = await new_meeting(service)

    response = await service.http.post(
        f"/api/v1/meetings/{meeting_id}/requests",
        json={"kind": "opinion", "text": "…", "attendee_id": "nobody"},
    )

    assert response.status_code == 404
    assert count_rows(service, AttendeeRequest) == 0
