from __future__ import annotations

from fastapi import APIRouter, Response

from huiwu.downloads import XLSX, documented, download
from huiwu.service import SessionDep
from huiwu.spreadsheets import table_xlsx
from services.registration.exports.xlsx import LAYOUT
from services.registration.lodging import service
from services.registration.lodging.models import (
    RoomCreate,
    RoomPublic,
    Seating,
    StayCreate,
    TableCreate,
    TablePublic,
)

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}", tags=["lodging"])


@router.post("/lodging/rooms", status_code=201, response_model=RoomPublic)
def add_room(meeting_id: str, room_in: RoomCreate, session: SessionDep) -> RoomPublic:
    return service.room_public(
        session, service.add_room(session=session, meeting_id=meeting_id, room_in=room_in)
    )


@router.get("/lodging/rooms", response_model=list[RoomPublic])
def list_rooms(meeting_id: str, session: SessionDep) -> list[RoomPublic]:
    """Every room with who sleeps there on which nights (for the hotel)."""
    return service.rooms(session=session, meeting_id=meeting_id)


@router.post("/lodging/rooms/{room_id}/occupants", status_code=201, response_model=RoomPublic)
def lodge(meeting_id: str, room_id: str, stay_in: StayCreate, session: SessionDep) -> RoomPublic:
    """Give someone a bed from ``check_in_on`` to ``check_out_on`` (never more people than beds)."""
    room = service.lodge(session=session, meeting_id=meeting_id, room_id=room_id, stay_in=stay_in)
    return service.room_public(session, room)


@router.delete("/lodging/rooms/{room_id}/occupants/{attendee_id}", response_model=RoomPublic)
def check_out(meeting_id: str, room_id: str, attendee_id: str, session: SessionDep) -> RoomPublic:
    room = service.check_out(session=session, meeting_id=meeting_id, room_id=room_id, attendee_id=attendee_id)
    return service.room_public(session, room)


@router.get("/lodging/export.xlsx", response_class=Response, responses=documented(XLSX))
def export_lodging(meeting_id: str, session: SessionDep) -> Response:
    """Who stays where and when, with roommates, as a spreadsheet for the hotel."""
    meeting_name, lines = service.hotel_list(session=session, meeting_id=meeting_id)
    content = table_xlsx(f"{meeting_name} 住宿安排", None, service.LODGING_COLUMNS, lines, "住宿", LAYOUT)
    return download(content, XLSX, f"{meeting_name}住宿安排.xlsx")


@router.post("/dining/tables", status_code=201, response_model=TablePublic)
def add_table(meeting_id: str, table_in: TableCreate, session: SessionDep) -> TablePublic:
    table = service.add_table(session=session, meeting_id=meeting_id, table_in=table_in)
    return TablePublic(id=table.id, name=table.name, seats=table.seats, diners=[])


@router.get("/dining/tables", response_model=list[TablePublic])
def list_tables(meeting_id: str, session: SessionDep) -> list[TablePublic]:
    return service.tables(session=session, meeting_id=meeting_id)


@router.post("/dining/tables/{table_id}/diners", status_code=201, response_model=list[TablePublic])
def seat_diner(meeting_id: str, table_id: str, seating: Seating, session: SessionDep) -> list[TablePublic]:
    service.seat(session=session, meeting_id=meeting_id, table_id=table_id, attendee_id=seating.attendee_id)
    return service.tables(session=session, meeting_id=meeting_id)


@router.get("/dining/export.xlsx", response_class=Response, responses=documented(XLSX))
def export_dining(meeting_id: str, session: SessionDep) -> Response:
    """Who sits at which table, in protocol order, with dietary needs, as a spreadsheet for the
    hotel's kitchen."""
    meeting_name, lines = service.kitchen_list(session=session, meeting_id=meeting_id)
    content = table_xlsx(f"{meeting_name} 用餐安排", None, service.DINING_COLUMNS, lines, "用餐", LAYOUT)
    return download(content, XLSX, f"{meeting_name}用餐安排.xlsx")
