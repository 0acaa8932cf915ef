"""Cursor pagination with a stable order: every list returns ``{items, next_cursor}``."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Generic, Protocol, TypeVar

from fastapi import Query
from pydantic import BaseModel

from huiwu.errors import DomainError

T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=500, description="Items per page")]
Cursor = Annotated[str | None, Query(description="next_cursor of the previous page")]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None


class InvalidCursor(DomainError):
    code = "invalid-cursor"
    title = "Invalid cursor"


def encode_cursor(*key: Any) -> str:
    raw = json.dumps(list(key), default=str, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError as error:
        raise InvalidCursor("cursor is not one this API issued", field="cursor") from error
    if not isinstance(key, list) or len(key) != arity:
        raise InvalidCursor("cursor is not one this API issued", field="cursor")
    return key


class Keyed(Protocol):
    """A row listed in creation order: (created_at, id) is its unique, stable sort key."""

    @property
    def created_at(self) -> datetime: ...

    @property
    def id(self) -> str: ...


def keyset_after(cursor: str | None) -> tuple[datetime, str] | None:
    if not cursor:
        return None
    created_at, row_id = decode_cursor(cursor, 2)
    try:
        return datetime.fromisoformat(created_at), str(row_id)
    except (TypeError, ValueError) as error:
        raise InvalidCursor("cursor is not one this API issued", field="cursor") from error


SchemaT = TypeVar("SchemaT", bound=BaseModel)


def page_of(rows: Sequence[Keyed], limit: int, schema: type[SchemaT]) -> Page[SchemaT]:
    """The first ``limit`` rows as ``schema``; fetch ``limit + 1`` rows to know if more follow."""
    more = len(rows) > limit
    last: Keyed | None = rows[limit - 1] if more else None
    items = [schema.model_validate(row, from_attributes=True) for row in rows[:limit]]
    next_cursor = encode_cursor(last.created_at.isoformat(), last.id) if last is not None else None
    return Page[schema](items=items, next_cursor=next_cursor)  # type: ignore[valid-type]
