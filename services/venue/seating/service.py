"""Keeping seating plans true: plan a session, store who moved, tell the others (R1.4: re-seat
at once when anything changes). A session's plan is re-planned in the same transaction as a
change made through the API; changes learnt from events mark the meeting's sessions, and a
worker re-plans them (many roster events in a row cost one re-plan, not one each)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import delete, func, insert, select, update
from sqlmodel import Session, col

from huiwu.db import unit_of_work
from huiwu.errors import Conflict, InvalidInput, NotFound
from huiwu.events.catalog import SeatArea, SeatingChanged, SeatMove, SeatRef, SessionStatus
from huiwu.service import Runtime
from huiwu.tasks import honour_cancellation
from services.venue.agenda.models import AgendaSession
from services.venue.attendees import service as attendees
from services.venue.attendees.models import SeatedPerson
from services.venue.events import emit
from services.venue.protocol import service as protocol
from services.venue.protocol.models import KnownGroup
from services.venue.seating.labels import seat_label
from services.venue.seating.models import PinCreate, SeatAssignment, SeatPin
from services.venue.seating.planner import Brief, Placement, Plan, plan_session
from services.venue.venues.models import Room

log = logging.getLogger(__name__)

POLL_S = 0.25


def replan(session: Session, agenda: AgendaSession, reason: str) -> Plan:
    """Plan ``agenda`` afresh, store it, and emit who moved (nothing if nobody did)."""
    room = session.get(Room, agenda.room_id)
    assert room is not None  # sessions are only ever given rooms that exist
    plan = compute(session, agenda, room)
    _store(session, agenda, plan, reason)
    agenda.plan_problems = plan.problems
    agenda.needs_replan, agenda.replan_reason = False, None
    return plan


def compute(session: Session, agenda: AgendaSession, room: Room) -> Plan:
    if agenda.status == SessionStatus.cancelled:
        return Plan()
    meeting = protocol.meeting_or_raise(session, agenda.meeting_id)
    people = attendees.expected_at(session, agenda.meeting_id, agenda.id, agenda.expected_spec())
    pins = session.scalars(select(SeatPin).where(col(SeatPin.session_id) == agenda.id))
    groups = session.scalars(select(KnownGroup).where(col(KnownGroup.meeting_id) == agenda.meeting_id))
    brief = Brief(
        people=people,
        name_order=meeting.name_order,
        presiding=agenda.presiding_officer_id,
        podium_ids=agenda.podium_ids,
        pins={pin.attendee_id: (pin.row, pin.column) for pin in pins},
        group_positions={group.id: group.position for group in groups},
    )
    return plan_session(brief, room, protocol.settings_of(session, agenda.meeting_id))


class _Stored(NamedTuple):
    """A stored seat, read as plain columns: plans have thousands of seats, ORM objects cost."""

    attendee_id: str
    area: str
    row: int
    column: int
    precedence: int | None
    offset: float | None
    pinned: bool


def _store(session: Session, agenda: AgendaSession, plan: Plan, reason: str) -> None:
    stored = {seat.attendee_id: seat for seat in _stored(session, agenda.id)}
    planned = {placement.attendee_id: placement for placement in plan.placements}
    moved = [
        person
        for person in stored.keys() | planned.keys()
        if person not in stored or person not in planned or _moved(stored[person], planned[person])
    ]
    _restate(session, agenda, stored, planned, set(moved))
    if not moved:
        return
    agenda.plan_version += 1
    names = _names(session, moved)
    moves = [
        SeatMove(
            attendee_id=person,
            name=names.get(person, ""),
            before=_ref(stored[person]) if person in stored else None,
            after=_ref(planned[person]) if person in planned else None,
        )
        for person in sorted(moved, key=lambda person: _move_order(planned.get(person) or stored[person]))
    ]
    _rewrite(
        session,
        agenda,
        [person for person in moved if person in stored],
        [planned[p] for p in moved if p in planned],
    )
    emit(
        session,
        SeatingChanged(
            meeting_id=agenda.meeting_id,
            session_id=agenda.id,
            plan_version=agenda.plan_version,
            reason=reason,
            moved=moves,
        ),
        subject=agenda.id,
    )


def _stored(session: Session, session_id: str) -> list[_Stored]:
    columns = [col(getattr(SeatAssignment, name)) for name in _Stored._fields]
    query = select(*columns).where(col(SeatAssignment.session_id) == session_id)
    return [_Stored(*row) for row in session.execute(query)]


def _rewrite(session: Session, agenda: AgendaSession, leaving: list[str], arriving: list[Placement]) -> None:
    """Delete the moved rows first, then insert them anew, so two people swapping seats never
    meet the one-person-per-seat constraint half-way."""
    if leaving:
        session.execute(
            delete(SeatAssignment).where(
                col(SeatAssignment.session_id) == agenda.id, col(SeatAssignment.attendee_id).in_(leaving)
            )
        )
    if arriving:
        rows = [
            {**_columns(placement), "session_id": agenda.id, "changed_in": agenda.plan_version}
            for placement in arriving
        ]
        session.execute(insert(SeatAssignment), rows)


def _restate(
    session: Session,
    agenda: AgendaSession,
    stored: dict[str, _Stored],
    planned: dict[str, Placement],
    moved: set[str],
) -> None:
    """Pins, precedence and offsets can change while the seat stays the same."""
    changed = [
        {**_columns(placement), "session_id": agenda.id}
        for person, placement in planned.items()
        if person in stored and person not in moved and _details(stored[person]) != _details(placement)
    ]
    if changed:
        session.execute(update(SeatAssignment), changed)


def _columns(placement: Placement) -> dict[str, Any]:
    return {
        "attendee_id": placement.attendee_id,
        "area": placement.area,
        "row": placement.row,
        "column": placement.column,
        "precedence": placement.precedence,
        "offset": _float(placement),
        "pinned": placement.pinned,
    }


def _details(seat: _Stored | Placement) -> tuple[int | None, float | None, bool]:
    offset = seat.offset if isinstance(seat, _Stored) else _float(seat)
    return seat.precedence, offset, seat.pinned


def _float(placement: Placement) -> float | None:
    return None if placement.offset is None else float(placement.offset)


def _moved(seat: _Stored, placement: Placement) -> bool:
    return (seat.area, seat.row, seat.column) != (placement.area, placement.row, placement.column)


def _move_order(seat: _Stored | Placement) -> tuple[int, int, int]:
    return (0 if seat.area == SeatArea.podium else 1, seat.row, seat.column)


def _ref(seat: _Stored | Placement) -> SeatRef:
    area = SeatArea(seat.area)
    return SeatRef(area=area, row=seat.row, column=seat.column, label=seat_label(area, seat.row, seat.column))


def _names(session: Session, people: Sequence[str]) -> dict[str, str]:
    query = select(col(SeatedPerson.id), col(SeatedPerson.name)).where(col(SeatedPerson.id).in_(people))
    return dict(session.execute(query).all())


def scheduled_sessions(session: Session, meeting_id: str) -> list[AgendaSession]:
    return list(
        session.scalars(
            select(AgendaSession).where(
                col(AgendaSession.meeting_id) == meeting_id,
                col(AgendaSession.status) == SessionStatus.scheduled,
            )
        )
    )


def replan_meeting(session: Session, meeting_id: str, reason: str) -> None:
    for agenda in scheduled_sessions(session, meeting_id):
        replan(session, agenda, reason)


def mark_meeting(session: Session, meeting_id: str, reason: str) -> None:
    """Have the worker re-plan every scheduled session of the meeting (for the first reason given).

    Always written, even on a session already marked: on PostgreSQL the worker may be re-planning
    it right now from a roster without this change, and will clear the mark when it commits. This
    write waits for the worker's row lock, lands after its commit, and marks the session again."""
    first_reason = func.coalesce(col(AgendaSession.replan_reason), reason)
    session.execute(
        update(AgendaSession)
        .where(col(AgendaSession.meeting_id) == meeting_id)
        .where(col(AgendaSession.status) == SessionStatus.scheduled)
        .values(needs_replan=True, replan_reason=first_reason)
    )


async def replan_forever(runtime: Runtime) -> None:
    """Venue's worker: re-plans the sessions events have marked, one transaction each."""
    while True:
        honour_cancellation()
        try:
            done = await asyncio.to_thread(replan_marked, runtime)
        except Exception:
            log.exception("re-planning failed; retrying")
            done = 0
        if done == 0:
            await asyncio.sleep(POLL_S)


def replan_marked(runtime: Runtime, batch: int = 20) -> int:
    with unit_of_work(runtime.make_session) as session:
        marked = list(
            session.scalars(select(col(AgendaSession.id)).where(col(AgendaSession.needs_replan)).limit(batch))
        )
    for session_id in marked:
        with unit_of_work(runtime.make_session) as session:
            # Locked before the roster is read: a change applied meanwhile marks it again after us.
            agenda = session.get(AgendaSession, session_id, with_for_update=True)
            if agenda is not None and agenda.needs_replan:
                replan(session, agenda, agenda.replan_reason or "roster_changed")
    return len(marked)


class SeatNotInHall(Conflict):
    code = "seat-not-in-hall"
    title = "No such seat"


def pin(session: Session, agenda: AgendaSession, attendee_id: str, pin_in: PinCreate) -> SeatPin:
    """Put a person on a hall seat by hand; whoever the plan had there moves elsewhere."""
    room = session.get(Room, agenda.room_id)
    assert room is not None
    hall = room.hall()
    if hall is None:
        raise SeatNotInHall(f"{room.full_name} has no seat map: its hall is free seating", field="row")
    if pin_in.row > hall.rows or pin_in.column > hall.seats_per_row:
        raise InvalidInput(
            "row", "seat_outside_map", f"{room.full_name} has {hall.rows}×{hall.seats_per_row} seats"
        )
    if any((seat.row, seat.column) == (pin_in.row, pin_in.column) for seat in hall.unusable):
        raise SeatNotInHall(
            f"seat {pin_in.row}-{pin_in.column} of {room.full_name} cannot be used", field="column"
        )
    if attendee_id not in {
        p.id for p in attendees.expected_at(session, agenda.meeting_id, agenda.id, agenda.expected_spec())
    }:
        raise NotFound(f"attendee {attendee_id} is not expected at this session", field="attendee_id")
    taken = session.scalars(
        select(SeatPin).where(
            col(SeatPin.session_id) == agenda.id,
            col(SeatPin.row) == pin_in.row,
            col(SeatPin.column) == pin_in.column,
            col(SeatPin.attendee_id) != attendee_id,
        )
    ).first()
    if taken is not None:
        raise SeatTaken(
            f"seat {pin_in.row}-{pin_in.column} is already pinned to attendee {taken.attendee_id}",
            field="row",
            attendee_id=taken.attendee_id,
        )
    row = session.get(SeatPin, (agenda.id, attendee_id))
    if row is None:
        row = SeatPin(session_id=agenda.id, attendee_id=attendee_id, **pin_in.model_dump())
        session.add(row)
    else:
        row.row, row.column, row.pinned_by = pin_in.row, pin_in.column, pin_in.pinned_by
    session.flush()
    replan(session, agenda, "pinned")
    return row


class SeatTaken(Conflict):
    code = "seat-taken"
    title = "The seat is pinned to someone else"


def unpin(session: Session, agenda: AgendaSession, attendee_id: str) -> None:
    row = session.get(SeatPin, (agenda.id, attendee_id))
    if row is None:
        raise NotFound(f"attendee {attendee_id} is not pinned in this session", field="attendee_id")
    session.delete(row)
    session.flush()
    replan(session, agenda, "unpinned")


def hand_over_pins(session: Session, meeting_id: str, original: str, substitute: str) -> None:
    """A substitute keeps the seat the original was pinned to."""
    pins = session.scalars(
        select(SeatPin)
        .join(AgendaSession, col(AgendaSession.id) == col(SeatPin.session_id))
        .where(col(AgendaSession.meeting_id) == meeting_id, col(SeatPin.attendee_id) == original)
    )
    for row in list(pins):
        session.add(
            SeatPin(
                session_id=row.session_id,
                attendee_id=substitute,
                row=row.row,
                column=row.column,
                pinned_by=row.pinned_by,
            )
        )
        session.delete(row)
