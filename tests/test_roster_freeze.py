"""Roster freeze: after it, changes of people wait for an authorised person, who and when kept;
an approved change is applied as it would have been before (same events)."""

from __future__ import annotations

import pytest
from sqlmodel import col

from huiwu.outbox import OutboxEvent
from huiwu.testing.fixtures import RunningService, StartService
from services.registration.attendees.models import Attendee
from services.registration.main import definition as registration
from tests.messaging import count_rows
from tests.test_groups import person
from tests.test_import import GOOD, csv_bytes
from tests.test_registration_roster import id_number, names, new_meeting, register


@pytest.fixture
async def service(start_service: StartService) -> RunningService:
    return await start_service(registration)


def events(service: RunningService, event_type: str) -> int:
    return count_rows(
        service, OutboxEvent, col(OutboxEvent.event_type) == f"huiwu.registration.{event_type}.v1"
    )


async def freeze(service: RunningService, meeting_id: str) -> None:
    response = await service.http.post(
        f"/api/v1/meetings/{meeting_id}/roster/freeze", json={"by": "会务组张明"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["roster_frozen_by"] == "会务组张明"


async def test_changes_to_a_frozen_roster_wait_for_approval(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    staying = await person(service, meeting_id, "王芳")
    leaving = await person(service, meeting_id, "李一鸣")
    await freeze(service, meeting_id)
    base = f"/api/v1/meetings/{meeting_id}"

    newcomer = await register(service, meeting_id, "周强", id_number=id_number())
    retitled = await service.http.patch(f"{base}/attendees/{staying}", json={"title": "副书记"})
    withdrawn = await service.http.post(f"{base}/attendees/{leaving}/withdraw", json={"reason": "工作调动"})

    assert [r.status_code for r in (newcomer, retitled, withdrawn)] == [202, 202, 202]
    assert newcomer.json()["payload"]["id_number"].count("*") == 8  # masked
    assert await names(service, meeting_id) == ["王芳", "李一鸣"]  # nothing applied yet
    assert events(service, "attendee.registered") == 2
    pending = (await service.http.get(f"{base}/roster/changes", params={"status": "pending"})).json()
    assert [change["kind"] for change in pending] == ["register", "update", "withdraw"]

    approved = await service.http.post(
        f"{base}/roster/changes/{newcomer.json()['id']}/approve",
        json={"approver": "秘书长刘强", "note": "同意"},
    )
    rejected = await service.http.post(
        f"{base}/roster/changes/{withdrawn.json()['id']}/reject", json={"approver": "秘书长刘强"}
    )
    twice = await service.http.post(
        f"{base}/roster/changes/{newcomer.json()['id']}/approve", json={"approver": "别人"}
    )

    assert approved.json()["status"] == "approved"
    assert approved.json()["decided_by"] == "秘书长刘强" and approved.json()["decided_at"]
    assert rejected.json()["status"] == "rejected"
    assert twice.status_code == 409
    assert sorted(await names(service, meeting_id)) == sorted(["王芳", "李一鸣", "周强"])
    created = (await service.http.get(f"{base}/attendees/{approved.json()['result_attendee_id']}")).json()
    assert created["id_number"] == f"{id_number()[:6]}********{id_number()[-4:]}"
    assert events(service, "attendee.registered") == 3
    assert events(service, "roster.change_decided") == 2


async def test_a_frozen_roster_refuses_a_bulk_import_but_not_a_dry_run(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    await freeze(service, meeting_id)
    url = f"/api/v1/meetings/{meeting_id}/attendees/import"
    headers = {"Content-Type": "text/csv"}

    dry = await service.http.post(url, params={"dry_run": "true"}, content=csv_bytes(GOOD), headers=headers)
    real = await service.http.post(url, content=csv_bytes(GOOD), headers=headers)

    assert dry.status_code == 200
    assert real.status_code == 409
    assert count_rows(service, Attendee) == 0


async def test_unfreezing_lets_changes_through_again(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    await freeze(service, meeting_id)
    base = f"/api/v1/meetings/{meeting_id}/roster"

    again = await service.http.post(f"{base}/freeze", json={"by": "别人"})
    unfrozen = await service.http.post(f"{base}/unfreeze", json={"by": "会务组张明"})
    registered = await register(service, meeting_id, "王芳")
    nobody = await service.http.post(f"{base}/freeze", json={})

    assert again.status_code == 409
    assert unfrozen.json()["roster_frozen_at"] is None
    assert registered.status_code == 201
    assert nobody.status_code == 422
    assert (events(service, "roster.frozen"), events(service, "roster.unfrozen")) == (1, 1)
