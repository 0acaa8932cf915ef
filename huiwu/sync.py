"""``GET /api/v1/meetings/{id}/sync`` on every service: how much of a meeting this service knows,
and what an operator needs to judge whether it is behind (outbox backlog, parked messages)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import bindparam, func, select
from sqlmodel import Session, SQLModel, col

from huiwu.inbox import consumer_status
from huiwu.outbox import OutboxEvent
from huiwu.service import SessionDep


class LastEvent(BaseModel):
    id: str
    type: str
    applied_at: datetime


class SyncStatus(BaseModel):
    service: str
    attendees: int
    events_applied: int
    last_event_applied: LastEvent | None
    outbox_pending: int
    parked_messages: int


def sync_router(service: str, *, people: type[SQLModel]) -> APIRouter:
    """``people`` is the table of a meeting's attendees as this service knows them, with
    ``meeting_id`` and ``status`` columns; those still on the roster are counted."""
    columns = people.__table__.c  # type: ignore[attr-defined]
    on_roster = select(func.count()).where(
        columns.meeting_id == bindparam("meeting_id"), columns.status == "registered"
    )

    router = APIRouter(tags=["operations"])

    @router.get("/api/v1/meetings/{meeting_id}/sync", response_model=SyncStatus)
    def read_sync_status(meeting_id: str, session: SessionDep) -> SyncStatus:
        _one_snapshot(session)
        consumed = consumer_status(session, service, meeting_id)
        pending = session.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(col(OutboxEvent.meeting_id) == meeting_id)
            .where(col(OutboxEvent.published_at).is_(None))
        )
        last = None
        if consumed.last_event_id and consumed.last_event_type and consumed.last_applied_at:
            last = LastEvent(
                id=consumed.last_event_id,
                type=consumed.last_event_type,
                applied_at=consumed.last_applied_at,
            )
        return SyncStatus(
            service=service,
            attendees=int(session.scalar(on_roster, {"meeting_id": meeting_id}) or 0),
            events_applied=consumed.applied,
            last_event_applied=last,
            outbox_pending=int(pending or 0),
            parked_messages=consumed.parked,
        )

    return router


def _one_snapshot(session: Session) -> None:
    """Read every count from one snapshot. Under PostgreSQL's default READ COMMITTED, each
    statement sees the latest commit, so a batch landing between two of them showed 10 people
    but 9 events applied. SQLite's transaction is one snapshot already."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
