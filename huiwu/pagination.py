"""Cursor pagination with a stable order: every list returns ``{items, next_cursor}``.

A cursor is the (opaque, base64) sort key of the last item served, so a page starts right after
it: unlike an offset, it neither skips nor repeats items when others are added meanwhile.
"""

from __future__ import annotations

import base64
import bisect
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Generic, Protocol, TypeVar

from fastapi import Query
from pydantic import BaseModel

from huiwu.errors import DomainError

T = TypeVar("T")
RowT = TypeVar("RowT")
SchemaT = TypeVar("SchemaT", bound=BaseModel)

Limit = Annotated[int, Query(ge=1, le=500, description="Items per page")]
Cursor = Annotated[str | None, Query(description="next_cursor of the previous page")]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None


class InvalidCursor(DomainError):
    code = "invalid-cursor"
    title = "Invalid cursor"

    def __init__(self) -> None:
        super().__init__("cursor is not one this list issued", field="cursor")


def encode_cursor(scope: str, key: Sequence[Any]) -> str:
    raw = json.dumps([scope, *key], separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, scope: str) -> list[Any]:
    """The key in a cursor issued for ``scope`` (a list and its order); InvalidCursor otherwise."""
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError as error:
        raise InvalidCursor from error
    if not isinstance(decoded, list) or not decoded or decoded[0] != scope:
        raise InvalidCursor
    return decoded[1:]


class Keyed(Protocol):
    """A row listed in creation order: (created_at, id) is its unique, stable sort key."""

    @property
    def created_at(self) -> datetime: ...

    @property
    def id(self) -> str: ...


def keyset_after(cursor: str | None, scope: str) -> tuple[datetime, str] | None:
    """For lists in creation order read page by page from the database."""
    if not cursor:
        return None
    key = decode_cursor(cursor, scope)
    try:
        created_at, row_id = key
        return datetime.fromisoformat(created_at), str(row_id)
    except (TypeError, ValueError) as error:
        raise InvalidCursor from error


def page_of(rows: Sequence[Keyed], limit: int, schema: type[SchemaT], scope: str) -> Page[SchemaT]:
    """The first ``limit`` rows as ``schema``; fetch ``limit + 1`` rows to know if more follow."""
    last = rows[limit - 1] if len(rows) > limit else None
    items = [schema.model_validate(row, from_attributes=True) for row in rows[:limit]]
    next_cursor = encode_cursor(scope, [last.created_at.isoformat(), last.id]) if last is not None else None
    return Page[schema](items=items, next_cursor=next_cursor)  # type: ignore[valid-type]


def page_after(
    keyed: Sequence[tuple[list[Any], RowT]], cursor: str | None, limit: int, scope: str
) -> tuple[list[RowT], str | None]:
    """A page of rows already sorted in memory by unique JSON-friendly keys."""
    start = 0
    if cursor:
        after = decode_cursor(cursor, scope)
        try:
            start = bisect.bisect_right([key for key, _ in keyed], after)
        except TypeError as error:  # a key of another shape
            raise InvalidCursor from error
    page = keyed[start : start + limit]
    more = start + limit < len(keyed)
    return [row for _, row in page], (encode_cursor(scope, page[-1][0]) if more and page else None)
