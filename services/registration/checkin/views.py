from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlmodel import Session

from huiwu.errors import problem
from huiwu.service import GroupCommitDep, SessionDep
from services.registration.attendees import service as attendees
from services.registration.attendees.models import Attendee
from services.registration.checkin import badges, service
from services.registration.checkin.models import BadgePublic, CheckInPublic, CheckInRequest, RefusedScanPublic

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}", tags=["check-in"])

REFUSAL_STATUS = {"forged": 400, "revoked": 403, "other_meeting": 403, "unknown_attendee": 404}


@router.post(
    "/checkins",
    status_code=201,
    response_model=CheckInPublic,
    responses={200: {"model": CheckInPublic, "description": "a repeat: already signed in"}},
)
async def check_in(
    meeting_id: str, scan_in: CheckInRequest, writes: GroupCommitDep, request: Request, response: Response
) -> CheckInPublic | JSONResponse:
    """Sign a person in (or out) by badge scan or from the roster. 201 the first time; 200 for a
    repeat or a retried request (same ``nonce``); a refused badge is a 4xx and is kept.

    Scans arriving together share a transaction (group commit): a rush at the door costs one
    commit per batch, and each scan is answered only once its batch is stored."""
    outcome = await writes.run(
        lambda session: service.check_in(session=session, meeting_id=meeting_id, scan_in=scan_in)
    )
    if outcome.refusal is not None:
        refusal = outcome.refusal
        status = REFUSAL_STATUS[refusal.reason]
        # Returned, not raised: the refused scan is committed with the request.
        return problem(status, f"badge-{refusal.reason}".replace("_", "-"), "Badge refused", refusal.detail,
                       request, reason=refusal.reason)  # fmt: skip
    assert outcome.answer is not None
    if not outcome.first:
        response.status_code = 200
    return outcome.answer


@router.get("/checkins/refused", response_model=list[RefusedScanPublic])
def list_refused_scans(meeting_id: str, session: SessionDep) -> list[RefusedScanPublic]:
    """Badges turned away at the doors, newest first, with why."""
    refused = service.refused_scans(session=session, meeting_id=meeting_id)
    return [RefusedScanPublic.model_validate(scan, from_attributes=True) for scan in refused]


@router.get("/attendees/{attendee_id}/badge", response_model=BadgePublic, tags=["badges"])
def read_badge(meeting_id: str, attendee_id: str, session: SessionDep) -> BadgePublic:
    attendee = attendees.get_or_raise(session=session, meeting_id=meeting_id, attendee_id=attendee_id)
    return _badge(session, attendee)


@router.post("/attendees/{attendee_id}/badge/revoke", response_model=BadgePublic, tags=["badges"])
def revoke_badge(meeting_id: str, attendee_id: str, session: SessionDep) -> BadgePublic:
    """Revoke the current badge (lost, or handed to someone else) and issue a new one."""
    attendee = service.revoke_badge(session=session, meeting_id=meeting_id, attendee_id=attendee_id)
    return _badge(session, attendee)


def _badge(session: Session, attendee: Attendee) -> BadgePublic:
    token = badges.issue(session, attendee)
    return BadgePublic(
        attendee_id=attendee.id, name=attendee.name, organization=attendee.organization,
        category=attendee.category, pass_name=badges.PASS_NAMES[attendee.category],
        token=token, qr_svg=badges.qr_svg(token),
    )  # fmt: skip
