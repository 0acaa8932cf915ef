"""Sessions move, documents follow: venue's ``agenda.changed`` updates documents' copy of the
agenda and the delivery time of every document meant for the session."""

from __future__ import annotations

from sqlmodel import Session

from huiwu.events.catalog import AgendaChanged
from huiwu.events.contract import EventContract
from huiwu.events.envelope import CloudEvent
from huiwu.projections import apply_if_newer
from services.documents.agenda.models import ScheduledSession
from services.documents.documents import service as documents


def on_agenda_changed(session: Session, _event: CloudEvent, data: EventContract) -> None:
    assert isinstance(data, AgendaChanged)
    after = data.after
    values = {
        "id": after.session_id,
        "meeting_id": data.meeting_id,
        "title": after.title,
        "status": after.status,
        "starts_at": after.starts_at,
        "expected": after.expected.model_dump(mode="json"),
    }
    if apply_if_newer(session, ScheduledSession, after.session_id, after.version, values):
        session.flush()
        planned = session.get(ScheduledSession, after.session_id)
        assert planned is not None
        documents.move_deliveries(session, planned)
