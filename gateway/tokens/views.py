from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlmodel import Session

from gateway.audit import service as audit
from gateway.caller import Caller, StoreDep, require_platform_admin
from gateway.proxy import forward_headers
from gateway.tokens import service
from gateway.tokens.book import TokenBook
from gateway.tokens.models import CallerPublic, ClearanceName, TokenCreate, TokenIssued, TokenPublic
from gateway.tokens.revocations import RevocationNews
from gateway.upstream import Service, ServiceUnavailable
from huiwu.auth import Principal
from huiwu.errors import InvalidInput
from huiwu.pagination import Cursor, Limit, Page, encode_cursor, keyset_after

router = APIRouter(prefix="/api/v1/tokens", tags=["tokens"])


@router.post("", status_code=201, response_model=TokenIssued)
async def issue_token(
    token_in: TokenCreate, caller: Caller, store: StoreDep, request: Request, response: Response
) -> TokenIssued:
    """The token is in this answer only: it is stored as a SHA-256 digest."""
    require_platform_admin(caller)
    if token_in.meeting_id is not None:
        await _meeting_exists(request, caller, token_in.meeting_id)

    def issue(session: Session) -> TokenIssued:
        token, plain = service.issue(session=session, token_in=token_in, by=caller)
        _audit_change(session, caller, "POST", f"/api/v1/tokens/{token.id}", 201, "token-issued")
        return TokenIssued(**service.public(token).model_dump(), token=plain)

    issued = await store.run(issue)
    response.headers["Location"] = f"/api/v1/tokens/{issued.id}"
    response.headers["Cache-Control"] = "no-store"  # nor kept for an Idempotency-Key's retry
    return issued


@router.get("", response_model=Page[TokenPublic])
async def list_tokens(
    caller: Caller, store: StoreDep, limit: Limit = 50, cursor: Cursor = None
) -> Page[TokenPublic]:
    """Oldest first; revoked and expired tokens too, with their status."""
    require_platform_admin(caller)
    after = keyset_after(cursor, "tokens")
    rows = await store.run(lambda session: service.list_page(session=session, limit=limit + 1, after=after))
    last = rows[limit - 1] if len(rows) > limit else None
    next_cursor = encode_cursor("tokens", [last.created_at.isoformat(), last.id]) if last else None
    return Page[TokenPublic](items=[service.public(row) for row in rows[:limit]], next_cursor=next_cursor)


@router.get("/me", response_model=CallerPublic)
async def read_own_token(caller: Caller) -> CallerPublic:
    """The calling token's kind, scopes, clearance and meeting; any valid token may ask."""
    return CallerPublic(
        token_id=caller.token_id,
        name=caller.name,
        kind=caller.kind,
        scopes=sorted(caller.scopes),
        clearance=ClearanceName(caller.clearance.name),
        meeting_id=caller.meeting_id,
    )


@router.get("/{token_id}", response_model=TokenPublic)
async def read_token(token_id: str, caller: Caller, store: StoreDep) -> TokenPublic:
    require_platform_admin(caller)
    token = await store.run(lambda session: service.get_or_raise(session=session, token_id=token_id))
    return service.public(token)


@router.delete("/{token_id}", status_code=204)
async def revoke_token(token_id: str, caller: Caller, store: StoreDep, request: Request) -> Response:
    """Refused from the next request on, by every gateway replica (within 10 s by one that was
    away from NATS at the time)."""
    require_platform_admin(caller)

    def revoke(session: Session) -> str:
        token = service.revoke(session=session, token_id=token_id, by=caller)
        _audit_change(session, caller, "DELETE", request.url.path, 204, "token-revoked")
        return token.digest

    token_digest = await store.run(revoke)
    tokens: TokenBook = request.app.state.tokens
    tokens.forget(token_digest)  # after the commit: a look-up from now on finds it revoked
    revocations: RevocationNews = request.app.state.revocations
    await revocations.announce(token_digest)  # and on the other replicas
    return Response(status_code=204)


async def _meeting_exists(request: Request, caller: Principal, meeting_id: str) -> None:
    registration: Service = request.app.state.services["registration"]
    answer = await registration.call(
        "GET", f"/api/v1/meetings/{meeting_id}", headers=forward_headers(request, caller)
    )
    if answer.status_code == 404:
        raise InvalidInput("meeting_id", "known_meeting", f"meeting {meeting_id} does not exist")
    if answer.status_code != 200:
        raise ServiceUnavailable("registration could not confirm the meeting", service="registration")


def _audit_change(
    session: Session, caller: Principal, method: str, path: str, status: int, reason: str
) -> None:
    audit.record(session=session, token=caller, method=method, path=path, status=status, reason=reason)
