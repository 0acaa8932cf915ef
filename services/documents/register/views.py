from __future__ import annotations

from fastapi import APIRouter, Request, Response

from huiwu.downloads import PDF, XLSX, documented, download
from huiwu.service import SessionDep
from services.documents.access import service as access
from services.documents.access.models import AccessKind
from services.documents.copies import service as copies
from services.documents.documents import service as documents
from services.documents.documents.marking import copy_number
from services.documents.printing.return_list import HEADING, return_list_pdf
from services.documents.register import service
from services.documents.register.models import MeetingCounts, RegisterRow
from services.documents.register.spreadsheet import register_xlsx

# Mounted before the documents' routes, so "register" and "counts" are never taken for a document's id.
router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/documents", tags=["register"])


@router.get("/counts", response_model=MeetingCounts)
def read_counts(meeting_id: str, session: SessionDep) -> MeetingCounts:
    """The meeting in numbers: documents registered, and their copies printed, in stock, issued,
    outstanding, returned, retained and missing."""
    return service.meeting_counts(session, meeting_id)


@router.get("/register", response_model=list[RegisterRow])
def read_register(meeting_id: str, session: SessionDep) -> list[RegisterRow]:
    """文件清退登记: every copy that left the store, by document then copy number: to whom and
    when it was issued, and whether it came back, stays with approval, or is missing."""
    return service.register_rows(session, meeting_id)


@router.get("/register.xlsx", response_class=Response, responses=documented(XLSX))
def export_register(meeting_id: str, session: SessionDep) -> Response:
    """The return register as a spreadsheet (会议文件清退登记表)."""
    content = register_xlsx(service.register_rows(session, meeting_id))
    return download(content, XLSX, f"{service.REGISTER_TITLE}.xlsx")


@router.get("/return-list.pdf", response_class=Response, responses=documented(PDF))
def export_return_list(meeting_id: str, session: SessionDep) -> Response:
    """清退目录: one list for all attendees (nobody is singled out) of the classified documents
    issued to be handed back before leaving, with how many copies of each were issued."""
    content = return_list_pdf(service.return_list(session, meeting_id))
    return download(content, PDF, f"{HEADING}.pdf")


@router.get("/{document_id}/copies/{copy_no}/file", response_class=Response, responses=documented(PDF))
def download_copy(
    meeting_id: str, document_id: str, copy_no: str, session: SessionDep, request: Request
) -> Response:
    """A numbered copy's PDF: every page watermarked with its holder, its number and the
    marking, the 份号 top left; to callers cleared for its level (recorded, with the number).
    Only a copy that was issued to someone has one."""
    document = documents.get_or_raise(session, meeting_id, document_id)
    copy = copies.copy_or_raise(session, document, copy_no)
    if (refused := access.check(session, document, AccessKind.download, copy.number)) is not None:
        return access.refusal(refused, request)
    content = service.copy_pdf(session, document, copy, service.holder_of(session, copy))
    filename = f"{access.shown_title(document)}（份号{copy_number(copy.number)}）.pdf"
    return download(content, PDF, filename)
