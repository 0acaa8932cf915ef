from __future__ import annotations

from fastapi import APIRouter, Response

from huiwu.downloads import PDF, documented, download
from huiwu.pagination import Cursor, Limit, Page, keyset_after, page_of
from huiwu.service import SessionDep
from services.supervision.bulletins import service
from services.supervision.bulletins.models import (
    BulletinDraft,
    BulletinIssue,
    BulletinPublic,
    BulletinStatus,
    BulletinSummary,
)
from services.supervision.meetings.service import meeting_or_raise

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/bulletins", tags=["bulletins"])


@router.post("", status_code=201, response_model=BulletinPublic)
def draft_bulletin(
    meeting_id: str, draft: BulletinDraft, session: SessionDep, response: Response
) -> BulletinPublic:
    """Draft a bulletin: masthead, headline, sections of chosen opinions (printed with the
    speaker's name and post) and paragraphs, and the foot. It is numbered when issued."""
    bulletin = service.create(session, meeting_id, draft)
    response.headers["Location"] = f"/api/v1/meetings/{meeting_id}/bulletins/{bulletin.id}"
    return service.public(session, bulletin)


@router.get("", response_model=Page[BulletinSummary])
def list_bulletins(
    meeting_id: str,
    session: SessionDep,
    status: BulletinStatus | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[BulletinSummary]:
    """Drafts and issues in the order they were drafted; a top-secret headline is hidden unless
    the caller has top-secret clearance."""
    meeting = meeting_or_raise(session, meeting_id)
    after = keyset_after(cursor, "bulletins")
    rows = service.page(session, meeting_id, limit=limit + 1, after=after, status=status)
    return page_of([service.summary(row, meeting) for row in rows], limit, BulletinSummary, "bulletins")


# Before "/{bulletin_id}", which would take "….pdf" for an id.
@router.get("/{bulletin_id}.pdf", response_class=Response, responses=documented(PDF))
def print_bulletin(meeting_id: str, bulletin_id: str, session: SessionDep) -> Response:
    """The A4 PDF: as issued, or a draft's proof marked （草稿）."""
    bulletin = service.readable(session, meeting_id, bulletin_id)
    return download(service.pdf_of(session, bulletin), PDF, service.file_name(session, bulletin))


@router.get("/{bulletin_id}", response_model=BulletinPublic)
def read_bulletin(meeting_id: str, bulletin_id: str, session: SessionDep) -> BulletinPublic:
    return service.public(session, service.readable(session, meeting_id, bulletin_id))


@router.put("/{bulletin_id}", response_model=BulletinPublic)
def edit_bulletin(
    meeting_id: str, bulletin_id: str, draft: BulletinDraft, session: SessionDep
) -> BulletinPublic:
    """Replace a draft as a whole; an issued bulletin never changes (409)."""
    bulletin = service.replace(session, service.readable(session, meeting_id, bulletin_id), draft)
    return service.public(session, bulletin)


@router.post("/{bulletin_id}/issue", response_model=BulletinPublic)
def issue_bulletin(
    meeting_id: str, bulletin_id: str, issue_in: BulletinIssue, session: SessionDep
) -> BulletinPublic:
    """印发: the meeting's next number (第N期), today's date, the PDF fixed; a classified bulletin
    goes to the documents room to be registered and its copies numbered."""
    return service.public(session, service.issue(session, meeting_id, bulletin_id, issue_in))
