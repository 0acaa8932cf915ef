"""Badges, check-in and attendance (issue 3, second part): idempotent counting, refused badges
kept with their reason, and attendance that always adds up."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlmodel import col, select

from huiwu.outbox import OutboxEvent
from huiwu.testing.fixtures import RunningService, StartService
from services.registration.checkin.models import FailedScan, Scan
from services.registration.main import definition as registration
from tests.messaging import count_rows
from tests.test_registration_agenda import apply_directly, change_of, session_state
from tests.test_registration_roster import new_meeting, register

CHECKED_IN = "huiwu.registration.attendee.checked_in.v1"


@pytest.fixture
async def service(start_service: StartService) -> RunningService:
    return await start_service(registration)


async def person(service: RunningService, meeting_id: str, name: str, **fields: Any) -> dict[str, Any]:
    response = await register(service, meeting_id, name, **fields)
    assert response.status_code == 201, response.text
    attendee: dict[str, Any] = response.json()
    badge = await service.http.get(f"/api/v1/meetings/{meeting_id}/attendees/{attendee['id']}/badge")
    return {**attendee, "badge": badge.json()}


async def scan(service: RunningService, meeting_id: str, **body: Any) -> Any:
    return await service.http.post(f"/api/v1/meetings/{meeting_id}/checkins", json=body)


def checked_in_events(service: RunningService) -> int:
    return count_rows(service, OutboxEvent, col(OutboxEvent.event_type) == CHECKED_IN)


async def test_a_badge_carries_a_qr_code_of_its_signed_token(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    member = await person(service, meeting_id, "王芳")
    observer = await person(service, meeting_id, "周强", category="observer")

    assert member["badge"]["pass_name"] == "出席证"
    assert observer["badge"]["pass_name"] == "列席证"
    assert member["badge"]["token"].startswith("HW1.")
    assert member["badge"]["qr_svg"].startswith("<svg")
    assert member["badge"]["token"] != observer["badge"]["token"]


async def test_the_first_scan_counts_and_repeats_or_retries_never_do(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    member = await person(service, meeting_id, "王芳")
    token = member["badge"]["token"]

    first = await scan(service, meeting_id, badge=token, gate="北门", nonce="scanner-1:0001")
    retried = await scan(service, meeting_id, badge=token, gate="北门", nonce="scanner-1:0001")
    again = await scan(service, meeting_id, badge=token, gate="南门", nonce="scanner-2:0007")
    ticked = await scan(service, meeting_id, attendee_id=member["id"])

    assert first.status_code == 201
    assert first.json()["repeat"] is False
    assert first.json()["name"] == "王芳"
    for later in (retried, again, ticked):
        assert later.status_code == 200
        assert later.json()["repeat"] is True
        assert later.json()["first_checked_in_at"] == first.json()["first_checked_in_at"]
    assert checked_in_events(service) == 1
    assert count_rows(service, Scan) == 3  # the retry with the same nonce is not a new scan


async def test_forged_revoked_and_other_meeting_badges_are_refused_and_kept(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    other_meeting = await new_meeting(service)
    member = await person(service, meeting_id, "王芳")
    stranger = await person(service, other_meeting, "李一鸣")
    old_token = member["badge"]["token"]
    revoked = await service.http.post(f"/api/v1/meetings/{meeting_id}/attendees/{member['id']}/badge/revoke")
    header, payload, mac = old_token.split(".")

    answers = {
        "forged": await scan(service, meeting_id, badge=f"{header}.{payload}.{mac[::-1]}"),
        "garbage": await scan(service, meeting_id, badge="not a badge"),
        "revoked": await scan(service, meeting_id, badge=old_token),
        "other_meeting": await scan(service, meeting_id, badge=stranger["badge"]["token"]),
    }
    new_badge = await scan(service, meeting_id, badge=revoked.json()["token"])

    assert {name: (r.status_code, r.json()["reason"]) for name, r in answers.items()} == {
        "forged": (400, "forged"),
        "garbage": (400, "forged"),
        "revoked": (403, "revoked"),
        "other_meeting": (403, "other_meeting"),
    }
    assert all(r.headers["content-type"] == "application/problem+json" for r in answers.values())
    assert new_badge.status_code == 201
    with service.runtime.make_session() as session:
        reasons = sorted(failed.reason for failed in session.exec(select(FailedScan)))
    assert reasons == ["forged", "forged", "other_meeting", "revoked"]
    assert checked_in_events(service) == 1
    refused = (await service.http.get(f"/api/v1/meetings/{meeting_id}/checkins/refused")).json()
    assert [scan["reason"] for scan in refused] == [
        "other_meeting",
        "revoked",
        "forged",
        "forged",
    ]  # newest first
    refused_events = "huiwu.registration.checkin.refused.v1"
    assert count_rows(service, OutboxEvent, col(OutboxEvent.event_type) == refused_events) == 4


async def test_bad_check_in_requests_are_4xx_and_write_nothing(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    member = await person(service, meeting_id, "王芳")

    neither = await scan(service, meeting_id)
    both = await scan(service, meeting_id, badge=member["badge"]["token"], attendee_id=member["id"])
    sideways = await scan(service, meeting_id, attendee_id=member["id"], direction="sideways")
    nobody = await scan(service, meeting_id, attendee_id=str(uuid.uuid4()))
    no_meeting = await scan(service, "no-such-meeting", attendee_id=member["id"])

    assert [r.status_code for r in (neither, both, sideways, nobody, no_meeting)] == [422, 422, 422, 404, 404]
    assert neither.json()["errors"][0]["rule"] == "exactly_one_of"
    assert sideways.json()["errors"][0]["field"] == "direction"
    assert count_rows(service, Scan) == 0
    assert count_rows(service, FailedScan) == 0


async def test_attendance_adds_up_and_announces_the_quorum(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    members = [
        await person(service, meeting_id, name, delegation="江州市") for name in ("王一", "王二", "王三")
    ]
    members += [await person(service, meeting_id, name, delegation="临海市") for name in ("李一", "李二")]
    observer = await person(service, meeting_id, "周强", category="observer")
    await person(service, meeting_id, "司马文", category="staff")
    url = f"/api/v1/meetings/{meeting_id}"

    await service.http.post(
        f"{url}/attendees/{members[4]['id']}/leave",
        json={"kind": "sick", "reason": "住院治疗", "approver": "张书记"},
    )
    group = (await service.http.post(f"{url}/groups", json={"name": "第一组"})).json()
    pair = [member["id"] for member in members[:2]]
    await service.http.post(f"{url}/groups/{group['id']}/members", json={"attendee_ids": pair})
    for member in members[:3]:
        await scan(service, meeting_id, badge=member["badge"]["token"])
    await scan(service, meeting_id, badge=observer["badge"]["token"])
    await scan(service, meeting_id, badge=members[0]["badge"]["token"], direction="out")
    attendance = (await service.http.get(f"{url}/attendance")).json()

    members_count = attendance["by_category"]["member"]
    assert members_count == {"expected": 5, "present": 3, "on_leave": 1, "absent": 1, "inside": 2}
    assert attendance["total"]["expected"] == 6  # staff are not counted
    assert attendance["by_delegation"]["临海市"] == {
        "expected": 2,
        "present": 0,
        "on_leave": 1,
        "absent": 1,
        "inside": 0,
    }
    assert attendance["quorum"] == {"members_expected": 5, "members_present": 3, "required": 3, "met": True}
    assert attendance["by_group"] == {
        "第一组": {"expected": 2, "present": 2, "on_leave": 0, "absent": 0, "inside": 1}
    }
    assert attendance["announcement"] == "本次会议应到5名，请假1名，实到3名，符合规定人数。"
    for count in [
        attendance["total"],
        *attendance["by_category"].values(),
        *attendance["by_delegation"].values(),
        *attendance["by_group"].values(),
    ]:
        assert count["expected"] == count["present"] + count["on_leave"] + count["absent"]


async def test_leave_for_one_session_and_a_session_of_its_own(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    first = await person(service, meeting_id, "王一")
    second = await person(service, meeting_id, "王二")
    plenary = str(uuid.uuid4())
    apply_directly(service, change_of(meeting_id, None, session_state(plenary, 1), []))  # on the agenda
    url = f"/api/v1/meetings/{meeting_id}"

    granted = await service.http.post(
        f"{url}/attendees/{first['id']}/leave",
        json={"kind": "official", "reason": "另有公务", "approver": "张书记", "session_ids": [plenary]},
    )
    await scan(service, meeting_id, badge=second["badge"]["token"], session_id=plenary)
    session_attendance = (await service.http.get(f"{url}/attendance", params={"session_id": plenary})).json()
    meeting_attendance = (await service.http.get(f"{url}/attendance")).json()
    bad_leave = await service.http.post(f"{url}/attendees/{first['id']}/leave", json={"kind": "holiday"})

    assert granted.status_code == 201
    assert session_attendance["total"] == {
        "expected": 2,
        "present": 1,
        "on_leave": 1,
        "absent": 0,
        "inside": 1,
    }
    assert session_attendance["announcement"] == "本次会议应到2名，请假1名，实到1名，不符合规定人数。"
    assert meeting_attendance["total"] == {
        "expected": 2,
        "present": 0,
        "on_leave": 0,
        "absent": 2,
        "inside": 0,
    }
    assert bad_leave.status_code == 422
    assert {e["field"] for e in bad_leave.json()["errors"]} == {"kind", "reason", "approver"}
