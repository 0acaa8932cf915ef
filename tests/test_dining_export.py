"""The kitchen's spreadsheet: every table with who sits there in protocol order, their
organization and what they may not eat."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from huiwu.testing.fixtures import RunningService, StartService
from services.registration.main import definition as registration
from tests.test_groups import person
from tests.test_registration_roster import MEETING, new_meeting


@pytest.fixture
async def service(start_service: StartService) -> RunningService:
    return await start_service(registration)


async def table(service: RunningService, meeting_id: str, name: str, seats: int, *diners: str) -> None:
    base = f"/api/v1/meetings/{meeting_id}/dining/tables"
    created = (await service.http.post(base, json={"name": name, "seats": seats})).json()
    for diner in diners:
        seated = await service.http.post(f"{base}/{created['id']}/diners", json={"attendee_id": diner})
        assert seated.status_code == 201, seated.text


def rows_of(content: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


async def test_the_kitchen_gets_each_table_in_protocol_order_with_diets(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    wang = await person(service, meeting_id, "王一", needs={"diet": "清真"})
    ding = await person(service, meeting_id, "丁二", organization="江州市纪委监委")
    leader = await person(service, meeting_id, "欧阳少东", rank=1, needs={"diet": "素食，不吃葱蒜"})
    li = await person(service, meeting_id, "李三", category="observer", needs={"medical": "高血压"})
    await table(service, meeting_id, "1号桌", 10, wang, ding, leader)
    await table(service, meeting_id, "2号桌", 8, li)
    await table(service, meeting_id, "3号桌", 8)  # nobody yet: no line

    response = await service.http.get(f"/api/v1/meetings/{meeting_id}/dining/export.xlsx")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert quote(f"{MEETING['name']}用餐安排.xlsx") in response.headers["content-disposition"]
    rows = rows_of(response.content)
    assert rows[0][0] == f"{MEETING['name']} 用餐安排"
    assert rows[1] == ("序号", "桌次", "座位数", "姓名", "单位", "饮食要求")
    assert rows[2:] == [
        (1, "1号桌", "10", "欧阳少东", "省纪委监委", "素食，不吃葱蒜"),  # ranked leader first
        (2, "1号桌", "10", "丁二", "江州市纪委监委", None),  # then by surname strokes: 丁 (2) before 王 (4)
        (3, "1号桌", "10", "王一", "省纪委监委", "清真"),
        (4, "2号桌", "8", "李三", "省纪委监委", None),  # a medical need is not the kitchen's
    ]


async def test_a_meeting_without_tables_exports_the_header_alone(service: RunningService) -> None:
    meeting_id = await new_meeting(service)

    response = await service.http.get(f"/api/v1/meetings/{meeting_id}/dining/export.xlsx")
    missing = await service.http.get("/api/v1/meetings/no-such-meeting/dining/export.xlsx")

    assert rows_of(response.content)[1:] == [("序号", "桌次", "座位数", "姓名", "单位", "饮食要求")]
    assert missing.status_code == 404
