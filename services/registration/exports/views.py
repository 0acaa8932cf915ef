"""The printable exports over HTTP: the roster (XLSX for the hotel, PDF for printing) and the
badge sheets. Plain ``def`` routes: rendering is CPU work and runs in the thread pool."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from huiwu.downloads import PDF, XLSX, documented, download
from huiwu.events.catalog import AttendeeCategory
from huiwu.service import SessionDep
from services.registration.attendees import service as attendees
from services.registration.attendees.order import ORDER_NOTE, RosterOrder
from services.registration.checkin import badges
from services.registration.exports import BadgeCard, RosterRow, badge_sheet_pdf, roster_pdf, roster_xlsx
from services.registration.meetings import service as meetings

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/attendees", tags=["exports"])

Order = Annotated[RosterOrder, Query(description="protocol (default), pinyin or registration")]


@router.get("/export.xlsx", response_class=Response, responses=documented(XLSX))
def export_roster_xlsx(
    meeting_id: str,
    session: SessionDep,
    order: Order = RosterOrder.protocol,
    category: AttendeeCategory | None = None,
    group_id: str | None = None,
) -> Response:
    """The roster, or one group's list (``group_id``), as a spreadsheet: for checking, and the hotel."""
    title, note, rows = _roster(
        session, meeting_id, order, attendees.RosterFilter(category=category, group_id=group_id)
    )
    return download(roster_xlsx(title, note, rows), XLSX, f"{title}名单.xlsx")


@router.get("/export.pdf", response_class=Response, responses=documented(PDF))
def export_roster_pdf(
    meeting_id: str,
    session: SessionDep,
    order: Order = RosterOrder.protocol,
    category: AttendeeCategory | None = None,
    group_id: str | None = None,
) -> Response:
    """The roster, or one group's list, to print: with the order note and CJK fonts embedded."""
    title, note, rows = _roster(
        session, meeting_id, order, attendees.RosterFilter(category=category, group_id=group_id)
    )
    return download(roster_pdf(title, note, rows), "application/pdf", f"{title}名单.pdf")


@router.get("/badges.pdf", response_class=Response, responses=documented(PDF))
def export_badges_pdf(
    meeting_id: str, session: SessionDep, category: AttendeeCategory | None = None
) -> Response:
    """Badges of everyone on the roster in protocol order, eight to an A4 page, to print and cut."""
    meeting = meetings.get_or_raise(session=session, meeting_id=meeting_id)
    keyed, _ = attendees.roster(
        session=session,
        meeting_id=meeting_id,
        order=RosterOrder.protocol,
        where=attendees.RosterFilter(category=category),
    )
    cards = [
        BadgeCard(
            name=person.name,
            organization=person.organization,
            category=person.category,
            pass_name=badges.PASS_NAMES[person.category],
            token=badges.issue(session, person),
        )
        for _, person in keyed
    ]
    return download(badge_sheet_pdf(meeting.name, cards), "application/pdf", f"{meeting.name}证件.pdf")


def _roster(
    session: SessionDep, meeting_id: str, order: RosterOrder, where: attendees.RosterFilter
) -> tuple[str, str | None, list[RosterRow]]:
    meeting = meetings.get_or_raise(session=session, meeting_id=meeting_id)
    keyed, mode = attendees.roster(session=session, meeting_id=meeting_id, order=order, where=where)
    rows = [
        RosterRow(
            name=p.name,
            gender=p.gender,
            organization=p.organization,
            title=p.title,
            category=p.category,
            delegation=p.delegation,
        )
        for _, p in keyed
    ]
    return meeting.name, ORDER_NOTE[mode] if order is RosterOrder.protocol else None, rows
