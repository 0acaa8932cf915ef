"""Registering documents, their PDF versions and their review (draft → in review → approved →
released, or back to draft with the reviewer's comments)."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlmodel import Session, col

from huiwu.db import utcnow
from huiwu.errors import Conflict, InvalidInput, NotFound
from services.documents.access import service as access
from services.documents.access.models import AccessRecord, AccessRecordPublic
from services.documents.agenda.models import ScheduledSession
from services.documents.copies.models import Copy
from services.documents.documents.marking import copy_number, marking
from services.documents.documents.models import (
    Document,
    DocumentCategory,
    DocumentCreate,
    DocumentFile,
    DocumentPublic,
    DocumentStatus,
    ReviewAction,
    ReviewEntry,
    ReviewStep,
)

MAX_PDF_BYTES = 50 * 1024 * 1024
PDF_MAGIC = b"%PDF-"

TRANSITIONS = {
    (DocumentStatus.draft, ReviewAction.submit): DocumentStatus.in_review,
    (DocumentStatus.in_review, ReviewAction.approve): DocumentStatus.approved,
    (DocumentStatus.in_review, ReviewAction.send_back): DocumentStatus.draft,
    (DocumentStatus.approved, ReviewAction.send_back): DocumentStatus.draft,
    (DocumentStatus.approved, ReviewAction.release): DocumentStatus.released,
}


class IllegalReview(Conflict):
    code = "illegal-transition"
    title = "Illegal review step"


class Embargoed(Conflict):
    code = "embargoed"
    title = "Not before the embargo"


class NoFile(NotFound):
    code = "no-file"
    title = "No PDF uploaded"


class NotInDraft(Conflict):
    code = "not-in-draft"
    title = "Only a draft can change"


def register(session: Session, meeting_id: str, document_in: DocumentCreate) -> Document:
    """A document and its print run: copies 000001 … print_run, all in stock (R3.1)."""
    values = document_in.model_dump(exclude={"secrecy_years", "secrecy_months"})
    document = Document.model_validate(
        {**values, "meeting_id": meeting_id, "secrecy_months": document_in.period_months()}
    )
    if document.session_id is not None:
        planned = session.get(ScheduledSession, document.session_id)
        if planned is None or planned.meeting_id != meeting_id:
            raise NotFound(
                f"session {document.session_id} is not on this meeting's agenda", field="session_id"
            )
        document.deliver_at = planned.starts_at
    session.add(document)
    session.flush()
    session.add_all(
        Copy(document_id=document.id, number=number, meeting_id=meeting_id)
        for number in range(1, document.print_run + 1)
    )
    return document


def get_or_raise(session: Session, meeting_id: str, document_id: str) -> Document:
    document = session.get(Document, document_id)
    if document is None or document.meeting_id != meeting_id:
        raise NotFound(
            f"document {document_id} is not registered for meeting {meeting_id}", field="document_id"
        )
    return document


def of_meeting(session: Session, meeting_id: str) -> list[Document]:
    query = select(Document).where(col(Document.meeting_id) == meeting_id)
    return list(session.scalars(query.order_by(col(Document.created_at), col(Document.id))))


def upload(session: Session, document: Document, content: bytes, by: str) -> DocumentFile:
    """A new version of the PDF (earlier ones are kept), while the document is a draft."""
    if document.status != DocumentStatus.draft:
        raise NotInDraft(f"the document is {document.status}; send it back to draft to change its file")
    if not content.startswith(PDF_MAGIC):
        raise InvalidInput("body", "not_a_pdf", "the body must be a PDF file (it starts with %PDF-)")
    if len(content) > MAX_PDF_BYTES:
        raise InvalidInput("body", "too_large", f"a PDF may be {MAX_PDF_BYTES // (1024 * 1024)} MB at most")
    document.file_version += 1
    document.version += 1
    file = DocumentFile(
        document_id=document.id,
        version=document.file_version,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        content=content,
        uploaded_by=by,
    )
    session.add(file)
    return file


def current_file(session: Session, document: Document) -> DocumentFile | None:
    if document.file_version == 0:
        return None
    return session.get(DocumentFile, (document.id, document.file_version))


def review(session: Session, document: Document, step: ReviewStep) -> Document:
    before = DocumentStatus(document.status)
    after = TRANSITIONS.get((before, step.action))
    if after is None:
        allowed = sorted(action.value for (status, action) in TRANSITIONS if status == before)
        raise IllegalReview(f"a {before} document cannot be {step.action}", field="action", allowed=allowed)
    if step.action == ReviewAction.send_back and not step.comment:
        raise InvalidInput("comment", "comment_required", "sending back needs the reviewer's comments")
    if step.action == ReviewAction.submit and document.file_version == 0:
        raise InvalidInput("action", "file_required", "upload the document's PDF before submitting it")
    if step.action == ReviewAction.release:
        _past_embargo(document)
    document.status = after
    document.version += 1
    session.add(
        ReviewEntry(document_id=document.id, action=step.action, before=before, after=after, by=step.by,
                    comment=step.comment)
    )  # fmt: skip
    return document


def _past_embargo(document: Document) -> None:
    """A press release is published only after approval and its embargo (not released before)."""
    embargo = document.embargo_until
    if embargo is not None and utcnow() < embargo:
        kind = "press release" if document.category == DocumentCategory.press_release else "document"
        raise Embargoed(
            f"this {kind} is embargoed until {embargo.isoformat()}", embargo_until=embargo.isoformat()
        )


SHOWN_AS = {"title", "marking", "file_sha256"}  # worked out below, not copied from the row


def public(session: Session, document: Document) -> DocumentPublic:
    file = current_file(session, document)
    return DocumentPublic(
        **{name: getattr(document, name) for name in DocumentPublic.model_fields.keys() - SHOWN_AS},
        title=access.shown_title(document),
        marking=marking(document.classification, document.secrecy_months),
        file_sha256=file.sha256 if file else None,
    )


def move_deliveries(session: Session, planned: ScheduledSession) -> None:
    """The session moved (or was cancelled): its documents follow its start."""
    documents = session.scalars(select(Document).where(col(Document.session_id) == planned.id))
    for document in documents:
        document.deliver_at = None if planned.status == "cancelled" else planned.starts_at


def access_log(session: Session, document: Document) -> list[AccessRecordPublic]:
    rows = session.scalars(
        select(AccessRecord)
        .where(col(AccessRecord.document_id) == document.id)
        .order_by(col(AccessRecord.at))
    )
    return [
        AccessRecordPublic(
            **{name: getattr(row, name) for name in AccessRecordPublic.model_fields.keys() - {"copy_no"}},
            copy_no=None if row.copy_no is None else copy_number(row.copy_no),
        )
        for row in rows
    ]
