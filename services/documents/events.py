"""Documents' side of the outbox: every event it records names its meeting."""

from __future__ import annotations

from sqlmodel import Session

from huiwu.events.contract import EventContract
from huiwu.outbox import record

PRODUCER = "documents"


def emit(session: Session, event: EventContract, *, subject: str) -> None:
    """Stage ``event`` (about ``subject``: a document, a copy…) in the caller's transaction."""
    record(session, event, producer=PRODUCER, subject=subject, meeting_id=getattr(event, "meeting_id"))  # noqa: B009
