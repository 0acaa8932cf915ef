"""Claiming an Idempotency-Key, keeping the answer it got, and forgetting it after a day.

The claim is insert-first: the row's primary key (token, key) lets one request through, on one
gateway or several sharing a database; every other request with that key finds the row and gets
its answer, or is told the first one is still being answered. Each function is one transaction.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from gateway.idempotency.models import IdempotentRequest

KEPT_FOR = timedelta(hours=24)
# A claim still unanswered after this was left by a gateway that died mid-request: a request is
# given ``service_timeout_s`` (10 s) by each service, so no live one takes this long. (Printouts
# wait longer, but they are GETs, which take no key.)
ABANDONED_AFTER = timedelta(seconds=60)


@dataclass(frozen=True)
class Request:
    token_id: str
    key: str
    fingerprint: str
    method: str
    path: str


@dataclass(frozen=True)
class Claimed:
    claim_id: str


@dataclass(frozen=True)
class Answered:
    status: int
    headers: dict[str, str]
    body: bytes | None  # None: the answer was not kept (it carried a secret)


@dataclass(frozen=True)
class InFlight:
    pass


@dataclass(frozen=True)
class Reused:
    method: str
    path: str


Outcome = Claimed | Answered | InFlight | Reused


def claim(session: Session, request: Request, now: datetime) -> Outcome | None:
    """None: the key was released between our insert and our read; claim it again."""
    row = IdempotentRequest(
        token_id=request.token_id,
        key=request.key,
        claim_id=str(uuid.uuid4()),
        fingerprint=request.fingerprint,
        method=request.method,
        path=request.path,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
        return Claimed(row.claim_id)
    except IntegrityError:
        pass
    found = session.get(
        IdempotentRequest, (request.token_id, request.key), with_for_update=True, populate_existing=True
    )
    if found is None:
        return None
    if _lapsed(found, now):
        return _take_over(found, request, now)
    if found.fingerprint != request.fingerprint:
        return Reused(found.method, found.path)
    if found.status is None:
        return InFlight()
    return Answered(found.status, json.loads(found.headers or "{}"), found.body)


def _lapsed(found: IdempotentRequest, now: datetime) -> bool:
    """Past its day, or abandoned in flight: the key is free again."""
    if found.created_at <= now - KEPT_FOR:
        return True
    return found.status is None and found.created_at <= now - ABANDONED_AFTER


def _take_over(found: IdempotentRequest, request: Request, now: datetime) -> Claimed:
    found.claim_id, found.created_at = str(uuid.uuid4()), now
    found.fingerprint, found.method, found.path = request.fingerprint, request.method, request.path
    found.status = found.headers = found.body = None
    return Claimed(found.claim_id)


def answer(
    session: Session,
    request: Request,
    claimed: Claimed,
    status: int,
    headers: Mapping[str, str],
    body: bytes | None,
) -> bool:
    """Keep the answer; False if the claim was no longer this attempt's."""
    result = session.execute(
        update(IdempotentRequest)
        .where(*_owned(request, claimed))
        .values(status=status, headers=json.dumps(dict(headers)), body=body)
    )
    return bool(getattr(result, "rowcount", 0))


def release(session: Session, request: Request, claimed: Claimed) -> None:
    """Free the key for a retry: the request did nothing (a 5xx, or the service was unreachable)."""
    session.execute(delete(IdempotentRequest).where(*_owned(request, claimed)))


def prune(session: Session, now: datetime) -> int:
    result = session.execute(
        delete(IdempotentRequest).where(col(IdempotentRequest.created_at) <= now - KEPT_FOR)
    )
    return int(getattr(result, "rowcount", 0))


def _owned(request: Request, claimed: Claimed) -> tuple[ColumnElement[bool], ...]:
    return (
        col(IdempotentRequest.token_id) == request.token_id,
        col(IdempotentRequest.key) == request.key,
        col(IdempotentRequest.claim_id) == claimed.claim_id,
    )
