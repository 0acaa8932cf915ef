"""Bulk import of a roster (CSV and XLSX, Chinese headers): a dry run reports problems by row;
a real import is all-or-nothing and emits one event per attendee."""

from __future__ import annotations

import io
from collections.abc import Callable

import httpx
import pytest
from openpyxl import Workbook
from sqlmodel import col

from huiwu.outbox import OutboxEvent
from huiwu.testing.fixtures import RunningService, StartService
from services.registration.attendees.models import Attendee
from services.registration.main import definition as registration
from tests.messaging import count_rows
from tests.test_registration_roster import id_number, names, new_meeting

HEADER = ["姓名", "性别", "单位", "职务", "类别", "排序", "代表团", "身份证号", "饮食要求", "籍贯"]
GOOD = [
    ["王芳", "女", "江州市纪委监委", "书记", "出席", "", "江州市", id_number(serial="101"), "清真", "江南"],
    ["欧阳少东", "男", "省纪委监委", "副书记", "出席", "2", "省直机关", "", "", ""],
    ["周强", "男", "临海市纪委监委", "副书记", "列席", "", "临海市", id_number(serial="102"), "", ""],
]


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    return "\n".join(",".join(row) for row in [HEADER, *rows]).encode(encoding)


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in [HEADER, *rows]:
        sheet.append([int(cell) if cell.isdigit() and len(cell) < 5 else cell for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
async def service(start_service: StartService) -> RunningService:
    return await start_service(registration)


async def upload(
    service: RunningService, meeting_id: str, content: bytes, *, dry_run: bool = False
) -> httpx.Response:
    return await service.http.post(
        f"/api/v1/meetings/{meeting_id}/attendees/import",
        params={"dry_run": str(dry_run).lower()},
        content=content,
        headers={"Content-Type": "text/csv"},
    )


def registered_events(service: RunningService) -> int:
    event_type = "huiwu.registration.attendee.registered.v1"
    return count_rows(service, OutboxEvent, col(OutboxEvent.event_type) == event_type)


@pytest.mark.parametrize("make", [csv_bytes, xlsx_bytes, lambda rows: csv_bytes(rows, "gb18030")])
async def test_a_clean_file_imports_everyone_with_chinese_headers(
    service: RunningService, make: Callable[[list[list[str]]], bytes]
) -> None:
    meeting_id = await new_meeting(service)

    response = await upload(service, meeting_id, make(GOOD))

    report = response.json()
    assert response.status_code == 201, report
    assert (report["rows"], report["imported"], report["problems"]) == (3, 3, [])
    assert report["ignored_columns"] == ["籍贯"]
    assert await names(service, meeting_id, order="protocol") == ["欧阳少东", "王芳", "周强"]
    roster = (await service.http.get(f"/api/v1/meetings/{meeting_id}/attendees")).json()["items"]
    wang = next(person for person in roster if person["name"] == "王芳")
    assert (wang["gender"], wang["category"], wang["needs"]["diet"]) == ("female", "member", "清真")
    assert registered_events(service) == 3


async def test_a_dry_run_reports_each_bad_row_and_writes_nothing(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    bad = [
        *GOOD,
        ["", "男", "省纪委", "委员", "出席", "", "", "", "", ""],  # row 5: no name
        ["李一鸣", "男", "省纪委", "委员", "贵宾", "", "", "", "", ""],  # row 6: unknown category
        ["林静", "女", "省纪委", "委员", "出席", "", "", "330102197001011234", "", ""],  # row 7: check digit
        ["孙丽", "女", "省纪委", "委员", "出席", "", "", GOOD[0][7], "", ""],  # row 8: same ID as row 2
    ]

    dry = await upload(service, meeting_id, csv_bytes(bad), dry_run=True)
    real = await upload(service, meeting_id, csv_bytes(bad))

    report = dry.json()
    assert dry.status_code == 200
    assert [(p["row"], p["field"], p["rule"]) for p in report["problems"]] == [
        (5, "name", "missing"),
        (6, "category", "enum"),
        (7, "id_number", "id_number_check_digit"),
        (8, "id_number", "duplicate_in_file"),
    ]
    assert (report["rows"], report["valid"], report["imported"]) == (7, 3, 0)
    assert real.status_code == 422
    assert real.json()["type"] == "urn:huiwu:problem:import-refused"
    assert len(real.json()["problems"]) == 4
    assert count_rows(service, Attendee) == 0
    assert registered_events(service) == 0


async def test_people_already_on_the_roster_are_reported(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    assert (await upload(service, meeting_id, csv_bytes(GOOD[:1]))).status_code == 201

    again = await upload(service, meeting_id, csv_bytes(GOOD))

    assert again.status_code == 422
    assert [(p["row"], p["rule"]) for p in again.json()["problems"]] == [(2, "already_registered")]
    assert count_rows(service, Attendee) == 1


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (b"", "empty_file"),
        ("姓名,单位\n王芳,省纪委\n".encode(), "missing_columns"),
        (b"PK\x03\x04broken", "unreadable_xlsx"),
    ],
)
async def test_a_file_that_is_not_a_roster_is_refused(
    service: RunningService, content: bytes, rule: str
) -> None:
    meeting_id = await new_meeting(service)

    response = await upload(service, meeting_id, content)

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "file", "in": "body", "rule": rule, "message": response.json()["errors"][0]["message"]}
    ]


async def test_two_thousand_rows_import_as_one(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    rows = [
        [f"代表{n:04d}", "男", "江州市纪委监委", "委员", "列席", "", "江州市", "", "", ""]
        for n in range(2000)
    ]

    response = await upload(service, meeting_id, xlsx_bytes(rows))

    assert response.json()["imported"] == 2000
    assert registered_events(service) == 2000
    assert await names(service, meeting_id) == [f"代表{n:04d}" for n in range(2000)][:500]  # first page
