from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from huiwu.chinese import NameOrderMode
from huiwu.errors import Conflict, NotFound
from huiwu.events.catalog import AttendeeCategory, AttendeeRegistered
from huiwu.outbox import record
from services.registration.attendees.models import Attendee, AttendeeCreate
from services.registration.attendees.order import RosterOrder, roster_key
from services.registration.meetings import service as meetings

PRODUCER = "registration"


def register(*, session: Session, meeting_id: str, attendee_in: AttendeeCreate) -> Attendee:
    meetings.get_or_raise(session=session, meeting_id=meeting_id)
    if attendee_in.id_number is not None:
        _refuse_duplicate_id_number(session, meeting_id, attendee_in.id_number)
    values = attendee_in.model_dump(exclude={"needs"}) | {"meeting_id": meeting_id}
    if attendee_in.needs is not None:
        values["needs"] = attendee_in.needs.model_dump(exclude_none=True)
    attendee = Attendee.model_validate(values)
    session.add(attendee)
    record(
        session,
        AttendeeRegistered(
            meeting_id=meeting_id,
            attendee_id=attendee.id,
            version=attendee.version,
            name=attendee.name,
            organization=attendee.organization,
            title=attendee.title,
            category=attendee.category,
            gender=attendee.gender,
            rank=attendee.rank,
            delegation=attendee.delegation,
        ),
        producer=PRODUCER,
        subject=attendee.id,
        meeting_id=meeting_id,
    )
    return attendee


def _refuse_duplicate_id_number(session: Session, meeting_id: str, number: str) -> None:
    """One person, one place on a meeting's roster (a unique index backs this up)."""
    existing = session.scalars(
        select(Attendee).where(col(Attendee.meeting_id) == meeting_id, col(Attendee.id_number) == number)
    ).first()
    if existing is not None:
        raise DuplicateAttendee(
            f"this ID number is already on the roster as {existing.name}",
            field="id_number",
            existing_attendee_id=existing.id,
            existing_name=existing.name,
        )


class DuplicateAttendee(Conflict):
    code = "duplicate-attendee"
    title = "Already registered"


def get_or_raise(*, session: Session, meeting_id: str, attendee_id: str) -> Attendee:
    meetings.get_or_raise(session=session, meeting_id=meeting_id)
    attendee = session.get(Attendee, attendee_id)
    if attendee is None or attendee.meeting_id != meeting_id:
        raise NotFound(f"attendee {attendee_id} is not on meeting {meeting_id}'s roster", field="attendee_id")
    return attendee


@dataclass(frozen=True)
class RosterFilter:
    category: AttendeeCategory | None = None
    delegation: str | None = None


def roster(
    *, session: Session, meeting_id: str, order: RosterOrder, where: RosterFilter
) -> tuple[list[tuple[list[Any], Attendee]], NameOrderMode]:
    """The whole (filtered) roster as (sort key, attendee) in order, and the name-order mode used.

    A meeting's roster is at most a few thousand people, so it is ordered here rather than in
    SQL: stroke order needs the character table, and both databases must agree."""
    meeting = meetings.get_or_raise(session=session, meeting_id=meeting_id)
    query = select(Attendee).where(col(Attendee.meeting_id) == meeting_id)
    if where.category is not None:
        query = query.where(col(Attendee.category) == where.category)
    if where.delegation is not None:
        query = query.where(col(Attendee.delegation) == where.delegation)
    mode = NameOrderMode(meeting.name_order)
    keyed = [(roster_key(attendee, order, mode), attendee) for attendee in session.scalars(query)]
    return sorted(keyed, key=lambda pair: pair[0]), mode
