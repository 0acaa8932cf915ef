"""Lodging and dining: never more people than beds on a night, one bed a night per person, and a
substitute inherits the original's room and table."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from huiwu.testing.fixtures import RunningService, StartService
from services.registration.main import definition as registration
from tests.test_groups import person
from tests.test_registration_roster import new_meeting


@pytest.fixture
async def service(start_service: StartService) -> RunningService:
    return await start_service(registration)


async def test_a_twin_room_holds_two_a_night_and_nobody_sleeps_twice(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    first, second, third = [await person(service, meeting_id, name) for name in ("王一", "王二", "王三")]
    base = f"/api/v1/meetings/{meeting_id}/lodging/rooms"
    twin = (await service.http.post(base, json={"hotel": "江南宾馆", "number": "1203", "beds": 2})).json()
    single = (await service.http.post(base, json={"hotel": "江南宾馆", "number": "1205", "beds": 1})).json()
    nights = {"check_in_on": "2027-01-11", "check_out_on": "2027-01-14"}

    one = await service.http.post(f"{base}/{twin['id']}/occupants", json={"attendee_id": first, **nights})
    two = await service.http.post(f"{base}/{twin['id']}/occupants", json={"attendee_id": second, **nights})
    full = await service.http.post(f"{base}/{twin['id']}/occupants", json={"attendee_id": third, **nights})
    after = await service.http.post(
        f"{base}/{twin['id']}/occupants",
        json={"attendee_id": third, "check_in_on": "2027-01-14", "check_out_on": "2027-01-15"},
    )
    twice = await service.http.post(f"{base}/{single['id']}/occupants", json={"attendee_id": first, **nights})
    backwards = await service.http.post(
        f"{base}/{single['id']}/occupants",
        json={"attendee_id": third, "check_in_on": "2027-01-12", "check_out_on": "2027-01-12"},
    )
    again = await service.http.post(base, json={"hotel": "江南宾馆", "number": "1203", "beds": 2})

    assert (one.status_code, two.status_code) == (201, 201)
    assert full.status_code == 409 and full.json()["field"] == "room_id"
    assert after.status_code == 201  # the beds are free again from the 14th
    assert twice.status_code == 409 and twice.json()["field"] == "attendee_id"
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["rule"] == "after_check_in_on"
    assert again.status_code == 409
    rooms = (await service.http.get(base)).json()
    assert [occupant["name"] for occupant in rooms[0]["occupants"]] == ["王一", "王二", "王三"]


async def test_tables_fill_to_their_seats(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    people = [await person(service, meeting_id, name) for name in ("王一", "丁二", "李三")]
    base = f"/api/v1/meetings/{meeting_id}/dining/tables"
    table = (await service.http.post(base, json={"name": "1号桌", "seats": 2})).json()

    seated = [
        await service.http.post(f"{base}/{table['id']}/diners", json={"attendee_id": p}) for p in people
    ]

    assert [response.status_code for response in seated] == [201, 201, 409]
    assert (await service.http.get(base)).json()[0]["diners"] == ["丁二", "王一"]  # protocol order


async def test_a_substitute_takes_the_room_and_table_and_a_withdrawal_frees_them(
    service: RunningService,
) -> None:
    meeting_id = await new_meeting(service)
    original = await person(service, meeting_id, "周强")
    leaving = await person(service, meeting_id, "孙丽")
    base = f"/api/v1/meetings/{meeting_id}"
    room = (
        await service.http.post(
            f"{base}/lodging/rooms", json={"hotel": "江南宾馆", "number": "808", "beds": 2}
        )
    ).json()
    table = (await service.http.post(f"{base}/dining/tables", json={"name": "2号桌", "seats": 10})).json()
    for someone in (original, leaving):
        await service.http.post(
            f"{base}/lodging/rooms/{room['id']}/occupants",
            json={"attendee_id": someone, "check_in_on": "2027-01-11", "check_out_on": "2027-01-14"},
        )
        await service.http.post(f"{base}/dining/tables/{table['id']}/diners", json={"attendee_id": someone})

    await service.http.post(
        f"{base}/attendees/{original}/substitute",
        json={"name": "吴敏", "organization": "省纪委", "title": "委员"},
    )
    await service.http.post(f"{base}/attendees/{leaving}/withdraw", json={"reason": "调离"})

    rooms = (await service.http.get(f"{base}/lodging/rooms")).json()
    tables = (await service.http.get(f"{base}/dining/tables")).json()
    assert [occupant["name"] for occupant in rooms[0]["occupants"]] == ["吴敏"]
    assert tables[0]["diners"] == ["吴敏"]


async def test_the_hotel_gets_a_spreadsheet_of_who_stays_where(service: RunningService) -> None:
    meeting_id = await new_meeting(service)
    people = [await person(service, meeting_id, name) for name in ("王一", "王二")]
    base = f"/api/v1/meetings/{meeting_id}/lodging"
    room = (
        await service.http.post(f"{base}/rooms", json={"hotel": "江南宾馆", "number": "1203", "beds": 2})
    ).json()
    for someone in people:
        await service.http.post(
            f"{base}/rooms/{room['id']}/occupants",
            json={"attendee_id": someone, "check_in_on": "2027-01-11", "check_out_on": "2027-01-14"},
        )

    response = await service.http.get(f"{base}/export.xlsx")

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [tuple(cell for cell in row if cell is not None) for row in sheet.iter_rows(values_only=True)]
    assert rows[1] == ("序号", "酒店", "房号", "姓名", "单位", "入住日期", "退房日期", "同住人")
    assert rows[2][1:4] == ("江南宾馆", "1203", "王一") and rows[2][-1] == "王二"
    assert rows[3][3] == "王二" and rows[3][-1] == "王一"
