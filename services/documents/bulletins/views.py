from __future__ import annotations

from fastapi import APIRouter

from huiwu.service import SessionDep
from services.documents.bulletins import service
from services.documents.bulletins.models import BulletinDocumentPublic

router = APIRouter(prefix="/api/v1/meetings/{meeting_id}/documents/bulletins", tags=["documents"])


@router.get("/{bulletin_id}", response_model=BulletinDocumentPublic)
def registered_bulletin(meeting_id: str, bulletin_id: str, session: SessionDep) -> BulletinDocumentPublic:
    """The document a classified bulletin was registered as (its copies: ``…/documents/{id}/copies``)."""
    return service.registered(session, meeting_id, bulletin_id)
