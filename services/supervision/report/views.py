"""The report to leaders over HTTP, as JSON, a spreadsheet and a PDF. Plain ``def`` routes:
rendering is CPU work and runs in the thread pool."""

from __future__ import annotations

from fastapi import APIRouter, Response

from huiwu.db import utcnow
from huiwu.downloads import PDF, XLSX, documented, download
from huiwu.service import SessionDep
from services.supervision.report import service
from services.supervision.report.models import LeadersReport
from services.supervision.report.pdf import report_pdf
from services.supervision.report.spreadsheet import report_xlsx

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/supervision", tags=["supervision-report"])


@router.get("/report", response_model=LeadersReport)
def read_report(meeting_id: str, session: SessionDep) -> LeadersReport:
    """督查督办情况报告 (RULES R4.8) as of now: "确定事项22件，已办结6件，占比27%；正在办理16件，
    占比73%" and the lagging departments named; counts and percentages by state and by lead
    department; the lights; the overdue items of each department; the cases. Percentages are
    whole numbers by the largest remainder method, so the parts of a whole add up to 100."""
    return service.report(session, meeting_id, utcnow())


@router.get("/report.xlsx", response_class=Response, responses=documented(XLSX))
def export_report_xlsx(meeting_id: str, session: SessionDep) -> Response:
    """The report as a workbook, one tab per section; counts as numbers, percentages as percentages."""
    report = service.report(session, meeting_id, utcnow())
    return download(report_xlsx(report), XLSX, f"{report.title}.xlsx")


@router.get("/report.pdf", response_class=Response, responses=documented(PDF))
def export_report_pdf(meeting_id: str, session: SessionDep) -> Response:
    """The report to print: A4, the CJK fonts embedded, the as-of time in Beijing time."""
    report = service.report(session, meeting_id, utcnow())
    return download(report_pdf(report), PDF, f"{report.title}.pdf")
