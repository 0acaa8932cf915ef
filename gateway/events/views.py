from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from pydantic_core import PydanticCustomError

from gateway.caller import Caller
from gateway.events import position
from gateway.events.filters import TypePattern, parse_pattern, select_for
from gateway.events.runtime import EventsOut
from gateway.events.stream import EventStream, starting_positions
from huiwu.errors import DomainError

router = APIRouter(prefix="/api/v1/events", tags=["events"])

EVENT_STREAM = "text/event-stream"


class InvalidQuery(DomainError):
    status = 422
    code = "validation-error"
    title = "Request validation failed"

    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(message, errors=[{"field": field, "in": "query", "rule": rule, "message": message}])


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {EVENT_STREAM: {}}, "description": "Server-Sent Events"}},
)
async def stream_events(
    request: Request,
    caller: Caller,
    meeting: Annotated[str | None, Query(max_length=36, description="only this meeting's events")] = None,
    types: Annotated[
        list[str],
        Query(
            alias="type",
            description="repeatable: huiwu.registration.attendee.registered.v1, registration.attendee.*…",
        ),
    ] = [],  # noqa: B006  # FastAPI copies the default per request
    after: Annotated[str | None, Query(description="resume after this event id (cursor)")] = None,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> StreamingResponse:
    """Live events as Server-Sent Events, each ``data:`` a CloudEvent in JSON and its ``id:`` a
    cursor; reconnecting with ``Last-Event-ID`` (or ``?after=``) resumes right after it. Only the
    departments the token reads (``<department>:read``), its meeting and its clearance."""
    selection = select_for(caller, _patterns(types), meeting)
    resumed = None
    if last_event_id:  # the browser's reconnect: newer than the ?after= it first connected with
        resumed = position.decode(last_event_id, field="Last-Event-ID", where="header")
    elif after:
        resumed = position.decode(after, field="after", where="query")
    events: EventsOut = request.app.state.events
    positions = await starting_positions(events.bus, selection.departments, resumed)
    stream = EventStream(events.bus, selection, positions, events.heartbeat_s)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}  # no proxy may hold events back
    return StreamingResponse(stream.frames(), media_type=EVENT_STREAM, headers=headers)


def _patterns(texts: list[str]) -> list[TypePattern]:
    patterns = []
    for text in texts:
        try:
            patterns.append(parse_pattern(text))
        except PydanticCustomError as error:
            raise InvalidQuery("type", error.type, error.message()) from error
    return patterns
