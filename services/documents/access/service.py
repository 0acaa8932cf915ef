"""Who may see what (RULES R3.2, BRIEF "what must never happen"): classified content only with a
clearance at or above its level, a top-secret title not even that; every read of classified
content and every refusal is recorded."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse
from sqlmodel import Session

from huiwu.auth import Clearance
from huiwu.context import current_actor, current_clearance
from huiwu.errors import Forbidden, problem
from huiwu.events.catalog import Classification
from services.documents.access.models import AccessKind, AccessRecord
from services.documents.documents.models import Document

NEEDED = {
    Classification.none: Clearance.none,
    Classification.secret: Clearance.secret,
    Classification.confidential: Clearance.confidential,
    Classification.top_secret: Clearance.top_secret,
}
HIDDEN_TITLE = "（绝密文件）"


class NotCleared(Forbidden):
    code = "clearance-required"
    title = "Clearance too low"


def caller_clearance() -> Clearance:
    """The clearance the gateway vouched for; a request without one has none."""
    return Clearance.named(current_clearance.get())


def shown_title(document: Document) -> str:
    """A top-secret document's title is itself secret: only top-secret clearance sees it."""
    if document.classification == Classification.top_secret and caller_clearance() < Clearance.top_secret:
        return HIDDEN_TITLE
    return document.title


def check(
    session: Session, document: Document, kind: AccessKind, copy_no: int | None = None
) -> NotCleared | None:
    """Record the access, or the refusal; the refusal is returned (not raised) so the record of
    it is committed with the request."""
    needed = NEEDED[Classification(document.classification)]
    cleared = caller_clearance() >= needed
    if document.classification != Classification.none or not cleared:
        _record(session, document, kind if cleared else AccessKind.refused, copy_no)
    if cleared:
        return None
    return NotCleared(
        f"this document is {document.classification}; the caller's clearance is {caller_clearance().name}",
        required_clearance=needed.name,
    )


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
