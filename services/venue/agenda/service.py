"""Scheduling and changing sessions. Every change is checked for collisions, re-plans the
session's seats at once and emits ``venue.agenda.changed`` with before and after (BRIEF §2.3)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from huiwu.chinese import CHINA_TIME, local_date
from huiwu.errors import Conflict, InvalidInput, NotFound
from huiwu.events.catalog import AgendaChanged, AgendaChangeKind, SessionState, SessionStatus
from huiwu.projections import expected_among
from services.venue.agenda import conflicts
from services.venue.agenda.models import (
    AgendaSession,
    RoomSwitch,
    SessionCreate,
    SessionPublic,
    SessionUpdate,
)
from services.venue.attendees import service as attendees
from services.venue.events import emit
from services.venue.protocol import service as protocol
from services.venue.seating import service as seating
from services.venue.venues.models import Room


class SessionCancelled(Conflict):
    code = "session-cancelled"
    title = "The session is cancelled"


class NotABackupRoom(Conflict):
    code = "not-a-backup-room"
    title = "Not one of the session's backup rooms"


def get_or_raise(session: Session, meeting_id: str, session_id: str) -> AgendaSession:
    agenda = session.get(AgendaSession, session_id)
    if agenda is None or agenda.meeting_id != meeting_id:
        raise NotFound(
            f"session {session_id} is not on the agenda of meeting {meeting_id}", field="session_id"
        )
    return agenda


def schedule(session: Session, meeting_id: str, session_in: SessionCreate) -> AgendaSession:
    meeting = protocol.meeting_or_raise(session, meeting_id)
    values = session_in.model_dump(mode="json", exclude={"starts_at", "ends_at"})
    agenda = AgendaSession.model_validate(
        {**values, "meeting_id": meeting_id, "starts_at": session_in.starts_at, "ends_at": session_in.ends_at}
    )
    _within_meeting(agenda, meeting.starts_on, meeting.ends_on)
    room = _room_of(session, agenda.room_id, "room_id")
    _backups_exist(session, agenda)
    conflicts.check(session, agenda, room)
    session.add(agenda)
    session.flush()
    _announce(session, agenda, AgendaChangeKind.scheduled, before=None, changed=["scheduled"])
    seating.replan(session, agenda, "scheduled")
    return agenda


def update(session: Session, meeting_id: str, session_id: str, changes: SessionUpdate) -> AgendaSession:
    agenda = _open_or_raise(session, meeting_id, session_id)
    sent = changes.model_dump(mode="json", exclude_unset=True, exclude={"starts_at", "ends_at"})
    for name in ("starts_at", "ends_at"):
        if name in changes.model_fields_set and getattr(changes, name) is not None:
            sent[name] = getattr(changes, name)
    for name in ("title", "starts_at", "ends_at", "room_id", "expected", "speaker_ids", "backup_room_ids"):
        if name in sent and sent[name] is None:
            raise InvalidInput(name, "not_nullable", f"{name} cannot be cleared")
    return _change(session, agenda, sent, AgendaChangeKind.changed)


def switch_room(session: Session, meeting_id: str, session_id: str, switch: RoomSwitch) -> AgendaSession:
    """Move the session to one of its backup rooms (预案): re-planned and announced at once."""
    agenda = _open_or_raise(session, meeting_id, session_id)
    if switch.room_id not in agenda.backup_room_ids:
        raise NotABackupRoom(
            f"room {switch.room_id} is not a backup room of this session", field="room_id",
            backup_room_ids=agenda.backup_room_ids,
        )  # fmt: skip
    backups = [agenda.room_id, *(room for room in agenda.backup_room_ids if room != switch.room_id)]
    return _change(
        session,
        agenda,
        {"room_id": switch.room_id, "backup_room_ids": backups},
        AgendaChangeKind.room_switched,
        reason=switch.reason,
    )


def cancel(session: Session, meeting_id: str, session_id: str, reason: str) -> AgendaSession:
    agenda = _open_or_raise(session, meeting_id, session_id)
    before = _state(session, agenda)
    agenda.status = SessionStatus.cancelled
    agenda.version += 1
    _announce(session, agenda, AgendaChangeKind.cancelled, before=before, changed=["status"], reason=reason)
    seating.replan(session, agenda, "cancelled")
    return agenda


def _change(
    session: Session,
    agenda: AgendaSession,
    sent: dict[str, Any],
    kind: AgendaChangeKind,
    reason: str | None = None,
) -> AgendaSession:
    changed = sorted(name for name, value in sent.items() if getattr(agenda, name) != value)
    if not changed:
        return agenda
    before = _state(session, agenda)
    for name in changed:
        setattr(agenda, name, sent[name])
    if agenda.ends_at <= agenda.starts_at:
        raise InvalidInput("ends_at", "ends_before_start", "ends_at must be after starts_at")
    meeting = protocol.meeting_or_raise(session, agenda.meeting_id)
    _within_meeting(agenda, meeting.starts_on, meeting.ends_on)
    room = _room_of(session, agenda.room_id, "room_id")
    _backups_exist(session, agenda)
    with session.no_autoflush:
        conflicts.check(session, agenda, room)
    agenda.version += 1
    _announce(session, agenda, kind, before=before, changed=changed, reason=reason)
    seating.replan(
        session, agenda, kind.value if kind == AgendaChangeKind.room_switched else "agenda_changed"
    )
    return agenda


def _open_or_raise(session: Session, meeting_id: str, session_id: str) -> AgendaSession:
    agenda = get_or_raise(session, meeting_id, session_id)
    if agenda.status == SessionStatus.cancelled:
        raise SessionCancelled(f"session {session_id} is cancelled; schedule a new one instead")
    return agenda


def _within_meeting(agenda: AgendaSession, starts_on: Any, ends_on: Any) -> None:
    day = local_date(agenda.starts_at)
    if not starts_on <= day <= ends_on:
        raise InvalidInput(
            "starts_at",
            "outside_meeting_dates",
            f"the meeting runs from {starts_on} to {ends_on}, not on {day}",
        )


def _room_of(session: Session, room_id: str, field: str) -> Room:
    room = session.get(Room, room_id)
    if room is None:
        raise NotFound(f"room {room_id} does not exist", field=field)
    return room


def _backups_exist(session: Session, agenda: AgendaSession) -> None:
    for room_id in agenda.backup_room_ids:
        _room_of(session, room_id, "backup_room_ids")
    if agenda.room_id in agenda.backup_room_ids:
        raise InvalidInput(
            "backup_room_ids", "backup_is_main_room", "a backup room must differ from the room"
        )


def _state(session: Session, agenda: AgendaSession) -> SessionState:
    room = session.get(Room, agenda.room_id)
    return agenda.state(room.full_name if room else "")


def _announce(
    session: Session,
    agenda: AgendaSession,
    kind: AgendaChangeKind,
    *,
    before: SessionState | None,
    changed: list[str],
    reason: str | None = None,
) -> None:
    after = _state(session, agenda)
    people = attendees.roster(session, agenda.meeting_id)
    affected = {person.id for person in expected_among(people, after.expected)}
    if before is not None:
        affected |= {person.id for person in expected_among(people, before.expected)}
    emit(
        session,
        AgendaChanged(
            meeting_id=agenda.meeting_id,
            session_id=agenda.id,
            change=kind,
            changed=changed,
            before=before,
            after=after,
            affected=sorted(affected),
            reason=reason,
        ),
        subject=agenda.id,
    )


def public(session: Session, agenda: AgendaSession) -> SessionPublic:
    room = session.get(Room, agenda.room_id)
    expected = attendees.expected_at(session, agenda.meeting_id, agenda.id, agenda.expected_spec())
    return SessionPublic.model_validate(
        {
            **{name: getattr(agenda, name) for name in AgendaSession.model_fields},
            "room_name": room.full_name if room else "",
            "expected": agenda.expected_spec(),
            "expected_count": len(expected),
        }
    )


def agenda_of(session: Session, meeting_id: str, day: date | None = None) -> list[AgendaSession]:
    """The agenda in time order (cancelled sessions included: the agenda shows them struck out);
    with ``day``, only the sessions starting on that day in Beijing."""
    query = select(AgendaSession).where(col(AgendaSession.meeting_id) == meeting_id)
    if day is not None:
        midnight = datetime.combine(day, time(), CHINA_TIME)
        query = query.where(
            col(AgendaSession.starts_at) >= midnight,
            col(AgendaSession.starts_at) < midnight + timedelta(days=1),
        )
    return list(session.scalars(query.order_by(col(AgendaSession.starts_at), col(AgendaSession.id))))


def hand_over(session: Session, meeting_id: str, original: str, substitute: str) -> None:
    """The substitute presides, speaks, sits on the podium and is expected wherever the original
    was; each session that named the original says so in a ``venue.agenda.changed``."""
    for agenda in seating.scheduled_sessions(session, meeting_id):
        before = _state(session, agenda)
        changed = _replace_person(agenda, original, substitute)
        if changed:
            agenda.version += 1
            _announce(session, agenda, AgendaChangeKind.changed, before=before, changed=changed)


def _replace_person(agenda: AgendaSession, original: str, substitute: str) -> list[str]:
    def swap(people: list[str]) -> list[str]:
        return [substitute if person == original else person for person in people]

    changed = []
    if agenda.presiding_officer_id == original:
        agenda.presiding_officer_id = substitute
        changed.append("presiding_officer_id")
    if original in agenda.speaker_ids:
        agenda.speaker_ids = swap(agenda.speaker_ids)
        changed.append("speaker_ids")
    if agenda.podium_ids and original in agenda.podium_ids:
        agenda.podium_ids = swap(agenda.podium_ids)
        changed.append("podium_ids")
    listed = agenda.expected.get("attendee_ids") or []
    if original in listed:
        agenda.expected = {**agenda.expected, "attendee_ids": swap(listed)}
        changed.append("expected")
    return changed
