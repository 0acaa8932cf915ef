from __future__ import annotations

from fastapi import APIRouter, Response

from huiwu.pagination import Cursor, Limit, Page, keyset_after, page_of
from huiwu.service import SessionDep
from services.supervision.situation_reports import service
from services.supervision.situation_reports.models import SituationReportCreate, SituationReportPublic

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/situation-reports", tags=["situation-reports"])


@router.post("", status_code=201, response_model=SituationReportPublic)
def send_situation_report(
    meeting_id: str, report_in: SituationReportCreate, session: SessionDep, response: Response
) -> SituationReportPublic:
    """情况反映: sent at once to the presiding officer and the leaders named (people on the roster,
    or by name and post); notices go out to each."""
    report = service.send(session, meeting_id, report_in)
    response.headers["Location"] = f"/api/v1/meetings/{meeting_id}/situation-reports/{report.id}"
    return service.public(report)


@router.get("", response_model=Page[SituationReportPublic])
def list_situation_reports(
    meeting_id: str, session: SessionDep, limit: Limit = 50, cursor: Cursor = None
) -> Page[SituationReportPublic]:
    """In the order they were sent."""
    rows = service.page(session, meeting_id, limit=limit + 1, after=keyset_after(cursor, "situation-reports"))
    return page_of([service.public(row) for row in rows], limit, SituationReportPublic, "situation-reports")


@router.get("/{report_id}", response_model=SituationReportPublic)
def read_situation_report(meeting_id: str, report_id: str, session: SessionDep) -> SituationReportPublic:
    return service.public(service.get_or_raise(session, meeting_id, report_id))
