from __future__ import annotations

from fastapi import APIRouter

from gateway.audit import service
from gateway.audit.models import AuditEntryPublic
from gateway.caller import Caller, StoreDep, require_platform_admin
from huiwu.pagination import Cursor, Limit, Page, keyset_after, page_of

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


@router.get("", response_model=Page[AuditEntryPublic])
async def list_audit(
    caller: Caller,
    store: StoreDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: int | None = None,
    token_id: str | None = None,
) -> Page[AuditEntryPublic]:
    """Newest first: requests refused (401, 403) and tokens issued or revoked."""
    require_platform_admin(caller)
    before = keyset_after(cursor, "audit")
    rows = await store.run(
        lambda session: service.list_page(
            session=session, limit=limit + 1, before=before, status=status, token_id=token_id
        )
    )
    return page_of(rows, limit, AuditEntryPublic, "audit")
