"""The demo meeting's data, without a running platform."""

from __future__ import annotations

from collections import Counter
from datetime import date

from huiwu.demo import STROKE_SURNAMES, demo_attendees, demo_meeting
from services.registration.attendees.models import AttendeeCreate
from services.registration.meetings.models import MeetingCreate


def test_the_meeting_is_a_valid_three_day_session() -> None:
    meeting = MeetingCreate.model_validate(demo_meeting())
    assert meeting.starts_on == date(2027, 1, 12)
    assert meeting.ends_on == date(2027, 1, 14)
    assert "纪律检查委员会" in meeting.name


def test_about_three_hundred_attendees_of_every_category() -> None:
    attendees = demo_attendees()
    assert 280 <= len(attendees) <= 320
    categories = Counter(body["category"] for body in attendees)
    assert set(categories) == {"member", "observer", "guest", "staff"}
    assert 50 <= categories["member"] <= 70
    assert 150 <= categories["observer"] <= 200


def test_every_body_passes_the_registration_schema() -> None:
    for body in demo_attendees():
        AttendeeCreate.model_validate(body)


def test_names_are_unique_enough() -> None:
    names = Counter(body["name"] for body in demo_attendees())
    duplicates = sum(count - 1 for count in names.values())
    assert duplicates <= 5
    assert {len(name) for name in names} >= {2, 3}


def test_the_surnames_give_stroke_sorting_something_to_do() -> None:
    names = [body["name"] for body in demo_attendees()]
    for surname in STROKE_SURNAMES:
        assert any(name.startswith(surname) for name in names), surname


def test_ranks_are_a_protocol_order_without_gaps() -> None:
    ranks = sorted(body["rank"] for body in demo_attendees() if body.get("rank") is not None)
    assert ranks == list(range(1, len(ranks) + 1))
    assert len(ranks) >= 5


def test_attendees_are_grouped_into_delegations() -> None:
    attendees = demo_attendees()
    delegations = Counter(body["delegation"] for body in attendees if body.get("delegation"))
    assert len(delegations) >= 8
    assert all(15 <= size <= 35 for size in delegations.values()), delegations
    leader_groups = [body["delegation"] for body in attendees if body.get("rank")]
    assert len(set(leader_groups)) == len(leader_groups), "leaders are spread over the groups"


def test_the_data_are_deterministic() -> None:
    assert demo_attendees() == demo_attendees()
