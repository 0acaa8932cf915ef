from __future__ import annotations

from fastapi import APIRouter, Response

from huiwu.events.catalog import RequestStatus
from huiwu.service import SessionDep
from services.registration.requests import service
from services.registration.requests.models import RequestCreate, RequestPublic, RequestUpdate

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/requests", tags=["requests"])


@router.post("", status_code=201, response_model=RequestPublic)
def open_request(
    meeting_id: str, request_in: RequestCreate, session: SessionDep, response: Response
) -> RequestPublic:
    request = service.open_request(session=session, meeting_id=meeting_id, request_in=request_in)
    response.headers["Location"] = f"/api/v1/meetings/{meeting_id}/requests/{request.id}"
    return service.public(request)


@router.get("", response_model=list[RequestPublic])
def list_requests(
    meeting_id: str, session: SessionDep, status: RequestStatus | None = None, overdue: bool | None = None
) -> list[RequestPublic]:
    return service.listing(session=session, meeting_id=meeting_id, status=status, overdue=overdue)


@router.get("/{request_id}", response_model=RequestPublic)
def read_request(meeting_id: str, request_id: str, session: SessionDep) -> RequestPublic:
    return service.public(service.get_or_raise(session=session, meeting_id=meeting_id, request_id=request_id))


@router.patch("/{request_id}", response_model=RequestPublic)
def progress_request(
    meeting_id: str, request_id: str, changes: RequestUpdate, session: SessionDep
) -> RequestPublic:
    """Assign, reschedule, or move on: open → in_progress → done (open → done too)."""
    request = service.progress(session=session, meeting_id=meeting_id, request_id=request_id, changes=changes)
    return service.public(request)
