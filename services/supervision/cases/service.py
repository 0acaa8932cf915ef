"""Cases (事件/案件) other departments' facts open in supervision, each with its cause.

A missing copy opens a case at once, with the 24-hour report deadline documents gave (RULES R3.8);
a request past its due time opens a follow-up (the scheduler's ``sweeps``). A case goes open →
reported (the report filed) → closed (with its outcome); a follow-up has no report and closes by
itself when its request is done. ``overdue`` is derived: the report deadline passed, no report.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, not_, select, tuple_
from sqlmodel import Session, col

from huiwu import secrecy
from huiwu.db import utcnow
from huiwu.errors import Conflict, InvalidInput, NotFound
from huiwu.events.catalog import (
    CaseClosed,
    CaseKind,
    CaseOpened,
    CaseReported,
    CaseState,
    CopyMissing,
    RequestKind,
)
from huiwu.events.envelope import CloudEvent
from services.supervision.attendees.models import Participant
from services.supervision.cases.models import (
    Case,
    CaseDetail,
    CaseSummary,
    CloseIn,
    FollowedRequest,
    FollowedRequestPublic,
    Holder,
    LossReport,
    LostCopy,
    LostCopyPublic,
    ReportIn,
    ReportPublic,
)
from services.supervision.events import emit

HIDDEN_TITLE = "（绝密文件）"  # a top-secret title is itself secret (as documents shows it)
ASKED = {RequestKind.opinion: "代表意见和要求", RequestKind.errand: "临时交办事项"}
CLOCK_SLACK = timedelta(minutes=1)  # a desk clock a little ahead of ours is not a report from the future


class IllegalCaseStep(Conflict):
    code = "illegal-transition"
    title = "The case is not in a state that allows this"


class NoReportForFollowUp(Conflict):
    code = "no-report"
    title = "A follow-up has no report"


def open_for_missing_copy(session: Session, event: CloudEvent, data: CopyMissing) -> Case | None:
    """A case for a missing copy, once however often the loss is announced; None if it exists."""
    cause_key = f"copy:{data.document_id}:{data.copy_no}"
    if session.scalars(select(Case).where(col(Case.cause_key) == cause_key)).first() is not None:
        return None
    case = Case(
        meeting_id=data.meeting_id,
        kind=CaseKind.missing_copy,
        title=f"《{data.title}》第{data.copy_no}份缺失",
        cause_key=cause_key,
        cause_event_id=event.id,
        document_id=data.document_id,
        copy_no=data.copy_no,
        classification=data.classification,
        report_due_at=data.report_due_at,
    )
    session.add(case)
    session.add(
        LostCopy(
            case_id=case.id,
            document_title=data.title,
            marking=data.marking,
            holder_id=data.attendee_id,
            discovered_at=data.discovered_at,
            circumstances=data.circumstances,
        )
    )
    _announce_opened(session, case)
    return case


def open_follow_up(session: Session, request: FollowedRequest, now: datetime) -> Case:
    """A request is past its due time and not done: a case to chase it."""
    asked = ASKED[request.kind] if request.kind is not None else "代表事项"
    text = request.text or ""
    gist = text if len(text) <= 30 else f"{text[:30]}…"
    case = Case(
        meeting_id=request.meeting_id,
        kind=CaseKind.request_follow_up,
        title=f"{asked}逾期未办结：{gist}".rstrip("："),
        cause_key=f"request:{request.id}",
        request_id=request.id,
        created_at=now,
    )
    session.add(case)
    request.follow_up_id = case.id
    _announce_opened(session, case)
    return case


def _announce_opened(session: Session, case: Case) -> None:
    emit(session, CaseOpened(
        meeting_id=case.meeting_id, case_id=case.id, kind=case.kind, title=case.title,
        cause_event_id=case.cause_event_id, document_id=case.document_id, copy_no=case.copy_no,
        request_id=case.request_id, report_due_at=case.report_due_at, opened_at=case.created_at,
    ), subject=case.id)  # fmt: skip


def close_follow_up(session: Session, request: FollowedRequest, done_at: datetime) -> None:
    """The request was done: its follow-up, if one was opened and is still open, closes by itself."""
    case = session.get(Case, request.follow_up_id) if request.follow_up_id else None
    if case is None or case.state == CaseState.closed:
        return
    outcome = f"事项已办结：{request.resolution}" if request.resolution else "事项已办结"
    _close(session, case, outcome, None, done_at)


def file_report(session: Session, case: Case, report_in: ReportIn) -> Case:
    if case.kind != CaseKind.missing_copy:
        raise NoReportForFollowUp(
            "a follow-up has no 24-hour report: it closes when its request is done, or by hand",
            field="case_id",
        )
    if case.state != CaseState.open:
        raise IllegalCaseStep(f"this case is {case.state}; a report is filed once", field="case_id")
    lost = session.get(LostCopy, case.id)
    assert lost is not None
    now = utcnow()
    reported_at = report_in.reported_at or now
    _check_times(report_in, reported_at, lost.discovered_at, now)
    fields = report_in.model_dump(exclude={"reported_at"})
    session.add(LossReport(case_id=case.id, reported_at=reported_at, **fields))
    case.state, case.reported_at = CaseState.reported, reported_at
    emit(session, CaseReported(
        meeting_id=case.meeting_id, case_id=case.id, reported_at=reported_at,
        reported_by=report_in.reported_by, reported_to=[report_in.secrecy_bureau, report_in.superior],
        late=_late(case.report_due_at, reported_at),
    ), subject=case.id)  # fmt: skip
    return case


def _check_times(report_in: ReportIn, reported_at: datetime, discovered_at: datetime, now: datetime) -> None:
    if reported_at > now + CLOCK_SLACK:
        raise InvalidInput("reported_at", "not_in_future", "a report cannot be filed in the future")
    if reported_at < discovered_at:
        raise InvalidInput(
            "reported_at", "not_before_discovery", "the report cannot precede the discovery of the loss"
        )
    if report_in.lost_at is not None and report_in.lost_at > discovered_at:
        raise InvalidInput("lost_at", "not_after_discovery", "the copy was lost before it was found missing")


def close(session: Session, case: Case, close_in: CloseIn) -> Case:
    if case.state == CaseState.closed:
        raise IllegalCaseStep("this case is closed already", field="case_id")
    if case.kind == CaseKind.missing_copy and case.state == CaseState.open:
        raise IllegalCaseStep(
            "file the report of the missing copy before closing its case", field="case_id", state=case.state
        )
    _close(session, case, close_in.outcome, close_in.closed_by, utcnow())
    return case


def _close(session: Session, case: Case, outcome: str, closed_by: str | None, at: datetime) -> None:
    case.state, case.outcome, case.closed_by, case.closed_at = CaseState.closed, outcome, closed_by, at
    emit(session, CaseClosed(
        meeting_id=case.meeting_id, case_id=case.id, kind=case.kind, outcome=outcome, closed_by=closed_by,
        closed_at=at,
    ), subject=case.id)  # fmt: skip


def get_or_raise(session: Session, meeting_id: str, case_id: str, *, for_update: bool = False) -> Case:
    """``for_update``: a step waits for the scheduler acting on the same case, and vice versa."""
    case = session.get(Case, case_id, with_for_update=for_update)
    if case is None or case.meeting_id != meeting_id:
        raise NotFound(f"case {case_id} is not one of this meeting's", field="case_id")
    return case


def page(
    session: Session,
    meeting_id: str,
    *,
    kind: CaseKind | None,
    state: CaseState | None,
    overdue: bool | None,
    limit: int,
    after: tuple[datetime, str] | None,
    now: datetime,
) -> list[Case]:
    """Oldest first, keyset-paginated on (created_at, id)."""
    query = select(Case).where(col(Case.meeting_id) == meeting_id)
    if kind is not None:
        query = query.where(col(Case.kind) == kind)
    if state is not None:
        query = query.where(col(Case.state) == state)
    if overdue is not None:
        query = query.where(_overdue(now) if overdue else not_(_overdue(now)))
    if after is not None:
        query = query.where(tuple_(col(Case.created_at), col(Case.id)) > after)
    return list(session.scalars(query.order_by(col(Case.created_at), col(Case.id)).limit(limit)))


def _overdue(now: datetime) -> ColumnElement[bool]:
    return and_(
        col(Case.state) == CaseState.open,
        col(Case.report_due_at).is_not(None),
        col(Case.report_due_at) < now,
    )


def summary(case: Case, now: datetime) -> CaseSummary:
    return CaseSummary(
        id=case.id,
        kind=case.kind,
        state=case.state,
        title=_shown_title(case),
        report_due_at=case.report_due_at,
        overdue=case.state == CaseState.open and case.report_due_at is not None and now > case.report_due_at,
        opened_at=case.created_at,
        reported_at=case.reported_at,
        closed_at=case.closed_at,
    )


def detail(session: Session, case: Case, now: datetime) -> CaseDetail:
    return CaseDetail(
        **summary(case, now).model_dump(),
        lost_copy=_lost_copy(session, case),
        request=_followed_request(session, case),
        report=_report(session, case),
        outcome=case.outcome,
        closed_by=case.closed_by,
    )


def _top_secret_hidden(case: Case) -> bool:
    return case.classification is not None and secrecy.title_hidden(case.classification)


def _shown_title(case: Case) -> str:
    return f"{HIDDEN_TITLE}第{case.copy_no}份缺失" if _top_secret_hidden(case) else case.title


def _lost_copy(session: Session, case: Case) -> LostCopyPublic | None:
    lost = session.get(LostCopy, case.id)
    if lost is None:
        return None
    assert case.document_id is not None and case.copy_no is not None and case.classification is not None
    return LostCopyPublic(
        event_id=case.cause_event_id,
        document_id=case.document_id,
        document_title=HIDDEN_TITLE if _top_secret_hidden(case) else lost.document_title,
        copy_no=case.copy_no,
        classification=case.classification,
        marking=lost.marking,
        holder=_person(session, lost.holder_id),
        discovered_at=lost.discovered_at,
        circumstances=lost.circumstances,
    )


def _followed_request(session: Session, case: Case) -> FollowedRequestPublic | None:
    request = session.get(FollowedRequest, case.request_id) if case.request_id else None
    if request is None:
        return None
    return FollowedRequestPublic(
        request_id=request.id,
        kind=request.kind,
        text=request.text,
        raised_by=_person(session, request.attendee_id),
        assigned_to=request.assigned_to,
        due_at=request.due_at,
        status=request.status,
        resolution=request.resolution,
    )


def _report(session: Session, case: Case) -> ReportPublic | None:
    report = session.get(LossReport, case.id)
    if report is None:
        return None
    fields = {name: getattr(report, name) for name in ReportPublic.model_fields if hasattr(report, name)}
    return ReportPublic(
        **fields,
        reported_to=[report.secrecy_bureau, report.superior],
        late=_late(case.report_due_at, report.reported_at),
    )


def _person(session: Session, attendee_id: str | None) -> Holder | None:
    if attendee_id is None:
        return None
    person = session.get(Participant, attendee_id)
    return Holder(
        attendee_id=attendee_id,
        name=person.name if person else None,
        organization=person.organization if person else None,
    )


def _late(due: datetime | None, reported_at: datetime) -> bool:
    return due is not None and reported_at > due
