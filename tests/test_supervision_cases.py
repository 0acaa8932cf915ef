"""Cases in supervision (issue 6): a missing copy opens a case due for its report 24 hours after
it was found (RULES R3.8); a request left past its due time opens a follow-up, which closes when
the request is done; the report is validated and filed once; the scheduler warns and alerts from
what the database says is due, once, across a restart and across two replicas. Services run
in-process on a real nats-server, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlmodel import col

from gateway.routes import resolve
from huiwu.auth import ADMIN, Clearance, Principal
from huiwu.chinese import CHINA_TIME
from huiwu.db import unit_of_work, utcnow
from huiwu.events.catalog import Classification, CopyMissing
from huiwu.inbox import InboxEntry
from huiwu.outbox import OutboxEvent
from huiwu.testing.fixtures import RunningService, StartService, eventually
from services.documents.events import emit as documents_emit
from services.documents.main import definition as documents_service
from services.registration.main import definition as registration_service
from services.supervision.cases.models import Case, FollowedRequest, LossReport
from services.supervision.main import definition as supervision_service
from services.supervision.schedule.sweeps import SWEEPS
from services.supervision.schedule.worker import run_due
from tests.documents_desk import TOP, start_office
from tests.messaging import count_rows
from tests.test_departure import running
from tests.test_registration_roster import new_meeting, register

PROBLEM_JSON = "application/problem+json"
REPORT = "省纪委工作报告"
DOCUMENT_ID = "5d0c8a0e-0000-4000-8000-000000000001"
REPORT_IN: dict[str, Any] = {
    "lost_where": "会议中心三楼第二讨论室",
    "course": "分组讨论结束后清点，发现该份文件未交回，持有人称放在座位上",
    "responsible": "丁一",
    "harm": "文件内容尚未公开，可能造成泄密",
    "investigation": "已调取会场监控，正在核查",
    "measures": "封闭会场，逐一清点座位和废纸篓",
    "reported_by": "机要员张三",
    "secrecy_bureau": "江南省国家保密局",
    "superior": "中央纪委国家监委办公厅",
}


@pytest.fixture(autouse=True)
def quick_scheduler(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sweep every tenth of a second (the default is every few seconds)."""
    monkeypatch.setenv("HUIWU_SUPERVISION_SWEEP_INTERVAL_S", "0.1")


def recorded(service: RunningService, event_type: str) -> list[OutboxEvent]:
    with service.runtime.make_session() as session:
        query = select(OutboxEvent).where(col(OutboxEvent.event_type) == event_type)
        return list(session.scalars(query.order_by(col(OutboxEvent.position))))


def case_events(supervision: RunningService, name: str) -> list[dict[str, Any]]:
    return [json.loads(row.payload) for row in recorded(supervision, f"huiwu.supervision.case.{name}.v1")]


def follow_ups(supervision: RunningService) -> int:
    return count_rows(supervision, Case, col(Case.kind) == "request_follow_up")


async def cases(supervision: RunningService, meeting_id: str, **params: Any) -> list[dict[str, Any]]:
    response = await supervision.http.get(f"/api/v1/meetings/{meeting_id}/cases", params=params)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def case_of(
    supervision: RunningService, meeting_id: str, case_id: str, client: httpx.AsyncClient | None = None
) -> dict[str, Any]:
    response = await (client or supervision.http).get(f"/api/v1/meetings/{meeting_id}/cases/{case_id}")
    assert response.status_code == 200, response.text
    case: dict[str, Any] = response.json()
    return case


async def one_case(supervision: RunningService, meeting_id: str, **params: Any) -> dict[str, Any]:
    """Waits until the meeting has a case (of ``params``), then reads it in full."""

    async def opened() -> list[dict[str, Any]]:
        return await cases(supervision, meeting_id, **params)

    (case,) = await eventually(opened, what=f"a case {params}")
    return await case_of(supervision, meeting_id, case["id"])


def lose_copy(
    documents: RunningService,
    meeting_id: str,
    *,
    discovered_at: datetime,
    copy_no: str = "000003",
    classification: Classification = Classification.confidential,
    title: str = REPORT,
) -> None:
    """Documents announces a missing copy through its own outbox, as declaring it missing does."""
    classified = classification != Classification.none
    loss = CopyMissing(
        meeting_id=meeting_id, document_id=DOCUMENT_ID, title=title, classification=classification,
        marking="机密★20年" if classified else "", copy_no=copy_no, attendee_id=None,
        discovered_at=discovered_at,
        report_due_at=discovered_at + timedelta(hours=24) if classified else None,
        circumstances="清点时未找到",
    )  # fmt: skip
    with unit_of_work(documents.runtime.make_session) as session:
        documents_emit(session, loss, subject=DOCUMENT_ID)


async def open_request(registration: RunningService, meeting_id: str, text: str, **fields: Any) -> str:
    body = {"kind": "errand", "text": text, "assigned_to": "会务组李四", **fields}
    response = await registration.http.post(f"/api/v1/meetings/{meeting_id}/requests", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def beijing(moment: datetime) -> str:
    return moment.astimezone(CHINA_TIME).isoformat()


def problem_of(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"].startswith(PROBLEM_JSON), response.text
    body: dict[str, Any] = response.json()
    return body


async def another_pass(supervision: RunningService) -> int:
    """One more pass of every sweep, now: what it acts on (0 when everything due was done)."""
    return await asyncio.to_thread(run_due, supervision.runtime.make_session, SWEEPS)


async def test_a_missing_copy_opens_a_case_due_24_hours_after_it_was_found(
    start_service: StartService,
) -> None:
    office = await start_office(start_service)
    supervision = await start_service(supervision_service)
    people: list[tuple[str, dict[str, Any]]] = [
        ("王建国", {"rank": 1}),
        ("丁一", {"organization": "省审计厅"}),
    ]
    meeting_id, ids = await office.meeting_with(people)
    await eventually(
        lambda: supervision_knows(supervision, meeting_id, 2), what="supervision knows the roster"
    )
    document = await office.approved(meeting_id, classification="confidential", print_run=5)
    await office.distribute(meeting_id, document["id"], to={"kind": "members"})
    found = beijing(utcnow() - timedelta(hours=2))
    lost = await office.http.post(
        f"/api/v1/meetings/{meeting_id}/documents/{document['id']}/copies/000002/missing",
        json={"circumstances": "清点时未找到", "reported_by": "机要员张三", "discovered_at": found},
        headers=TOP,
    )
    assert lost.status_code == 200, lost.text

    case = await one_case(supervision, meeting_id)

    (announced,) = recorded(office.documents, "huiwu.documents.copy.missing.v1")
    assert (case["kind"], case["state"], case["title"]) == (
        "missing_copy",
        "open",
        f"《{REPORT}》第000002份缺失",
    )
    assert datetime.fromisoformat(case["report_due_at"]) == datetime.fromisoformat(found) + timedelta(
        hours=24
    )
    assert case["overdue"] is False
    cause = case["lost_copy"]
    assert (cause["event_id"], cause["document_id"], cause["copy_no"]) == (
        announced.event_id,
        document["id"],
        "000002",
    )
    assert (cause["classification"], cause["marking"], cause["circumstances"]) == (
        "confidential", "机密★20年", "清点时未找到",
    )  # fmt: skip
    assert datetime.fromisoformat(cause["discovered_at"]) == datetime.fromisoformat(found)
    assert cause["holder"] == {"attendee_id": ids["丁一"], "name": "丁一", "organization": "省审计厅"}
    assert (case["request"], case["report"]) == (None, None)
    (opened,) = case_events(supervision, "opened")
    assert (opened["case_id"], opened["cause_event_id"], opened["document_id"], opened["copy_no"]) == (
        case["id"], announced.event_id, document["id"], "000002",
    )  # fmt: skip
    assert case_events(supervision, "report_due_soon") == []  # 22 hours left: no warning yet


async def supervision_knows(supervision: RunningService, meeting_id: str, people: int) -> bool:
    report = (await supervision.http.get(f"/api/v1/meetings/{meeting_id}/sync")).json()
    return bool(report.get("attendees") == people)


async def test_the_same_loss_delivered_twice_or_announced_again_is_one_case(
    start_service: StartService,
) -> None:
    documents = await start_service(documents_service, consumers=False)
    supervision = await start_service(supervision_service)
    meeting_id = str(uuid.uuid4())
    found = utcnow() - timedelta(hours=1)
    lose_copy(documents, meeting_id, discovered_at=found)
    first = await one_case(supervision, meeting_id)
    (announced,) = recorded(documents, "huiwu.documents.copy.missing.v1")

    # The very event again (as a re-publish after JetStream's duplicate window would deliver it),
    # then the same loss in a new event.
    headers = {**json.loads(announced.headers), "Nats-Msg-Id": f"{announced.event_id}-again"}
    await documents.runtime.bus.publish(announced.nats_subject, announced.payload.encode(), headers)
    lose_copy(documents, meeting_id, discovered_at=found)
    await eventually(
        lambda: (
            count_rows(supervision, InboxEntry, col(InboxEntry.consumer) == "supervision__documents") == 2
        ),
        what="supervision applied both announcements",
    )

    assert [case["id"] for case in await cases(supervision, meeting_id)] == [first["id"]]
    assert len(case_events(supervision, "opened")) == 1


async def test_a_request_past_its_due_time_is_followed_up_until_it_is_done(
    start_service: StartService,
) -> None:
    registration = await start_service(registration_service)
    supervision = await start_service(supervision_service)
    meeting_id = await new_meeting(registration)
    delegate = await register(registration, meeting_id, "王芳", organization="省财政厅")
    due = utcnow() + timedelta(seconds=1)
    late = await open_request(
        registration, meeting_id, "为代表预订返程车票", attendee_id=delegate.json()["id"], due_at=beijing(due)
    )
    await open_request(registration, meeting_id, "打印讲话稿", due_at=beijing(utcnow() + timedelta(days=1)))
    await open_request(registration, meeting_id, "准备会议纪要")  # no due time

    case = await one_case(supervision, meeting_id, kind="request_follow_up")

    assert (case["title"], case["state"]) == ("临时交办事项逾期未办结：为代表预订返程车票", "open")
    assert (case["report_due_at"], case["overdue"], case["lost_copy"]) == (None, False, None)
    request = case["request"]
    assert datetime.fromisoformat(request.pop("due_at")) == due
    assert request == {
        "request_id": late, "kind": "errand", "text": "为代表预订返程车票", "assigned_to": "会务组李四",
        "raised_by": {"attendee_id": delegate.json()["id"], "name": "王芳", "organization": "省财政厅"},
        "status": "open", "resolution": None,
    }  # fmt: skip
    assert await another_pass(supervision) == 0  # the others are not overdue
    assert follow_ups(supervision) == 1

    done = await registration.http.patch(
        f"/api/v1/meetings/{meeting_id}/requests/{late}",
        json={"status": "done", "resolution": "已订好返程车票"},
    )
    assert done.status_code == 200, done.text

    async def closed() -> dict[str, Any] | None:
        now = await case_of(supervision, meeting_id, case["id"])
        return now if now["state"] == "closed" else None

    settled = await eventually(closed, what="the follow-up closes")
    assert (settled["outcome"], settled["closed_by"]) == ("事项已办结：已订好返程车票", None)
    assert settled["request"]["status"] == "done"
    (announced,) = case_events(supervision, "closed")
    assert (announced["case_id"], announced["kind"], announced["closed_by"]) == (
        case["id"], "request_follow_up", None,
    )  # fmt: skip
    reported = await supervision.http.post(
        f"/api/v1/meetings/{meeting_id}/cases/{case['id']}/report", json=REPORT_IN
    )
    assert (reported.status_code, problem_of(reported)["type"]) == (409, "urn:huiwu:problem:no-report")


async def test_deadlines_that_pass_while_supervision_is_down_are_acted_on_once_after_it_restarts(
    start_service: StartService,
) -> None:
    registration = await start_service(registration_service)
    documents = await start_service(documents_service, consumers=False)
    meeting_id = await new_meeting(registration)
    due = utcnow() + timedelta(seconds=5)
    # The same nats-server and databases as the services start_service runs.
    async with running(supervision_service, registration.runtime.settings) as supervision:
        await open_request(registration, meeting_id, "联系医生为代表复诊", due_at=beijing(due))
        lose_copy(documents, meeting_id, discovered_at=due - timedelta(hours=24))
        await eventually(lambda: count_rows(supervision, FollowedRequest) == 1, what="the request is known")
        await eventually(
            lambda: case_events(supervision, "report_due_soon"), what="the report deadline warning"
        )
        assert (follow_ups(supervision), case_events(supervision, "report_overdue")) == (0, [])
    assert utcnow() < due, "supervision was meant to stop before the deadlines"

    await eventually(lambda: utcnow() > due, what="the deadlines pass")
    supervision = await start_service(supervision_service)

    follow_up = await one_case(supervision, meeting_id, kind="request_follow_up")
    await eventually(lambda: case_events(supervision, "report_overdue"), what="the overdue alert")
    assert await another_pass(supervision) == 0
    assert follow_ups(supervision) == 1
    opened = case_events(supervision, "opened")
    assert sorted(event["kind"] for event in opened) == ["missing_copy", "request_follow_up"]
    assert follow_up["id"] in {event["case_id"] for event in opened}
    assert len(case_events(supervision, "report_due_soon")) == 1  # not warned again
    assert len(case_events(supervision, "report_overdue")) == 1
    (lost,) = await cases(supervision, meeting_id, kind="missing_copy")
    assert lost["overdue"] is True


async def test_two_schedulers_on_one_database_act_once(
    start_service: StartService, caplog: pytest.LogCaptureFixture
) -> None:
    registration = await start_service(registration_service)
    documents = await start_service(documents_service, consumers=False)
    first = await start_service(supervision_service)
    second = await start_service(supervision_service)
    meeting_id = await new_meeting(registration)
    past = beijing(utcnow() - timedelta(minutes=5))
    requests = [
        await open_request(registration, meeting_id, f"第{n}项交办事项", due_at=past) for n in range(1, 21)
    ]
    for number in range(1, 11):
        lose_copy(
            documents, meeting_id, copy_no=f"{number:06d}", discovered_at=utcnow() - timedelta(hours=25)
        )

    await eventually(
        lambda: follow_ups(first) >= 20 and len(case_events(first, "report_overdue")) >= 10,
        what="every follow-up and alert",
    )
    for _ in range(3):  # and both sweep at once, more
        assert list(await asyncio.gather(another_pass(first), another_pass(second))) == [0, 0]

    opened = case_events(first, "opened")
    assert sorted(event["request_id"] for event in opened if event["request_id"]) == sorted(requests)
    assert len(opened) == 30
    assert len({event["case_id"] for event in case_events(first, "report_overdue")}) == 10
    assert len(case_events(first, "report_overdue")) == 10
    assert case_events(first, "report_due_soon") == []  # found past the deadline: the alert alone
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR and "sweep" in r.getMessage()]
    assert failures == []


async def test_a_report_is_validated_then_filed_once_and_the_case_closes(start_service: StartService) -> None:
    documents = await start_service(documents_service, consumers=False)
    supervision = await start_service(supervision_service)
    meeting_id = str(uuid.uuid4())
    found = utcnow() - timedelta(hours=25)
    lose_copy(documents, meeting_id, discovered_at=found)
    case = await one_case(supervision, meeting_id)
    url = f"/api/v1/meetings/{meeting_id}/cases/{case['id']}"
    assert case["overdue"] is True
    without_measures = {name: value for name, value in REPORT_IN.items() if name != "measures"}
    refused = [
        (without_measures, "measures", "missing"),
        ({**REPORT_IN, "responsible": "  "}, "responsible", "string_too_short"),
        ({**REPORT_IN, "reported_at": "2026-11-26T10:00:00"}, "reported_at", "timezone_aware"),
        (
            {**REPORT_IN, "reported_at": beijing(found - timedelta(hours=1))},
            "reported_at",
            "not_before_discovery",
        ),
        ({**REPORT_IN, "reported_at": beijing(utcnow() + timedelta(days=1))}, "reported_at", "not_in_future"),
        ({**REPORT_IN, "lost_at": beijing(found + timedelta(hours=1))}, "lost_at", "not_after_discovery"),
        ({**REPORT_IN, "verdict": "已泄密"}, "verdict", "extra_forbidden"),
    ]

    for body, field, rule in refused:
        response = await supervision.http.post(f"{url}/report", json=body)
        assert response.status_code == 422, (field, response.text)
        assert (field, rule) in [(error["field"], error["rule"]) for error in problem_of(response)["errors"]]
    early_close = await supervision.http.post(
        f"{url}/close", json={"outcome": "查无泄密", "closed_by": "秘书长"}
    )
    nobody = await supervision.http.post(
        f"/api/v1/meetings/{meeting_id}/cases/no-such-case/report", json=REPORT_IN
    )

    assert (early_close.status_code, problem_of(early_close)["type"]) == (
        409,
        "urn:huiwu:problem:illegal-transition",
    )
    assert (nobody.status_code, problem_of(nobody)["type"]) == (404, "urn:huiwu:problem:not-found")
    assert count_rows(supervision, LossReport) == 0
    assert (await case_of(supervision, meeting_id, case["id"]))["state"] == "open"
    assert (case_events(supervision, "reported"), case_events(supervision, "closed")) == ([], [])

    filed = await supervision.http.post(f"{url}/report", json={**REPORT_IN, "lost_at": beijing(found)})
    again = await supervision.http.post(f"{url}/report", json=REPORT_IN)

    assert filed.status_code == 200, filed.text
    reported = filed.json()
    assert (reported["state"], reported["overdue"]) == ("reported", False)
    report = reported["report"]
    assert report["reported_to"] == ["江南省国家保密局", "中央纪委国家监委办公厅"]
    assert (report["medium"], report["responsible"], report["late"]) == ("纸质文件", "丁一", True)
    assert datetime.fromisoformat(report["lost_at"]) == found
    assert (again.status_code, problem_of(again)["type"]) == (409, "urn:huiwu:problem:illegal-transition")
    (announced,) = case_events(supervision, "reported")
    assert (announced["case_id"], announced["reported_by"], announced["late"]) == (
        case["id"],
        "机要员张三",
        True,
    )

    closed = await supervision.http.post(
        f"{url}/close", json={"outcome": "经查未造成泄密", "closed_by": "秘书长"}
    )

    assert closed.status_code == 200, closed.text
    assert (closed.json()["state"], closed.json()["outcome"], closed.json()["closed_by"]) == (
        "closed", "经查未造成泄密", "秘书长",
    )  # fmt: skip
    assert [event["closed_by"] for event in case_events(supervision, "closed")] == ["秘书长"]


async def test_cases_are_listed_by_kind_state_and_overdue_page_by_page(start_service: StartService) -> None:
    documents = await start_service(documents_service, consumers=False)
    supervision = await start_service(supervision_service)
    meeting_id = str(uuid.uuid4())
    secret_title = "关于某专案的情况通报"
    lose_copy(documents, meeting_id, copy_no="000001", discovered_at=utcnow() - timedelta(hours=25))
    lose_copy(documents, meeting_id, copy_no="000002", discovered_at=utcnow() - timedelta(hours=1))
    lose_copy(
        documents, meeting_id, copy_no="000003", discovered_at=utcnow(), title=secret_title,
        classification=Classification.top_secret,
    )  # fmt: skip
    lose_copy(
        documents, meeting_id, copy_no="000004", discovered_at=utcnow(), classification=Classification.none
    )
    everything = await eventually(lambda: _all_four(supervision, meeting_id), what="four cases")

    def copies(found: list[dict[str, Any]]) -> list[str]:
        return sorted(case["title"][-9:-3] for case in found)  # …第000001份缺失

    assert copies(await cases(supervision, meeting_id, overdue="true")) == ["000001"]
    assert copies(await cases(supervision, meeting_id, overdue="false")) == ["000002", "000003", "000004"]
    assert len(await cases(supervision, meeting_id, state="open", kind="missing_copy")) == 4
    assert await cases(supervision, meeting_id, kind="request_follow_up") == []
    unclassified = next(case for case in everything if case["title"].endswith("第000004份缺失"))
    assert (unclassified["report_due_at"], unclassified["overdue"]) == (None, False)

    first = (await supervision.http.get(f"/api/v1/meetings/{meeting_id}/cases", params={"limit": 3})).json()
    rest = (
        await supervision.http.get(
            f"/api/v1/meetings/{meeting_id}/cases", params={"limit": 3, "cursor": first["next_cursor"]}
        )
    ).json()
    assert [case["id"] for case in first["items"] + rest["items"]] == [case["id"] for case in everything]
    assert (len(first["items"]), rest["next_cursor"]) == (3, None)
    bad_cursor = await supervision.http.get(
        f"/api/v1/meetings/{meeting_id}/cases", params={"cursor": "nonsense"}
    )
    bad_kind = await supervision.http.get(f"/api/v1/meetings/{meeting_id}/cases", params={"kind": "theft"})
    assert (bad_cursor.status_code, problem_of(bad_cursor)["type"]) == (
        400,
        "urn:huiwu:problem:invalid-cursor",
    )
    assert (bad_kind.status_code, problem_of(bad_kind)["errors"][0]["field"]) == (422, "kind")

    secret = next(case for case in everything if case["title"].endswith("第000003份缺失"))
    confidential = supervision.as_principal(Principal("督查员", frozenset({ADMIN}), Clearance.confidential))
    hidden = await case_of(supervision, meeting_id, secret["id"], confidential)
    shown = await case_of(supervision, meeting_id, secret["id"])  # the tests' caller: top secret
    assert (hidden["title"], hidden["lost_copy"]["document_title"]) == (
        "（绝密文件）第000003份缺失",
        "（绝密文件）",
    )
    assert (shown["title"], shown["lost_copy"]["document_title"]) == (
        f"《{secret_title}》第000003份缺失",
        secret_title,
    )


async def _all_four(supervision: RunningService, meeting_id: str) -> list[dict[str, Any]] | None:
    found = await cases(supervision, meeting_id, limit=10)
    return found if len(found) == 4 else None


def test_the_gateway_sends_cases_to_supervision() -> None:
    meeting = f"/api/v1/meetings/{uuid.uuid4()}"
    for path in (
        f"{meeting}/cases",
        f"{meeting}/cases/{uuid.uuid4()}",
        f"{meeting}/cases/{uuid.uuid4()}/report",
    ):
        assert resolve(path).service == "supervision"
