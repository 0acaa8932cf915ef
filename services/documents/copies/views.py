from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from huiwu.service import SessionDep
from services.documents.copies import service
from services.documents.copies.models import (
    CopyCounts,
    CopyPublic,
    CopyStatus,
    Distribution,
    HeldCopyPublic,
    Loss,
    Retention,
    Return,
)
from services.documents.documents import service as documents

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}", tags=["copies"])
COPY = "/documents/{document_id}/copies/{copy_no}"


class CopiesPublic(BaseModel):
    counts: CopyCounts
    items: list[CopyPublic]


@router.post("/documents/{document_id}/distribute", response_model=CopiesPublic)
def distribute(
    meeting_id: str, document_id: str, distribution: Distribution, session: SessionDep
) -> CopiesPublic:
    """Issue one numbered copy to each person chosen (everyone, the members, a group, a list, or a
    session's expected people) who has none yet, in protocol order. All or nothing."""
    document = documents.get_or_raise(session, meeting_id, document_id)
    issued = service.distribute(session, document, distribution)
    holders = service.holder_names(session, issued)
    return CopiesPublic(
        counts=service.counts(session, document), items=[service.public(c, holders) for c in issued]
    )


@router.get("/documents/{document_id}/copies", response_model=CopiesPublic)
def list_copies(
    meeting_id: str, document_id: str, session: SessionDep, status: CopyStatus | None = None
) -> CopiesPublic:
    """Every copy of the document by number, with the counts (printed = in stock + issued)."""
    document = documents.get_or_raise(session, meeting_id, document_id)
    copies = service.copies_of(session, document, status)
    holders = service.holder_names(session, copies)
    return CopiesPublic(
        counts=service.counts(session, document), items=[service.public(c, holders) for c in copies]
    )


@router.post(f"{COPY}/return", response_model=CopyPublic)
def return_copy(
    meeting_id: str, document_id: str, copy_no: str, returned: Return, session: SessionDep
) -> CopyPublic:
    """清退: the copy came back (who returned it, who received it, complete or not)."""
    document = documents.get_or_raise(session, meeting_id, document_id)
    copy = service.take_back(session, document, service.copy_or_raise(session, document, copy_no), returned)
    return service.public(copy, service.holder_names(session, [copy]))


@router.post(f"{COPY}/retain", response_model=CopyPublic)
def retain_copy(
    meeting_id: str, document_id: str, copy_no: str, retention: Retention, session: SessionDep
) -> CopyPublic:
    """The holder keeps the copy, with an approval reference (经批准留存)."""
    document = documents.get_or_raise(session, meeting_id, document_id)
    copy = service.retain(session, document, service.copy_or_raise(session, document, copy_no), retention)
    return service.public(copy, service.holder_names(session, [copy]))


@router.post(f"{COPY}/missing", response_model=CopyPublic)
def declare_missing(
    meeting_id: str, document_id: str, copy_no: str, loss: Loss, session: SessionDep
) -> CopyPublic:
    """The copy cannot be found: recorded with the discovery time; a classified copy starts the
    24-hour report (supervision opens a case)."""
    document = documents.get_or_raise(session, meeting_id, document_id)
    copy = service.declare_missing(session, document, service.copy_or_raise(session, document, copy_no), loss)
    return service.public(copy, service.holder_names(session, [copy]))


@router.get("/attendees/{attendee_id}/copies", response_model=list[HeldCopyPublic])
def copies_held(
    meeting_id: str, attendee_id: str, session: SessionDep, status: CopyStatus | None = None
) -> list[HeldCopyPublic]:
    """The copies a person was given; ``status=issued`` lists those still outstanding."""
    copies = service.held_by(session, meeting_id, attendee_id, status)
    return service.held_public(session, copies)
