"""A meeting's supervision settings: the defaults until the office changes them."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from huiwu.chinese import local_date
from huiwu.context import current_actor
from huiwu.db import utcnow
from huiwu.events.catalog import EscalationThresholds, SupervisionSettingsChanged
from services.supervision.events import emit
from services.supervision.settings.models import (
    Escalation,
    SettingsPublic,
    SettingsUpdate,
    SupervisionSettings,
)
from services.supervision.tasks.numbering import next_serial, printed

THRESHOLDS = tuple(Escalation.model_fields)


def settings_of(session: Session, meeting_id: str) -> SupervisionSettings:
    """The stored settings, or the defaults (not stored)."""
    return session.get(SupervisionSettings, meeting_id) or SupervisionSettings(meeting_id=meeting_id)


def locked(session: Session, meeting_id: str) -> SupervisionSettings:
    """The meeting's settings row, made with the defaults if missing, locked until commit: what
    numbering and changes of the settings take turns on (PostgreSQL; SQLite has one writer)."""
    if session.get(SupervisionSettings, meeting_id) is None:
        try:
            with session.begin_nested():
                session.add(SupervisionSettings(meeting_id=meeting_id))
        except IntegrityError:  # another request made it first
            pass
    row = session.get(SupervisionSettings, meeting_id, with_for_update=True, populate_existing=True)
    assert row is not None
    return row


def update(session: Session, meeting_id: str, settings_in: SettingsUpdate) -> SupervisionSettings:
    row = locked(session, meeting_id)
    row.number_format = settings_in.number_format
    for name in THRESHOLDS:
        setattr(row, name, getattr(settings_in.escalation, name))
    row.version += 1
    row.updated_by, row.updated_at = current_actor.get(), utcnow()
    emit(
        session,
        SupervisionSettingsChanged(
            meeting_id=meeting_id,
            version=row.version,
            number_format=row.number_format,
            escalation=EscalationThresholds(**{name: getattr(row, name) for name in THRESHOLDS}),
        ),
        subject=meeting_id,
    )
    return row


def public(session: Session, row: SupervisionSettings) -> SettingsPublic:
    year = local_date(utcnow()).year
    return SettingsPublic(
        meeting_id=row.meeting_id,
        number_format=row.number_format,
        escalation=Escalation(**{name: getattr(row, name) for name in THRESHOLDS}),
        next_number=printed(row.number_format, year, next_serial(session, row.meeting_id, year)),
        version=row.version,
        updated_by=row.updated_by,
        updated_at=row.updated_at,
    )
