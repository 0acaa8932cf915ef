"""Who venue seats: the roster as registration's events tell it, leave of absence, and who is
expected at a session (应到)."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from huiwu.events.catalog import (
    AttendeeLeaveGranted,
    AttendeeStatus,
    AttendeeSubstituted,
    Expected,
)
from huiwu.events.contract import EventContract
from huiwu.events.envelope import CloudEvent
from huiwu.projections import expected_among, project_attendee
from services.venue.attendees.models import Absence, SeatedPerson


def roster(session: Session, meeting_id: str) -> list[SeatedPerson]:
    """Everyone on the meeting's roster now (not the substituted or withdrawn)."""
    return list(
        session.scalars(
            select(SeatedPerson).where(
                col(SeatedPerson.meeting_id) == meeting_id,
                col(SeatedPerson.status) == AttendeeStatus.registered,
            )
        )
    )


def absent_from(session: Session, meeting_id: str, session_id: str) -> set[str]:
    """Who is on leave for this session (or for the whole meeting)."""
    leaves = session.scalars(select(Absence).where(col(Absence.meeting_id) == meeting_id))
    return {leave.attendee_id for leave in leaves if not leave.session_ids or session_id in leave.session_ids}


def expected_at(session: Session, meeting_id: str, session_id: str, expected: Expected) -> list[SeatedPerson]:
    """Who is expected and not on leave: the people to seat."""
    away = absent_from(session, meeting_id, session_id)
    return [
        person for person in expected_among(roster(session, meeting_id), expected) if person.id not in away
    ]


def apply_leave(session: Session, _event: CloudEvent, data: EventContract) -> None:
    assert isinstance(data, AttendeeLeaveGranted)
    if session.get(Absence, data.leave_id) is None:
        session.add(
            Absence(
                id=data.leave_id,
                meeting_id=data.meeting_id,
                attendee_id=data.attendee_id,
                session_ids=data.session_ids,
            )
        )


def apply_substitution(session: Session, _event: CloudEvent, data: EventContract) -> None:
    """The substitute takes the original's place in every order (so their seat), whatever the
    substitute's own name would have given."""
    assert isinstance(data, AttendeeSubstituted)
    project_attendee(session, SeatedPerson, data.original, data.meeting_id)
    project_attendee(session, SeatedPerson, data.substitute, data.meeting_id)
    original = session.get(SeatedPerson, data.original.attendee_id)
    substitute = session.get(SeatedPerson, data.substitute.attendee_id)
    if original is not None and substitute is not None and substitute.place_of is None:
        substitute.order_name = original.order_name or original.name
        substitute.place_of = original.place_of or original.id
