"""Who may see what (RULES R3.2, BRIEF "what must never happen"): classified content only with a
clearance at or above its level, a top-secret title not even that; every read of classified
content and every refusal is recorded."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlmodel import Session

from huiwu import secrecy
from huiwu.context import current_actor
from huiwu.errors import problem
from huiwu.events.catalog import Classification
from huiwu.secrecy import NotCleared, caller_clearance
from services.documents.access.models import AccessKind, AccessRecord
from services.documents.documents.models import Document

HIDDEN_TITLE = "（绝密文件）"


def shown_title(document: Document) -> str:
    return HIDDEN_TITLE if secrecy.title_hidden(document.classification) else document.title


def check(
    session: Session, document: Document, kind: AccessKind, copy_no: int | None = None
) -> NotCleared | None:
    """Record the access, or the refusal; the refusal is returned (not raised) so the record of
    it is committed with the request."""
    refused = secrecy.refusal(document.classification, "this document")
    if document.classification != Classification.none or refused:
        _record(session, document, AccessKind.refused if refused else kind, copy_no)
    return refused


def refusal(error: NotCleared, request: Request) -> JSONResponse:
    return problem(error.status, error.code, error.title, error.detail, request, **error.extensions)


def _record(session: Session, document: Document, kind: AccessKind, copy_no: int | None) -> None:
    session.add(
        AccessRecord(
            meeting_id=document.meeting_id,
            document_id=document.id,
            copy_no=copy_no,
            kind=kind,
            who=current_actor.get() or "unknown",
            clearance=caller_clearance().name,
            classification=document.classification,
        )
    )
