"""The aggregated reads' routes, answered by the gateway itself (before the catch-all proxy)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from gateway.aggregates.dashboard import Dashboard, dashboard
from gateway.aggregates.dossier import Dossier, dossier
from gateway.aggregates.sections import Asker
from gateway.caller import Caller
from gateway.proxy import forward_headers
from huiwu.auth import Principal, Refused, TokenKind, within_meeting

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}", tags=["aggregates"])


@router.get("/dashboard", response_model=Dashboard)
async def read_dashboard(meeting_id: str, request: Request, caller: Caller) -> Dashboard:
    """The meeting at a glance, asked of every department at once: meeting, attendance now with
    the quorum sentence (registration), today's sessions in Beijing (venue), documents and copies
    issued, outstanding and missing (documents), tasks by state, overdue, and cases (supervision),
    and the departments' sync (admin tokens). Each section carries its own ``as_of`` and
    ``status``: one the token may not read is ``forbidden``; a department down or not answering
    within 2 s leaves its section ``unavailable`` or ``timeout``, never the whole answer. 404 when
    registration knows no such meeting."""
    return await dashboard(_asker(request, caller), meeting_id)


@router.get("/attendees/{attendee_id}/dossier", response_model=Dossier)
async def read_dossier(meeting_id: str, attendee_id: str, request: Request, caller: Caller) -> Dossier:
    """One person across every department: registration (the roster entry with the ID number
    masked, sign-ins, leave, requests, the request to leave), venue (the sessions that seat or
    expect them, and where), documents (the copies given to them and what became of each, and
    whether they may leave), supervision (tasks they are responsible for, cases naming them).
    Sections degrade as on the dashboard; what each department shows depends on the token's
    clearance. 404 when registration does not know the person."""
    return await dossier(_asker(request, caller), meeting_id, attendee_id)


def _asker(request: Request, caller: Principal) -> Asker:
    within_meeting(caller, request.url.path)
    if caller.kind == TokenKind.kiosk:
        raise Refused("a kiosk token only scans badges and looks attendees up", "kiosk")
    return Asker(request.app.state.services, caller, forward_headers(request, caller))
