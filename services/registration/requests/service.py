"""Delegates' opinions and requests, and the errands they give (意见和要求, 临时交办的事项):
recorded, assigned to a staff member, followed to done. Overdue is derived, never stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from huiwu.db import utcnow
from huiwu.errors import Conflict, NotFound
from huiwu.events.catalog import RequestOpened, RequestProgressed, RequestStatus
from services.registration.attendees import service as attendees
from services.registration.events import emit
from services.registration.meetings import service as meetings
from services.registration.requests.models import (
    NEXT,
    AttendeeRequest,
    RequestCreate,
    RequestPublic,
    RequestUpdate,
)


class IllegalRequestStep(Conflict):
    code = "illegal-transition"
    title = "Illegal status change"


def open_request(*, session: Session, meeting_id: str, request_in: RequestCreate) -> AttendeeRequest:
    meetings.get_or_raise(session=session, meeting_id=meeting_id)
    if request_in.attendee_id is not None:
        attendees.get_or_raise(session=session, meeting_id=meeting_id, attendee_id=request_in.attendee_id)
    request = AttendeeRequest.model_validate({**request_in.model_dump(), "meeting_id": meeting_id})
    session.add(request)
    emit(
        session,
        RequestOpened(
            meeting_id=meeting_id,
            request_id=request.id,
            version=request.version,
            kind=request.kind,
            text=request.text,
            attendee_id=request.attendee_id,
            assigned_to=request.assigned_to,
            due_at=request.due_at,
        ),
        subject=request.id,
    )
    return request


def progress(
    *, session: Session, meeting_id: str, request_id: str, changes: RequestUpdate
) -> AttendeeRequest:
    request = get_or_raise(session=session, meeting_id=meeting_id, request_id=request_id)
    sent = changes.model_dump(exclude_unset=True)
    changed = sorted(name for name, value in sent.items() if getattr(request, name) != value)
    if not changed:
        return request
    previous = RequestStatus(request.status)
    if request.status == RequestStatus.done:
        raise IllegalRequestStep("this request is done; open a new one", field="status", current=previous)
    if "status" in changed and sent["status"] not in NEXT[previous]:
        raise IllegalRequestStep(
            f"a request goes from {previous} to {' or '.join(sorted(NEXT[previous]))}",
            field="status",
            current=previous,
            allowed=sorted(NEXT[previous]),
        )
    for name in changed:
        setattr(request, name, sent[name])
    if sent.get("status") == RequestStatus.done:
        request.done_at = utcnow()
    request.version += 1
    emit(
        session,
        RequestProgressed(
            meeting_id=meeting_id,
            request_id=request.id,
            version=request.version,
            status=request.status,
            previous_status=previous,
            assigned_to=request.assigned_to,
            due_at=request.due_at,
            resolution=request.resolution,
            changed=changed,
        ),
        subject=request.id,
    )
    return request


def get_or_raise(*, session: Session, meeting_id: str, request_id: str) -> AttendeeRequest:
    request = session.get(AttendeeRequest, request_id)
    if request is None or request.meeting_id != meeting_id:
        raise NotFound(f"request {request_id} is not one of this meeting's", field="request_id")
    return request


def listing(
    *, session: Session, meeting_id: str, status: RequestStatus | None, overdue: bool | None
) -> list[RequestPublic]:
    """Oldest first; ``overdue`` filters on the derived flag."""
    meetings.get_or_raise(session=session, meeting_id=meeting_id)
    query = select(AttendeeRequest).where(col(AttendeeRequest.meeting_id) == meeting_id)
    if status is not None:
        query = query.where(col(AttendeeRequest.status) == status)
    now = utcnow()
    found = [
        public(request, now) for request in session.scalars(query.order_by(col(AttendeeRequest.created_at)))
    ]
    return [request for request in found if overdue is None or request.overdue == overdue]


def public(request: AttendeeRequest, now: datetime | None = None) -> RequestPublic:
    late = (
        request.due_at is not None
        and request.status != RequestStatus.done
        and (now or utcnow()) > request.due_at
    )
    fields = {name: getattr(request, name) for name in RequestPublic.model_fields if name != "overdue"}
    return RequestPublic.model_validate({**fields, "overdue": late})
