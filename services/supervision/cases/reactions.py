"""How cases follow the other departments: a missing copy opens a case (documents); delegates'
requests are kept to be followed up when overdue (registration), and a done request closes its
follow-up."""

from __future__ import annotations

from sqlmodel import Session

from huiwu.events.catalog import CopyMissing, RequestOpened, RequestProgressed, RequestStatus
from huiwu.events.contract import EventContract
from huiwu.events.envelope import CloudEvent
from huiwu.inbox import Handler
from services.supervision.cases import service
from services.supervision.cases.models import FollowedRequest


def to_documents() -> dict[type[EventContract], Handler]:
    return {CopyMissing: on_copy_missing}


def to_registration() -> dict[type[EventContract], Handler]:
    return {RequestOpened: on_request_opened, RequestProgressed: on_request_progressed}


def on_copy_missing(session: Session, event: CloudEvent, data: EventContract) -> None:
    assert isinstance(data, CopyMissing)
    service.open_for_missing_copy(session, event, data)


def on_request_opened(session: Session, _event: CloudEvent, data: EventContract) -> None:
    """What the request is never changes, so it is filled in whenever this arrives; its state only
    if no later version came first."""
    assert isinstance(data, RequestOpened)
    request = session.get(FollowedRequest, data.request_id, with_for_update=True)
    if request is None:
        request = FollowedRequest(id=data.request_id, meeting_id=data.meeting_id, version=0)
        session.add(request)
    request.kind, request.text, request.attendee_id = data.kind, data.text, data.attendee_id
    if data.version > request.version:
        request.assigned_to, request.due_at, request.version = data.assigned_to, data.due_at, data.version


def on_request_progressed(session: Session, event: CloudEvent, data: EventContract) -> None:
    # Locked first: the scheduler, which locks the requests it follows up, then either opened the
    # follow-up before this (and we close it) or sees the request done and opens none.
    assert isinstance(data, RequestProgressed)
    request = session.get(FollowedRequest, data.request_id, with_for_update=True)
    if request is None:
        request = FollowedRequest(id=data.request_id, meeting_id=data.meeting_id, version=0)
        session.add(request)
    if data.version <= request.version:
        return
    request.status, request.assigned_to, request.due_at = data.status, data.assigned_to, data.due_at
    request.resolution, request.version = data.resolution, data.version
    if data.status == RequestStatus.done:
        service.close_follow_up(session, request, event.time)
