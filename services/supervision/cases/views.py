from __future__ import annotations

from fastapi import APIRouter

from huiwu.db import utcnow
from huiwu.events.catalog import CaseKind, CaseState
from huiwu.pagination import Cursor, Limit, Page, encode_cursor, keyset_after
from huiwu.service import SessionDep
from services.supervision.cases import service
from services.supervision.cases.models import CaseDetail, CaseSummary, CloseIn, ReportIn

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/cases", tags=["cases"])
SCOPE = "cases"


@router.get("", response_model=Page[CaseSummary])
def list_cases(
    meeting_id: str,
    session: SessionDep,
    kind: CaseKind | None = None,
    state: CaseState | None = None,
    overdue: bool | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[CaseSummary]:
    """The meeting's cases, oldest first; ``overdue``: the report deadline passed unreported."""
    now = utcnow()
    rows = service.page(
        session, meeting_id, kind=kind, state=state, overdue=overdue,
        limit=limit + 1, after=keyset_after(cursor, SCOPE), now=now,
    )  # fmt: skip
    last = rows[limit - 1] if len(rows) > limit else None
    return Page[CaseSummary](
        items=[service.summary(case, now) for case in rows[:limit]],
        next_cursor=encode_cursor(SCOPE, [last.created_at.isoformat(), last.id]) if last else None,
    )


@router.get("/{case_id}", response_model=CaseDetail)
def read_case(meeting_id: str, case_id: str, session: SessionDep) -> CaseDetail:
    """A case with its cause (the missing copy, or the request followed up) and its report."""
    case = service.get_or_raise(session, meeting_id, case_id)
    return service.detail(session, case, utcnow())


@router.post("/{case_id}/report", response_model=CaseDetail)
def file_report(meeting_id: str, case_id: str, report_in: ReportIn, session: SessionDep) -> CaseDetail:
    """File the report of a missing copy (RULES R3.8: within 24 hours of its discovery, to the
    secrecy bureau of the same level and the superior department): open → reported."""
    case = service.get_or_raise(session, meeting_id, case_id, for_update=True)
    service.file_report(session, case, report_in)
    return service.detail(session, case, utcnow())


@router.post("/{case_id}/close", response_model=CaseDetail)
def close_case(meeting_id: str, case_id: str, close_in: CloseIn, session: SessionDep) -> CaseDetail:
    """Close a case with its outcome: a missing copy once reported, a follow-up at any time (it
    closes by itself when its request is done)."""
    case = service.get_or_raise(session, meeting_id, case_id, for_update=True)
    service.close(session, case, close_in)
    return service.detail(session, case, utcnow())
