"""The meetings venue knows, and each meeting's protocol settings."""

from __future__ import annotations

from sqlmodel import Session

from huiwu.errors import NotFound
from huiwu.events.catalog import GroupFormed, GroupUpdated
from huiwu.events.contract import EventContract
from huiwu.events.envelope import CloudEvent
from huiwu.projections import apply_if_newer
from services.venue.protocol.models import KnownGroup, KnownMeeting, ProtocolSettings, ProtocolUpdate


def meeting_or_raise(session: Session, meeting_id: str) -> KnownMeeting:
    meeting = session.get(KnownMeeting, meeting_id)
    if meeting is None:
        raise NotFound(
            f"meeting {meeting_id} is not known to venue (a meeting just created arrives within a moment)",
            field="meeting_id",
        )
    return meeting


def settings_of(session: Session, meeting_id: str) -> ProtocolSettings:
    """The meeting's settings, or the defaults (variant L, 横排, delegations by strokes)."""
    return session.get(ProtocolSettings, meeting_id) or ProtocolSettings(meeting_id=meeting_id, version=0)


def update(session: Session, meeting_id: str, changes: ProtocolUpdate) -> ProtocolSettings:
    meeting_or_raise(session, meeting_id)
    settings = session.get(ProtocolSettings, meeting_id)
    if settings is None:
        settings = ProtocolSettings(meeting_id=meeting_id, version=0)
        session.add(settings)
    for name, value in changes.model_dump().items():
        setattr(settings, name, value)
    settings.version += 1
    return settings


def apply_group(session: Session, _event: CloudEvent, data: EventContract) -> None:
    assert isinstance(data, GroupFormed | GroupUpdated)
    values = data.model_dump(include={"name", "position"})
    values |= {"id": data.group_id, "meeting_id": data.meeting_id}
    apply_if_newer(session, KnownGroup, data.group_id, data.version, values)
