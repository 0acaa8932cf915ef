"""Leaving the meeting (离会清退), registration's half of a saga with documents: registration asks
(``departure.requested``), documents answers with a clearance, granted or denied with the copies
still out. A refused person may ask again, and documents clears them by itself when their last
copy comes back. Either side may be down meanwhile: the outbox and the inbox carry the question
and the answer once it is back."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlmodel import Session, col

from huiwu.db import utcnow
from huiwu.errors import Conflict, NotFound
from huiwu.events.catalog import ClearanceDenied, ClearanceGranted, DepartureRequested, OutstandingCopy
from huiwu.events.contract import EventContract
from huiwu.events.envelope import CloudEvent
from services.registration.attendees import service as attendees
from services.registration.attendees.models import Attendee
from services.registration.departure.models import Departure, DeparturePublic, DepartureStatus
from services.registration.events import emit

AWAITING_DOCUMENTS = "等待机要文件室核对文件清退情况"


class AlreadyDeparted(Conflict):
    code = "already-departed"
    title = "Already departed"


def request(*, session: Session, meeting_id: str, attendee_id: str) -> tuple[Departure, bool]:
    """The attendee's departure, and whether documents was asked just now (a first request, or a
    new one after a refusal). Until documents answers, the same request stands. A withdrawn or
    substituted person may ask too: they must return their copies like anyone."""
    attendee = attendees.get_or_raise(session=session, meeting_id=meeting_id, attendee_id=attendee_id)
    _one_request_at_a_time(session, attendee)
    departure = _current(session, attendee)
    if departure is not None and departure.status == DepartureStatus.requested:
        return departure, False
    if departure is not None and departure.status == DepartureStatus.departed:
        raise AlreadyDeparted(f"attendee {attendee_id} has already left the meeting", field="attendee_id")
    departure = _ask_again(departure) if departure is not None else _first_request(session, attendee)
    emit(
        session,
        DepartureRequested(
            meeting_id=meeting_id,
            attendee_id=attendee_id,
            request_id=departure.request_id,
            requested_at=departure.requested_at,
        ),
        subject=attendee_id,
    )
    return departure, True


def _one_request_at_a_time(session: Session, attendee: Attendee) -> None:
    # Two requests at once for one person wait for each other here (PostgreSQL; SQLite has one
    # writer anyway), so the second finds the first instead of tripping the unique attendee_id.
    session.get(Attendee, attendee.id, with_for_update=True)


def _current(session: Session, attendee: Attendee) -> Departure | None:
    return session.scalars(select(Departure).where(col(Departure.attendee_id) == attendee.id)).first()


def _first_request(session: Session, attendee: Attendee) -> Departure:
    departure = Departure(
        request_id=str(uuid.uuid4()),
        meeting_id=attendee.meeting_id,
        attendee_id=attendee.id,
        requested_at=utcnow(),
    )
    session.add(departure)
    return departure


def _ask_again(refused: Departure) -> Departure:
    # A new request id: documents' answer to the refused request, should it still come, is stale.
    refused.request_id = str(uuid.uuid4())
    refused.status, refused.outstanding = DepartureStatus.requested, []
    refused.requested_at, refused.decided_at = utcnow(), None
    refused.version += 1
    return refused


def on_clearance_granted(session: Session, event: CloudEvent, data: EventContract) -> None:
    """Documents has nothing outstanding: the person has left (also after an earlier refusal)."""
    assert isinstance(data, ClearanceGranted)
    departure = _answered(session, data.request_id, data.attendee_id)
    if departure is None or departure.status == DepartureStatus.departed:
        return
    departure.status, departure.outstanding = DepartureStatus.departed, []
    departure.decided_at = event.time
    departure.version += 1


def on_clearance_denied(session: Session, event: CloudEvent, data: EventContract) -> None:
    """Copies are still out: the person is held until they come back."""
    assert isinstance(data, ClearanceDenied)
    departure = _answered(session, data.request_id, data.attendee_id)
    # Only a request still waiting is refused: a departure is final, even if a redelivered refusal
    # arrives after the grant that followed it.
    if departure is None or departure.status != DepartureStatus.requested:
        return
    departure.status = DepartureStatus.blocked
    departure.outstanding = [copy.model_dump(mode="json") for copy in data.outstanding]
    departure.decided_at = event.time
    departure.version += 1


def _answered(session: Session, request_id: str, attendee_id: str) -> Departure | None:
    """The departure an answer is for; None for an answer to an older request (asked again since)."""
    departure = session.get(Departure, request_id)
    if departure is None or departure.attendee_id != attendee_id:
        return None
    return departure


def get_or_raise(*, session: Session, meeting_id: str, attendee_id: str) -> Departure:
    attendee = attendees.get_or_raise(session=session, meeting_id=meeting_id, attendee_id=attendee_id)
    departure = _current(session, attendee)
    if departure is None:
        raise NotFound(f"attendee {attendee_id} has not asked to leave", field="attendee_id")
    return departure


def public(departure: Departure) -> DeparturePublic:
    outstanding = [OutstandingCopy.model_validate(copy) for copy in departure.outstanding]
    return DeparturePublic(
        request_id=departure.request_id,
        attendee_id=departure.attendee_id,
        status=departure.status,
        requested_at=departure.requested_at,
        decided_at=departure.decided_at,
        outstanding=outstanding,
        reasons=reasons(DepartureStatus(departure.status), outstanding),
    )


def reasons(status: DepartureStatus, outstanding: list[OutstandingCopy]) -> list[str]:
    """Why the person may not leave yet: 尚有2份文件未清退：《…》000012、《…》000003."""
    if status == DepartureStatus.requested:
        return [AWAITING_DOCUMENTS]
    if status == DepartureStatus.blocked:
        copies = "、".join(f"《{copy.title}》{copy.copy_no}" for copy in outstanding)
        return [f"尚有{len(outstanding)}份文件未清退：{copies}"]
    return []
