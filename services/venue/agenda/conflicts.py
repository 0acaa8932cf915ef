"""What may not be scheduled (409): each refusal says exactly what collides with what."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlmodel import Session, col

from huiwu.errors import Conflict
from huiwu.events.catalog import SessionStatus
from huiwu.projections import expected_among
from services.venue.agenda.models import AgendaSession
from services.venue.attendees import service as attendees
from services.venue.attendees.models import SeatedPerson
from services.venue.venues.models import Room

SHOWN = 10  # people named in a refusal; the count says how many there are in all


class RoomDoubleBooked(Conflict):
    code = "room-double-booked"
    title = "The room is taken at that time"


class RoomTooSmall(Conflict):
    code = "room-too-small"
    title = "More people expected than the room seats"


class PersonDoubleBooked(Conflict):
    code = "person-double-booked"
    title = "People expected in two sessions at once"


class PresidingOfficerNotAttendee(Conflict):
    code = "presiding-officer-not-attendee"
    title = "The presiding officer is not an attendee"


class NotAttendees(Conflict):
    code = "not-attendees"
    title = "Not on the meeting's roster"


def check(session: Session, candidate: AgendaSession, room: Room) -> None:
    """Refuse ``candidate`` (new or changed, not yet flushed) if it collides with anything."""
    roster = {person.id: person for person in attendees.roster(session, candidate.meeting_id)}
    _named_people_on_roster(candidate, roster)
    expected = {person.id for person in expected_among(roster.values(), candidate.expected_spec())}
    _room_free(session, candidate, room)
    if len(expected) > room.seats():
        raise RoomTooSmall(
            f"{len(expected)} people are expected but {room.full_name} seats {room.seats()}",
            field="expected",
            expected=len(expected),
            seats=room.seats(),
        )
    _people_free(session, candidate, roster, expected)


def _named_people_on_roster(candidate: AgendaSession, roster: dict[str, SeatedPerson]) -> None:
    presiding = candidate.presiding_officer_id
    if presiding is not None and presiding not in roster:
        raise PresidingOfficerNotAttendee(
            f"presiding officer {presiding} is not on this meeting's roster", field="presiding_officer_id"
        )
    for field, people in (
        ("speaker_ids", candidate.speaker_ids),
        ("podium_ids", candidate.podium_ids or []),
        ("expected.attendee_ids", candidate.expected_spec().attendee_ids),
    ):
        unknown = [person for person in people if person not in roster]
        if unknown:
            raise NotAttendees(
                f"{len(unknown)} of {field} are not on this meeting's roster: {', '.join(unknown[:SHOWN])}",
                field=field,
                attendee_ids=unknown[:SHOWN],
            )


def _overlapping(session: Session, candidate: AgendaSession) -> Sequence[AgendaSession]:
    return list(
        session.scalars(
            select(AgendaSession).where(
                col(AgendaSession.id) != candidate.id,
                col(AgendaSession.status) == SessionStatus.scheduled,
                col(AgendaSession.starts_at) < candidate.ends_at,
                col(AgendaSession.ends_at) > candidate.starts_at,
            )
        )
    )


def _room_free(session: Session, candidate: AgendaSession, room: Room) -> None:
    for other in _overlapping(session, candidate):
        if other.room_id == room.id:
            raise RoomDoubleBooked(
                f"{room.full_name} is booked for 《{other.title}》 from {other.starts_at.isoformat()} "
                f"to {other.ends_at.isoformat()}",
                field="room_id",
                session_id=other.id,
                meeting_id=other.meeting_id,
            )


def _people_free(
    session: Session, candidate: AgendaSession, roster: dict[str, SeatedPerson], expected: set[str]
) -> None:
    busy = expected | _presiding(candidate)
    for other in _overlapping(session, candidate):
        if other.meeting_id != candidate.meeting_id:
            continue
        theirs = {person.id for person in expected_among(roster.values(), other.expected_spec())}
        both = sorted(busy & (theirs | _presiding(other)), key=lambda person: roster[person].name)
        if both:
            raise PersonDoubleBooked(
                f"{len(both)} people would also be expected at 《{other.title}》 at the same time: "
                + "、".join(roster[person].name for person in both[:SHOWN]),
                field="expected",
                session_id=other.id,
                attendee_ids=both[:SHOWN],
                count=len(both),
            )


def _presiding(agenda: AgendaSession) -> set[str]:
    return {agenda.presiding_officer_id} if agenda.presiding_officer_id else set()
