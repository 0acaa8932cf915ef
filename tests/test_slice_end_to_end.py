"""The first vertical slice, through the gateway, on real processes and a real nats-server:
a meeting and its attendees registered once reach every department."""

from __future__ import annotations

import signal
import time
from typing import Any

import httpx

from huiwu.runner import Platform
from huiwu.settings import SERVICES

DEPARTMENTS = ("venue", "documents", "supervision")


def create_meeting(gateway: httpx.Client, name: str = "中共江南省纪律检查委员会第三次全体会议") -> str:
    response = gateway.post(
        "/api/v1/meetings", json={"name": name, "starts_on": "2027-01-12", "ends_on": "2027-01-14"}
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def register(gateway: httpx.Client, meeting_id: str, name: str, **fields: Any) -> dict[str, Any]:
    body = {"name": name, "organization": "江州市纪委监委", "title": "书记", **fields}
    response = gateway.post(f"/api/v1/meetings/{meeting_id}/attendees", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def wait_for_sync(
    gateway: httpx.Client, meeting_id: str, expected: int, timeout: float = 60.0
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    report: dict[str, Any] = {}
    while time.monotonic() < deadline:
        report = gateway.get(f"/api/v1/meetings/{meeting_id}/sync").json()
        services = report.get("services", {})
        counted = all(services.get(name, {}).get("attendees") == expected for name in SERVICES)
        # The counts can agree a moment before registration's outbox has settled its last rows.
        if counted and report.get("in_sync"):
            return report
        time.sleep(0.1)
    raise AssertionError(f"departments not in sync with {expected} attendees: {report}")


def test_registered_attendees_reach_every_department(gateway: httpx.Client) -> None:
    meeting_id = create_meeting(gateway)
    names = ["丁伟", "王芳", "欧阳少东", "叶建华", "司马文", "刘洋", "孙丽", "李一鸣", "林静", "周强"]
    for rank, name in enumerate(names, start=1):
        register(gateway, meeting_id, name, rank=rank, delegation="省直机关")

    report = wait_for_sync(gateway, meeting_id, len(names))

    assert report["in_sync"] is True
    for name in DEPARTMENTS:
        service = report["services"][name]
        # venue keeps the meeting's dates, supervision its name (for bulletins); documents neither
        meeting_events = 0 if name == "documents" else 1
        assert service["events_applied"] == len(names) + meeting_events
        assert service["last_event_applied"]["type"] == "huiwu.registration.attendee.registered.v1"
        assert service["parked_messages"] == 0
    assert report["services"]["registration"]["outbox_pending"] == 0


def test_attendee_reads_back_through_the_gateway(gateway: httpx.Client) -> None:
    meeting_id = create_meeting(gateway)
    created = register(gateway, meeting_id, "欧阳少东", title="副书记", category="observer", gender="male")

    one = gateway.get(f"/api/v1/meetings/{meeting_id}/attendees/{created['id']}")
    listed = gateway.get(f"/api/v1/meetings/{meeting_id}/attendees")
    meeting = gateway.get(f"/api/v1/meetings/{meeting_id}")

    assert one.status_code == 200
    assert one.json()["name"] == "欧阳少东"
    assert one.json()["category"] == "observer"
    assert [item["id"] for item in listed.json()["items"]] == [created["id"]]
    assert meeting.json()["status"] == "draft"
    assert one.headers["X-Correlation-ID"]


def test_list_pages_are_stable_and_complete(gateway: httpx.Client) -> None:
    meeting_id = create_meeting(gateway)
    created = [register(gateway, meeting_id, f"王{digit}")["id"] for digit in "一二三四五六七"]

    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = gateway.get(f"/api/v1/meetings/{meeting_id}/attendees", params=params).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == created


def test_a_department_that_was_down_catches_up_exactly(platform: Platform, gateway: httpx.Client) -> None:
    meeting_id = create_meeting(gateway)
    platform.stop("venue")
    try:
        for number in range(200):
            register(gateway, meeting_id, f"代表{number:03d}")
        down = gateway.get(f"/api/v1/meetings/{meeting_id}/sync").json()
        assert down["services"]["venue"]["error"] == "service-unavailable"
        assert down["in_sync"] is False
    finally:
        platform.start("venue")
        platform.wait_ready(["venue"])

    report = wait_for_sync(gateway, meeting_id, 200)

    assert report["services"]["venue"]["attendees"] == 200
    assert report["services"]["venue"]["events_applied"] == 201  # and the meeting itself, once
    assert report["in_sync"] is True


def test_a_department_killed_with_deliveries_in_flight_applies_every_event_exactly_once(
    platform: Platform, gateway: httpx.Client
) -> None:
    """Frozen, documents still holds a pending fetch: the events registered next are delivered to
    it and never acknowledged. After SIGKILL, JetStream redelivers them once the ack wait (30 s)
    runs out, and the inbox keeps anything already committed from being applied twice."""
    meeting_id = create_meeting(gateway)
    for number in range(20):
        register(gateway, meeting_id, f"委员{number:03d}")
    wait_for_sync(gateway, meeting_id, 20)

    platform.processes["documents"].send_signal(signal.SIGSTOP)
    for number in range(20, 50):
        register(gateway, meeting_id, f"委员{number:03d}")
    platform.stop("documents", kill=True)
    platform.start("documents")
    platform.wait_ready(["documents"])

    report = wait_for_sync(gateway, meeting_id, 50, timeout=90)

    assert report["services"]["documents"]["events_applied"] == 50
    assert report["in_sync"] is True


def test_a_door_scan_through_the_gateway_is_counted_once(gateway: httpx.Client) -> None:
    meeting_id = create_meeting(gateway)
    attendee = register(gateway, meeting_id, "王芳")
    badge = gateway.get(f"/api/v1/meetings/{meeting_id}/attendees/{attendee['id']}/badge").json()

    scans = [
        gateway.post(
            f"/api/v1/meetings/{meeting_id}/checkins", json={"badge": badge["token"], "nonce": nonce}
        )
        for nonce in ("door-1", "door-1", "door-2")
    ]
    attendance = gateway.get(f"/api/v1/meetings/{meeting_id}/attendance").json()

    assert [response.status_code for response in scans] == [201, 200, 200]
    assert attendance["total"]["present"] == 1
    assert attendance["announcement"] == "本次会议应到1名，请假0名，实到1名，符合规定人数。"
