"""Bad input gets a specific problem+json answer naming the field and the rule, and writes nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from huiwu.runner import Platform
from huiwu.testing.nats import stream_message_count
from huiwu.testing.problems import assert_problem
from tests.test_slice_end_to_end import create_meeting

BEFORE_START = "not_before_starts_on"
BAD_DATE = "date_from_datetime_parsing"
PERSON = {"name": "王芳", "organization": "省纪委", "title": "书记"}


def snapshot(platform: Platform, gateway: httpx.Client, meeting_id: str) -> tuple[int, int, int]:
    meetings = len(gateway.get("/api/v1/meetings", params={"limit": 500}).json()["items"])
    attendees = len(
        gateway.get(f"/api/v1/meetings/{meeting_id}/attendees", params={"limit": 500}).json()["items"]
    )
    events = asyncio.run(stream_message_count(platform.nats_url, "REGISTRATION"))
    return meetings, attendees, events


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({"starts_on": "2027-01-12", "ends_on": "2027-01-14"}, "name", "missing"),
        ({"name": "   ", "starts_on": "2027-01-12", "ends_on": "2027-01-14"}, "name", "string_too_short"),
        (
            {"name": "全会", "starts_on": "2027-01-14", "ends_on": "2027-01-12"},
            "ends_on",
            "not_before_starts_on",
        ),
        (
            {"name": "全会", "starts_on": "2027-13-01", "ends_on": "2027-01-12"},
            "starts_on",
            "date_from_datetime_parsing",
        ),
    ],
)
def test_a_bad_meeting_is_refused_and_nothing_is_written(
    platform: Platform, gateway: httpx.Client, body: dict[str, str], field: str, rule: str
) -> None:
    meeting_id = create_meeting(gateway)
    before = snapshot(platform, gateway, meeting_id)

    response = gateway.post("/api/v1/meetings", json=body)

    problem = assert_problem(response, 422)
    assert {"field": field, "rule": rule} in [
        {"field": e["field"], "rule": e["rule"]} for e in problem["errors"]
    ]
    assert snapshot(platform, gateway, meeting_id) == before


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({"organization": "省纪委", "title": "书记"}, "name", "missing"),
        ({"name": "", "organization": "省纪委", "title": "书记"}, "name", "string_too_short"),
        ({"name": "王芳", "organization": "省纪委", "title": "书记", "category": "vip"}, "category", "enum"),
        (
            {"name": "王芳", "organization": "省纪委", "title": "书记", "rank": 0},
            "rank",
            "greater_than_equal",
        ),
    ],
)
def test_a_bad_attendee_is_refused_and_nothing_is_written(
    platform: Platform, gateway: httpx.Client, body: dict[str, Any], field: str, rule: str
) -> None:
    meeting_id = create_meeting(gateway)
    before = snapshot(platform, gateway, meeting_id)

    response = gateway.post(f"/api/v1/meetings/{meeting_id}/attendees", json=body)

    problem = assert_problem(response, 422)
    assert [(e["field"], e["rule"]) for e in problem["errors"]] == [(field, rule)]
    assert snapshot(platform, gateway, meeting_id) == before


def test_an_unknown_meeting_is_404_and_nothing_is_written(platform: Platform, gateway: httpx.Client) -> None:
    meeting_id = create_meeting(gateway)
    before = snapshot(platform, gateway, meeting_id)
    register = gateway.post("/api/v1/meetings/no-such-meeting/attendees", json=PERSON)
    read = gateway.get("/api/v1/meetings/no-such-meeting")
    sync = gateway.get("/api/v1/meetings/no-such-meeting/sync")
    attendee = gateway.get(f"/api/v1/meetings/{meeting_id}/attendees/no-such-attendee")

    assert_problem(register, 404, field="meeting_id")
    assert_problem(read, 404, field="meeting_id")
    assert_problem(sync, 404, field="meeting_id")
    assert_problem(attendee, 404, field="attendee_id")
    assert snapshot(platform, gateway, meeting_id) == before


@pytest.mark.parametrize("authorization", [None, "Bearer not-the-token", "Basic dXNlcjpwYXNz", "Bearer"])
def test_a_request_without_a_valid_token_is_401_and_nothing_is_written(
    platform: Platform, gateway: httpx.Client, authorization: str | None
) -> None:
    meeting_id = create_meeting(gateway)
    before = snapshot(platform, gateway, meeting_id)
    headers = {"Authorization": authorization} if authorization else {}

    with httpx.Client(base_url=platform.url("gateway")) as anonymous:
        created = anonymous.post(
            "/api/v1/meetings",
            json={"name": "全会", "starts_on": "2027-01-12", "ends_on": "2027-01-14"},
            headers=headers,
        )
        read = anonymous.get(f"/api/v1/meetings/{meeting_id}", headers=headers)

    assert_problem(created, 401)
    assert_problem(read, 401)
    assert created.headers["WWW-Authenticate"] == "Bearer"
    assert snapshot(platform, gateway, meeting_id) == before


def test_an_unknown_api_path_is_a_problem_not_a_crash(gateway: httpx.Client) -> None:
    assert_problem(gateway.get("/api/v1/no-such-thing"), 404)
