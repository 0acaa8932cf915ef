"""Documents' half of the departure saga (离会清退, RULES R3.4, R3.6): a person may leave once
no copy they were given is still with them (returned, retained with approval, or declared
missing all count as settled). A refused person is cleared by documents itself when their last
copy is settled, so nobody has to ask again."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from huiwu.db import utcnow
from huiwu.events.catalog import (
    Classification,
    ClearanceDenied,
    ClearanceGranted,
    DepartureRequested,
    OutstandingCopy,
)
from huiwu.events.contract import EventContract
from huiwu.events.envelope import CloudEvent
from services.documents.access.service import HIDDEN_TITLE
from services.documents.attendees.models import Recipient
from services.documents.copies.models import Copy, CopyStatus
from services.documents.departure.models import (
    AnswerPublic,
    ClearancePublic,
    ClearanceStatus,
    DepartureRequest,
)
from services.documents.documents.marking import copy_number
from services.documents.documents.models import Document
from services.documents.events import emit


def on_departure_requested(session: Session, _event: CloudEvent, data: EventContract) -> None:
    """Answer at once: granted, or denied with the copies still out."""
    assert isinstance(data, DepartureRequested)
    if session.get(DepartureRequest, data.request_id) is not None:
        return  # answered already
    _settling_one_at_a_time(session, data.attendee_id)
    request = DepartureRequest(
        request_id=data.request_id,
        meeting_id=data.meeting_id,
        attendee_id=data.attendee_id,
        requested_at=data.requested_at,
    )
    session.add(request)
    outstanding = outstanding_copies(session, data.meeting_id, data.attendee_id)
    if outstanding:
        _deny(session, request, outstanding)
    else:
        _grant(session, request)


def after_copy_settled(session: Session, meeting_id: str, attendee_id: str | None) -> None:
    """A copy of ``attendee_id`` was returned, retained or declared missing: if it was their last
    one and they were refused a departure, grant it now."""
    if attendee_id is None:
        return  # a copy missing from stock had no holder
    _settling_one_at_a_time(session, attendee_id)
    refused = session.scalars(
        select(DepartureRequest).where(
            col(DepartureRequest.meeting_id) == meeting_id,
            col(DepartureRequest.attendee_id) == attendee_id,
            col(DepartureRequest.status) == ClearanceStatus.denied,
        )
    ).all()
    if not refused or outstanding_copies(session, meeting_id, attendee_id):
        return
    # Every refused request is granted; registration ignores the ones it has since asked again for.
    for request in refused:
        _grant(session, request)


def _settling_one_at_a_time(session: Session, attendee_id: str) -> None:
    # A request and a return for one person (or two returns) wait for each other on PostgreSQL:
    # otherwise each could miss the other's uncommitted change and leave the person refused with
    # nothing outstanding. SQLite has one writer at a time anyway.
    session.scalars(select(Recipient).where(col(Recipient.id) == attendee_id).with_for_update()).first()


def clearance(session: Session, meeting_id: str, attendee_id: str) -> ClearancePublic:
    outstanding = outstanding_copies(session, meeting_id, attendee_id)
    latest = session.scalars(
        select(DepartureRequest)
        .where(col(DepartureRequest.meeting_id) == meeting_id)
        .where(col(DepartureRequest.attendee_id) == attendee_id)
        .order_by(col(DepartureRequest.requested_at).desc())
    ).first()
    answer = None if latest is None else AnswerPublic.model_validate(latest, from_attributes=True)
    return ClearancePublic(
        attendee_id=attendee_id, may_leave=not outstanding, outstanding=outstanding, last_request=answer
    )


def outstanding_copies(session: Session, meeting_id: str, attendee_id: str) -> list[OutstandingCopy]:
    """The copies still with the person (issued, not settled), in the order of the register."""
    rows = session.execute(
        select(Copy, Document)
        .join(Document, col(Document.id) == col(Copy.document_id))
        .where(
            col(Copy.meeting_id) == meeting_id,
            col(Copy.attendee_id) == attendee_id,
            col(Copy.status) == CopyStatus.issued,
        )
        .order_by(col(Document.created_at), col(Document.id), col(Copy.number))
    ).all()
    return [
        OutstandingCopy(
            document_id=document.id,
            title=_title_in_events(document),
            copy_no=copy_number(copy.number),
            classification=document.classification,
        )
        for copy, document in rows
    ]


def _title_in_events(document: Document) -> str:
    # Registration shows the list to desk staff without a clearance check: a top-secret title,
    # itself secret, never leaves documents.
    if document.classification == Classification.top_secret:
        return HIDDEN_TITLE
    return document.title


def _grant(session: Session, request: DepartureRequest) -> None:
    request.status, request.decided_at = ClearanceStatus.granted, utcnow()
    emit(
        session,
        ClearanceGranted(
            meeting_id=request.meeting_id, attendee_id=request.attendee_id, request_id=request.request_id
        ),
        subject=request.attendee_id,
    )


def _deny(session: Session, request: DepartureRequest, outstanding: list[OutstandingCopy]) -> None:
    request.status, request.decided_at = ClearanceStatus.denied, utcnow()
    emit(
        session,
        ClearanceDenied(
            meeting_id=request.meeting_id,
            attendee_id=request.attendee_id,
            request_id=request.request_id,
            outstanding=outstanding,
        ),
        subject=request.attendee_id,
    )
