"""The meeting guide over HTTP: a PDF booklet to print and an HTML page to read, both made afresh
on every request so they show every change at once. Plain ``def`` routes: rendering is CPU work
and runs in the thread pool."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse

from huiwu.downloads import PDF, documented, download
from huiwu.service import SessionDep
from services.registration.guide import service
from services.registration.guide.html_page import guide_html
from services.registration.guide.pdf import guide_pdf

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}", tags=["guide"])

# A guide kept by a browser or proxy would go stale with the next change of room or time.
NOT_STORED = {"Cache-Control": "no-store"}


@router.get("/guide.pdf", response_class=Response, responses=documented(PDF))
def guide_booklet(meeting_id: str, session: SessionDep) -> Response:
    """The meeting guide (会议指南) as an A5 booklet: agenda, groups, roster, lodging and notes."""
    guide = service.collect(session=session, meeting_id=meeting_id)
    response = download(guide_pdf(guide), PDF, f"{guide.title}.pdf")
    response.headers.update(NOT_STORED)
    return response


@router.get("/guide.html", response_class=HTMLResponse)
def guide_page(meeting_id: str, session: SessionDep) -> HTMLResponse:
    """The same guide as one standalone, printable HTML page."""
    guide = service.collect(session=session, meeting_id=meeting_id)
    return HTMLResponse(guide_html(guide), headers=NOT_STORED)
