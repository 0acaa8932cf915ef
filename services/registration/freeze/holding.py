"""While the roster is frozen, a change of people is kept for approval instead of applied."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlmodel import Session

from services.registration.freeze import service as freeze
from services.registration.freeze.models import ChangeKind, RosterChangePublic

HELD: dict[int | str, dict[str, Any]] = {
    202: {"model": RosterChangePublic, "description": "the roster is frozen: kept for approval"}
}


def held_for_approval(
    session: Session, meeting_id: str, kind: ChangeKind, attendee_id: str | None, body: BaseModel
) -> JSONResponse | None:
    """On a frozen roster, keep the change for an authorised person (202) instead of applying it."""
    if not freeze.is_frozen(session, meeting_id):
        return None
    change = freeze.propose(
        session=session, meeting_id=meeting_id, kind=kind, attendee_id=attendee_id,
        payload=body.model_dump(mode="json", exclude_unset=True),
    )  # fmt: skip
    session.flush()
    public = RosterChangePublic.model_validate(change, from_attributes=True)
    location = f"/api/v1/meetings/{meeting_id}/roster/changes/{change.id}"
    return JSONResponse(public.model_dump(mode="json"), status_code=202, headers={"Location": location})
