"""Lodging and dining (食宿, BRIEF §1.4): rooms and who sleeps where on which nights, dining
tables and who sits at them. A room never holds more people on a night than it has beds, and a
person has one bed a night; a substitute takes over the original's room and table."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, delete, func, select, update
from sqlmodel import Session, col

from huiwu.errors import Conflict, NotFound
from services.registration.attendees import service as attendees
from services.registration.attendees.models import Attendee
from services.registration.attendees.order import RosterOrder, roster_key
from services.registration.lodging.models import (
    Diner,
    DiningTable,
    HotelRoom,
    Occupant,
    RoomCreate,
    RoomPublic,
    Stay,
    StayCreate,
    TableCreate,
    TablePublic,
)
from services.registration.meetings import service as meetings
from services.registration.meetings.models import Meeting
from services.registration.notices import service as notices


class Taken(Conflict):
    code = "taken"
    title = "Already taken"


def add_room(*, session: Session, meeting_id: str, room_in: RoomCreate) -> HotelRoom:
    meetings.get_or_raise(session=session, meeting_id=meeting_id)
    if session.scalars(
        select(HotelRoom).where(
            col(HotelRoom.meeting_id) == meeting_id,
            col(HotelRoom.hotel) == room_in.hotel,
            col(HotelRoom.number) == room_in.number,
        )
    ).first():
        raise Taken(f"{room_in.hotel} {room_in.number} is already on the list", field="number")
    room = HotelRoom(meeting_id=meeting_id, **room_in.model_dump())
    session.add(room)
    return room


def lodge(*, session: Session, meeting_id: str, room_id: str, stay_in: StayCreate) -> HotelRoom:
    room = _room(session, meeting_id, room_id)
    person = _on_roster(session, meeting_id, stay_in.attendee_id)
    nights = (stay_in.check_in_on, stay_in.check_out_on)
    if session.scalars(_overlapping(nights).where(col(Stay.attendee_id) == person.id)).first():
        raise Taken(f"{person.name} already has a room on some of these nights", field="attendee_id")
    fullest = max(_beds_taken(session, room.id, night) for night in _each_night(*nights))
    if fullest >= room.beds:
        raise Taken(f"{room.hotel} {room.number} has no free bed on some of these nights", field="room_id")
    session.add(
        Stay(
            meeting_id=meeting_id,
            room_id=room.id,
            attendee_id=person.id,
            check_in_on=stay_in.check_in_on,
            check_out_on=stay_in.check_out_on,
        )
    )
    first, last = stay_in.check_in_on, stay_in.check_out_on
    nights_text = f"{first.month}月{first.day}日至{last.month}月{last.day}日"
    notices.notify(
        session,
        person,
        "lodging",
        f"{person.name}同志：您入住{room.hotel}{room.number}房间，{nights_text}。",
        after={
            "hotel": room.hotel,
            "room": room.number,
            "check_in_on": stay_in.check_in_on.isoformat(),
            "check_out_on": stay_in.check_out_on.isoformat(),
        },
    )
    return room


def check_out(*, session: Session, meeting_id: str, room_id: str, attendee_id: str) -> HotelRoom:
    room = _room(session, meeting_id, room_id)
    removed = session.execute(
        delete(Stay).where(col(Stay.room_id) == room.id, col(Stay.attendee_id) == attendee_id)
    )
    if not removed.rowcount:  # type: ignore[attr-defined]
        raise NotFound(f"{attendee_id} does not stay in this room", field="attendee_id")
    return room


def rooms(*, session: Session, meeting_id: str) -> list[RoomPublic]:
    meetings.get_or_raise(session=session, meeting_id=meeting_id)
    listed = session.scalars(
        select(HotelRoom)
        .where(col(HotelRoom.meeting_id) == meeting_id)
        .order_by(col(HotelRoom.hotel), col(HotelRoom.number))
    )
    return [room_public(session, room) for room in listed]


def room_public(session: Session, room: HotelRoom) -> RoomPublic:
    stays = session.execute(
        select(Stay, Attendee)
        .join(Attendee, col(Attendee.id) == col(Stay.attendee_id))
        .where(col(Stay.room_id) == room.id)
        .order_by(col(Stay.check_in_on))
    ).all()
    occupants = [
        Occupant(
            attendee_id=person.id,
            name=person.name,
            check_in_on=stay.check_in_on,
            check_out_on=stay.check_out_on,
        )
        for stay, person in stays
    ]
    return RoomPublic(id=room.id, hotel=room.hotel, number=room.number, beds=room.beds, occupants=occupants)


def add_table(*, session: Session, meeting_id: str, table_in: TableCreate) -> DiningTable:
    meetings.get_or_raise(session=session, meeting_id=meeting_id)
    if session.scalars(
        select(DiningTable).where(
            col(DiningTable.meeting_id) == meeting_id, col(DiningTable.name) == table_in.name
        )
    ).first():
        raise Taken(f"there is already a table called {table_in.name}", field="name")
    table = DiningTable(meeting_id=meeting_id, **table_in.model_dump())
    session.add(table)
    return table


def seat(*, session: Session, meeting_id: str, table_id: str, attendee_id: str) -> DiningTable:
    table = session.get(DiningTable, table_id)
    if table is None or table.meeting_id != meeting_id:
        raise NotFound(f"table {table_id} is not one of this meeting's", field="table_id")
    person = _on_roster(session, meeting_id, attendee_id)
    if session.scalars(
        select(Diner).where(col(Diner.meeting_id) == meeting_id, col(Diner.attendee_id) == person.id)
    ).first():
        raise Taken(f"{person.name} already has a table", field="attendee_id")
    if (session.scalar(select(func.count()).where(col(Diner.table_id) == table.id)) or 0) >= table.seats:
        raise Taken(f"{table.name} is full", field="table_id")
    session.add(Diner(meeting_id=meeting_id, table_id=table.id, attendee_id=person.id))
    return table


def tables(*, session: Session, meeting_id: str) -> list[TablePublic]:
    meeting = meetings.get_or_raise(session=session, meeting_id=meeting_id)
    return [
        TablePublic(id=table.id, name=table.name, seats=table.seats, diners=[p.name for p in people])
        for table, people in seated(session, meeting)
    ]


def seated(session: Session, meeting: Meeting) -> list[tuple[DiningTable, list[Attendee]]]:
    """Each table in the order it was set, with who sits there in protocol order."""
    listed = session.scalars(
        select(DiningTable)
        .where(col(DiningTable.meeting_id) == meeting.id)
        .order_by(col(DiningTable.created_at))
    )
    result = []
    for table in listed:
        people = list(
            session.scalars(
                select(Attendee)
                .join(Diner, col(Diner.attendee_id) == col(Attendee.id))
                .where(col(Diner.table_id) == table.id)
            )
        )
        people.sort(key=lambda p: roster_key(p, RosterOrder.protocol, meeting.name_order))
        result.append((table, people))
    return result


def hand_over(session: Session, original: Attendee, replacement: Attendee) -> None:
    """The substitute sleeps and eats where the original would have."""
    for model in (Stay, Diner):
        session.execute(
            update(model).where(col(model.attendee_id) == original.id).values(attendee_id=replacement.id)
        )


def release(session: Session, attendee: Attendee) -> None:
    """Someone who withdrew frees their bed and seat."""
    for model in (Stay, Diner):
        session.execute(delete(model).where(col(model.attendee_id) == attendee.id))


def _room(session: Session, meeting_id: str, room_id: str) -> HotelRoom:
    room = session.get(HotelRoom, room_id)
    if room is None or room.meeting_id != meeting_id:
        raise NotFound(f"room {room_id} is not one of this meeting's", field="room_id")
    return room


def _on_roster(session: Session, meeting_id: str, attendee_id: str) -> Attendee:
    return attendees.on_roster(session, meeting_id, attendee_id)


def _overlapping(nights: tuple[date, date]) -> Select[Stay]:
    first, last = nights
    return select(Stay).where(col(Stay.check_in_on) < last, col(Stay.check_out_on) > first)


def _beds_taken(session: Session, room_id: str, night: date) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                col(Stay.room_id) == room_id, col(Stay.check_in_on) <= night, col(Stay.check_out_on) > night
            )
        )
        or 0
    )


def _each_night(first: date, last: date) -> list[date]:
    return [date.fromordinal(day) for day in range(first.toordinal(), last.toordinal())]


LODGING_COLUMNS = ("序号", "酒店", "房号", "姓名", "单位", "入住日期", "退房日期", "同住人")


def hotel_list(*, session: Session, meeting_id: str) -> tuple[str, list[tuple[str, ...]]]:
    """The meeting's name and one line per stay, by hotel and room, with the roommates: for the hotel."""
    meeting = meetings.get_or_raise(session=session, meeting_id=meeting_id)
    stays = session.execute(
        select(Stay, HotelRoom, Attendee)
        .join(HotelRoom, col(HotelRoom.id) == col(Stay.room_id))
        .join(Attendee, col(Attendee.id) == col(Stay.attendee_id))
        .where(col(Stay.meeting_id) == meeting_id)
        .order_by(col(HotelRoom.hotel), col(HotelRoom.number), col(Stay.check_in_on))
    ).all()
    names_in: dict[str, list[str]] = {}
    for _, room, person in stays:
        names_in.setdefault(room.id, []).append(person.name)
    lines: list[tuple[str, ...]] = [
        (
            str(number),
            room.hotel,
            room.number,
            person.name,
            person.organization,
            stay.check_in_on.isoformat(),
            stay.check_out_on.isoformat(),
            "、".join(n for n in names_in[room.id] if n != person.name),
        )
        for number, (stay, room, person) in enumerate(stays, start=1)
    ]
    return meeting.name, lines


DINING_COLUMNS = ("序号", "桌次", "座位数", "姓名", "单位", "饮食要求")


def kitchen_list(*, session: Session, meeting_id: str) -> tuple[str, list[tuple[str, ...]]]:
    """The meeting's name and one line per diner, table by table in protocol order, with what
    they may not eat: for the hotel's kitchen. A table nobody sits at yet has no line."""
    meeting = meetings.get_or_raise(session=session, meeting_id=meeting_id)
    diners = [(table, person) for table, people in seated(session, meeting) for person in people]
    lines: list[tuple[str, ...]] = [
        (
            str(number),
            table.name,
            str(table.seats),
            person.name,
            person.organization,
            (person.needs or {}).get("diet", ""),
        )
        for number, (table, person) in enumerate(diners, start=1)
    ]
    return meeting.name, lines
