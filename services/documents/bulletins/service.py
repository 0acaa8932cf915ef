"""A classified bulletin supervision issued is registered here like any other classified document
(RULES R5.2, §3): its print run numbered 000001…, handed out, taken back. It arrives released,
with the PDF as issued: the secretariat signed it off when it issued it, and an issued bulletin
never changes, so it is never sent back to draft here either."""

from __future__ import annotations

import base64

from sqlmodel import Session

from huiwu.errors import NotFound
from huiwu.events.catalog import BulletinIssued, BulletinRecipients, Classification
from huiwu.events.contract import EventContract
from huiwu.events.envelope import CloudEvent
from services.documents.bulletins.models import BulletinDocument, BulletinDocumentPublic
from services.documents.documents import service as documents
from services.documents.documents.models import (
    Document,
    DocumentCategory,
    DocumentCreate,
    DocumentStatus,
    ReviewAction,
    ReviewEntry,
)


def on_bulletin_issued(session: Session, _event: CloudEvent, data: EventContract) -> None:
    assert isinstance(data, BulletinIssued)
    if data.classification == Classification.none:
        return  # an unclassified bulletin is handed out freely: no copies to number or take back
    if session.get(BulletinDocument, data.bulletin_id) is not None:
        return  # registered already
    registration = DocumentCreate(
        title=data.title, reference=f"第{data.issue_number}期", category=DocumentCategory.bulletin,
        classification=data.classification, secrecy_years=data.secrecy_years, print_run=data.print_count,
        registered_by=data.issued_by,
    )  # fmt: skip
    document = documents.register(session, data.meeting_id, registration)
    if data.pdf is not None:
        documents.upload(session, document, base64.b64decode(data.pdf), data.issued_by)
    _released(session, document, data)
    link = BulletinDocument(
        bulletin_id=data.bulletin_id, document_id=document.id, meeting_id=data.meeting_id,
        issue_number=data.issue_number, issued_on=data.issued_on, recipients=data.recipients.model_dump(),
    )  # fmt: skip
    session.add(link)


def _released(session: Session, document: Document, data: BulletinIssued) -> None:
    document.status = DocumentStatus.released
    document.version += 1
    entry = ReviewEntry(
        document_id=document.id, action=ReviewAction.release, before=DocumentStatus.draft,
        after=DocumentStatus.released, by=data.issued_by,
        comment=f"{data.unit}于{data.issued_on.isoformat()}印发（第{data.issue_number}期），登记即发布",
    )  # fmt: skip
    session.add(entry)


def registered(session: Session, meeting_id: str, bulletin_id: str) -> BulletinDocumentPublic:
    link = session.get(BulletinDocument, bulletin_id)
    if link is None or link.meeting_id != meeting_id:
        raise NotFound(
            f"bulletin {bulletin_id} of meeting {meeting_id} is not registered (only classified ones are)",
            field="bulletin_id",
        )
    document = documents.get_or_raise(session, meeting_id, link.document_id)
    return BulletinDocumentPublic(
        bulletin_id=link.bulletin_id,
        issue_number=link.issue_number,
        issued_on=link.issued_on,
        recipients=BulletinRecipients.model_validate(link.recipients),
        document=documents.public(session, document),
    )
