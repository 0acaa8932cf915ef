"""Where a reader is in the event streams: for each department's stream, the sequence of the last
event it was sent (or skipped past). One opaque cursor covers all four, so an SSE ``id:`` is enough
for ``Last-Event-ID`` to resume every stream exactly after what was delivered."""

from __future__ import annotations

from collections.abc import Mapping

from huiwu.auth import DEPARTMENTS
from huiwu.errors import DomainError
from huiwu.pagination import InvalidCursor, decode_cursor, encode_cursor

SCOPE = "events"

Positions = dict[str, int]  # department -> stream sequence of the last event passed


class InvalidPosition(DomainError):
    status = 422
    code = "validation-error"
    title = "Request validation failed"

    def __init__(self, field: str, where: str) -> None:
        message = f"{field} is not a position this event stream issued"
        rule = {"field": field, "in": where, "rule": "event_position", "message": message}
        super().__init__(message, errors=[rule])


def encode(positions: Mapping[str, int]) -> str:
    return encode_cursor(SCOPE, [dict(sorted(positions.items()))])


def decode(text: str, *, field: str, where: str) -> Positions:
    """The positions in a cursor issued by ``encode``; InvalidPosition naming ``field`` otherwise."""
    try:
        (positions,) = decode_cursor(text, SCOPE)
    except (InvalidCursor, ValueError) as error:
        raise InvalidPosition(field, where) from error
    if not isinstance(positions, dict) or not all(
        department in DEPARTMENTS and type(sequence) is int and sequence >= 0
        for department, sequence in positions.items()
    ):
        raise InvalidPosition(field, where)
    return positions
