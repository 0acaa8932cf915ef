"""Each meeting's quorum rule (法定人数): set when the meeting is created or changed, and the
attendance's quorum and the sentence read out follow it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import col, select

from huiwu.outbox import OutboxEvent
from huiwu.testing.fixtures import RunningService, StartService
from services.registration.main import definition as registration
from services.registration.meetings.quorum import QuorumRule
from tests.test_checkin_attendance import person, scan
from tests.test_registration_roster import new_meeting

MEETING_UPDATED = "huiwu.registration.meeting.updated.v1"


@pytest.fixture
async def service(start_service: StartService) -> RunningService:
    return await start_service(registration)


@pytest.mark.parametrize(
    ("rule", "expected", "required"),
    [
        (QuorumRule.more_than_half, 6, 4),  # 3 of 6 is half, not more than half
        (QuorumRule.more_than_half, 7, 4),
        (QuorumRule.at_least_two_thirds, 6, 4),  # 以上 includes the number itself
        (QuorumRule.at_least_two_thirds, 7, 5),
        (QuorumRule.at_least_three_quarters, 6, 5),
        (QuorumRule.at_least_three_quarters, 8, 6),
        (QuorumRule.more_than_four_fifths, 10, 9),  # 8 of 10 is four fifths, not more
        (QuorumRule.more_than_four_fifths, 0, 1),  # no members expected: never quorate
    ],
)
def test_each_rule_counts_as_its_statute_says(rule: QuorumRule, expected: int, required: int) -> None:
    assert rule.required(expected) == required


async def test_the_same_attendance_meets_one_rule_and_not_another(service: RunningService) -> None:
    meeting_id = await new_meeting(service, quorum="at_least_three_quarters")
    members = [await person(service, meeting_id, name) for name in ("王一", "王二", "王三", "李一", "李二")]
    members.append(await person(service, meeting_id, "李三"))
    observer = await person(service, meeting_id, "周强", category="observer")
    url = f"/api/v1/meetings/{meeting_id}"
    await service.http.post(
        f"{url}/attendees/{members[5]['id']}/leave",
        json={"kind": "official", "reason": "出差", "approver": "张书记"},
    )
    for present in [*members[:4], observer]:  # 4 of 6 members; the observer is not counted
        await scan(service, meeting_id, badge=present["badge"]["token"])

    strict = (await service.http.get(f"{url}/attendance")).json()
    changed = await service.http.patch(url, json={"quorum": "at_least_two_thirds"})
    lenient = (await service.http.get(f"{url}/attendance")).json()

    assert strict["quorum"] == {"members_expected": 6, "members_present": 4, "required": 5, "met": False}
    assert strict["announcement"] == "本次会议应到6名，请假1名，实到4名，不符合规定人数。"
    assert changed.status_code == 200 and changed.json()["quorum"] == "at_least_two_thirds"
    assert lenient["quorum"] == {"members_expected": 6, "members_present": 4, "required": 4, "met": True}
    assert lenient["announcement"] == "本次会议应到6名，请假1名，实到4名，符合规定人数。"
    assert updated_events(service, meeting_id) == [["quorum"]]


async def test_a_meeting_counts_more_than_half_unless_told_otherwise(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    url = f"/api/v1/meetings/{meeting_id}"

    created = (await service.http.get(url)).json()
    unchanged = await service.http.patch(url, json={"quorum": "more_than_half"})

    assert created["quorum"] == "more_than_half"
    assert unchanged.json()["version"] == 1
    assert updated_events(service, meeting_id) == []


@pytest.mark.parametrize("bad", ["two_thirds", "2/3", None, 0.5])
async def test_a_quorum_rule_not_on_the_list_is_refused_naming_the_field(
    service: RunningService, bad: Any
) -> None:
    meeting_id = await new_meeting(service)

    on_create = await service.http.post(
        "/api/v1/meetings",
        json={"name": "全体会议", "starts_on": "2027-01-12", "ends_on": "2027-01-14", "quorum": bad},
    )
    on_change = await service.http.patch(f"/api/v1/meetings/{meeting_id}", json={"quorum": bad})

    for refused in (on_create, on_change):
        assert refused.status_code == 422
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert [error["field"] for error in refused.json()["errors"]] == ["quorum"]


def updated_events(service: RunningService, meeting_id: str) -> list[list[str]]:
    """The ``changed`` list of each meeting.updated event in the outbox."""
    with service.runtime.make_session() as session:
        payloads = session.scalars(
            select(OutboxEvent.payload).where(
                col(OutboxEvent.event_type) == MEETING_UPDATED, col(OutboxEvent.meeting_id) == meeting_id
            )
        )
        return [json.loads(payload)["changed"] for payload in payloads]
