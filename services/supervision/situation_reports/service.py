"""Sending situation reports to the presiding officer and the leaders, and finding them again. A
report is sent as it is recorded: its event names each addressee, so notices go out at once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, tuple_
from sqlmodel import Session, col

from huiwu.errors import InvalidInput, NotFound
from huiwu.events.catalog import ReportAddressee, ReportAddresseeRole, SituationReportSent
from services.supervision.events import emit
from services.supervision.meetings.service import meeting_or_raise
from services.supervision.opinions import speakers
from services.supervision.opinions.models import Opinion
from services.supervision.situation_reports.models import (
    SituationReport,
    SituationReportCreate,
    SituationReportPublic,
)


def send(session: Session, meeting_id: str, report_in: SituationReportCreate) -> SituationReport:
    meeting_or_raise(session, meeting_id)
    addressees = _addressees(session, meeting_id, report_in)
    _opinions_recorded(session, meeting_id, report_in.source_opinion_ids)
    report = SituationReport(
        meeting_id=meeting_id,
        title=report_in.title,
        text=report_in.text,
        source_opinion_ids=report_in.source_opinion_ids,
        addressees=[addressee.model_dump() for addressee in addressees],
        sent_by=report_in.sent_by,
    )
    session.add(report)
    emit(session, SituationReportSent(
        meeting_id=meeting_id, report_id=report.id, title=report.title, text=report.text,
        addressees=addressees, source_opinion_ids=report.source_opinion_ids, sent_by=report.sent_by,
        sent_at=report.created_at,
    ), subject=report.id)  # fmt: skip
    return report


def _addressees(session: Session, meeting_id: str, report_in: SituationReportCreate) -> list[ReportAddressee]:
    """The presiding officer, then the leaders; nobody twice."""
    named = [("presiding_officer", ReportAddresseeRole.presiding, report_in.presiding_officer)]
    named += [
        (f"leaders.{place}", ReportAddresseeRole.leader, leader)
        for place, leader in enumerate(report_in.leaders)
    ]
    addressees: list[ReportAddressee] = []
    for field, role, person in named:
        resolved = speakers.resolve(session, meeting_id, person, field)
        if any((resolved.attendee_id or resolved.name) == (a.attendee_id or a.name) for a in addressees):
            raise InvalidInput(
                field, "addressed_twice", f"{resolved.name} is already an addressee of this report"
            )
        addressees.append(ReportAddressee(role=role, **resolved.model_dump()))
    return addressees


def _opinions_recorded(session: Session, meeting_id: str, opinion_ids: list[str]) -> None:
    for place, opinion_id in enumerate(opinion_ids):
        opinion = session.get(Opinion, opinion_id)
        if opinion is None or opinion.meeting_id != meeting_id:
            raise InvalidInput(
                f"source_opinion_ids.{place}", "unknown_opinion",
                f"opinion {opinion_id} was not recorded for this meeting",
            )  # fmt: skip


def get_or_raise(session: Session, meeting_id: str, report_id: str) -> SituationReport:
    report = session.get(SituationReport, report_id)
    if report is None or report.meeting_id != meeting_id:
        raise NotFound(
            f"situation report {report_id} was not sent for meeting {meeting_id}", field="report_id"
        )
    return report


def page(
    session: Session, meeting_id: str, *, limit: int, after: tuple[datetime, str] | None
) -> list[SituationReport]:
    """Oldest first, keyset-paginated on (created_at, id)."""
    query = select(SituationReport).where(col(SituationReport.meeting_id) == meeting_id)
    if after is not None:
        query = query.where(tuple_(col(SituationReport.created_at), col(SituationReport.id)) > after)
    order = (col(SituationReport.created_at), col(SituationReport.id))
    return list(session.scalars(query.order_by(*order).limit(limit)))


def public(report: SituationReport) -> SituationReportPublic:
    return SituationReportPublic.model_validate(report, from_attributes=True)
