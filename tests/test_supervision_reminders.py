"""Chase notes (催办) and the three colours (三色督办, RULES R4.7) on the supervision service in-process
with a real nats-server, on SQLite and PostgreSQL: the scheduler, driven pass by pass at chosen
moments, sends blue, yellow and red at the meeting's thresholds, once per colour under each
deadline; an extension starts the escalation anew and keeps the old notes; a restart misses
nothing; staff issue notes by hand at any colour; tasks show their colour and their 催办 log."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import col

from gateway.routes import resolve
from huiwu.db import utcnow
from huiwu.outbox import OutboxEvent
from huiwu.testing.databases import Databases
from huiwu.testing.fixtures import RunningService, StartService, eventually, service_settings
from huiwu.testing.nats import NatsServer
from services.supervision.main import definition as supervision_service
from services.supervision.reminders.models import TaskReminder
from services.supervision.schedule.sweeps import SWEEPS
from services.supervision.schedule.worker import run_due
from services.supervision.tasks import service as tasks_service
from tests.messaging import count_rows
from tests.supervision_desk import EXTENSION, LEAD, OFFICE, OFFICER, SupervisionDesk, days_ahead
from tests.test_departure import running
from tests.test_supervision_tasks import assert_problem, field_rules, set_deadline

REMINDED = "huiwu.supervision.task.reminded.v1"
HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)
# Not the defaults, so the thresholds are seen to be the meeting's own.
ESCALATION = {
    "blue_hours_left": 48,
    "yellow_hours_left": 24,
    "yellow_after_blue_hours": 12,
    "red_hours_overdue": 2,
}


@pytest.fixture(autouse=True)
def quick_scheduler(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sweep every tenth of a second where the scheduler runs by itself (the default is every few)."""
    monkeypatch.setenv("HUIWU_SUPERVISION_SWEEP_INTERVAL_S", "0.1")


@pytest.fixture
async def desk(start_service: StartService) -> SupervisionDesk:
    """Supervision without its scheduler running by itself: the tests run each pass at the moment
    they choose."""
    return SupervisionDesk(await start_service(supervision_service, workers=False))


async def sweep(service: RunningService, at: datetime | None = None) -> int:
    """One pass of every sweep, as of ``at`` (now if not given): how many things it acted on."""
    return await asyncio.to_thread(run_due, service.runtime.make_session, SWEEPS, at)


def reminded(service: RunningService) -> list[dict[str, Any]]:
    with service.runtime.make_session() as session:
        query = select(OutboxEvent).where(col(OutboxEvent.event_type) == REMINDED)
        return [json.loads(row.payload) for row in session.scalars(query.order_by(col(OutboxEvent.position)))]


def notes(task: dict[str, Any]) -> list[tuple[str, str]]:
    return [(note["colour"], note["reason"]) for note in task["reminders"]]


def whole_second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


async def escalate(desk: SupervisionDesk, meeting_id: str) -> None:
    response = await desk.http.put(
        f"/api/v1/meetings/{meeting_id}/supervision/settings", json={"escalation": ESCALATION}, headers=OFFICE
    )
    assert response.status_code == 200, response.text


async def test_blue_yellow_and_red_go_out_at_the_meeting_thresholds_once_each(
    desk: SupervisionDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting_id = desk.meeting()
    await escalate(desk, meeting_id)
    deadline = whole_second(utcnow() + timedelta(days=5))
    silent = await desk.task_in(
        meeting_id, "in_progress", content="未回应督办的事项", deadline=deadline.isoformat()
    )
    answered = await desk.task_in(
        meeting_id, "in_progress", content="回应督办的事项", deadline=deadline.isoformat()
    )
    blue_at = deadline - 48 * HOUR

    passes = [await sweep(desk.supervision, blue_at - SECOND), await sweep(desk.supervision, blue_at)]
    passes.append(await sweep(desk.supervision, blue_at))  # the same moment again: nothing new
    with monkeypatch.context() as clock:  # the lead department reports progress after the blue note
        clock.setattr(tasks_service, "utcnow", lambda: deadline - 40 * HOUR)
        progress = await desk.progress(meeting_id, answered["id"], LEAD, "已召开专题会议部署")
    assert progress.status_code == 201, progress.text
    for moment in (
        blue_at + 12 * HOUR - SECOND, blue_at + 12 * HOUR,  # yellow: the blue note unanswered 12 hours
        deadline - 24 * HOUR - SECOND, deadline - 24 * HOUR,  # yellow: 24 hours left
        deadline + 2 * HOUR, deadline + 2 * HOUR + SECOND,  # red: more than 2 hours overdue
        deadline + timedelta(days=5),
    ):  # fmt: skip
        passes.append(await sweep(desk.supervision, moment))
    silent_now = await desk.detail(meeting_id, silent["id"])
    answered_now = await desk.detail(meeting_id, answered["id"])

    assert passes == [0, 2, 0, 0, 1, 0, 1, 0, 2, 0]
    assert notes(silent_now) == [("blue", "near_deadline"), ("yellow", "unanswered"), ("red", "overdue")]
    assert notes(answered_now) == [("blue", "near_deadline"), ("yellow", "near_deadline"), ("red", "overdue")]
    assert [datetime.fromisoformat(note["reminded_at"]) for note in silent_now["reminders"]] == [
        blue_at, blue_at + 12 * HOUR, deadline + 2 * HOUR + SECOND,
    ]  # fmt: skip
    # Five days before the deadline in real time, yet red: the highest note sent under it.
    assert (silent_now["colour"], silent_now["overdue"]) == ("red", False)
    first, _, red = silent_now["reminders"]
    assert (first["notice"], first["task_state"], first["reminded_by"], first["time_limit"]) == (
        "蓝色督办单", "in_progress", None, None,
    )  # fmt: skip
    assert datetime.fromisoformat(first["deadline"]) == deadline
    assert first["requirement"].startswith(
        f"{silent['number']}：未回应督办的事项。牵头单位：{LEAD}；责任人：王芳；"
    )
    assert "距办理时限还剩2天" in first["requirement"] and first["requirement"].endswith("直至办结销号。")
    assert "已逾期2小时" in red["requirement"]
    events = reminded(desk.supervision)
    assert len(events) == 6
    assert {event["task_id"] for event in events} == {silent["id"], answered["id"]}
    (red_note,) = [
        event for event in events if event["task_id"] == answered["id"] and event["colour"] == "red"
    ]
    assert (red_note["reason"], red_note["state"], red_note["lead_department"]) == (
        "overdue",
        "in_progress",
        LEAD,
    )
    assert (red_note["responsible_person"], red_note["reminded_by"], red_note["number"]) == (
        "王芳", None, answered["number"],
    )  # fmt: skip
    assert datetime.fromisoformat(red_note["deadline"]) == deadline


async def test_a_task_with_no_news_for_longer_than_its_report_frequency_turns_blue_as_slow(
    desk: SupervisionDesk,
) -> None:
    meeting_id = desk.meeting()
    far = days_ahead(60)
    daily = await desk.task_in(
        meeting_id, "in_progress", content="每日报送的事项", report_frequency="daily", deadline=far
    )
    reported = await desk.task_in(
        meeting_id, "reported", content="已反馈待审核的事项", report_frequency="daily", deadline=far
    )
    once = await desk.task_in(
        meeting_id, "in_progress", content="只报办结的事项", report_frequency="once", deadline=far
    )
    last_news = datetime.fromisoformat(daily["updated_at"])

    on_time = await sweep(desk.supervision, last_news + timedelta(days=1))
    late = await sweep(desk.supervision, last_news + timedelta(days=1) + SECOND)
    unanswered = await sweep(desk.supervision, last_news + timedelta(days=2) + SECOND)

    assert (on_time, late, unanswered) == (0, 1, 1)
    assert notes(await desk.detail(meeting_id, daily["id"])) == [("blue", "slow"), ("yellow", "unanswered")]
    assert (
        "超过反馈周期（每日）未报送办理进展"
        in (await desk.detail(meeting_id, daily["id"]))["reminders"][0]["requirement"]
    )
    # The office has the reported task in hand; the other one reports only when done.
    assert notes(await desk.detail(meeting_id, reported["id"])) == []
    assert notes(await desk.detail(meeting_id, once["id"])) == []


async def test_an_extension_starts_the_escalation_anew_and_keeps_the_old_notes(desk: SupervisionDesk) -> None:
    meeting_id = desk.meeting()
    first_deadline = whole_second(utcnow() + timedelta(days=5))
    task = await desk.task_in(meeting_id, "in_progress", deadline=first_deadline.isoformat())
    await sweep(desk.supervision, first_deadline - 48 * HOUR)
    await sweep(desk.supervision, first_deadline - 24 * HOUR)
    yellow = await desk.detail(meeting_id, task["id"])
    new_deadline = whole_second(utcnow() + timedelta(days=30))

    asked = await desk.act(
        meeting_id, task["id"], "extension", {**EXTENSION, "new_deadline": new_deadline.isoformat()}
    )
    approved = await desk.act(meeting_id, task["id"], "extension/approve")
    past_old_deadline = await sweep(desk.supervision, first_deadline + timedelta(days=1))
    near_new_deadline = await sweep(desk.supervision, new_deadline - 48 * HOUR)
    extended = await desk.detail(meeting_id, task["id"])

    assert (asked.status_code, approved.status_code) == (200, 200), approved.text
    assert (yellow["colour"], notes(yellow)) == (
        "yellow",
        [("blue", "near_deadline"), ("yellow", "near_deadline")],
    )
    assert (approved.json()["colour"], len(approved.json()["reminders"])) == ("green", 2)
    assert (past_old_deadline, near_new_deadline) == (0, 1)
    assert notes(extended) == [
        ("blue", "near_deadline"),
        ("yellow", "near_deadline"),
        ("blue", "near_deadline"),
    ]
    assert [datetime.fromisoformat(note["deadline"]) for note in extended["reminders"]] == [
        first_deadline, first_deadline, new_deadline,
    ]  # fmt: skip
    assert extended["colour"] == "blue"
    assert [event["colour"] for event in reminded(desk.supervision)] == ["blue", "yellow", "blue"]


async def test_a_note_falls_due_while_supervision_is_down_and_goes_out_once_after_it_restarts(
    nats_server: NatsServer, databases: Databases, tmp_path: Path
) -> None:
    settings = service_settings(nats_server, databases, tmp_path / "data")  # both runs share them
    meeting_id = str(uuid.uuid4())
    deadline = utcnow() + 48 * HOUR + 4 * SECOND  # blue (48 hours left, the default) in 4 seconds
    async with running(supervision_service, settings) as supervision:
        task = await SupervisionDesk(supervision).task_in(
            meeting_id, "in_progress", deadline=deadline.isoformat()
        )
        assert await sweep(supervision) == 0
    assert utcnow() < deadline - 48 * HOUR, "supervision was meant to stop before the threshold"

    await eventually(lambda: utcnow() >= deadline - 48 * HOUR, what="the blue threshold passes")
    async with running(supervision_service, settings) as supervision:
        await eventually(lambda: count_rows(supervision, TaskReminder), what="the blue note")
        assert await sweep(supervision) == 0
        sent = (col(OutboxEvent.event_type) == REMINDED, col(OutboxEvent.published_at).is_not(None))
        await eventually(lambda: count_rows(supervision, OutboxEvent, *sent), what="the note is published")
        shown = await SupervisionDesk(supervision).detail(meeting_id, task["id"])
        (event,) = reminded(supervision)

    assert (event["task_id"], event["colour"], event["reason"]) == (task["id"], "blue", "near_deadline")
    assert (shown["colour"], notes(shown)) == ("blue", [("blue", "near_deadline")])


async def test_staff_issue_a_note_by_hand_at_any_colour_and_the_scheduler_goes_on_from_there(
    desk: SupervisionDesk,
) -> None:
    meeting_id = desk.meeting()
    deadline = whole_second(utcnow() + timedelta(days=5))
    major = await desk.task_in(meeting_id, "in_progress", content="重大事项", deadline=deadline.isoformat())
    urgent = await desk.task_in(meeting_id, "assigned", content="紧急事项", deadline=deadline.isoformat())
    time_limit = whole_second(utcnow() + timedelta(days=2))
    url = f"{desk.url(meeting_id, major['id'])}/remind"

    orange = await desk.http.post(
        url,
        json={"colour": "yellow", "note": "请主要负责同志亲自督办", "time_limit": time_limit.isoformat()},
        headers=OFFICE,
    )
    red = await desk.http.post(
        f"{desk.url(meeting_id, urgent['id'])}/remind",
        json={"colour": "red", "note": "特急，今日内报告进展"},
        headers=OFFICE,
    )
    listed = {task["id"]: task for task in (await desk.http.get(desk.url(meeting_id))).json()["items"]}
    before_blue = await sweep(desk.supervision, deadline - 48 * HOUR)
    overdue = await sweep(desk.supervision, deadline + SECOND)

    assert (orange.status_code, red.status_code) == (201, 201), orange.text
    note = orange.json()
    assert (note["colour"], note["notice"], note["reason"], note["reminded_by"]) == (
        "yellow", "黄色督办单", "manual", OFFICER,
    )  # fmt: skip
    assert note["note"] == "请主要负责同志亲自督办"
    assert datetime.fromisoformat(note["time_limit"]) == time_limit
    assert "督办要求：请主要负责同志亲自督办。" in note["requirement"]
    beijing = time_limit.astimezone(UTC) + 8 * HOUR
    assert (
        f"请于{beijing.year}年{beijing.month}月{beijing.day}日{beijing:%H:%M}前反馈办理情况"
        in note["requirement"]
    )
    assert (listed[major["id"]]["colour"], listed[urgent["id"]]["colour"]) == ("yellow", "red")
    assert (before_blue, overdue) == (0, 1)  # blue is below the yellow already sent; red is not
    assert notes(await desk.detail(meeting_id, major["id"])) == [("yellow", "manual"), ("red", "overdue")]
    assert notes(await desk.detail(meeting_id, urgent["id"])) == [("red", "manual")]
    manual = [event for event in reminded(desk.supervision) if event["reason"] == "manual"]
    assert [(event["colour"], event["reminded_by"], event["state"]) for event in manual] == [
        ("yellow", OFFICER, "in_progress"), ("red", OFFICER, "assigned"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "field", "rule"),
    [
        ({"colour": "green", "note": "按时办理"}, "colour", "not_a_note_colour"),
        ({"colour": "purple", "note": "按时办理"}, "colour", "enum"),
        ({"colour": "red"}, "note", "missing"),
        ({"colour": "red", "note": "  "}, "note", "string_too_short"),
        (
            {"colour": "red", "note": "限期报告", "time_limit": "2030-01-12T09:00:00"},
            "time_limit",
            "timezone_aware",
        ),
        (
            {"colour": "red", "note": "限期报告", "time_limit": "2020-01-12T09:00:00+08:00"},
            "time_limit",
            "not_in_future",
        ),
        ({"colour": "red", "note": "限期报告", "urgent": True}, "urgent", "extra_forbidden"),
    ],
)
async def test_a_bad_note_is_refused_naming_the_field_and_nothing_is_written(
    desk: SupervisionDesk, body: dict[str, Any], field: str, rule: str
) -> None:
    meeting_id = desk.meeting()
    task = await desk.task_in(meeting_id, "in_progress")

    response = await desk.http.post(f"{desk.url(meeting_id, task['id'])}/remind", json=body, headers=OFFICE)

    assert field_rules(response) == [(field, rule)]
    assert count_rows(desk.supervision, TaskReminder) == 0
    assert reminded(desk.supervision) == []


async def test_no_note_for_a_closed_or_unknown_task_and_no_unknown_colour(desk: SupervisionDesk) -> None:
    meeting_id = desk.meeting()
    closed = await desk.task_in(meeting_id, "closed")
    body = {"colour": "red", "note": "请立即办理"}

    on_closed = await desk.http.post(
        f"{desk.url(meeting_id, closed['id'])}/remind", json=body, headers=OFFICE
    )
    unknown = await desk.http.post(
        f"{desk.url(meeting_id, 'no-such-task')}/remind", json=body, headers=OFFICE
    )
    elsewhere = await desk.http.post(
        f"{desk.url(desk.meeting(), closed['id'])}/remind", json=body, headers=OFFICE
    )
    bad_filter = await desk.http.get(desk.url(meeting_id), params={"colour": "orange"})

    assert assert_problem(on_closed, 409, "task-closed")["field"] == "task_id"
    assert assert_problem(unknown, 404, "not-found")["field"] == "task_id"
    assert assert_problem(elsewhere, 404, "not-found")["field"] == "task_id"
    assert field_rules(bad_filter) == [("colour", "enum")]
    assert (closed["colour"], count_rows(desk.supervision, TaskReminder)) == (None, 0)


async def test_tasks_show_their_colour_now_and_the_list_filters_by_it_as_the_scheduler_sends(
    desk: SupervisionDesk, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting_id = desk.meeting()
    now = utcnow()
    on_track = await desk.task_in(meeting_id, "in_progress", content="正常推进", deadline=days_ahead(5))
    near = await desk.task_in(
        meeting_id, "in_progress", content="临近时限", deadline=(now + 47 * HOUR).isoformat()
    )
    nearer = await desk.task_in(
        meeting_id, "in_progress", content="即将到期", deadline=(now + 23 * HOUR).isoformat()
    )
    late = await desk.task_in(meeting_id, "in_progress", content="已经逾期")
    set_deadline(desk.supervision, late["id"], now - HOUR)
    with monkeypatch.context() as clock:  # handled for eight days without a word, weekly reports due
        clock.setattr(tasks_service, "utcnow", lambda: now - timedelta(days=8))
        slow = await desk.task_in(meeting_id, "in_progress", content="进展缓慢", deadline=days_ahead(20))
    done = await desk.task_in(meeting_id, "closed", content="已经办结")
    expected = {
        on_track["id"]: "green", near["id"]: "blue", nearer["id"]: "yellow", late["id"]: "red",
        slow["id"]: "blue", done["id"]: None,
    }  # fmt: skip

    shown = {
        task["id"]: task["colour"] for task in (await desk.http.get(desk.url(meeting_id))).json()["items"]
    }
    by_colour = {
        colour: [
            task["content"]
            for task in (await desk.http.get(desk.url(meeting_id), params={"colour": colour})).json()["items"]
        ]
        for colour in ("green", "blue", "yellow", "red")
    }
    sent = await sweep(desk.supervision)
    after = {task_id: await desk.detail(meeting_id, task_id) for task_id in expected}

    assert shown == expected
    assert by_colour == {
        "green": ["正常推进"],
        "blue": ["进展缓慢", "临近时限"],  # registered eight days ago, so first
        "yellow": ["即将到期"],
        "red": ["已经逾期"],
    }
    assert sent == 4  # each task not green gets the note of its colour, and only that one
    assert {task_id: task["colour"] for task_id, task in after.items()} == expected
    assert {task_id: notes(task) for task_id, task in after.items()} == {
        on_track["id"]: [], near["id"]: [("blue", "near_deadline")],
        nearer["id"]: [("yellow", "near_deadline")], late["id"]: [("red", "overdue")],
        slow["id"]: [("blue", "slow")], done["id"]: [],
    }  # fmt: skip


def test_the_gateway_sends_reminders_and_the_report_to_supervision() -> None:
    meeting = f"/api/v1/meetings/{uuid.uuid4()}"
    for path in (
        f"{meeting}/tasks/t1/remind",
        f"{meeting}/supervision/report",
        f"{meeting}/supervision/report.pdf",
    ):
        assert resolve(path).service == "supervision", path
