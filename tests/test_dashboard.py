"""The gateway's aggregated reads (issue 7), on real processes: the dashboard of a meeting and the
dossier of one person, each asked of every department at once. The numbers match what was done;
a department down or hung leaves only its own section unavailable; the token decides which
sections it sees, and its clearance what the departments show in them."""

from __future__ import annotations

import signal
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from huiwu.chinese import CHINA_TIME, local_date
from huiwu.runner import Platform
from tests.documents_desk import small_pdf
from tests.supervision_desk import TASK, days_ahead
from tests.test_gateway_tokens import holding, issue
from tests.test_registration_roster import id_number
from tests.test_slice_end_to_end import register, wait_for_sync
from tests.test_venue_end_to_end import eventually, known_to_venue
from tests.venue_desk import HALL

MEETING = "中共江南省纪律检查委员会第三次全体会议"
REPORT = "省纪委工作报告"
SECRET = "关于某专案的情况通报"  # top secret: its title shows to top-secret clearance only
HIDDEN = "（绝密文件）"
CLERK = "机要员张三"
DEPARTMENTS = ("registration", "venue", "documents", "supervision")


@dataclass(frozen=True)
class Scene:
    """A meeting under way today, with something done in every department."""

    meeting_id: str
    people: dict[str, str]  # name → attendee id
    today: date
    missing_copy: str  # 李明's copy of the report, declared missing


def at(day: date, clock: str) -> str:
    return f"{day.isoformat()}T{clock}:00+08:00"


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def released(gateway: httpx.Client, meeting_id: str, title: str, level: str, print_run: int) -> str:
    url = f"/api/v1/meetings/{meeting_id}/documents"
    body = {"title": title, "category": "report", "classification": level, "print_run": print_run,
            "registered_by": CLERK}  # fmt: skip
    document_id = str(ok(gateway.post(url, json=body), 201)["id"])
    uploaded = gateway.put(
        f"{url}/{document_id}/file", params={"by": CLERK}, content=small_pdf(),
        headers={"content-type": "application/pdf"},
    )  # fmt: skip
    ok(uploaded)
    for action in ("submit", "approve"):
        ok(gateway.post(f"{url}/{document_id}/review", json={"action": action, "by": "秘书长"}))
    return document_id


def distribute(gateway: httpx.Client, meeting_id: str, document_id: str, *people: str) -> dict[str, str]:
    """Copy numbers by holder."""
    url = f"/api/v1/meetings/{meeting_id}/documents/{document_id}/distribute"
    body = {"issued_by": CLERK, "to": {"kind": "people", "attendee_ids": list(people)}}
    return {copy["attendee_id"]: copy["copy_no"] for copy in ok(gateway.post(url, json=body))["items"]}


def build_scene(gateway: httpx.Client) -> Scene:
    today = local_date(datetime.now(UTC))
    dates = {"starts_on": str(today - timedelta(days=1)), "ends_on": str(today + timedelta(days=1))}
    meeting_id = str(ok(gateway.post("/api/v1/meetings", json={"name": MEETING, **dates}), 201)["id"])
    base = f"/api/v1/meetings/{meeting_id}"
    leader = register(gateway, meeting_id, "王建国", rank=1, delegation="省委", id_number=id_number())
    people = {
        "王建国": leader["id"],
        "李明": register(gateway, meeting_id, "李明", delegation="江州市")["id"],
        "张伟": register(gateway, meeting_id, "张伟", delegation="江州市")["id"],
        "刘洋": register(gateway, meeting_id, "刘洋", category="observer", delegation="临海市")["id"],
    }
    ok(gateway.post(f"{base}/attendees/{people['张伟']}/leave",
                    json={"kind": "sick", "reason": "住院治疗", "approver": "秘书长"}), 201)  # fmt: skip
    for name, direction, status in (("王建国", "in", 201), ("李明", "in", 201), ("王建国", "out", 200)):
        scan = {"attendee_id": people[name], "direction": direction, "gate": "北门"}
        ok(gateway.post(f"{base}/checkins", json=scan), status)
    wait_for_sync(gateway, meeting_id, len(people))
    assert eventually(lambda: known_to_venue(gateway, meeting_id))

    venue = ok(gateway.post("/api/v1/venues", json={"name": "江南会议中心"}), 201)
    hall = ok(gateway.post(f"/api/v1/venues/{venue['id']}/rooms", json=HALL), 201)
    tomorrow = today + timedelta(days=1)
    for title, day in (("第一次全体会议", today), ("第二次全体会议", tomorrow)):
        session = {"title": title, "kind": "plenary", "room_id": hall["id"], "starts_at": at(day, "14:00"),
                   "ends_at": at(day, "16:00"), "expected": {"kind": "everyone"},
                   "presiding_officer_id": people["王建国"]}  # fmt: skip
        ok(gateway.post(f"{base}/sessions", json=session), 201)

    report = released(gateway, meeting_id, REPORT, "confidential", 5)
    secret = released(gateway, meeting_id, SECRET, "top_secret", 2)
    copies = distribute(gateway, meeting_id, report, people["王建国"], people["李明"])
    distribute(gateway, meeting_id, secret, people["王建国"])
    loss = {"circumstances": "会后清点时未找到", "reported_by": CLERK}
    ok(gateway.post(f"{base}/documents/{report}/copies/{copies[people['李明']]}/missing", json=loss))

    task = {**TASK, "deadline": days_ahead(10), "responsible_attendee_id": people["王建国"]}
    ok(gateway.post(f"{base}/tasks", json=task), 201)
    other = ok(gateway.post(f"{base}/tasks", json={**TASK, "deadline": days_ahead(5)}), 201)
    ok(gateway.post(f"{base}/tasks/{other['id']}/assign", json={"note": "请按时限办理"}))
    return Scene(meeting_id, people, today, copies[people["李明"]])


@pytest.fixture(scope="module")
def scene(platform: Platform) -> Iterator[Scene]:
    """One meeting per platform (SQLite, PostgreSQL), shared by this module's tests."""
    headers = {"Authorization": f"Bearer {platform.token}"}
    with httpx.Client(base_url=platform.url("gateway"), headers=headers, timeout=30) as gateway:
        yield build_scene(gateway)


def dashboard(client: httpx.Client, scene: Scene) -> dict[str, Any]:
    answer: dict[str, Any] = ok(client.get(f"/api/v1/meetings/{scene.meeting_id}/dashboard"))
    return answer


def settled_dashboard(client: httpx.Client, scene: Scene) -> dict[str, Any]:
    """Once supervision has opened the missing copy's case and every department has caught up."""

    def settled() -> dict[str, Any] | None:
        board = dashboard(client, scene)
        cases = (board["supervision"]["data"] or {}).get("open_cases")
        return board if cases == 1 and (board["sync"]["data"] or {}).get("in_sync") else None

    board: dict[str, Any] | None = eventually(settled)
    assert board, f"the dashboard never settled: {dashboard(client, scene)}"
    return board


def dossier(client: httpx.Client, scene: Scene, name: str) -> dict[str, Any]:
    url = f"/api/v1/meetings/{scene.meeting_id}/attendees/{scene.people[name]}/dossier"
    answer: dict[str, Any] = ok(client.get(url))
    return answer


def unavailable(section: dict[str, Any], status: str) -> str:
    assert (section["available"], section["status"], section["data"]) == (False, status, None), section
    reason: str = section["reason"]
    return reason


def test_the_dashboard_counts_what_was_done(scene: Scene, gateway: httpx.Client) -> None:
    board = settled_dashboard(gateway, scene)

    sections = ("meeting", "attendance", "sessions_today", "documents", "supervision", "sync")
    assert {name: board[name]["status"] for name in sections} == dict.fromkeys(sections, "ok")
    assert all(board[name]["available"] and board[name]["as_of"] for name in sections)
    assert board["meeting"]["data"]["name"] == MEETING
    attendance = board["attendance"]["data"]
    assert attendance["total"] == {"expected": 4, "present": 2, "on_leave": 1, "absent": 1, "inside": 1}
    assert attendance["quorum"]["met"] is True
    assert attendance["announcement"] == "本次会议应到3名，请假1名，实到2名，符合规定人数。"
    today = board["sessions_today"]["data"]
    assert today["day"] == scene.today.isoformat()
    assert [(item["title"], item["room_name"]) for item in today["sessions"]] == [
        ("第一次全体会议", "会议中心一层大礼堂")
    ]  # tomorrow's session is not today's
    assert datetime.fromisoformat(today["sessions"][0]["starts_at"]).astimezone(CHINA_TIME).hour == 14
    assert board["documents"]["data"] == {
        "documents": 2,
        "copies": {"printed": 7, "in_stock": 4, "issued": 3, "outstanding": 2, "returned": 0,
                   "retained": 0, "missing": 1},
    }  # fmt: skip
    supervision = board["supervision"]["data"]
    counted = {row["state"]: row["count"] for row in supervision["by_state"]}
    assert (supervision["tasks"], counted["registered"], counted["assigned"]) == (2, 1, 1)
    assert sum(counted.values()) == 2
    assert supervision["overdue_tasks"] == 0
    assert supervision["open_cases"] == 1
    assert supervision["headline"].startswith("确定事项2件")
    assert set(board["sync"]["data"]["departments"]) == {"registration", "venue", "documents", "supervision"}
    assert all(report["attendees"] == 4 for report in board["sync"]["data"]["departments"].values())


def test_the_dossier_follows_one_person_through_every_department(scene: Scene, gateway: httpx.Client) -> None:
    settled_dashboard(gateway, scene)  # the missing copy's case is open
    leader = dossier(gateway, scene, "王建国")
    lost = dossier(gateway, scene, "李明")

    assert {name: leader[name]["status"] for name in DEPARTMENTS} == dict.fromkeys(DEPARTMENTS, "ok")
    record = leader["registration"]["data"]
    assert record["attendee"]["name"] == "王建国"
    assert record["attendee"]["id_number"] == "330102********" + id_number()[-4:]
    assert [(scan["direction"], scan["gate"]) for scan in record["checkins"]] == [
        ("in", "北门"),
        ("out", "北门"),
    ]
    assert record["leave"] == [] and record["departure"] is None
    places = leader["venue"]["data"]["sessions"]
    assert [place["session_title"] for place in places] == ["第一次全体会议", "第二次全体会议"]
    assert places[0]["seat"]["label"] == "主席台第一排1号"
    copies = leader["documents"]["data"]["copies"]
    assert sorted((copy["title"], copy["status"]) for copy in copies) == [
        (SECRET, "issued"),
        (REPORT, "issued"),
    ]
    clearance = leader["documents"]["data"]["clearance"]
    assert clearance["may_leave"] is False and len(clearance["outstanding"]) == 2
    tasks = leader["supervision"]["data"]["tasks"]
    assert [(task["content"], task["state"], task["overdue"]) for task in tasks] == [
        (TASK["content"], "registered", False)
    ]
    assert leader["supervision"]["data"]["cases"] == []

    assert [(copy["copy_no"], copy["status"]) for copy in lost["documents"]["data"]["copies"]] == [
        (scene.missing_copy, "missing")
    ]
    assert lost["documents"]["data"]["clearance"]["may_leave"] is True  # a missing copy is settled
    assert [(case["kind"], case["state"]) for case in lost["supervision"]["data"]["cases"]] == [
        ("missing_copy", "open")
    ]
    assert lost["supervision"]["data"]["tasks"] == []
    on_leave = dossier(gateway, scene, "张伟")["registration"]["data"]["leave"]
    assert [(leave["kind"], leave["reason"]) for leave in on_leave] == [("sick", "住院治疗")]


def test_unknown_meetings_and_people_are_404(scene: Scene, gateway: httpx.Client) -> None:
    nobody = gateway.get(f"/api/v1/meetings/{scene.meeting_id}/attendees/{uuid.uuid4()}/dossier")
    no_meeting = gateway.get(f"/api/v1/meetings/{uuid.uuid4()}/dashboard")

    assert nobody.status_code == 404
    assert nobody.headers["content-type"] == "application/problem+json"
    assert nobody.json()["field"] == "attendee_id"
    assert no_meeting.status_code == 404
    assert no_meeting.json()["field"] == "meeting_id"


def test_a_department_that_is_down_leaves_only_its_own_section_unavailable(
    platform: Platform, scene: Scene, gateway: httpx.Client
) -> None:
    settled_dashboard(gateway, scene)
    platform.stop("documents")
    try:
        board = dashboard(gateway, scene)
        person = dossier(gateway, scene, "王建国")
    finally:
        platform.start("documents")
        platform.wait_ready(["documents"])

    assert "机要文件" in unavailable(board["documents"], "unavailable")
    assert board["attendance"]["data"]["total"]["present"] == 2
    assert board["supervision"]["data"]["open_cases"] == 1
    assert board["sync"]["data"]["in_sync"] is False
    assert board["sync"]["data"]["departments"]["documents"]["error"] == "service-unavailable"
    assert "机要文件" in unavailable(person["documents"], "unavailable")
    assert person["registration"]["data"]["attendee"]["name"] == "王建国"
    assert person["venue"]["status"] == "ok"


def test_a_department_that_hangs_is_given_up_on(
    platform: Platform, scene: Scene, gateway: httpx.Client
) -> None:
    settled_dashboard(gateway, scene)
    platform.processes["venue"].send_signal(signal.SIGSTOP)
    try:
        board = dashboard(gateway, scene)
        person = dossier(gateway, scene, "王建国")
    finally:
        platform.processes["venue"].send_signal(signal.SIGCONT)
        platform.wait_ready(["venue"])

    assert unavailable(board["sessions_today"], "timeout") == "会场与座次未在2秒内答复"
    unavailable(board["sync"], "timeout")  # the sync report waits for venue too
    assert board["documents"]["data"]["copies"]["missing"] == 1
    assert unavailable(person["venue"], "timeout") == "会场与座次未在2秒内答复"
    assert person["supervision"]["status"] == "ok"


def test_the_token_decides_the_sections_and_its_clearance_what_they_show(
    platform: Platform, scene: Scene, gateway: httpx.Client
) -> None:
    settled_dashboard(gateway, scene)
    no_documents = issue(gateway, scopes=["registration:read", "venue:read", "supervision:read"],
                         meeting_id=scene.meeting_id)  # fmt: skip
    uncleared = issue(gateway, scopes=["registration:read", "documents:read"], meeting_id=scene.meeting_id)
    other = {"name": "江南省第二次党代会", "starts_on": "2027-03-01", "ends_on": "2027-03-03"}
    elsewhere = issue(
        gateway, scopes=["admin"], meeting_id=ok(gateway.post("/api/v1/meetings", json=other), 201)["id"]
    )
    kiosk = issue(gateway, kind="kiosk", scopes=["registration:read"], meeting_id=scene.meeting_id)

    with holding(platform, no_documents["token"]) as client:
        board = dashboard(client, scene)
        person = dossier(client, scene, "王建国")
    with holding(platform, uncleared["token"]) as client:
        shown = dossier(client, scene, "王建国")
    refusals = {}
    for name, token in (("meeting", elsewhere), ("kiosk", kiosk)):
        with holding(platform, token["token"]) as client:
            refusals[name] = client.get(f"/api/v1/meetings/{scene.meeting_id}/dashboard")

    assert (
        unavailable(board["documents"], "forbidden") == "此令牌无权查看机要文件（需要 documents:read 权限）"
    )
    assert unavailable(board["sync"], "forbidden") == "各部门同步状态仅供管理员令牌查看"
    assert board["attendance"]["data"]["total"]["expected"] == 4
    assert board["supervision"]["data"]["tasks"] == 2
    unavailable(person["documents"], "forbidden")
    assert person["venue"]["data"]["sessions"][0]["seat"]["label"] == "主席台第一排1号"
    titles = sorted(copy["title"] for copy in shown["documents"]["data"]["copies"])
    assert titles == sorted([REPORT, HIDDEN])  # documents hid the top-secret title from this token
    unavailable(shown["venue"], "forbidden")
    assert {name: answer.status_code for name, answer in refusals.items()} == {"meeting": 403, "kiosk": 403}
    assert {name: answer.json()["reason"] for name, answer in refusals.items()} == {
        "meeting": "meeting", "kiosk": "kiosk",
    }  # fmt: skip
    audited = ok(gateway.get("/api/v1/audit"))["items"][:2]
    assert {(entry["reason"], entry["path"]) for entry in audited} == {
        (reason, f"/api/v1/meetings/{scene.meeting_id}/dashboard") for reason in ("meeting", "kiosk")
    }


def test_each_department_answers_its_part_at_its_own_path(scene: Scene, gateway: httpx.Client) -> None:
    """The reads the dashboard and the dossier are made of, each routed to its department."""
    settled_dashboard(gateway, scene)
    base = f"/api/v1/meetings/{scene.meeting_id}"
    person = f"{base}/attendees/{scene.people['王建国']}"
    tomorrow = (scene.today + timedelta(days=1)).isoformat()

    agenda = ok(gateway.get(f"{base}/sessions", params={"on": tomorrow}))
    bad_day = gateway.get(f"{base}/sessions", params={"on": "明天"})
    counts = ok(gateway.get(f"{base}/documents/counts"))
    record = ok(gateway.get(f"{person}/record"))
    seats = ok(gateway.get(f"{person}/seats"))
    clearance = ok(gateway.get(f"{person}/clearance"))
    held = ok(gateway.get(f"{base}/supervision/attendees/{scene.people['王建国']}"))
    stranger = ok(gateway.get(f"{base}/supervision/attendees/{uuid.uuid4()}"))
    document = ok(httpx.get(str(gateway.base_url.join("/openapi.json"))))

    assert [session["title"] for session in agenda["items"]] == ["第二次全体会议"]
    assert bad_day.status_code == 422
    assert [error["field"] for error in bad_day.json()["errors"]] == ["on"]
    assert (counts["documents"], counts["copies"]["issued"]) == (2, 3)
    assert len(record["checkins"]) == 2 and record["attendee"]["id"] == scene.people["王建国"]
    assert [seat["session_title"] for seat in seats] == ["第一次全体会议", "第二次全体会议"]
    assert (clearance["may_leave"], clearance["last_request"]) == (False, None)
    assert sorted(item["title"] for item in clearance["outstanding"]) == sorted([REPORT, HIDDEN])
    assert [task["responsible_attendee_id"] for task in held["tasks"]] == [scene.people["王建国"]]
    assert (stranger["tasks"], stranger["cases"]) == ([], [])
    for path in ("/dashboard", "/attendees/{attendee_id}/dossier", "/attendees/{attendee_id}/record",
                 "/attendees/{attendee_id}/seats", "/attendees/{attendee_id}/clearance",
                 "/documents/counts", "/supervision/attendees/{attendee_id}"):  # fmt: skip
        assert f"/api/v1/meetings/{{meeting_id}}{path}" in document["paths"], path
    assert document["x-huiwu-unavailable"] == []
