"""The stored plan as the API shows it: every seat in both viewpoints, names, microphones."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from huiwu.db import utcnow
from huiwu.errors import NotFound
from huiwu.events.catalog import SeatArea, SessionStatus
from services.venue.agenda import service as agenda_service
from services.venue.agenda.models import AgendaSession
from services.venue.attendees import service as attendees
from services.venue.attendees.models import SeatedPerson
from services.venue.namecards.pdf import NameCard
from services.venue.protocol.models import KnownMeeting
from services.venue.seating import microphones
from services.venue.seating.labels import seat_label
from services.venue.seating.models import (
    AttendeeSeat,
    HallShape,
    MicrophoneUse,
    SeatAssignment,
    SeatingPlanPublic,
    SeatPublic,
)
from services.venue.venues.models import LecternPosition, Room


def plan_of(session: Session, agenda: AgendaSession) -> SeatingPlanPublic:
    room = session.get(Room, agenda.room_id)
    assert room is not None
    taken = list(session.scalars(select(SeatAssignment).where(col(SeatAssignment.session_id) == agenda.id)))
    people = _people(session, [row.attendee_id for row in taken])
    podium = sorted(
        (row for row in taken if row.area == SeatArea.podium), key=lambda row: (row.row, row.column)
    )
    seats = [_seat(row, people, _podium_width(podium, row.row)) for row in podium]
    seats.extend(_hall_seats(room, taken, people))
    mics, shortage = _microphones(agenda, room, podium, taken, people)
    hall = room.hall()
    return SeatingPlanPublic(
        meeting_id=agenda.meeting_id,
        session_id=agenda.id,
        session_title=agenda.title,
        starts_at=agenda.starts_at,
        ends_at=agenda.ends_at,
        room_id=room.id,
        room_name=room.full_name,
        plan_version=agenda.plan_version,
        planned_at=utcnow(),
        podium_rows=[_podium_width(podium, row) for row in sorted({row.row for row in podium})],
        hall=None
        if hall is None
        else HallShape(
            rows=hall.rows,
            seats_per_row=hall.seats_per_row,
            aisles_after=hall.aisles_after,
            unusable=sorted((seat.row, seat.column) for seat in hall.unusable),
        ),
        lectern=room.lectern,
        seats=seats,
        microphones=mics,
        microphone_shortage=shortage,
        problems=agenda.plan_problems,
    )


def _people(session: Session, ids: list[str]) -> dict[str, SeatedPerson]:
    if not ids:
        return {}
    return {
        person.id: person
        for person in session.scalars(select(SeatedPerson).where(col(SeatedPerson.id).in_(ids)))
    }


def _podium_width(podium: list[SeatAssignment], row: int) -> int:
    return sum(1 for seat in podium if seat.row == row)


def _seat(row: SeatAssignment, people: dict[str, SeatedPerson], width: int) -> SeatPublic:
    person = people.get(row.attendee_id)
    area = SeatArea(row.area)
    return SeatPublic(
        area=area,
        row=row.row,
        column=row.column,
        podium_view_column=width + 1 - row.column,
        label=seat_label(area, row.row, row.column),
        attendee_id=row.attendee_id,
        name=person.name if person else None,
        delegation=person.delegation if person else None,
        precedence=row.precedence,
        offset=row.offset,
        pinned=row.pinned,
    )


def _hall_seats(room: Room, taken: list[SeatAssignment], people: dict[str, SeatedPerson]) -> list[SeatPublic]:
    """Every usable seat of the hall, empty ones too, front row first."""
    hall = room.hall()
    if hall is None:
        return []
    unusable = {(seat.row, seat.column) for seat in hall.unusable}
    occupied = {(row.row, row.column): row for row in taken if row.area == SeatArea.hall}
    seats = []
    for row in range(1, hall.rows + 1):
        for column in range(1, hall.seats_per_row + 1):
            if (row, column) in unusable:
                continue
            if (row, column) in occupied:
                seats.append(_seat(occupied[row, column], people, hall.seats_per_row))
                continue
            label = seat_label(SeatArea.hall, row, column)
            seats.append(
                SeatPublic(
                    area=SeatArea.hall,
                    row=row,
                    column=column,
                    podium_view_column=hall.seats_per_row + 1 - column,
                    label=label,
                )
            )
    return seats


def _microphones(
    agenda: AgendaSession,
    room: Room,
    podium: list[SeatAssignment],
    taken: list[SeatAssignment],
    people: dict[str, SeatedPerson],
) -> tuple[list[MicrophoneUse], int]:
    on_podium = [row.attendee_id for row in sorted(podium, key=lambda row: row.precedence or 0)]
    seated = {row.attendee_id: row for row in taken}
    in_hall = [person for person in agenda.speaker_ids if person not in on_podium and person in seated]
    wanted = microphones.wants(on_podium, room.lectern != LecternPosition.none, in_hall)
    handed, shortage = microphones.allocate(wanted, room.microphone_stock())
    uses = []
    for allocation in handed:
        person = allocation.want.attendee_id
        seat = seated.get(person) if person else None
        uses.append(
            MicrophoneUse(
                number=allocation.number,
                kind=allocation.kind,
                at=allocation.want.at,
                attendee_id=person,
                name=people[person].name if person in people else None,
                seat=seat_label(SeatArea(seat.area), seat.row, seat.column) if seat else None,
            )
        )
    return uses, shortage


def seat_of(session: Session, attendee_id: str, agenda: AgendaSession) -> AttendeeSeat:
    """Where the person sits at ``agenda``; no seat but expected means the hall is free seating."""
    room = session.get(Room, agenda.room_id)
    assert room is not None
    row = session.get(SeatAssignment, (agenda.id, attendee_id))
    seat = None
    if row is not None:
        area_seats = select(SeatAssignment).where(
            col(SeatAssignment.session_id) == agenda.id,
            col(SeatAssignment.area) == SeatArea.podium,
            col(SeatAssignment.row) == row.row,
        )
        hall = room.hall()
        width = (
            len(list(session.scalars(area_seats)))
            if row.area == SeatArea.podium
            else hall.seats_per_row
            if hall
            else 0
        )
        seat = _seat(row, _people(session, [attendee_id]), width)
    elif room.hall() is not None or not _expected(session, agenda, attendee_id):
        raise NotFound(f"attendee {attendee_id} has no seat at 《{agenda.title}》", field="attendee_id")
    return AttendeeSeat(
        session_id=agenda.id,
        session_title=agenda.title,
        starts_at=agenda.starts_at,
        room_name=room.full_name,
        seat=seat,
    )


def seats_of(session: Session, meeting_id: str, attendee_id: str) -> list[AttendeeSeat]:
    """The person's place at every session not cancelled that seats or expects them, in time
    order; ``seat`` is None where they are expected but hold no seat (free seating, or not
    planned yet)."""
    places = []
    for agenda in agenda_service.agenda_of(session, meeting_id):
        if agenda.status == SessionStatus.cancelled:
            continue
        if session.get(SeatAssignment, (agenda.id, attendee_id)) is not None:
            places.append(seat_of(session, attendee_id, agenda))
        elif _expected(session, agenda, attendee_id):
            places.append(_unseated(session, agenda))
    return places


def _unseated(session: Session, agenda: AgendaSession) -> AttendeeSeat:
    room = session.get(Room, agenda.room_id)
    assert room is not None
    return AttendeeSeat(
        session_id=agenda.id,
        session_title=agenda.title,
        starts_at=agenda.starts_at,
        room_name=room.full_name,
        seat=None,
    )


def _expected(session: Session, agenda: AgendaSession, attendee_id: str) -> bool:
    people = attendees.expected_at(session, agenda.meeting_id, agenda.id, agenda.expected_spec())
    return any(person.id == attendee_id for person in people)


def name_cards(session: Session, agenda: AgendaSession, *, hall: bool, since_version: int) -> list[NameCard]:
    """席位卡 for the podium (and the hall's tables when asked), 1号 first, then row by row; with
    ``since_version`` only the seats whose occupant changed after that plan version (reprints)."""
    query = select(SeatAssignment).where(
        col(SeatAssignment.session_id) == agenda.id, col(SeatAssignment.changed_in) > since_version
    )
    if not hall:
        query = query.where(col(SeatAssignment.area) == SeatArea.podium)
    rows = list(session.scalars(query))
    people = _people(session, [row.attendee_id for row in rows])
    rows.sort(key=lambda row: (row.area != SeatArea.podium, row.precedence or 0, row.row, row.column))
    return [
        NameCard(
            name=people[row.attendee_id].name,
            seat_label=seat_label(SeatArea(row.area), row.row, row.column),
            attendee_id=row.attendee_id,
        )
        for row in rows
        if row.attendee_id in people
    ]


def meeting_name(session: Session, agenda: AgendaSession) -> str:
    meeting = session.get(KnownMeeting, agenda.meeting_id)
    return meeting.name if meeting else ""
