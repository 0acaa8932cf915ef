"""What the scheduler does for cases, read from the database each pass: follow up the requests
past their due time, and warn, then alert, while a report deadline nears and passes unreported.

Each marks what it did on the row it acted on (a request's ``follow_up_id``, a case's
``warned_at``/``alerted_at``) in the transaction that records the event, so it is done once.
The rows are locked (``SKIP LOCKED``: a row busy elsewhere waits for the next pass), so a report
being filed or a request being done at that moment is never contradicted."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlmodel import Session, col

from huiwu.events.catalog import CaseReportDueSoon, CaseReportOverdue, CaseState, RequestStatus
from services.supervision.cases import service
from services.supervision.cases.models import Case, FollowedRequest
from services.supervision.events import emit

BATCH = 100
# The report takes the office some hours to gather (RULES R3.8 lists its contents): a warning
# four hours before the 24-hour deadline leaves time to write it.
REPORT_WARNING = timedelta(hours=4)


def open_request_follow_ups(session: Session, now: datetime) -> int:
    due = session.scalars(
        select(FollowedRequest)
        .where(
            col(FollowedRequest.due_at) <= now,
            col(FollowedRequest.status) != RequestStatus.done,
            col(FollowedRequest.follow_up_id).is_(None),
        )
        .order_by(col(FollowedRequest.due_at))
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    for request in due:
        service.open_follow_up(session, request, now)
    return len(due)


def watch_report_deadlines(session: Session, now: datetime) -> int:
    """A case found already past its deadline gets the alert alone, not a late warning too."""
    due = session.scalars(
        select(Case)
        .where(
            col(Case.state) == CaseState.open,
            or_(
                and_(col(Case.warned_at).is_(None), col(Case.report_due_at) <= now + REPORT_WARNING),
                and_(col(Case.alerted_at).is_(None), col(Case.report_due_at) <= now),
            ),
        )
        .order_by(col(Case.report_due_at))
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    for case in due:
        assert case.report_due_at is not None
        overdue = case.report_due_at <= now
        if overdue:
            case.alerted_at = now
        case.warned_at = case.warned_at or now
        notice = CaseReportOverdue if overdue else CaseReportDueSoon
        emit(session, notice(
            meeting_id=case.meeting_id, case_id=case.id, title=case.title, report_due_at=case.report_due_at,
        ), subject=case.id)  # fmt: skip
    return len(due)
