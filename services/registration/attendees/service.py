from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from huiwu.chinese import NameOrderMode
from huiwu.errors import Conflict, NotFound
from huiwu.events.catalog import (
    AttendeeCategory,
    AttendeeRegistered,
    AttendeeState,
    AttendeeStatus,
    AttendeeSubstituted,
    AttendeeUpdated,
    AttendeeWithdrawn,
)
from services.registration.attendees.models import (
    Attendee,
    AttendeeCreate,
    AttendeeUpdate,
    SubstituteCreate,
    Withdrawal,
)
from services.registration.attendees.order import RosterOrder, roster_key
from services.registration.events import emit
from services.registration.meetings import service as meetings
from services.registration.notices import service as notices

CONTACT = {"email", "phone"}  # a change of these may reach someone a notice could not


def register(*, session: Session, meeting_id: str, attendee_in: AttendeeCreate) -> Attendee:
    meetings.get_or_raise(session=session, meeting_id=meeting_id)
    if attendee_in.id_number is not None:
        _refuse_duplicate_id_number(session, meeting_id, attendee_in.id_number)
    values = attendee_in.model_dump(exclude={"needs"}) | {"meeting_id": meeting_id}
    if attendee_in.needs is not None:
        values["needs"] = attendee_in.needs.model_dump(exclude_none=True)
    attendee = Attendee.model_validate(values)
    session.add(attendee)
    emit(session, AttendeeRegistered(meeting_id=meeting_id, **state(attendee)), subject=attendee.id)
    return attendee


def state(attendee: Attendee) -> dict[str, Any]:
    """The attendee as every attendee event carries it (``AttendeeState``)."""
    fields = {name: getattr(attendee, name) for name in AttendeeState.model_fields if name != "attendee_id"}
    return AttendeeState.model_validate({**fields, "attendee_id": attendee.id}).model_dump()


def update(*, session: Session, meeting_id: str, attendee_id: str, changes: AttendeeUpdate) -> Attendee:
    attendee = on_roster(session, meeting_id, attendee_id)
    sent = changes.model_dump(exclude_unset=True)
    if "needs" in sent:
        sent["needs"] = changes.needs.model_dump(exclude_none=True) if changes.needs else None
    changed = sorted(name for name, value in sent.items() if getattr(attendee, name) != value)
    if not changed:
        return attendee
    for name in changed:
        setattr(attendee, name, sent[name])
    attendee.version += 1
    emit(
        session,
        AttendeeUpdated(meeting_id=meeting_id, changed=changed, **state(attendee)),
        subject=attendee.id,
    )
    if CONTACT.intersection(changed):
        notices.retry_undeliverable(session, attendee)
    return attendee


def withdraw(*, session: Session, meeting_id: str, attendee_id: str, withdrawal: Withdrawal) -> Attendee:
    attendee = on_roster(session, meeting_id, attendee_id)
    _leave_roster(attendee, AttendeeStatus.withdrawn)
    emit(
        session,
        AttendeeWithdrawn(meeting_id=meeting_id, reason=withdrawal.reason, **state(attendee)),
        subject=attendee.id,
    )
    return attendee


def substitute(
    *, session: Session, meeting_id: str, attendee_id: str, substitute_in: SubstituteCreate
) -> tuple[Attendee, Attendee]:
    """The substitute takes the original's place (category, rank, delegation unless given);
    the original leaves the roster and their badge is revoked."""
    original = on_roster(session, meeting_id, attendee_id)
    if substitute_in.id_number is not None:
        _refuse_duplicate_id_number(session, meeting_id, substitute_in.id_number)
    inherited = {name: getattr(original, name) for name in ("category", "rank", "delegation", "group_id")}
    given = substitute_in.model_dump(exclude={"needs"}, exclude_none=True)
    values = inherited | given | {"meeting_id": meeting_id}
    if substitute_in.needs is not None:
        values["needs"] = substitute_in.needs.model_dump(exclude_none=True)
    replacement = Attendee.model_validate(values)
    session.add(replacement)
    _leave_roster(original, AttendeeStatus.substituted)
    emit(
        session,
        AttendeeSubstituted(
            meeting_id=meeting_id,
            original=AttendeeState.model_validate(state(original)),
            substitute=AttendeeState.model_validate(state(replacement)),
        ),
        subject=original.id,
    )
    return original, replacement


class NotOnRoster(Conflict):
    code = "not-on-roster"
    title = "No longer on the roster"


def on_roster(session: Session, meeting_id: str, attendee_id: str) -> Attendee:
    attendee = get_or_raise(session=session, meeting_id=meeting_id, attendee_id=attendee_id)
    if attendee.status != AttendeeStatus.registered:
        raise NotOnRoster(
            f"{attendee.name} is {attendee.status}; this change no longer applies",
            attendee_status=attendee.status,
        )
    return attendee


def _leave_roster(attendee: Attendee, status: AttendeeStatus) -> None:
    attendee.status = status
    attendee.badge_version += 1  # the badge stops working at the door at once
    attendee.version += 1


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
    status: AttendeeStatus | None = AttendeeStatus.registered  # None: everyone ever on the roster
    group_id: str | None = None


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
    if where.group_id is not None:
        query = query.where(col(Attendee.group_id) == where.group_id)
    if where.status is not None:
        query = query.where(col(Attendee.status) == where.status)
    mode = NameOrderMode(meeting.name_order)
    keyed = [(roster_key(attendee, order, mode), attendee) for attendee in session.scalars(query)]
    return sorted(keyed, key=lambda pair: pair[0]), mode
