"""Roster freeze: once lodging and printing are booked the office freezes the roster; a change is
then a request that an authorised person approves or rejects, with who and when kept. An
approved change is applied exactly as it would have been before the freeze (same events)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlmodel import Session, col

from huiwu.context import current_actor
from huiwu.db import utcnow
from huiwu.errors import Conflict, NotFound
from huiwu.events.catalog import RosterChangeDecided, RosterFrozen, RosterUnfrozen
from services.registration import people
from services.registration.attendees import service as attendees
from services.registration.attendees.models import (
    Attendee,
    AttendeeCreate,
    AttendeeUpdate,
    SubstituteCreate,
    Withdrawal,
)
from services.registration.events import emit
from services.registration.freeze.models import ChangeKind, ChangeStatus, Decision, RosterChange
from services.registration.meetings import service as meetings
from services.registration.meetings.models import Meeting


class RosterFrozenError(Conflict):
    code = "roster-frozen"
    title = "The roster is frozen"


class AlreadyDecided(Conflict):
    code = "already-decided"
    title = "This change was already decided"


def is_frozen(session: Session, meeting_id: str) -> bool:
    return meetings.get_or_raise(session=session, meeting_id=meeting_id).roster_frozen_at is not None


def freeze(*, session: Session, meeting_id: str, by: str) -> Meeting:
    meeting = meetings.get_or_raise(session=session, meeting_id=meeting_id)
    if meeting.roster_frozen_at is not None:
        raise RosterFrozenError(
            f"frozen since {meeting.roster_frozen_at:%Y-%m-%d %H:%M} by {meeting.roster_frozen_by}"
        )
    meeting.roster_frozen_at, meeting.roster_frozen_by = utcnow(), by
    emit(
        session,
        RosterFrozen(meeting_id=meeting_id, frozen_by=by, frozen_at=meeting.roster_frozen_at),
        subject=meeting_id,
    )
    return meeting


def unfreeze(*, session: Session, meeting_id: str, by: str) -> Meeting:
    meeting = meetings.get_or_raise(session=session, meeting_id=meeting_id)
    if meeting.roster_frozen_at is None:
        raise Conflict("the roster is not frozen", field="roster")
    meeting.roster_frozen_at, meeting.roster_frozen_by = None, None
    emit(session, RosterUnfrozen(meeting_id=meeting_id, unfrozen_by=by), subject=meeting_id)
    return meeting


def propose(
    *,
    session: Session,
    meeting_id: str,
    kind: ChangeKind,
    attendee_id: str | None,
    payload: dict[str, object],
) -> RosterChange:
    """Keep the change for approval (the attendee, if named, must exist)."""
    if attendee_id is not None:
        attendees.get_or_raise(session=session, meeting_id=meeting_id, attendee_id=attendee_id)
    change = RosterChange(
        meeting_id=meeting_id,
        kind=kind,
        attendee_id=attendee_id,
        payload=payload,
        requested_by=current_actor.get(),
    )
    session.add(change)
    return change


def decide(
    *, session: Session, meeting_id: str, change_id: str, decision: Decision, approve: bool
) -> RosterChange:
    change = session.get(RosterChange, change_id)
    if change is None or change.meeting_id != meeting_id:
        raise NotFound(f"change {change_id} is not one of this meeting's", field="change_id")
    if change.status != ChangeStatus.pending:
        raise AlreadyDecided(f"{change.status} by {change.decided_by}", status_now=change.status)
    if approve:
        change.result_attendee_id = APPLY[ChangeKind(change.kind)](session, change).id
    change.status = ChangeStatus.approved if approve else ChangeStatus.rejected
    change.decided_by, change.decided_at, change.note = decision.approver, utcnow(), decision.note
    emit(
        session,
        RosterChangeDecided(
            meeting_id=meeting_id,
            change_id=change.id,
            kind=change.kind,
            approved=approve,
            decided_by=decision.approver,
            attendee_id=change.result_attendee_id or change.attendee_id,
        ),
        subject=change.id,
    )
    return change


def listing(*, session: Session, meeting_id: str, status: ChangeStatus | None) -> list[RosterChange]:
    meetings.get_or_raise(session=session, meeting_id=meeting_id)
    query = select(RosterChange).where(col(RosterChange.meeting_id) == meeting_id)
    if status is not None:
        query = query.where(col(RosterChange.status) == status)
    return list(session.scalars(query.order_by(col(RosterChange.requested_at))))


def _register(session: Session, change: RosterChange) -> Attendee:
    attendee_in = AttendeeCreate.model_validate(change.payload)
    return attendees.register(session=session, meeting_id=change.meeting_id, attendee_in=attendee_in)


def _update(session: Session, change: RosterChange) -> Attendee:
    assert change.attendee_id is not None
    return attendees.update(
        session=session,
        meeting_id=change.meeting_id,
        attendee_id=change.attendee_id,
        changes=AttendeeUpdate.model_validate(change.payload),
    )


def _withdraw(session: Session, change: RosterChange) -> Attendee:
    assert change.attendee_id is not None
    attendee = attendees.withdraw(
        session=session,
        meeting_id=change.meeting_id,
        attendee_id=change.attendee_id,
        withdrawal=Withdrawal.model_validate(change.payload),
    )
    people.after_withdrawal(session, attendee)
    return attendee


def _substitute(session: Session, change: RosterChange) -> Attendee:
    assert change.attendee_id is not None
    original, replacement = attendees.substitute(
        session=session,
        meeting_id=change.meeting_id,
        attendee_id=change.attendee_id,
        substitute_in=SubstituteCreate.model_validate(change.payload),
    )
    people.after_substitution(session, original, replacement)
    return replacement


APPLY: dict[ChangeKind, Callable[[Session, RosterChange], Attendee]] = {
    ChangeKind.register: _register,
    ChangeKind.update: _update,
    ChangeKind.withdraw: _withdraw,
    ChangeKind.substitute: _substitute,
}
