"""Supervision's chase notes and situation reports reach people through registration's notices,
with registration and supervision in-process on one real nats-server, on SQLite and PostgreSQL:
a task's responsible person on the roster is told of its red note in Chinese, with the task, its
deadline in Beijing time and the requirement; a task whose responsible person is not on the roster
tells nobody; an event delivered twice tells once; a situation report tells each addressee on the
roster, not a leader named only by post; supervision's other events are neither applied nor
parked."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlmodel import col

from huiwu.db import unit_of_work
from huiwu.events.catalog import TaskReminded
from huiwu.events.envelope import MSG_ID_HEADER, CloudEvent
from huiwu.inbox import DeadLetter, InboxEntry
from huiwu.outbox import OutboxEvent
from huiwu.testing.fixtures import RunningService, StartService, eventually
from services.registration.main import definition as registration_service
from services.registration.notices.channels import subject
from services.registration.supervision import reactions
from services.supervision.main import definition as supervision_service
from services.supervision.schedule.sweeps import SWEEPS
from services.supervision.schedule.worker import run_due
from tests.messaging import count_rows
from tests.supervision_desk import LEAD, OFFICE, SupervisionDesk

SHANGHAI = ZoneInfo("Asia/Shanghai")
REMINDED = "huiwu.supervision.task.reminded.v1"
CONSUMER = "registration__supervision"
CONTENT = "落实全会关于加强基层监督的部署，形成工作方案报常委会审议，年底前完成对各地市的督导检查"
EXCERPT = "落实全会关于加强基层监督的部署，形成工作方案报常委会审议，年"  # its first 30 characters


@pytest.fixture
async def desk(start_service: StartService) -> SupervisionDesk:
    """Registration with its consumers and notice worker; supervision without its scheduler
    running by itself, so the tests run each pass at the moment they choose."""
    registration = await start_service(registration_service)
    return SupervisionDesk(await start_service(supervision_service, workers=False), registration)


def beijing(moment: datetime) -> str:
    local = moment.astimezone(SHANGHAI)
    return f"{local.year}年{local.month}月{local.day}日{local:%H:%M}"


def five_in_the_afternoon(days: int) -> datetime:
    """17:00 Beijing time, ``days`` from today there."""
    return (datetime.now(SHANGHAI) + timedelta(days=days)).replace(hour=17, minute=0, second=0, microsecond=0)


async def sweep(desk: SupervisionDesk, at: datetime) -> int:
    return await asyncio.to_thread(run_due, desk.supervision.runtime.make_session, SWEEPS, at)


def registration(desk: SupervisionDesk) -> RunningService:
    assert desk.registration is not None
    return desk.registration


async def notices(desk: SupervisionDesk, meeting_id: str, topic: str) -> list[dict[str, Any]]:
    response = await registration(desk).http.get(f"/api/v1/meetings/{meeting_id}/notices")
    assert response.status_code == 200, response.text
    return [notice for notice in response.json() if notice["topic"] == topic]


async def applied(desk: SupervisionDesk, count: int) -> None:
    def done() -> bool:
        return count_rows(registration(desk), InboxEntry, col(InboxEntry.consumer) == CONSUMER) == count

    await eventually(done, what=f"registration applies {count} supervision events")


def reminded_rows(desk: SupervisionDesk) -> list[OutboxEvent]:
    with desk.supervision.runtime.make_session() as session:
        query = select(OutboxEvent).where(col(OutboxEvent.event_type) == REMINDED)
        return list(session.scalars(query.order_by(col(OutboxEvent.position))))


async def published(desk: SupervisionDesk) -> None:
    def all_sent() -> bool:
        return all(row.published_at is not None for row in reminded_rows(desk))

    await eventually(all_sent, what="supervision publishes its chase notes")


async def overdue_task(desk: SupervisionDesk) -> tuple[str, dict[str, str], dict[str, Any]]:
    """A meeting with 王芳 responsible for a task and another task with nobody on the roster
    responsible, both swept to red a day after their deadline; 王芳's task as it is then."""
    meeting_id, people = await desk.meeting_with("王芳", "李一鸣")
    deadline = five_in_the_afternoon(5)
    task = await desk.task_in(
        meeting_id, "in_progress", content=CONTENT, responsible_attendee_id=people["王芳"],
        deadline=deadline.isoformat(),
    )  # fmt: skip
    await desk.task_in(
        meeting_id, "in_progress", content="整理全会讨论意见", responsible_person="省纪委办公厅主任",
        deadline=deadline.isoformat(),
    )  # fmt: skip
    assert await sweep(desk, deadline + timedelta(days=1)) == 2
    return meeting_id, people, await desk.detail(meeting_id, task["id"])


async def test_a_red_note_reaches_the_responsible_attendee_and_nobody_else(desk: SupervisionDesk) -> None:
    meeting_id, people, task = await overdue_task(desk)
    await published(desk)
    await applied(desk, 2)

    [told] = await notices(desk, meeting_id, "task_reminder")
    [note] = task["reminders"]
    deadline = datetime.fromisoformat(task["deadline"])
    assert told["attendee_id"] == people["王芳"]
    assert told["message"] == (
        f"王芳同志：督办提醒（红色）。您作为责任人的督办事项{task['number']}“{EXCERPT}……”，"
        f"办理时限{beijing(deadline)}（北京时间）。督办要求：{note['requirement']}"
    )
    assert beijing(deadline).endswith("17:00")
    assert f"牵头单位：{LEAD}；责任人：王芳" in told["message"] and "已逾期1天" in told["message"]
    assert told["after"]["task_id"] == task["id"] and told["after"]["reminder_id"] == note["id"]
    assert (told["after"]["number"], told["after"]["colour"], told["after"]["reason"]) == (
        task["number"], "red", "overdue",
    )  # fmt: skip
    assert datetime.fromisoformat(told["after"]["deadline"]) == deadline
    assert subject(told["topic"], "全会") == "【会议通知】全会：督办提醒"

    async def sent() -> bool:
        [notice] = await notices(desk, meeting_id, "task_reminder")
        return bool(notice["status"] == "sent")

    await eventually(sent, what="the notice is delivered")
    # The tasks' registration and transitions are supervision's too: never fetched, never parked.
    assert count_rows(registration(desk), DeadLetter) == 0
    assert count_rows(registration(desk), InboxEntry, col(InboxEntry.consumer) == CONSUMER) == 2


async def test_a_note_delivered_twice_or_applied_again_tells_once(desk: SupervisionDesk) -> None:
    meeting_id, people, task = await overdue_task(desk)
    await published(desk)
    await applied(desk, 2)
    red = next(row for row in reminded_rows(desk) if json.loads(row.payload)["task_id"] == task["id"])
    headers = {name: value for name, value in json.loads(red.headers).items() if name != MSG_ID_HEADER}
    # Without its Nats-Msg-Id, JetStream stores a second copy, which registration receives.
    await desk.supervision.runtime.bus.publish(red.nats_subject, red.payload.encode(), headers)
    by_hand = await desk.http.post(
        f"{desk.url(meeting_id, task['id'])}/remind",
        json={"colour": "yellow", "note": "请于明日前报送逾期原因"}, headers=OFFICE,
    )  # fmt: skip
    assert by_hand.status_code == 201, by_hand.text
    await published(desk)
    await applied(desk, 3)  # the note by hand comes after the copy: the copy was taken first

    told = await notices(desk, meeting_id, "task_reminder")
    assert [notice["after"]["colour"] for notice in told] == ["red", "yellow"]
    assert all(notice["attendee_id"] == people["王芳"] for notice in told)
    assert told[1]["message"].startswith("王芳同志：督办提醒（黄色）。")
    assert "督办要求：" in told[1]["message"] and "请于明日前报送逾期原因" in told[1]["message"]

    # The same event applied once more, as if its inbox entry were gone: its notice is found.
    event = CloudEvent.from_nats(json.loads(red.headers), red.payload.encode())
    with unit_of_work(registration(desk).runtime.make_session) as session:
        reactions.on_task_reminded(session, event, TaskReminded.model_validate_json(red.payload))
    assert len(await notices(desk, meeting_id, "task_reminder")) == 2


async def test_a_situation_report_tells_each_addressee_on_the_roster(desk: SupervisionDesk) -> None:
    meeting_id, people = await desk.meeting_with("陈刚", "李明", "周强")
    body = {
        "title": "部分代表建议充实基层监督力量",
        "text": "省直机关第一组讨论时，多名同志提出基层纪检监察力量不足，建议充实编制。",
        "presiding_officer": {"attendee_id": people["陈刚"]},
        "leaders": [{"attendee_id": people["李明"]}, {"name": "张华", "post": "省委副秘书长"}],
        "sent_by": "督查室王强",
    }

    sent = await desk.http.post(f"/api/v1/meetings/{meeting_id}/situation-reports", json=body, headers=OFFICE)
    assert sent.status_code == 201, sent.text
    await applied(desk, 1)

    told = await notices(desk, meeting_id, "situation_report")
    at = beijing(datetime.fromisoformat(sent.json()["created_at"]).astimezone(UTC))
    by_person = {notice["attendee_id"]: notice for notice in told}
    assert len(told) == 2 and set(by_person) == {people["陈刚"], people["李明"]}
    for name, role in (("陈刚", "presiding"), ("李明", "leader")):
        notice = by_person[people[name]]
        assert notice["message"] == (
            f"{name}同志：督查室王强于{at}（北京时间）向您报送情况反映《{body['title']}》：{body['text']}"
        )
        assert (notice["after"]["report_id"], notice["after"]["role"]) == (sent.json()["id"], role)
    assert subject("situation_report", None) == "【会议通知】情况反映"
