"""Optimistic concurrency on single resources (RFC 9110 §8.8.3, §13.1.1): a strong ``ETag`` made
from the row's version, and ``If-Match`` on the writes, so two people editing the same attendee
cannot silently overwrite each other.

A view tags what it answers with (``tag``) and, before a write, calls ``require`` with the
caller's ``If-Match``. Without the header the write goes ahead, the last one winning as before:
clients that care send it. ``*`` matches any existing resource; a stale tag is 412
``precondition-failed`` naming the current ETag, and the request's transaction rolls back, so
nothing is written. The version is read with the row locked (``FOR UPDATE`` on PostgreSQL; SQLite
has one writer), so two writers holding the same tag cannot both pass. A missing resource is the
view's 404, not a 412: other errors come before preconditions (RFC 9110 §13.2.1).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Protocol

from fastapi import Header, Response
from sqlalchemy import inspect
from sqlmodel import Session

from huiwu.errors import DomainError

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='the ETag read last, e.g. "3" (or *): refused with 412 if the resource changed since',
    ),
]

_ENTITY_TAG = re.compile(r'\s*(W/)?"([\x21\x23-\x7e]*)"\s*(?:,|$)')


class Versioned(Protocol):
    version: int


class PreconditionFailed(DomainError):
    status = 412
    code = "precondition-failed"
    title = "Precondition failed"


class BadIfMatch(DomainError):
    status = 422
    code = "validation-error"
    title = "Request validation failed"

    def __init__(self, value: str) -> None:
        message = f'If-Match {value!r} is not * or a list of entity tags such as "3"'
        super().__init__(
            message, errors=[{"field": "If-Match", "in": "header", "rule": "entity_tag", "message": message}]
        )


def etag(version: int) -> str:
    return f'"{version}"'


def tag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def require(if_match: str | None, session: Session, resource: Callable[[], Versioned]) -> None:
    """Refuse (412) unless ``If-Match`` names the resource's current version. ``resource`` loads it
    (raising its own 404) and is called only when the header was sent, so a write without it costs
    nothing more; call this before changing the resource, whose row it reloads, locked."""
    if if_match is None:
        return
    accepted = _accepted(if_match)
    row = resource()
    stored = inspect(row, raiseerr=False)
    if stored is not None and stored.persistent:  # not a resource's defaults, which are never stored
        session.refresh(row, with_for_update=True)
    current = etag(row.version)
    if accepted is not None and current not in accepted:
        raise PreconditionFailed(
            f"the resource changed since it was read: it is now {current}, not {if_match.strip()}",
            current_etag=current,
        )


def _accepted(if_match: str) -> set[str] | None:
    """The strong tags named (a weak one never matches a write's strong comparison); None for ``*``."""
    if if_match.strip() == "*":
        return None
    accepted, position = set(), 0
    while position < len(if_match):
        found = _ENTITY_TAG.match(if_match, position)
        if found is None or found.end() == position:
            raise BadIfMatch(if_match)
        if not found[1]:
            accepted.add(f'"{found[2]}"')
        position = found.end()
    if not accepted and "W/" not in if_match:
        raise BadIfMatch(if_match)
    return accepted
