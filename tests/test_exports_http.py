"""The exports over HTTP: a roster in protocol order as XLSX and PDF (read back), and badge sheets
whose QR codes are the badges the door accepts."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from huiwu.testing.fixtures import RunningService, StartService
from services.registration.main import definition as registration
from tests.test_groups import person
from tests.test_registration_roster import MEETING, new_meeting

PEOPLE: list[tuple[str, dict[str, Any]]] = [
    ("周强", {"category": "observer"}),
    ("欧阳少东", {}),
    ("林静", {"rank": 1}),
    ("丁一", {}),
]


@pytest.fixture
async def service(start_service: StartService) -> RunningService:
    return await start_service(registration)


async def meeting_with_people(service: RunningService) -> str:
    meeting_id = await new_meeting(service)
    for name, fields in PEOPLE:
        await person(service, meeting_id, name, **fields)
    return meeting_id


async def test_the_roster_downloads_as_a_spreadsheet_in_protocol_order(service: RunningService) -> None:
    meeting_id = await meeting_with_people(service)

    response = await service.http.get(f"/api/v1/meetings/{meeting_id}/attendees/export.xlsx")

    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert (
        unquote(response.headers["content-disposition"].split("UTF-8''")[1]) == f"{MEETING['name']}名单.xlsx"
    )
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    names = [cell for cell in cells if cell in {name for name, _ in PEOPLE}]
    assert names == ["林静", "丁一", "欧阳少东", "周强"]
    assert "（按姓氏笔画为序）" in cells


async def test_the_roster_prints_as_a_pdf_with_its_chinese_text(service: RunningService) -> None:
    meeting_id = await meeting_with_people(service)

    response = await service.http.get(
        f"/api/v1/meetings/{meeting_id}/attendees/export.pdf", params={"order": "pinyin"}
    )

    assert response.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    positions = [text.index(name) for name in ("丁一", "林静", "欧阳少东", "周强")]
    assert positions == sorted(positions)  # members by pinyin, then the observer
    assert MEETING["name"] in text
    assert "（按姓氏笔画为序）" not in text  # the note belongs to stroke order only


async def test_badge_sheets_print_everyone_on_the_roster(service: RunningService) -> None:
    meeting_id = await meeting_with_people(service)
    leaving = await person(service, meeting_id, "孙丽")
    await service.http.post(
        f"/api/v1/meetings/{meeting_id}/attendees/{leaving}/withdraw", json={"reason": "调离"}
    )

    response = await service.http.get(f"/api/v1/meetings/{meeting_id}/attendees/badges.pdf")

    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert all(name in text for name, _ in PEOPLE)
    assert "孙丽" not in text
    assert "出席证" in text and "列席证" in text


async def test_exports_of_an_unknown_meeting_are_404(service: RunningService) -> None:
    for path in ("export.xlsx", "export.pdf", "badges.pdf"):
        response = await service.http.get(f"/api/v1/meetings/nope/attendees/{path}")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"


async def test_a_group_list_downloads_with_only_its_members(service: RunningService) -> None:
    meeting_id = await meeting_with_people(service)
    roster = (await service.http.get(f"/api/v1/meetings/{meeting_id}/attendees")).json()["items"]
    chosen = [person["id"] for person in roster if person["name"] in ("周强", "丁一")]
    group = (await service.http.post(f"/api/v1/meetings/{meeting_id}/groups", json={"name": "第二组"})).json()
    await service.http.post(
        f"/api/v1/meetings/{meeting_id}/groups/{group['id']}/members", json={"attendee_ids": chosen}
    )

    response = await service.http.get(
        f"/api/v1/meetings/{meeting_id}/attendees/export.xlsx", params={"group_id": group["id"]}
    )

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    cells = {str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell}
    assert {"周强", "丁一"} <= cells
    assert not {"林静", "欧阳少东"} & cells
