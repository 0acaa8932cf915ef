"""The meeting's return register and return list, and a numbered copy's own PDF (RULES R3.1,
R3.6, R3.7)."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlmodel import Session, col

from huiwu.errors import Conflict
from huiwu.events.catalog import Classification
from services.documents.access import service as access
from services.documents.attendees.models import Recipient
from services.documents.copies import service as copies
from services.documents.copies.models import Copy, CopyStatus
from services.documents.documents import service as documents
from services.documents.documents.marking import copy_number, marking
from services.documents.documents.models import Document
from services.documents.printing.watermark import CopyMark, UnreadablePdf, watermarked
from services.documents.register.models import STATUS_NAMES, MeetingCounts, RegisterRow, ReturnListEntry

REGISTER_TITLE = "会议文件清退登记表"  # documents does not know the meeting's name


class NeverIssued(Conflict):
    code = "not-issued"
    title = "The copy was never issued"


class UnreadableFile(Conflict):
    code = "unreadable-file"
    title = "The document's PDF cannot be read"


def meeting_counts(session: Session, meeting_id: str) -> MeetingCounts:
    registered = select(func.count()).select_from(Document).where(col(Document.meeting_id) == meeting_id)
    return MeetingCounts(
        documents=session.scalar(registered) or 0, copies=copies.meeting_counts(session, meeting_id)
    )


def register_rows(session: Session, meeting_id: str) -> list[RegisterRow]:
    """Every copy that left the store (issued, returned, retained or missing, including one lost
    from the store, which must be accounted for too), by document in registration order, then
    by copy number."""
    query = (
        select(Copy, Document)
        .join(Document, col(Document.id) == col(Copy.document_id))
        .where(col(Copy.meeting_id) == meeting_id, col(Copy.status) != CopyStatus.in_stock)
        .order_by(col(Document.created_at), col(Document.id), col(Copy.number))
    )
    pairs = [(copy, document) for copy, document in session.execute(query)]
    holders = _recipients(session, {copy.attendee_id for copy, _ in pairs if copy.attendee_id})
    return [_row(copy, document, holders.get(copy.attendee_id or "")) for copy, document in pairs]


def _recipients(session: Session, ids: set[str]) -> dict[str, Recipient]:
    if not ids:
        return {}
    people = session.scalars(select(Recipient).where(col(Recipient.id).in_(ids)))
    return {person.id: person for person in people}


def _row(copy: Copy, document: Document, holder: Recipient | None) -> RegisterRow:
    status = CopyStatus(copy.status)
    return RegisterRow(
        document_id=document.id,
        title=access.shown_title(document),
        reference=document.reference,
        marking=marking(document.classification, document.secrecy_months),
        copy_no=copy_number(copy.number),
        attendee_id=copy.attendee_id,
        holder=holder.name if holder else None,
        organization=holder.organization if holder else None,
        issued_at=copy.issued_at,
        issued_by=copy.issued_by,
        status=STATUS_NAMES[status],
        state=status,
        returned_at=copy.returned_at,
        returned_by=copy.returned_by,
        received_by=copy.received_by,
        complete=copy.complete,
        approval_reference=copy.approval_reference,
        remarks=_remarks(copy),
    )


def _remarks(copy: Copy) -> str | None:
    notes = [copy.remarks, f"缺失：{copy.circumstances}" if copy.circumstances else None]
    return "；".join(note for note in notes if note) or None


def return_list(session: Session, meeting_id: str) -> list[ReturnListEntry]:
    """The documents everyone hands back: each classified one with issued copies, in
    registration order."""
    issued = Counter(
        session.scalars(
            select(Copy.document_id).where(  # type: ignore[call-overload]
                col(Copy.meeting_id) == meeting_id, col(Copy.status) != CopyStatus.in_stock
            )
        )
    )
    return [
        ReturnListEntry(
            title=access.shown_title(document),
            reference=document.reference,
            marking=marking(document.classification, document.secrecy_months),
            issued=issued[document.id],
        )
        for document in documents.of_meeting(session, meeting_id)
        if issued[document.id] and document.classification != Classification.none
    ]


def holder_of(session: Session, copy: Copy) -> Recipient:
    """The person a copy was issued to; a copy nobody was given has no PDF of its own."""
    holder = session.get(Recipient, copy.attendee_id) if copy.attendee_id else None
    if holder is None:
        raise NeverIssued(
            f"copy {copy_number(copy.number)} is {copy.status} and was never issued to anyone",
            field="copy_no", copy_status=copy.status,
        )  # fmt: skip
    return holder


def copy_pdf(session: Session, document: Document, copy: Copy, holder: Recipient) -> bytes:
    """The document's current PDF, marked as this copy: its holder, its number, its marking."""
    file = documents.current_file(session, document)
    if file is None:
        raise documents.NoFile(f"no PDF has been uploaded for document {document.id}", field="document_id")
    mark = CopyMark(
        holder=holder.name,
        copy_no=copy_number(copy.number),
        marking=marking(document.classification, document.secrecy_months),
    )
    try:
        return watermarked(file.content, mark)
    except UnreadablePdf as error:
        raise UnreadableFile(f"{error}; upload a new version of the document", field="document_id") from error
