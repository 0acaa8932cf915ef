"""Writing and reading the audit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, tuple_
from sqlmodel import Session, col

from gateway.audit.models import AuditEntry
from huiwu.auth import Principal
from huiwu.context import current_correlation_id


def record(
    *, session: Session, token: Principal | None, method: str, path: str, status: int, reason: str
) -> None:
    session.add(
        AuditEntry(
            token_id=token.token_id if token else None,
            token_name=token.name if token else None,
            method=method,
            path=path,
            status=status,
            reason=reason[:40],
            request_id=current_correlation_id.get(),
        )
    )


def list_page(
    *,
    session: Session,
    limit: int,
    before: tuple[datetime, str] | None,
    status: int | None,
    token_id: str | None,
) -> list[AuditEntry]:
    """Newest first, keyset-paginated on (created_at, id)."""
    query = select(AuditEntry)
    if before is not None:
        query = query.where(tuple_(col(AuditEntry.created_at), col(AuditEntry.id)) < before)
    if status is not None:
        query = query.where(col(AuditEntry.status) == status)
    if token_id is not None:
        query = query.where(col(AuditEntry.token_id) == token_id)
    order = (col(AuditEntry.created_at).desc(), col(AuditEntry.id).desc())
    return list(session.scalars(query.order_by(*order).limit(limit)))
