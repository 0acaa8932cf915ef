from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from huiwu.downloads import PDF, SVG, documented, download
from huiwu.service import SessionDep
from services.venue.agenda import service as agenda_service
from services.venue.namecards.pdf import namecards_pdf
from services.venue.protocol import service as protocol
from services.venue.seating import charts, reads, service
from services.venue.seating.charts import ChartView
from services.venue.seating.models import AttendeeSeat, PinCreate, SeatingPlanPublic

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}", tags=["seating"])


@router.get("/sessions/{session_id}/seating", response_model=SeatingPlanPublic)
def read_seating(meeting_id: str, session_id: str, session: SessionDep) -> SeatingPlanPublic:
    """Every seat, podium and hall, with who sits there, in both viewpoints (A-view ``column``,
    P-view ``podium_view_column``), the microphones, and what the plan could not honour."""
    agenda = agenda_service.get_or_raise(session, meeting_id, session_id)
    return reads.plan_of(session, agenda)


@router.get("/sessions/{session_id}/seating.svg", response_class=Response, responses=documented(SVG))
def seating_chart_svg(
    meeting_id: str, session_id: str, session: SessionDep, view: ChartView = ChartView.audience
) -> Response:
    """The seating chart as SVG, seen from the hall (``audience``) or from the podium (``podium``)."""
    agenda = agenda_service.get_or_raise(session, meeting_id, session_id)
    svg = charts.seating_svg(reads.plan_of(session, agenda), view)
    return Response(svg, media_type=SVG)


@router.get("/sessions/{session_id}/seating.pdf", response_class=Response, responses=documented(PDF))
def seating_chart_pdf(meeting_id: str, session_id: str, session: SessionDep) -> Response:
    """The seating chart for printing (A3, seen from the hall), with the list of seats after it."""
    agenda = agenda_service.get_or_raise(session, meeting_id, session_id)
    pdf = charts.seating_pdf(reads.plan_of(session, agenda), reads.meeting_name(session, agenda))
    return download(pdf, PDF, f"{agenda.title}座次图.pdf")


@router.get("/sessions/{session_id}/namecards.pdf", response_class=Response, responses=documented(PDF))
def name_cards_pdf(
    meeting_id: str,
    session_id: str,
    session: SessionDep,
    hall: bool = False,
    since_version: Annotated[int, Query(ge=0, description="only cards changed after this plan version")] = 0,
) -> Response:
    """席位卡: folded table cards, the name on both faces; the podium's, or every seat's with
    ``hall=true``. After a re-plan, ``since_version`` prints only the cards that changed."""
    agenda = agenda_service.get_or_raise(session, meeting_id, session_id)
    cards = reads.name_cards(session, agenda, hall=hall, since_version=since_version)
    return download(namecards_pdf(cards, f"{agenda.title} 席位卡"), PDF, f"{agenda.title}席位卡.pdf")


@router.put("/sessions/{session_id}/pins/{attendee_id}", response_model=SeatingPlanPublic)
def pin_seat(
    meeting_id: str, session_id: str, attendee_id: str, pin_in: PinCreate, session: SessionDep
) -> SeatingPlanPublic:
    """Put a person on a hall seat by hand; every later re-plan keeps them there."""
    agenda = agenda_service.get_or_raise(session, meeting_id, session_id)
    service.pin(session, agenda, attendee_id, pin_in)
    return reads.plan_of(session, agenda)


@router.delete("/sessions/{session_id}/pins/{attendee_id}", status_code=204)
def unpin_seat(meeting_id: str, session_id: str, attendee_id: str, session: SessionDep) -> Response:
    agenda = agenda_service.get_or_raise(session, meeting_id, session_id)
    service.unpin(session, agenda, attendee_id)
    return Response(status_code=204)


@router.get("/attendees/{attendee_id}/seats", response_model=list[AttendeeSeat])
def read_attendee_seats(meeting_id: str, attendee_id: str, session: SessionDep) -> list[AttendeeSeat]:
    """Where this person sits at each session not cancelled that seats or expects them, in time
    order (``seat`` None: expected, without a seat); an empty list if none does."""
    protocol.meeting_or_raise(session, meeting_id)
    return reads.seats_of(session, meeting_id, attendee_id)


@router.get("/attendees/{attendee_id}/seat", response_model=AttendeeSeat)
def read_attendee_seat(
    meeting_id: str, attendee_id: str, session: SessionDep, session_id: Annotated[str, Query()]
) -> AttendeeSeat:
    """Where this person sits at the session."""
    agenda = agenda_service.get_or_raise(session, meeting_id, session_id)
    return reads.seat_of(session, attendee_id, agenda)
