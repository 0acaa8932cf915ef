"""The agenda as registration keeps it from venue's ``agenda.changed``: who is expected (应到) at a
session, and a notice telling each affected person exactly what changed for them.

Venue names in ``affected`` everyone expected before or after a change. Registration decides from
its own roster what that means for each of them: only registered people are told, and whether one
was or is expected follows the session's ``Expected`` rule over registration's attendees. A person
is asked to come, told the new time, room or presiding officer, told the session is cancelled, or
told they are no longer needed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, false, select
from sqlmodel import Session, col

from huiwu.chinese import CHINA_TIME
from huiwu.errors import NotFound
from huiwu.events.catalog import (
    AgendaChanged,
    AttendeeCategory,
    AttendeeStatus,
    Expected,
    ExpectedKind,
    SessionState,
    SessionStatus,
)
from huiwu.events.contract import EventContract
from huiwu.events.envelope import CloudEvent
from huiwu.projections import apply_if_newer
from services.registration.agenda.models import AgendaSession
from services.registration.attendees.models import Attendee
from services.registration.notices import service as notices

TOPIC = "agenda"
NOT_YET_NAMED = "待定"


def expected_people(session: Session, meeting_id: str, expected: Expected) -> list[Attendee]:
    """The registered attendees ``expected`` names; withdrawn and substituted people never count."""
    query = select(Attendee).where(
        col(Attendee.meeting_id) == meeting_id,
        col(Attendee.status) == AttendeeStatus.registered,
        _chosen_by(expected),
    )
    return list(session.scalars(query))


def _chosen_by(expected: Expected) -> ColumnElement[bool]:
    match expected.kind:
        case ExpectedKind.everyone:
            return col(Attendee.category) != AttendeeCategory.staff
        case ExpectedKind.members:
            return col(Attendee.category) == AttendeeCategory.member
        case ExpectedKind.group:
            # A group session without its group expects nobody (``== None`` would mean "no group").
            return col(Attendee.group_id) == expected.group_id if expected.group_id else false()
        case ExpectedKind.people:
            return col(Attendee.id).in_(expected.attendee_ids)


def get_or_raise(session: Session, meeting_id: str, session_id: str) -> AgendaSession:
    agenda_session = session.get(AgendaSession, session_id)
    if agenda_session is None or agenda_session.meeting_id != meeting_id:
        raise NotFound(f"session {session_id} is not on meeting {meeting_id}'s agenda", field="session_id")
    return agenda_session


def expected_at(session: Session, meeting_id: str, session_id: str) -> list[Attendee]:
    """Who is expected at one session of the agenda; NotFound if registration has not heard of it."""
    return expected_people(session, meeting_id, get_or_raise(session, meeting_id, session_id).expects())


def on_agenda_changed(session: Session, _event: CloudEvent, data: EventContract) -> None:
    """Keep the session as of its newest version. Only a newer version tells anyone anything:
    redelivery reorders, and a late older version must neither undo a change nor repeat notices."""
    assert isinstance(data, AgendaChanged)
    if _project(session, data.meeting_id, data.after):
        _tell_affected(session, data)


def _project(session: Session, meeting_id: str, state: SessionState) -> bool:
    values = {
        "session_id": state.session_id,
        "meeting_id": meeting_id,
        "title": state.title,
        "kind": state.kind,
        "status": state.status,
        "starts_at": state.starts_at,
        "ends_at": state.ends_at,
        "room_name": state.room_name,
        "presiding_officer_id": state.presiding_officer_id,
        "expected": state.expected.model_dump(mode="json"),
    }
    return apply_if_newer(session, AgendaSession, state.session_id, state.version, values)


def _tell_affected(session: Session, change: AgendaChanged) -> None:
    was_expected = _expected_ids(session, change.meeting_id, change.before)
    now_expected = _expected_ids(session, change.meeting_id, change.after)
    before = _arrangement(session, change.meeting_id, change.before) if change.before else None
    after = _arrangement(session, change.meeting_id, change.after)
    for person in _registered(session, change.meeting_id, change.affected):
        was, now = person.id in was_expected, person.id in now_expected
        message = _message(person.name, before, after, was=was, now=now)
        if message is None:
            continue
        notices.notify(
            session,
            person,
            TOPIC,
            message,
            before={**before, "expected": was} if before else None,
            after={**after, "expected": now},
        )


def _registered(session: Session, meeting_id: str, attendee_ids: list[str]) -> list[Attendee]:
    """The people named who are on this meeting's roster and still registered, each once, in the
    order named; one query, since a plenary session names everyone."""
    named = list(dict.fromkeys(attendee_ids))
    query = select(Attendee).where(
        col(Attendee.id).in_(named),
        col(Attendee.meeting_id) == meeting_id,
        col(Attendee.status) == AttendeeStatus.registered,
    )
    found = {person.id: person for person in session.scalars(query)}
    return [found[attendee_id] for attendee_id in named if attendee_id in found]


def _expected_ids(session: Session, meeting_id: str, state: SessionState | None) -> set[str]:
    """Who a session in this state expects: nobody before it exists or once it is cancelled."""
    if state is None or state.status != SessionStatus.scheduled:
        return set()
    return {person.id for person in expected_people(session, meeting_id, state.expected)}


def _arrangement(session: Session, meeting_id: str, state: SessionState) -> dict[str, Any]:
    """The session as a person reads it on a notice; comparing two of them tells what changed."""
    return {
        "session_id": state.session_id,
        "title": state.title,
        "time": _time_span(state.starts_at, state.ends_at),
        "room": state.room_name,
        "presiding_officer": _name_of(session, meeting_id, state.presiding_officer_id),
        "status": state.status.value,
    }


def _message(
    name: str, before: dict[str, Any] | None, after: dict[str, Any], *, was: bool, now: bool
) -> str | None:
    """What to tell one person, or None when nothing changed for them."""
    if now and not was:
        return f"{name}同志：请参加《{after['title']}》，时间{after['time']}，地点{after['room']}。"
    if not was or before is None:
        return None
    if after["status"] == SessionStatus.cancelled:
        return f"{name}同志：《{before['title']}》已取消。"
    if not now:
        return f"{name}同志：您无需参加《{before['title']}》。"
    changes = _changes(before, after)
    return f"{name}同志：《{before['title']}》{'，'.join(changes)}。" if changes else None


def _changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Each change a person notices, as a phrase; a new room also covers a switch to a backup room."""
    phrases = {
        "title": "更名为《{after}》",
        "time": "时间由{before}调整为{after}",
        "room": "地点由{before}调整为{after}",
        "presiding_officer": "主持人由{before}调整为{after}",
    }
    return [
        phrase.format(before=before[field], after=after[field])
        for field, phrase in phrases.items()
        if before[field] != after[field]
    ]


def _time_span(starts_at: datetime, ends_at: datetime) -> str:
    """E.g. 11月27日 09:00—11:30, in the meeting's local time; the end's date only if another day."""
    start, end = starts_at.astimezone(CHINA_TIME), ends_at.astimezone(CHINA_TIME)
    end_text = f"{end:%H:%M}" if end.date() == start.date() else _moment(end)
    return f"{_moment(start)}—{end_text}"


def _moment(at: datetime) -> str:
    return f"{at.month}月{at.day}日 {at:%H:%M}"


def _name_of(session: Session, meeting_id: str, attendee_id: str | None) -> str:
    person = session.get(Attendee, attendee_id) if attendee_id else None
    return person.name if person is not None and person.meeting_id == meeting_id else NOT_YET_NAMED
