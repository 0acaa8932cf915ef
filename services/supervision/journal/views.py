from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query, Request

from huiwu.pagination import Cursor, Limit, Page
from huiwu.service import Runtime, SessionDep
from services.supervision.journal import service
from services.supervision.journal.models import JournalEntryPublic, JournalFilter, Verdict

router = APIRouter(tags=["journal"])

Filters = Annotated[JournalFilter, Query()]


@router.get("/api/v1/meetings/{meeting_id}/journal", response_model=Page[JournalEntryPublic])
def read_meeting_journal(
    meeting_id: str, filters: Filters, session: SessionDep, limit: Limit = 50, cursor: Cursor = None
) -> Page[JournalEntryPublic]:
    """Who did what, when: the meeting's events from every department, oldest first."""
    return service.listing(session, meeting_id=meeting_id, filters=filters, limit=limit, cursor=cursor)


@router.get("/api/v1/journal", response_model=Page[JournalEntryPublic])
def read_journal(
    filters: Filters, session: SessionDep, limit: Limit = 50, cursor: Cursor = None
) -> Page[JournalEntryPublic]:
    """The whole journal, oldest first, events that name no meeting included."""
    return service.listing(session, meeting_id=None, filters=filters, limit=limit, cursor=cursor)


@router.get("/api/v1/journal/verify", response_model=Verdict, response_model_exclude_none=True)
async def verify_journal(request: Request) -> Verdict:
    """Recompute every hash and link of the chain: intact, or where it first breaks and why."""
    runtime: Runtime = request.app.state.runtime
    return await asyncio.to_thread(service.verify, runtime.make_session)
