from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request, Response

from huiwu import preconditions
from huiwu.downloads import PDF, documented, download
from huiwu.pagination import Cursor, Limit, Page, page_after
from huiwu.preconditions import IfMatch
from huiwu.service import SessionDep
from services.documents.access import service as access
from services.documents.access.models import AccessKind, AccessRecordPublic
from services.documents.documents import service
from services.documents.documents.models import DocumentCreate, DocumentPublic, ReviewStep

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/documents", tags=["documents"])

Uploader = Annotated[str, Query(min_length=1, max_length=50, description="who uploads it")]


@router.post("", status_code=201, response_model=DocumentPublic)
def register_document(
    meeting_id: str, document_in: DocumentCreate, session: SessionDep, response: Response
) -> DocumentPublic:
    """Register a document with its classification, period, urgency, embargo and print run; its
    copies 000001 … print run are numbered at once."""
    document = service.register(session, meeting_id, document_in)
    response.headers["Location"] = f"/api/v1/meetings/{meeting_id}/documents/{document.id}"
    return service.public(session, document)


@router.get("", response_model=Page[DocumentPublic])
def list_documents(
    meeting_id: str, session: SessionDep, limit: Limit = 50, cursor: Cursor = None
) -> Page[DocumentPublic]:
    """The meeting's documents in registration order; a top-secret title shows as a placeholder
    unless the caller has top-secret clearance."""
    keyed = [([row.created_at.isoformat(), row.id], row) for row in service.of_meeting(session, meeting_id)]
    rows, next_cursor = page_after(keyed, cursor, limit, scope="documents")
    return Page[DocumentPublic](items=[service.public(session, row) for row in rows], next_cursor=next_cursor)


@router.get("/{document_id}", response_model=DocumentPublic)
def read_document(
    meeting_id: str, document_id: str, session: SessionDep, response: Response
) -> DocumentPublic:
    document = service.get_or_raise(session, meeting_id, document_id)
    preconditions.tag(response, document.version)
    return service.public(session, document)


@router.put(
    "/{document_id}/file",
    response_model=DocumentPublic,
    openapi_extra={"requestBody": {"content": {PDF: {"schema": {"type": "string", "format": "binary"}}}}},
)
def upload_file(
    meeting_id: str,
    document_id: str,
    session: SessionDep,
    by: Uploader,
    content: Annotated[bytes, Body()],
    response: Response,
    if_match: IfMatch = None,
) -> DocumentPublic:
    """Upload a new version of the PDF (a draft only); every version is kept with its SHA-256.
    With ``If-Match``, only if nobody changed the document since (else 412)."""
    document = service.get_or_raise(session, meeting_id, document_id)
    preconditions.require(if_match, session, lambda: document)
    service.upload(session, document, content, by)
    preconditions.tag(response, document.version)
    return service.public(session, document)


@router.get("/{document_id}/file", response_class=Response, responses=documented(PDF))
def download_file(meeting_id: str, document_id: str, session: SessionDep, request: Request) -> Response:
    """The current PDF, to callers cleared for its level (the download is recorded)."""
    document = service.get_or_raise(session, meeting_id, document_id)
    if (refused := access.check(session, document, AccessKind.download)) is not None:
        return access.refusal(refused, request)
    file = service.current_file(session, document)
    if file is None:
        raise service.NoFile(f"no PDF has been uploaded for document {document_id}", field="document_id")
    return download(file.content, PDF, f"{document.title}.pdf")


@router.post("/{document_id}/review", response_model=DocumentPublic)
def review_document(
    meeting_id: str,
    document_id: str,
    step: ReviewStep,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> DocumentPublic:
    """draft → in review → approved → released; back to draft with comments. With ``If-Match``,
    only if nobody changed the document since (else 412)."""
    document = service.get_or_raise(session, meeting_id, document_id)
    preconditions.require(if_match, session, lambda: document)
    reviewed = service.review(session, document, step)
    preconditions.tag(response, reviewed.version)
    return service.public(session, reviewed)


@router.get("/{document_id}/access", response_model=list[AccessRecordPublic])
def access_log(meeting_id: str, document_id: str, session: SessionDep) -> list[AccessRecordPublic]:
    """Who read or downloaded the document's content, and who was refused, oldest first."""
    document = service.get_or_raise(session, meeting_id, document_id)
    return service.access_log(session, document)
