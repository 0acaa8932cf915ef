from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_
from sqlmodel import Session, col

from huiwu.errors import Conflict, InvalidInput, NotFound
from huiwu.events.catalog import MeetingScheduled, MeetingStatusChanged, MeetingUpdated
from services.registration.events import emit
from services.registration.meetings.models import (
    NEXT_STATUS,
    Meeting,
    MeetingCreate,
    MeetingStatus,
    MeetingUpdate,
)


def get_or_raise(*, session: Session, meeting_id: str) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(f"meeting {meeting_id} does not exist", field="meeting_id")
    return meeting


def create(*, session: Session, meeting_in: MeetingCreate) -> Meeting:
    meeting = Meeting.model_validate(meeting_in)
    session.add(meeting)
    emit(
        session,
        MeetingScheduled(
            meeting_id=meeting.id,
            name=meeting.name,
            starts_on=meeting.starts_on,
            ends_on=meeting.ends_on,
            status=meeting.status,
        ),
        subject=meeting.id,
    )
    return meeting


class IllegalTransition(Conflict):
    code = "illegal-transition"
    title = "Illegal status change"


class MeetingClosed(Conflict):
    code = "meeting-closed"
    title = "The meeting is closed"


def update(*, session: Session, meeting_id: str, changes: MeetingUpdate) -> Meeting:
    """Apply the fields sent; each change is an event (details and status separately)."""
    meeting = get_or_raise(session=session, meeting_id=meeting_id)
    if meeting.status == MeetingStatus.closed:
        raise MeetingClosed(f"meeting {meeting_id} is closed; it can no longer change")
    sent = changes.model_dump(exclude_unset=True)
    new_status = sent.pop("status", meeting.status)
    details = {name: value for name, value in sent.items() if getattr(meeting, name) != value}
    if new_status != meeting.status and NEXT_STATUS.get(meeting.status) != new_status:
        raise IllegalTransition(
            f"a meeting goes from {meeting.status} to {NEXT_STATUS[meeting.status]}, not to {new_status}",
            field="status",
            current=meeting.status,
            allowed=[NEXT_STATUS[meeting.status]],
        )
    if details.get("ends_on", meeting.ends_on) < details.get("starts_on", meeting.starts_on):
        field = "ends_on" if "ends_on" in details else "starts_on"
        raise InvalidInput(field, "not_before_starts_on", "the meeting would end before it starts")
    if details:
        _apply_details(session, meeting, details)
    if new_status != meeting.status:
        _move_status(session, meeting, new_status)
    return meeting


def _apply_details(session: Session, meeting: Meeting, details: dict[str, Any]) -> None:
    for name, value in details.items():
        setattr(meeting, name, value)
    meeting.version += 1
    emit(
        session,
        MeetingUpdated(
            meeting_id=meeting.id,
            version=meeting.version,
            name=meeting.name,
            starts_on=meeting.starts_on,
            ends_on=meeting.ends_on,
            name_order=meeting.name_order,
            changed=sorted(details),
        ),
        subject=meeting.id,
    )


def _move_status(session: Session, meeting: Meeting, status: MeetingStatus) -> None:
    previous, meeting.status = meeting.status, status
    meeting.version += 1
    emit(
        session,
        MeetingStatusChanged(
            meeting_id=meeting.id, version=meeting.version, previous=previous, status=status
        ),
        subject=meeting.id,
    )


def list_page(*, session: Session, limit: int, after: tuple[datetime, str] | None) -> list[Meeting]:
    """Oldest first, keyset-paginated on (created_at, id)."""
    query = select(Meeting)
    if after is not None:
        query = query.where(tuple_(col(Meeting.created_at), col(Meeting.id)) > after)
    return list(session.scalars(query.order_by(col(Meeting.created_at), col(Meeting.id)).limit(limit)))
