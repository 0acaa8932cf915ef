"""Issuing numbered copies and taking them back (RULES R3.1, R3.5–R3.8). Every copy is in exactly
one state; per document: printed = in stock + issued, and issued = outstanding + returned +
retained + missing, the last three disjoint."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select
from sqlmodel import Session, col

from huiwu.db import utcnow
from huiwu.errors import Conflict, InvalidInput, NotFound
from huiwu.events.catalog import (
    Classification,
    CopyCollected,
    CopyIssued,
    CopyMissing,
    CopyRetained,
    Expected,
    SessionStatus,
)
from huiwu.projections import expected_among
from services.documents.access import service as access
from services.documents.agenda.models import ScheduledSession
from services.documents.attendees import service as attendees
from services.documents.attendees.models import Recipient
from services.documents.copies.models import (
    Copy,
    CopyCounts,
    CopyPublic,
    CopyStatus,
    Distribution,
    HeldCopyPublic,
    Loss,
    Retention,
    Return,
)
from services.documents.departure import service as departure
from services.documents.departure.models import ClearanceStatus, DepartureRequest
from services.documents.documents.marking import copy_number, marking
from services.documents.documents.models import Document, DocumentStatus
from services.documents.events import emit

REPORT_WITHIN = timedelta(hours=24)  # a missing classified copy is reported within 24 hours (R3.8)
DISTRIBUTABLE = (DocumentStatus.approved, DocumentStatus.released)


class NotApproved(Conflict):
    code = "not-approved"
    title = "Only approved documents are distributed"


class PrintRunExhausted(Conflict):
    code = "print-run-exhausted"
    title = "Not enough copies left"


class WrongCopyState(Conflict):
    code = "illegal-transition"
    title = "The copy is not in a state that allows this"


def distribute(session: Session, document: Document, distribution: Distribution) -> list[Copy]:
    """One copy each to the people chosen who have none yet, lowest numbers first, in protocol
    order; all or nothing."""
    if document.status not in DISTRIBUTABLE:
        raise NotApproved(
            f"the document is {document.status}; it must be approved first", field="document_id"
        )
    gone = _departed(session, document.meeting_id)
    chosen = [person for person in _recipients(session, document, distribution) if person.id not in gone]
    had = set(session.scalars(select(Copy.attendee_id).where(col(Copy.document_id) == document.id)))  # type: ignore[call-overload]
    newcomers = [person for person in chosen if person.id not in had]
    stock = list(
        session.scalars(
            select(Copy)
            .where(col(Copy.document_id) == document.id, col(Copy.status) == CopyStatus.in_stock)
            .order_by(col(Copy.number))
            .limit(len(newcomers))
        )
    )
    if len(stock) < len(newcomers):
        raise PrintRunExhausted(
            f"{len(newcomers)} people need a copy but {len(stock)} are left of {document.print_run}",
            field="document_id", needed=len(newcomers), left=len(stock),
        )  # fmt: skip
    now = utcnow()
    for copy, person in zip(stock, newcomers, strict=False):
        copy.status, copy.attendee_id = CopyStatus.issued, person.id
        copy.issued_at, copy.issued_by = now, distribution.issued_by
        emit(session, CopyIssued(
            meeting_id=document.meeting_id, document_id=document.id, copy_no=copy_number(copy.number),
            classification=document.classification, attendee_id=person.id, issued_at=now,
            issued_by=distribution.issued_by,
        ), subject=document.id)  # fmt: skip
    return stock


def _recipients(session: Session, document: Document, distribution: Distribution) -> list[Recipient]:
    if (distribution.to is None) == (distribution.session_id is None):
        raise InvalidInput("to", "one_audience", "give either `to` or `session_id`")
    people = attendees.roster(session, document.meeting_id)
    if distribution.to is not None:
        return expected_among(people, distribution.to)
    planned = session.get(ScheduledSession, distribution.session_id)
    if (
        planned is None
        or planned.meeting_id != document.meeting_id
        or planned.status == SessionStatus.cancelled
    ):
        raise NotFound(
            f"session {distribution.session_id} is not on this meeting's agenda", field="session_id"
        )
    return expected_among(people, Expected.model_validate(planned.expected))


def _departed(session: Session, meeting_id: str) -> set[str]:
    """People cleared to leave: a copy handed to them now would leave the meeting with them."""
    query = select(DepartureRequest.attendee_id).where(  # type: ignore[call-overload]
        col(DepartureRequest.meeting_id) == meeting_id,
        col(DepartureRequest.status) == ClearanceStatus.granted,
    )
    return set(session.scalars(query))


def copy_or_raise(session: Session, document: Document, copy_no: str) -> Copy:
    number = int(copy_no) if copy_no.isdigit() else 0
    copy = session.get(Copy, (document.id, number)) if number else None
    if copy is None:
        raise NotFound(f"document {document.id} has no copy {copy_no}", field="copy_no")
    return copy


def take_back(session: Session, document: Document, copy: Copy, returned: Return) -> Copy:
    _must_be(copy, CopyStatus.issued, "returned")
    copy.status = CopyStatus.returned
    copy.returned_at, copy.returned_by, copy.received_by = (
        utcnow(),
        returned.returned_by,
        returned.received_by,
    )
    copy.complete, copy.remarks = returned.complete, returned.remarks
    assert copy.attendee_id is not None and copy.returned_at is not None
    emit(session, CopyCollected(
        meeting_id=document.meeting_id, document_id=document.id, copy_no=copy_number(copy.number),
        attendee_id=copy.attendee_id, returned_at=copy.returned_at, returned_by=returned.returned_by,
        received_by=returned.received_by, complete=returned.complete,
    ), subject=document.id)  # fmt: skip
    departure.after_copy_settled(session, document.meeting_id, copy.attendee_id)
    return copy


def retain(session: Session, document: Document, copy: Copy, retention: Retention) -> Copy:
    _must_be(copy, CopyStatus.issued, "retained")
    copy.status, copy.approval_reference = CopyStatus.retained, retention.approval_reference
    copy.remarks = f"经{retention.approved_by}批准留存"
    assert copy.attendee_id is not None
    emit(session, CopyRetained(
        meeting_id=document.meeting_id, document_id=document.id, copy_no=copy_number(copy.number),
        attendee_id=copy.attendee_id, approval_reference=retention.approval_reference,
    ), subject=document.id)  # fmt: skip
    departure.after_copy_settled(session, document.meeting_id, copy.attendee_id)
    return copy


def declare_missing(session: Session, document: Document, copy: Copy, loss: Loss) -> Copy:
    """A copy that cannot be found, issued or still in stock. A classified one must be reported
    within 24 hours of its discovery (R3.8)."""
    if copy.status not in (CopyStatus.issued, CopyStatus.in_stock):
        raise WrongCopyState(f"copy {copy_number(copy.number)} is {copy.status}; it cannot go missing now",
                             field="copy_no", copy_status=copy.status)  # fmt: skip
    discovered = loss.discovered_at or utcnow()
    copy.status, copy.discovered_at, copy.circumstances = CopyStatus.missing, discovered, loss.circumstances
    classified = document.classification != Classification.none
    printed_as = marking(document.classification, document.secrecy_months)
    emit(session, CopyMissing(
        meeting_id=document.meeting_id, document_id=document.id, title=document.title,
        classification=document.classification, marking=printed_as,
        copy_no=copy_number(copy.number), attendee_id=copy.attendee_id, discovered_at=discovered,
        report_due_at=discovered + REPORT_WITHIN if classified else None, circumstances=loss.circumstances,
    ), subject=document.id)  # fmt: skip
    departure.after_copy_settled(session, document.meeting_id, copy.attendee_id)
    return copy


def _must_be(copy: Copy, status: CopyStatus, becoming: str) -> None:
    if copy.status != status:
        raise WrongCopyState(
            f"copy {copy_number(copy.number)} is {copy.status}; only an {status} copy can be {becoming}",
            field="copy_no", copy_status=copy.status,
        )  # fmt: skip


def counts(session: Session, document: Document) -> CopyCounts:
    states = Counter(session.scalars(select(Copy.status).where(col(Copy.document_id) == document.id)))  # type: ignore[call-overload]
    return _tally(states)


def meeting_counts(session: Session, meeting_id: str) -> CopyCounts:
    """The same counts over every document of the meeting."""
    status = col(Copy.status)
    query = select(status, func.count()).where(col(Copy.meeting_id) == meeting_id).group_by(status)
    return _tally(Counter(dict(session.execute(query).tuples().all())))


def _tally(states: Counter[str]) -> CopyCounts:
    by = {CopyStatus(state): number for state, number in states.items()}
    issued = sum(by.get(state, 0) for state in CopyStatus if state != CopyStatus.in_stock)
    return CopyCounts(
        printed=sum(by.values()),
        in_stock=by.get(CopyStatus.in_stock, 0),
        issued=issued,
        outstanding=by.get(CopyStatus.issued, 0),
        returned=by.get(CopyStatus.returned, 0),
        retained=by.get(CopyStatus.retained, 0),
        missing=by.get(CopyStatus.missing, 0),
    )


def copies_of(session: Session, document: Document, status: CopyStatus | None) -> list[Copy]:
    query = select(Copy).where(col(Copy.document_id) == document.id)
    if status is not None:
        query = query.where(col(Copy.status) == status)
    return list(session.scalars(query.order_by(col(Copy.number))))


def held_by(session: Session, meeting_id: str, attendee_id: str, status: CopyStatus | None) -> list[Copy]:
    query = select(Copy).where(col(Copy.meeting_id) == meeting_id, col(Copy.attendee_id) == attendee_id)
    if status is not None:
        query = query.where(col(Copy.status) == status)
    return list(session.scalars(query.order_by(col(Copy.document_id), col(Copy.number))))


def public(copy: Copy, holders: dict[str, str]) -> CopyPublic:
    return CopyPublic(
        **{
            name: getattr(copy, name)
            for name in Copy.model_fields.keys() - {"number", "meeting_id", "remarks"}
        },
        copy_no=copy_number(copy.number),
        holder=holders.get(copy.attendee_id or ""),
    )


def holder_names(session: Session, copies: list[Copy]) -> dict[str, str]:
    ids = {copy.attendee_id for copy in copies if copy.attendee_id}
    if not ids:
        return {}
    rows = session.scalars(select(Recipient).where(col(Recipient.id).in_(ids)))
    return {person.id: person.name for person in rows}


def held_public(session: Session, copies: list[Copy]) -> list[HeldCopyPublic]:
    """A person's copies with each document's (shown) title and marking."""
    holders = holder_names(session, copies)
    shown: dict[str, tuple[str, str]] = {}
    for document_id in {copy.document_id for copy in copies}:
        document = session.get(Document, document_id)
        assert document is not None
        shown[document_id] = (
            access.shown_title(document),
            marking(document.classification, document.secrecy_months),
        )
    return [
        HeldCopyPublic(**public(copy, holders).model_dump(), title=shown[copy.document_id][0],
                       marking=shown[copy.document_id][1])
        for copy in copies
    ]  # fmt: skip
