"""The report to leaders (督查督办情况报告, RULES R4.8) on the supervision service in-process with a real
nats-server, on SQLite and PostgreSQL: on a known set of tasks, the exact sentence, the counts and
whole percentages that add up to 100 by state and by lead department, the overdue items of each
department, the lights and the cases; the same as a workbook and as a PDF with Chinese text."""

from __future__ import annotations

import asyncio
import io
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from openpyxl import load_workbook
from pypdf import PdfReader

from huiwu.db import utcnow
from huiwu.testing.fixtures import RunningService, StartService, eventually
from services.documents.main import definition as documents_service
from services.registration.main import definition as registration_service
from services.supervision.cases.models import FollowedRequest
from services.supervision.main import definition as supervision_service
from services.supervision.schedule.sweeps import SWEEPS
from services.supervision.schedule.worker import run_due
from tests.messaging import count_rows
from tests.supervision_desk import FEEDBACK, PATHS, SupervisionDesk
from tests.test_exports import fonts_of
from tests.test_registration_roster import MEETING, new_meeting
from tests.test_supervision_cases import beijing, lose_copy, open_request
from tests.test_supervision_tasks import assert_problem, set_deadline

TITLE = f"{MEETING['name']}督查督办情况报告"
OFFICE, PUBLICITY, ORGANIZATION = "省纪委办公厅", "省纪委宣传部", "省纪委组织部"
HEADLINE = "确定事项22件，已办结6件，占比27%；正在办理16件，占比73%"
LAGGING = f"逾期未办结3件，涉及2个单位：{OFFICE}2件、{ORGANIZATION}1件"
# Each department's tasks by the state they are brought to, in the order they are registered.
TASKS = {
    OFFICE: ["closed"] * 4 + ["in_progress"] * 2 + ["reported"] + ["assigned"] * 3,
    PUBLICITY: ["closed"] * 2 + ["in_progress"] * 5,
    ORGANIZATION: ["returned"] + ["registered"] * 4,
}


def report_url(meeting_id: str, suffix: str = "") -> str:
    return f"/api/v1/meetings/{meeting_id}/supervision/report{suffix}"


async def read(supervision: RunningService, meeting_id: str, suffix: str = "") -> Any:
    response = await supervision.http.get(report_url(meeting_id, suffix))
    assert response.status_code == 200, response.text
    return response.json() if not suffix else response


async def known_meeting(supervision: RunningService, registration: RunningService) -> str:
    """A meeting registration scheduled, once supervision knows its name."""
    meeting_id = await new_meeting(registration)

    async def titled() -> bool:
        response = await supervision.http.get(report_url(meeting_id))
        return response.status_code == 200 and response.json()["title"] == TITLE

    await eventually(titled, what="supervision knows the meeting's name")
    return meeting_id


async def led_by(
    desk: SupervisionDesk, meeting_id: str, department: str, state: str, content: str
) -> dict[str, Any]:
    """A task ``department`` leads alone, brought to ``state`` (its completion report in its name)."""
    task = await desk.task(meeting_id, lead_department=department, supporting_departments=[], content=content)
    for action in PATHS[state]:
        body = {**FEEDBACK, "department": department} if action == "feedback" else None
        response = await desk.act(meeting_id, task["id"], action, body)
        assert response.status_code == 200, response.text
    return task


async def the_tasks(desk: SupervisionDesk, meeting_id: str) -> dict[str, list[dict[str, Any]]]:
    """22 tasks, 6 closed; three overdue and one closed late, which is no longer overdue."""
    made: dict[str, list[dict[str, Any]]] = {}
    for department, states in TASKS.items():
        made[department] = [
            await led_by(desk, meeting_id, department, state, f"{department}第{number}项")
            for number, state in enumerate(states, start=1)
        ]
    now = utcnow()
    for task, hours in ((made[OFFICE][4], 50), (made[OFFICE][5], 1), (made[ORGANIZATION][0], 30)):
        set_deadline(desk.supervision, task["id"], now - timedelta(hours=hours))
    set_deadline(desk.supervision, made[OFFICE][0]["id"], now - timedelta(hours=10))  # closed late
    return made


async def the_cases(
    supervision: RunningService, registration: RunningService, documents: RunningService, meeting_id: str
) -> None:
    """Two missing copies (one past its report deadline) and a request followed up."""
    lose_copy(documents, meeting_id, copy_no="000001", discovered_at=utcnow() - timedelta(hours=25))
    lose_copy(documents, meeting_id, copy_no="000002", discovered_at=utcnow() - timedelta(hours=1))
    overdue = beijing(utcnow() - timedelta(minutes=5))
    await open_request(registration, meeting_id, "为代表预订返程车票", due_at=overdue)
    await eventually(lambda: count_rows(supervision, FollowedRequest) == 1, what="the request is known")
    await asyncio.to_thread(run_due, supervision.runtime.make_session, SWEEPS)  # opens its follow-up

    async def all_three() -> bool:
        cases: list[dict[str, int]] = (await read(supervision, meeting_id))["cases"]
        return sum(line["total"] for line in cases) == 3

    await eventually(all_three, what="three cases")


async def test_the_report_counts_and_shares_a_known_set_of_tasks(start_service: StartService) -> None:
    registration = await start_service(registration_service)
    documents = await start_service(documents_service, consumers=False)
    supervision = await start_service(supervision_service, workers=False)
    desk = SupervisionDesk(supervision)
    meeting_id = await known_meeting(supervision, registration)
    made = await the_tasks(desk, meeting_id)
    await the_cases(supervision, registration, documents, meeting_id)

    report = await read(supervision, meeting_id)

    assert (report["title"], report["total"], report["headline"], report["lagging"]) == (
        TITLE, 22, HEADLINE, LAGGING,
    )  # fmt: skip
    assert report["summary"] == f"{HEADLINE}。{LAGGING}。"
    assert (report["closed"], report["handling"]) == (
        {"count": 6, "percent": 27},
        {"count": 16, "percent": 73},
    )
    as_of = datetime.fromisoformat(report["as_of"]).astimezone(UTC) + timedelta(hours=8)
    assert report["as_of_text"] == f"截至{as_of.year}年{as_of.month}月{as_of.day}日{as_of:%H:%M}（北京时间）"
    by_state = [(line["state"], line["label"], line["count"], line["percent"]) for line in report["by_state"]]
    assert by_state == [
        ("registered", "已立项", 4, 18), ("assigned", "已交办", 3, 14), ("in_progress", "办理中", 7, 32),
        ("extension_pending", "延期审批中", 0, 0), ("reported", "已反馈（待审核）", 1, 5),
        ("returned", "退回重办", 1, 4), ("approved", "审核通过（待领导审阅）", 0, 0),
        ("closed", "办结（销号）", 6, 27),
    ]  # fmt: skip
    assert report["by_department"] == [
        {"department": OFFICE, "tasks": 10, "percent": 45, "closed": {"count": 4, "percent": 40},
         "handling": {"count": 6, "percent": 60}, "overdue": 2},
        {"department": PUBLICITY, "tasks": 7, "percent": 32, "closed": {"count": 2, "percent": 29},
         "handling": {"count": 5, "percent": 71}, "overdue": 0},
        {"department": ORGANIZATION, "tasks": 5, "percent": 23, "closed": {"count": 0, "percent": 0},
         "handling": {"count": 5, "percent": 100}, "overdue": 1},
    ]  # fmt: skip
    overdue = [
        (late["department"], item["task_id"], item["days_overdue"], item["state_label"])
        for late in report["overdue"]
        for item in late["items"]
    ]
    assert overdue == [
        (OFFICE, made[OFFICE][4]["id"], 3, "办理中"), (OFFICE, made[OFFICE][5]["id"], 1, "办理中"),
        (ORGANIZATION, made[ORGANIZATION][0]["id"], 2, "退回重办"),
    ]  # fmt: skip
    first = report["overdue"][0]["items"][0]
    assert (first["number"], first["content"], first["responsible_person"]) == (
        made[OFFICE][4]["number"], f"{OFFICE}第5项", "王芳",
    )  # fmt: skip
    lights = {line["colour"]: line["count"] for line in report["by_colour"]}
    assert lights == {"green": 13, "blue": 0, "yellow": 0, "red": 3}
    cases = [
        (line["kind"], line["label"], line["total"], line["open"], line["overdue"])
        for line in report["cases"]
    ]
    assert cases == [("missing_copy", "文件缺失", 2, 2, 1), ("request_follow_up", "代表事项跟踪", 1, 1, 0)]


async def test_the_report_as_a_workbook_and_as_a_pdf_in_chinese(start_service: StartService) -> None:
    registration = await start_service(registration_service)
    supervision = await start_service(supervision_service, workers=False)
    meeting_id = await known_meeting(supervision, registration)
    made = await the_tasks(SupervisionDesk(supervision), meeting_id)
    report = await read(supervision, meeting_id)

    workbook_response = await read(supervision, meeting_id, ".xlsx")
    pdf_response = await read(supervision, meeting_id, ".pdf")

    assert quote(f"{TITLE}.xlsx") in workbook_response.headers["content-disposition"]
    workbook = load_workbook(io.BytesIO(workbook_response.content))
    assert workbook.sheetnames == ["总体情况", "各牵头单位", "逾期事项", "督查案件"]
    overall = workbook["总体情况"]
    assert [overall[f"A{row}"].value for row in range(1, 6)] == [
        TITLE, report["as_of_text"], "一、总体情况", f"{HEADLINE}。{LAGGING}。",
        "正在办理的事项中，绿灯13件、蓝灯0件、黄灯0件、红灯3件。",
    ]  # fmt: skip
    states = list(overall.iter_rows(min_row=6, values_only=True))
    assert states[0] == ("办理状态", "件数", "占比")
    assert states[3] == ("办理中", 7, 0.32) and states[-1] == ("合计", 22, 1)
    assert overall["C9"].number_format == "0%"
    assert list(workbook["各牵头单位"].iter_rows(min_row=5, values_only=True)) == [
        (1, OFFICE, 10, 0.45, 4, 0.4, 6, 0.6, 2),
        (2, PUBLICITY, 7, 0.32, 2, 0.29, 5, 0.71, 0),
        (3, ORGANIZATION, 5, 0.23, 0, 0, 5, 1, 1),
    ]
    late = workbook["逾期事项"]
    assert late["A4"].value == f"{LAGGING}。"
    assert [row[:3] + row[4:] for row in late.iter_rows(min_row=6, values_only=True)] == [
        (OFFICE, made[OFFICE][4]["number"], f"{OFFICE}第5项", 3, "王芳"),
        (OFFICE, made[OFFICE][5]["number"], f"{OFFICE}第6项", 1, "王芳"),
        (ORGANIZATION, made[ORGANIZATION][0]["number"], f"{ORGANIZATION}第1项", 2, "王芳"),
    ]
    assert list(workbook["督查案件"].iter_rows(min_row=5, values_only=True)) == [
        ("文件缺失", 0, 0, 0, 0, 0),
        ("代表事项跟踪", 0, 0, 0, 0, 0),
    ]

    assert pdf_response.headers["content-type"] == "application/pdf"
    assert quote(f"{TITLE}.pdf") in pdf_response.headers["content-disposition"]
    pages = PdfReader(io.BytesIO(pdf_response.content)).pages
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in pages))
    for expected in (
        TITLE, report["as_of_text"], f"{HEADLINE}。{LAGGING}。", "一、总体情况", "二、各牵头单位办理情况",
        "三、逾期未办结事项", "四、督查案件", f"{OFFICE}1045%440%660%2", made[ORGANIZATION][0]["number"],
        "第1页/共",
    ):  # fmt: skip
        assert expected in text, expected
    names = {re.sub(r"^/[A-Z]{6}\+", "", str(font["/BaseFont"])) for font in fonts_of(pdf_response.content)}
    assert names == {"NotoSansSC", "NotoSerifSC"}  # the CJK fonts embedded


async def test_percentages_add_up_to_100_by_the_largest_remainder(start_service: StartService) -> None:
    supervision = await start_service(supervision_service, workers=False)
    desk = SupervisionDesk(supervision)
    meeting_id = desk.meeting()
    for department, state in ((OFFICE, "closed"), (PUBLICITY, "in_progress"), (ORGANIZATION, "assigned")):
        await led_by(desk, meeting_id, department, state, f"{department}的事项")

    report = await read(supervision, meeting_id)

    # 1/3 and 2/3: 33.3% and 66.7% round to 33% and 67%; three thirds: the first gets the point over.
    assert report["headline"] == "确定事项3件，已办结1件，占比33%；正在办理2件，占比67%"
    assert [line["percent"] for line in report["by_department"]] == [34, 33, 33]
    assert (report["lagging"], report["overdue"]) == ("无逾期未办结事项", [])
    assert report["title"] == "督查督办情况报告"  # supervision has not heard the meeting's name


async def test_a_meeting_supervision_does_not_know_has_no_report(start_service: StartService) -> None:
    registration = await start_service(registration_service)
    supervision = await start_service(supervision_service, workers=False)
    unknown = str(uuid.uuid4())

    refused = [await supervision.http.get(report_url(unknown, suffix)) for suffix in ("", ".xlsx", ".pdf")]
    meeting_id = await known_meeting(supervision, registration)
    empty = await read(supervision, meeting_id)

    for response in refused:
        assert assert_problem(response, 404, "not-found")["field"] == "meeting_id"
    assert (empty["headline"], empty["summary"], empty["total"]) == (
        "尚无确定事项", "尚无确定事项。无逾期未办结事项。", 0,
    )  # fmt: skip
    assert {line["percent"] for line in empty["by_state"]} == {0}
