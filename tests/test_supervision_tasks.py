"""Tracked tasks (督办事项, RULES R4.2–R4.5) on the supervision service in-process with a real
nats-server, on SQLite and PostgreSQL: numbered per meeting and year, moved only along the
legal transitions, extended with every deadline kept, reported on by the right departments,
overdue derived; every change an event on the SUPERVISION stream."""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import nats
import pytest
from sqlmodel import col

from gateway.routes import resolve
from huiwu.chinese import CHINA_TIME, local_date
from huiwu.db import unit_of_work
from huiwu.events.envelope import CloudEvent
from huiwu.outbox import OutboxEvent
from huiwu.testing.fixtures import RunningService, StartService, eventually
from huiwu.testing.nats import NatsServer, stream_message_count
from services.supervision.tasks import service as tasks_service
from services.supervision.tasks.models import Task, TaskAttachment, TaskExtension, TaskReport, TaskTransition
from tests.messaging import count_rows
from tests.supervision_desk import (
    BODIES,
    EXTENSION,
    FEEDBACK,
    LEAD,
    OFFICE,
    OFFICER,
    PATHS,
    SUPPORTING,
    SupervisionDesk,
    days_ahead,
    start_supervision,
)

PROBLEM_JSON = "application/problem+json"

# Which action (the path after /tasks/{id}/) takes a task where (RULES R4.4); everything else is refused.
LEGAL: dict[str, dict[str, str]] = {
    "registered": {"assign": "assigned"},
    "assigned": {"start": "in_progress"},
    "in_progress": {"extension": "extension_pending", "feedback": "reported"},
    "extension_pending": {"extension/approve": "in_progress", "extension/deny": "in_progress"},
    "reported": {"return": "returned", "approve": "approved"},
    "returned": {"start": "in_progress"},
    "approved": {"close": "closed", "reopen": "assigned"},
    "closed": {},
}
ACTION_NAMES = {
    "extension": "request_extension",
    "extension/approve": "approve_extension",
    "extension/deny": "deny_extension",
}


@pytest.fixture
async def desk(start_service: StartService) -> SupervisionDesk:
    return await start_supervision(start_service)


def events(service: RunningService, name: str) -> int:
    kind = f"huiwu.supervision.task.{name}.v1"
    return count_rows(service, OutboxEvent, col(OutboxEvent.event_type) == kind)


def set_deadline(service: RunningService, task_id: str, deadline: datetime) -> None:
    """Put a task's deadline where a test needs it (the API accepts only deadlines ahead)."""
    with unit_of_work(service.runtime.make_session) as session:
        task = session.get(Task, task_id)
        assert task is not None
        task.deadline = deadline


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["type"] == f"urn:huiwu:problem:{code}"
    return body


def field_rules(response: Any) -> list[tuple[str, str]]:
    body = assert_problem(response, 422, "validation-error")
    return [(error["field"], error["rule"]) for error in body["errors"]]


async def test_a_task_is_numbered_assigned_handled_reviewed_and_closed_off(desk: SupervisionDesk) -> None:
    meeting_id = desk.meeting()
    year = local_date(datetime.now(UTC)).year

    first = await desk.register(meeting_id)
    second = await desk.task(meeting_id, content="研究制定提案办理工作细则")
    task_id = first.json()["id"]
    for action in PATHS["closed"]:
        response = await desk.act(meeting_id, task_id, action)
        assert response.status_code == 200, response.text
    closed = await desk.detail(meeting_id, task_id)

    assert first.status_code == 201, first.text
    assert first.headers["Location"] == desk.url(meeting_id, task_id)
    assert (first.json()["number"], second["number"]) == (f"督〔{year}〕1号", f"督〔{year}〕2号")
    assert first.json()["state"] == "registered" and first.json()["state_label"] == "已立项"
    assert first.json()["allowed_actions"] == ["assign"]
    assert (closed["state"], closed["state_label"], closed["allowed_actions"]) == (
        "closed",
        "办结（销号）",
        [],
    )
    assert closed["closed_at"] is not None and closed["overdue"] is False
    assert [(t["action"], t["from_state"], t["to_state"]) for t in closed["transitions"]] == [
        ("register", None, "registered"),
        ("assign", "registered", "assigned"),
        ("start", "assigned", "in_progress"),
        ("feedback", "in_progress", "reported"),
        ("approve", "reported", "approved"),
        ("close", "approved", "closed"),
    ]
    assert {t["actor"] for t in closed["transitions"]} == {OFFICER}
    assert [t["note"] for t in closed["transitions"]][-2:] == [
        "同意办结，报领导审阅",
        "领导无新批示，予以销号",
    ]
    assert closed["transitions"][3]["department"] == LEAD
    assert [(r["kind"], r["department"], r["text"]) for r in closed["reports"]] == [
        ("feedback", LEAD, "工作方案已经常委会审议通过并印发")
    ]
    assert (
        closed["version"],
        events(desk.supervision, "registered"),
        events(desk.supervision, "transitioned"),
    ) == (
        6,
        2,
        5,
    )


@pytest.mark.parametrize("state", list(LEGAL))
async def test_every_action_is_taken_or_refused_by_the_state_machine(
    desk: SupervisionDesk, state: str
) -> None:
    meeting_id = desk.meeting()
    allowed = sorted(ACTION_NAMES.get(action, action) for action in LEGAL[state])

    for action in BODIES:
        task = await desk.task_in(meeting_id, state)
        before = await desk.detail(meeting_id, task["id"])
        response = await desk.act(meeting_id, task["id"], action)
        after = await desk.detail(meeting_id, task["id"])

        if action in LEGAL[state]:
            assert response.status_code == 200, f"{state} --{action}--> {response.text}"
            assert response.json()["state"] == after["state"] == LEGAL[state][action]
            assert after["transitions"][-1]["from_state"] == state
        else:
            problem = assert_problem(response, 409, "illegal-transition")
            assert problem["current"] == state, action
            assert sorted(problem["allowed"]) == allowed
            assert after == before


async def test_an_approved_extension_moves_the_deadline_and_every_deadline_is_kept(
    desk: SupervisionDesk,
) -> None:
    meeting_id = desk.meeting()
    task = await desk.task_in(meeting_id, "in_progress", deadline=days_ahead(10))
    first_deadline = task["deadline"]
    later = datetime.now(UTC) + timedelta(days=40)

    asked = await desk.act(
        meeting_id, task["id"], "extension", {**EXTENSION, "new_deadline": later.isoformat()}
    )
    approved = await desk.act(meeting_id, task["id"], "extension/approve")
    asked_again = await desk.act(
        meeting_id, task["id"], "extension", {**EXTENSION, "new_deadline": days_ahead(50)}
    )
    denied = await desk.act(meeting_id, task["id"], "extension/deny")
    history = await desk.detail(meeting_id, task["id"])

    assert (asked.json()["state"], asked.json()["deadline"]) == ("extension_pending", first_deadline)
    assert approved.json()["state"] == "in_progress"
    assert datetime.fromisoformat(approved.json()["deadline"]) == later
    assert asked_again.status_code == 200 and denied.json()["state"] == "in_progress"
    assert denied.json()["deadline"] == approved.json()["deadline"]
    assert [(d["reason"], datetime.fromisoformat(d["deadline"])) for d in history["deadlines"]] == [
        ("registered", datetime.fromisoformat(first_deadline)),
        ("extension", later),
    ]
    assert [(e["status"], e["department"], e["opinion"]) for e in history["extensions"]] == [
        ("approved", LEAD, "同意延期"),
        ("denied", LEAD, "时间紧迫，请按原时限办结"),
    ]
    assert datetime.fromisoformat(history["extensions"][0]["previous_deadline"]) == datetime.fromisoformat(
        first_deadline
    )
    assert history["extensions"][0]["reasons"] == "需征求各地意见"
    assert history["extensions"][0]["decided_by"] == OFFICER
    assert events(desk.supervision, "deadline_moved") == 1


async def test_an_extension_is_asked_for_by_the_lead_department_before_the_deadline_for_a_later_date(
    desk: SupervisionDesk,
) -> None:
    meeting_id = desk.meeting()
    task = await desk.task_in(meeting_id, "in_progress", deadline=days_ahead(10))
    body = {**EXTENSION, "new_deadline": days_ahead(20)}

    by_supporter = await desk.act(meeting_id, task["id"], "extension", {**body, "department": SUPPORTING[0]})
    earlier = await desk.act(meeting_id, task["id"], "extension", {**body, "new_deadline": days_ahead(5)})
    set_deadline(desk.supervision, task["id"], datetime.now(UTC) - timedelta(hours=1))
    too_late = await desk.act(meeting_id, task["id"], "extension", body)

    assert field_rules(by_supporter) == [("department", "lead_department_only")]
    assert field_rules(earlier) == [("new_deadline", "after_current_deadline")]
    assert assert_problem(too_late, 409, "deadline-passed")["field"] == "deadline"
    assert (await desk.detail(meeting_id, task["id"]))["state"] == "in_progress"
    assert count_rows(desk.supervision, TaskExtension) == 0
    assert events(desk.supervision, "transitioned") == 2  # assign, start


async def test_a_new_leader_instruction_on_an_approved_task_is_a_new_assignment(
    desk: SupervisionDesk,
) -> None:
    meeting_id = desk.meeting()
    task = await desk.task_in(meeting_id, "approved")
    new_deadline = datetime.now(UTC) + timedelta(days=15)

    reopened = await desk.act(
        meeting_id,
        task["id"],
        "reopen",
        {"instruction": "请进一步细化到各地市", "deadline": new_deadline.isoformat()},
    )
    closed = await desk.move_to(meeting_id, task["id"], "closed")
    history = await desk.detail(meeting_id, task["id"])

    assert (reopened.json()["state"], reopened.json()["round"]) == ("assigned", 2)
    assert datetime.fromisoformat(reopened.json()["deadline"]) == new_deadline
    assert closed["state"] == "closed" and closed["round"] == 2
    assert [d["reason"] for d in history["deadlines"]] == ["registered", "reopened"]
    assert [t["action"] for t in history["transitions"]].count("feedback") == 2
    assert history["transitions"][5]["note"] == "请进一步细化到各地市"


async def test_numbers_run_per_meeting_and_year_in_the_meeting_format(
    desk: SupervisionDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting_id, other_meeting = desk.meeting(), desk.meeting()
    settings_url = f"/api/v1/meetings/{meeting_id}/supervision/settings"
    this_year = local_date(datetime.now(UTC)).year
    # 00:30 on New Year's Day in Beijing is still the old year in UTC: the number takes Beijing's year.
    new_year = datetime(this_year + 1, 1, 1, 0, 30, tzinfo=CHINA_TIME)

    defaults = (await desk.http.get(settings_url)).json()
    changed = await desk.http.put(
        settings_url, json={"number_format": "督办〔{year}〕第{n:03d}号"}, headers=OFFICE
    )
    now_numbers = [(await desk.task(meeting_id))["number"] for _ in range(2)]
    monkeypatch.setattr(tasks_service, "utcnow", lambda: new_year.astimezone(UTC))
    next_year_numbers = [(await desk.task(meeting_id))["number"] for _ in range(2)]
    monkeypatch.undo()
    elsewhere = await desk.task(other_meeting)
    settings = (await desk.http.get(settings_url)).json()

    assert (defaults["number_format"], defaults["version"], defaults["next_number"]) == (
        "督〔{year}〕{n}号",
        0,
        f"督〔{this_year}〕1号",
    )
    assert defaults["escalation"] == {
        "blue_hours_left": 48,
        "yellow_hours_left": 24,
        "yellow_after_blue_hours": 24,
        "red_hours_overdue": 0,
    }
    assert changed.status_code == 200, changed.text
    assert now_numbers == [f"督办〔{this_year}〕第001号", f"督办〔{this_year}〕第002号"]
    assert next_year_numbers == [f"督办〔{this_year + 1}〕第001号", f"督办〔{this_year + 1}〕第002号"]
    assert elsewhere["number"] == f"督〔{this_year}〕1号"
    assert (settings["version"], settings["updated_by"], settings["next_number"]) == (
        1,
        OFFICER,
        f"督办〔{this_year}〕第003号",
    )


async def test_tasks_registered_at_the_same_moment_never_share_a_number(desk: SupervisionDesk) -> None:
    meeting_id = desk.meeting()
    year = local_date(datetime.now(UTC)).year

    responses = await asyncio.gather(*(desk.register(meeting_id, content=f"事项{n}") for n in range(12)))

    assert [response.status_code for response in responses] == [201] * 12
    assert sorted(
        int(r.json()["number"].removeprefix(f"督〔{year}〕").removesuffix("号")) for r in responses
    ) == list(range(1, 13))


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({"number_format": "督〔{year}〕号"}, "number_format", "placeholder_required"),
        ({"number_format": "督〔{year}〕{n}号{x}"}, "number_format", "unknown_placeholder"),
        ({"number_format": "督〔{year}〕{n号"}, "number_format", "malformed_format"),
        ({"escalation": {"blue_hours_left": 12, "yellow_hours_left": 24}}, "escalation", "yellow_after_blue"),
        ({"escalation": {"red_hours_overdue": -1}}, "escalation.red_hours_overdue", "greater_than_equal"),
        ({"escalation": {"green_hours": 1}}, "escalation.green_hours", "extra_forbidden"),
    ],
)
async def test_bad_settings_are_refused_naming_the_field(
    desk: SupervisionDesk, body: dict[str, Any], field: str, rule: str
) -> None:
    meeting_id = desk.meeting()
    url = f"/api/v1/meetings/{meeting_id}/supervision/settings"

    response = await desk.http.put(url, json=body, headers=OFFICE)

    assert field_rules(response) == [(field, rule)]
    assert (await desk.http.get(url)).json()["version"] == 0
    assert count_rows(desk.supervision, OutboxEvent) == 0


async def test_overdue_is_derived_from_the_deadline_in_force_until_the_task_is_closed(
    desk: SupervisionDesk,
) -> None:
    meeting_id = desk.meeting()
    late = await desk.task_in(meeting_id, "in_progress", content="逾期未办结的事项")
    late_but_done = await desk.task_in(meeting_id, "approved", content="逾期后办结的事项")
    await desk.task_in(meeting_id, "in_progress", content="按时办理中的事项")
    past = datetime.now(UTC) - timedelta(hours=2)
    set_deadline(desk.supervision, late["id"], past)
    set_deadline(desk.supervision, late_but_done["id"], past)
    url = desk.url(meeting_id)

    overdue_before = (await desk.http.get(url, params={"overdue": "true"})).json()["items"]
    await desk.move_to(meeting_id, late_but_done["id"], "closed")
    overdue_after = (await desk.http.get(url, params={"overdue": "true"})).json()["items"]
    on_time = (await desk.http.get(url, params={"overdue": "false"})).json()["items"]
    still_late = await desk.detail(meeting_id, late["id"])

    assert [t["content"] for t in overdue_before] == ["逾期未办结的事项", "逾期后办结的事项"]
    assert [t["content"] for t in overdue_after] == ["逾期未办结的事项"]
    assert [t["content"] for t in on_time] == ["逾期后办结的事项", "按时办理中的事项"]
    assert (still_late["state"], still_late["overdue"]) == ("in_progress", True)


async def test_tasks_are_listed_by_state_and_department_page_by_page(desk: SupervisionDesk) -> None:
    meeting_id = desk.meeting()
    await desk.task(meeting_id, content="事项一")
    await desk.task_in(
        meeting_id, "assigned", content="事项二", lead_department="省纪委组织部", supporting_departments=[]
    )
    await desk.task_in(meeting_id, "assigned", content="事项三")
    url = desk.url(meeting_id)

    assigned = (await desk.http.get(url, params={"state": "assigned"})).json()["items"]
    supporting = (await desk.http.get(url, params={"department": SUPPORTING[1]})).json()["items"]
    first_page = (await desk.http.get(url, params={"limit": 2})).json()
    second_page = (await desk.http.get(url, params={"limit": 2, "cursor": first_page["next_cursor"]})).json()
    bad_state = await desk.http.get(url, params={"state": "overdue"})

    assert [t["content"] for t in assigned] == ["事项二", "事项三"]
    assert [t["content"] for t in supporting] == ["事项一", "事项三"]
    assert [t["content"] for t in first_page["items"]] == ["事项一", "事项二"]
    assert [t["content"] for t in second_page["items"]] == ["事项三"] and second_page["next_cursor"] is None
    assert field_rules(bad_state) == [("state", "enum")]


async def test_the_completion_report_comes_only_from_the_lead_department(desk: SupervisionDesk) -> None:
    meeting_id = desk.meeting()
    task = await desk.task_in(meeting_id, "in_progress")

    by_supporter = await desk.act(
        meeting_id, task["id"], "feedback", {**FEEDBACK, "department": SUPPORTING[0]}
    )
    by_stranger = await desk.act(meeting_id, task["id"], "feedback", {**FEEDBACK, "department": "省财政厅"})
    untouched = await desk.detail(meeting_id, task["id"])
    by_lead = await desk.act(meeting_id, task["id"], "feedback")

    assert field_rules(by_supporter) == [("department", "lead_department_only")]
    assert field_rules(by_stranger) == [("department", "lead_department_only")]
    assert (untouched["state"], untouched["reports"], untouched["version"]) == ("in_progress", [], 3)
    assert by_lead.json()["state"] == "reported"
    assert count_rows(desk.supervision, TaskReport) == 1


async def test_progress_is_reported_with_files_by_lead_and_supporting_departments(
    desk: SupervisionDesk,
) -> None:
    meeting_id = desk.meeting()
    task = await desk.task_in(meeting_id, "in_progress")
    scan = b"%PDF-1.4 stamped progress report"
    table = "地市,进度\n江州,完成\n".encode()

    lead = await desk.progress(meeting_id, task["id"], LEAD, "已召开专题会议部署")
    supporter = await desk.progress(
        meeting_id,
        task["id"],
        SUPPORTING[0],
        "已完成宣传方案",
        files=[("C:\\报告\\进展情况报告.pdf", scan, "application/pdf"), ("进度表.csv", table, "text/csv")],
    )
    attachment = supporter.json()["attachments"][0]
    downloaded = await desk.http.get(attachment["url"])
    history = await desk.detail(meeting_id, task["id"])

    assert lead.status_code == 201, lead.text
    assert (lead.json()["department"], lead.json()["attachments"]) == (LEAD, [])
    assert supporter.status_code == 201, supporter.text
    assert [(a["filename"], a["size"], a["sha256"]) for a in supporter.json()["attachments"]] == [
        ("进展情况报告.pdf", len(scan), hashlib.sha256(scan).hexdigest()),
        ("进度表.csv", len(table), hashlib.sha256(table).hexdigest()),
    ]
    assert downloaded.content == scan
    assert downloaded.headers["content-type"] == "application/pdf"
    assert quote("进展情况报告.pdf") in downloaded.headers["content-disposition"]
    assert [(r["kind"], r["department"]) for r in history["reports"]] == [
        ("progress", LEAD),
        ("progress", SUPPORTING[0]),
    ]
    assert history["reports"][1]["attachments"] == supporter.json()["attachments"]
    assert (history["state"], events(desk.supervision, "progress_reported")) == ("in_progress", 2)


async def test_progress_is_refused_from_strangers_empty_files_and_tasks_not_in_hand(
    desk: SupervisionDesk,
) -> None:
    meeting_id = desk.meeting()
    registered = await desk.task(meeting_id)
    task = await desk.task_in(meeting_id, "in_progress")

    stranger = await desk.progress(meeting_id, task["id"], "省财政厅", "代为报送")
    empty = await desk.progress(
        meeting_id, task["id"], LEAD, "附件", files=[("空.pdf", b"", "application/pdf")]
    )
    no_text = await desk.http.post(f"{desk.url(meeting_id, task['id'])}/progress", data={"department": LEAD})
    not_yet = await desk.progress(meeting_id, registered["id"], LEAD, "提前报送")
    unknown = await desk.http.get(f"{desk.url(meeting_id, task['id'])}/attachments/nope")

    assert field_rules(stranger) == [("department", "not_a_handling_department")]
    assert field_rules(empty) == [("files.0", "empty_file")]
    assert field_rules(no_text) == [("text", "missing")]
    assert assert_problem(not_yet, 409, "not-in-hand")["current"] == "registered"
    assert assert_problem(unknown, 404, "not-found")["field"] == "attachment_id"
    assert count_rows(desk.supervision, TaskReport) == count_rows(desk.supervision, TaskAttachment) == 0
    assert events(desk.supervision, "progress_reported") == 0


@pytest.mark.parametrize(
    ("fields", "field", "rule"),
    [
        ({"content": None}, "content", "string_type"),
        ({"content": "  "}, "content", "string_too_short"),
        ({"source": {"kind": "rumour", "reference": "传闻"}}, "source.kind", "enum"),
        ({"source": {"kind": "leader_instruction"}}, "source", "reference_required"),
        ({"source": {"kind": "session", "reference": "第一次全体会议"}}, "source", "session_required"),
        ({"lead_department": [LEAD, "省纪委组织部"]}, "lead_department", "string_type"),
        (
            {"supporting_departments": [SUPPORTING[0], SUPPORTING[0]]},
            "supporting_departments",
            "departments_repeated",
        ),
        ({"supporting_departments": [LEAD]}, "supporting_departments", "lead_not_supporting"),
        ({"deadline": "2030-01-12T09:00:00"}, "deadline", "timezone_aware"),
        ({"deadline": "2020-01-12T09:00:00+08:00"}, "deadline", "not_in_future"),
        ({"report_frequency": "hourly"}, "report_frequency", "enum"),
        ({"responsible_attendee_id": "nobody"}, "responsible_attendee_id", "not_on_roster"),
        ({"priority": "high"}, "priority", "extra_forbidden"),
    ],
)
async def test_a_bad_task_is_refused_naming_the_field_and_nothing_is_written(
    desk: SupervisionDesk, fields: dict[str, Any], field: str, rule: str
) -> None:
    meeting_id = desk.meeting()

    response = await desk.register(meeting_id, **fields)

    assert field_rules(response) == [(field, rule)]
    assert count_rows(desk.supervision, Task) == count_rows(desk.supervision, TaskTransition) == 0
    assert count_rows(desk.supervision, OutboxEvent) == 0


async def test_a_review_needs_an_opinion_and_unknown_tasks_are_404(desk: SupervisionDesk) -> None:
    meeting_id = desk.meeting()
    task = await desk.task_in(meeting_id, "reported")

    no_opinion = await desk.act(meeting_id, task["id"], "return", {})
    other_meeting = await desk.http.get(desk.url(desk.meeting(), task["id"]))
    unknown = await desk.act(meeting_id, "no-such-task", "assign")

    assert field_rules(no_opinion) == [("opinion", "missing")]
    assert (await desk.detail(meeting_id, task["id"]))["state"] == "reported"
    assert assert_problem(other_meeting, 404, "not-found")["field"] == "task_id"
    assert assert_problem(unknown, 404, "not-found")["field"] == "task_id"


async def test_the_responsible_person_may_be_someone_on_the_roster(start_service: StartService) -> None:
    desk = await start_supervision(start_service, with_registration=True)
    meeting_id, ids = await desk.meeting_with("王芳")

    named = await desk.register(meeting_id, responsible_person="王芳", responsible_attendee_id=ids["王芳"])
    elsewhere = await desk.register(desk.meeting(), responsible_attendee_id=ids["王芳"])

    assert named.status_code == 201, named.text
    assert named.json()["responsible_attendee_id"] == ids["王芳"]
    assert field_rules(elsewhere) == [("responsible_attendee_id", "not_on_roster")]


async def test_every_change_is_an_event_on_the_supervision_stream(
    desk: SupervisionDesk, nats_server: NatsServer
) -> None:
    meeting_id = desk.meeting()
    task = await desk.task_in(meeting_id, "in_progress")
    await desk.act(meeting_id, task["id"], "extension")
    await desk.act(meeting_id, task["id"], "extension/approve")
    await desk.progress(
        meeting_id, task["id"], LEAD, "已完成初稿", files=[("初稿.txt", "初稿".encode(), "text/plain")]
    )
    await desk.http.put(f"/api/v1/meetings/{meeting_id}/supervision/settings", json={}, headers=OFFICE)

    published = await on_stream(desk.supervision, nats_server, "huiwu.supervision.>")

    kinds = Counter(event.type for event in published)
    assert kinds == {
        "huiwu.supervision.task.registered.v1": 1,
        "huiwu.supervision.task.transitioned.v1": 4,
        "huiwu.supervision.task.deadline_moved.v1": 1,
        "huiwu.supervision.task.progress_reported.v1": 1,
        "huiwu.supervision.settings.changed.v1": 1,
    }
    assert {(event.meetingid, event.actor) for event in published} == {(meeting_id, OFFICER)}
    by_type = {event.type.split(".")[3]: event for event in published}
    registered = by_type["registered"].data
    assert (registered["number"], registered["lead_department"], registered["state"]) == (
        task["number"],
        LEAD,
        "registered",
    )
    assert registered["supporting_departments"] == SUPPORTING
    moves = sorted(
        (e.data["version"], e.data["action"], e.data["from_state"], e.data["state"])
        for e in published
        if e.type.endswith("transitioned.v1")
    )
    assert [move[1:] for move in moves] == [
        ("assign", "registered", "assigned"),
        ("start", "assigned", "in_progress"),
        ("request_extension", "in_progress", "extension_pending"),
        ("approve_extension", "extension_pending", "in_progress"),
    ]
    moved = by_type["deadline_moved"].data
    assert moved["reason"] == "extension"
    assert datetime.fromisoformat(moved["previous_deadline"]) == datetime.fromisoformat(task["deadline"])
    assert datetime.fromisoformat(moved["deadline"]) > datetime.fromisoformat(task["deadline"])
    reported = by_type["progress_reported"].data
    assert [(a["filename"], a["sha256"]) for a in reported["attachments"]] == [
        ("初稿.txt", hashlib.sha256("初稿".encode()).hexdigest())
    ]
    assert by_type["changed"].data["number_format"] == "督〔{year}〕{n}号"


async def on_stream(service: RunningService, nats_server: NatsServer, subject: str) -> list[CloudEvent]:
    """Every event on the stream once the outbox has sent them all, read by a JetStream consumer."""
    unsent = col(OutboxEvent.published_at).is_(None)
    await eventually(lambda: count_rows(service, OutboxEvent, unsent) == 0, what="the outbox is sent")
    expected = await stream_message_count(nats_server.url, "SUPERVISION")
    client = await nats.connect(nats_server.url)
    try:
        subscription = await client.jetstream().subscribe(subject, ordered_consumer=True)
        messages = [await subscription.next_msg(timeout=20) for _ in range(expected)]
    finally:
        await client.close()
    return [CloudEvent.from_nats(message.headers, message.data) for message in messages]


def test_the_gateway_sends_tasks_and_supervision_settings_to_supervision() -> None:
    for path in (
        "/api/v1/meetings/m1/tasks",
        "/api/v1/meetings/m1/tasks/t1/extension/approve",
        "/api/v1/meetings/m1/tasks/t1/attachments/a1",
        "/api/v1/meetings/m1/supervision/settings",
    ):
        assert resolve(path).service == "supervision", path
